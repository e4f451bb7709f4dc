"""LOG_SOFTMAX (int8 in, int8 out with scale 16/256 and zero point 127, last axis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, out
from .quantize import NoAttrs

#: Row length whose Q12.19 sum of exponentials (each <= 1.0) cannot overflow int32.
MAX_DEPTH = 4095


def _output_rule(g: Graph, op: Op) -> str | None:
    """the output has scale 16/256 and zero point 127 (as TFLite Micro requires), the
    same shape as the input, rank >= 1 and at most 4095 elements on the last axis"""
    o, x = out(g, op), g.tensors[op.inputs[0]]
    if o.quant is None or o.quant.scale != 16.0 / 256 or o.quant.zero_point != 127:
        return "output quantization must be scale 16/256, zero point 127"
    if x.shape != o.shape or not x.shape:
        return "input and output shapes differ (or are scalars)"
    if x.shape[-1] > MAX_DEPTH:
        return f"the last axis has {x.shape[-1]} elements, at most {MAX_DEPTH}"
    return None


class LogSoftmax(OpDef):
    kind = OpKind.LOG_SOFTMAX
    summary = "logarithm of the softmax over the last axis (TFLite's fixed-point exp and log)"
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _output_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        """Each row is read whole before the last pass, which reads element c just
        before writing it."""
        return (0,)

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x = g.tensors[op.inputs[0]]
        assert x.quant is not None
        depth = x.shape[-1]
        fields = {"outer": x.size // depth if depth else 0, "depth": depth,
                  **quant.log_softmax_params(x.quant.scale)}
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("log_softmax_s8", "mcu_fixedpoint"),
            call=(f"mcu_log_softmax_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                  f"{ctx.ptr(op.outputs[0])});"),
            params_type="mcu_log_softmax_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
