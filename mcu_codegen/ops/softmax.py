"""SOFTMAX (int8 in, int8 out with scale 1/256 and zero point -128, over the last axis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, out
from .common import opt_float


@dataclass(frozen=True)
class SoftmaxAttrs(OpAttrs):
    beta: float


def _output_rule(g: Graph, op: Op) -> str | None:
    """the int8 output has scale 1/256 and zero point -128 (as TFLite Micro requires); the
    input and output have the same shape"""
    o, x = out(g, op), g.tensors[op.inputs[0]]
    if o.quant is None or o.quant.scale != 1.0 / 256 or o.quant.zero_point != -128:
        return "output quantization must be scale 1/256, zero point -128"
    if x.shape != o.shape or not x.shape:
        return "input and output shapes differ"
    assert isinstance(op.attrs, SoftmaxAttrs)
    if x.quant is None or op.attrs.beta * x.quant.scale * (1 << 26) <= 1.0:
        return "beta x input scale is too small"
    return None


class Softmax(OpDef):
    kind = OpKind.SOFTMAX
    summary = "softmax over the last axis (TFLite's fixed-point exp)"
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _output_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return SoftmaxAttrs(beta=opt_float(options, "beta", 1.0))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x = g.tensors[op.inputs[0]]
        assert x.quant is not None and isinstance(op.attrs, SoftmaxAttrs)
        mult, shift, diff_min = quant.softmax_params(op.attrs.beta, x.quant.scale)
        depth = x.shape[-1]
        fields = {
            "outer": x.size // depth,
            "depth": depth,
            "input_multiplier": mult,
            "input_left_shift": shift,
            "diff_min": diff_min,
        }
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("softmax_s8", "mcu_fixedpoint"),
            call=f"mcu_softmax_s8(&{params}, {ctx.cptr(op.inputs[0])}, {ctx.ptr(op.outputs[0])});",
            params_type="mcu_softmax_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
