"""L2_NORMALIZATION (int8, along the last axis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import rules
from .base import Emission, EmitContext, OpDef, inp, out
from .common import activation

#: Squares one row may sum: (int8 - zero point)^2 <= 255^2, below 2^31 for 33,025 of them.
MAX_DEPTH = ((1 << 31) - 1) // (255 * 255)


@dataclass(frozen=True)
class L2NormAttrs(OpAttrs):
    activation: str


def _rule(g: Graph, op: Op) -> str | None:
    """the input has 1 to 4 dimensions, none empty, and the output its shape; the last
    dimension is at most 33,025 (int32 sum of squares); no fused activation"""
    x, o = inp(g, op, 0), out(g, op)
    assert isinstance(op.attrs, L2NormAttrs)
    if op.attrs.activation != "NONE":
        return f"fused activation {op.attrs.activation} (TFLite Micro supports none)"
    if x is None:
        return None  # reported by the dtype rule
    if not 1 <= len(x.shape) <= 4 or x.size == 0:
        return f"input shape {list(x.shape)} is not supported (1 to 4 dimensions, none empty)"
    if o.shape != x.shape:
        return f"output shape {list(o.shape)} differs from the input's {list(x.shape)}"
    if x.shape[-1] > MAX_DEPTH:
        return f"the last dimension {x.shape[-1]} exceeds {MAX_DEPTH}"
    return None


def _output_quant_rule(g: Graph, op: Op) -> str | None:
    """the output has scale 1/128 and zero point 0 (TFLite requires it; TFLite Micro's
    kernel writes that encoding whatever the output's parameters say)"""
    q = out(g, op).quant
    if q is None or q.scale != 1.0 / 128 or q.zero_point != 0:
        return "output quantization must be scale 1/128, zero point 0"
    return None


class L2Normalization(OpDef):
    kind = OpKind.L2_NORMALIZATION
    summary = ("each vector along the last axis divided by its L2 norm "
               "(TFLite's fixed-point inverse square root)")
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _output_quant_rule,
        _rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return L2NormAttrs(activation=activation(options))

    def macs(self, g: Graph, op: Op) -> int:
        return g.tensors[op.inputs[0]].size

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        """A row is read whole for its norm before any of it is written; then each
        element is read just before the same output element is written."""
        return (0,)

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x = g.tensors[op.inputs[0]]
        assert x.quant is not None
        depth = x.shape[-1]
        fields = {"outer": x.size // depth, "depth": depth,
                  "input_zero_point": x.quant.zero_point}
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("l2norm_s8",),
            call=f"mcu_l2_normalization_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                 f"{ctx.ptr(op.outputs[0])});",
            params_type="mcu_l2norm_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
