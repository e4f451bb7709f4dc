"""RELU and RELU6 as standalone ops (int8).

A pass folds them into the op that produces their input whenever that op has a
fused-activation slot; the kernel here runs the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, out
from .quantize import NoAttrs

IDENTITY = (1 << 30, 1)


def _same_shape(g: Graph, op: Op) -> str | None:
    """input and output have the same shape"""
    if g.tensors[op.inputs[0]].shape != out(g, op).shape:
        return "input and output shapes differ"
    return None


class _Relu(OpDef):
    activation = ""

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        return (0,)

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        raise NotImplementedError

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        fields = {"size": out(g, op).size, **self.constants(g, op)}
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("relu_s8",),
            call=f"mcu_relu_s8(&{params}, {ctx.cptr(op.inputs[0])}, {ctx.ptr(op.outputs[0])});",
            params_type="mcu_relu_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


class Relu(_Relu):
    kind = OpKind.RELU
    summary = "max(x, 0) with requantization (folded into its producer when possible)"
    activation = "RELU"
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _same_shape,
    )

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """TFLM CalculateReluOpData: multiplier from in_scale / out_scale. The source
        of the commit we read divides in float, but the tflite-micro package (the
        oracle) divides in double: measured, 18 of 4096 bytes differ otherwise."""
        x, o = g.tensors[op.inputs[0]], out(g, op)
        assert x.quant and o.quant
        ratio = quant.f32(x.quant.scale) / quant.f32(o.quant.scale)
        m, s = quant.quantize_multiplier(ratio)
        lo, hi = quant.activation_range("RELU", o.quant)
        return {"input_zero_point": x.quant.zero_point, "output_zero_point": o.quant.zero_point,
                "multiplier": m, "shift": s, "act_min": lo, "act_max": hi}


class Relu6(_Relu):
    kind = OpKind.RELU6
    summary = "min(max(x, 0), 6) (folded into its producer when possible)"
    activation = "RELU6"
    rules = (*Relu.rules, rules.same_quant())

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """TFLM Relu6Quantized clamps in the input's quantization, without rescaling."""
        x = g.tensors[op.inputs[0]]
        assert x.quant
        lo, hi = quant.activation_range("RELU6", x.quant)
        return {"input_zero_point": x.quant.zero_point, "output_zero_point": x.quant.zero_point,
                "multiplier": IDENTITY[0], "shift": IDENTITY[1], "act_min": lo, "act_max": hi}
