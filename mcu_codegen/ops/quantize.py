"""QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float32)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, out


@dataclass(frozen=True)
class NoAttrs(OpAttrs):
    """The op has no options."""


def c_float(x: float) -> str:
    """An exact C99 float literal (hexadecimal) for a float32 value."""
    return f"{quant.f32(x).hex()}f"


def _scale_rule(g: Graph, op: Op) -> str | None:
    """scales are positive and per tensor"""
    for t in (g.tensors[op.inputs[0]], out(g, op)):
        if t.quant is not None and (t.quant.per_channel or t.quant.scale <= 0):
            return "quantization must be per tensor with a positive scale"
    return None


class Quantize(OpDef):
    kind = OpKind.QUANTIZE
    summary = "float32 to int8, or int8 to int8 with new scale and zero point"
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.FLOAT32, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        rules.same_size(),
        _scale_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        """int8 -> int8 requantization is element-wise and keeps the size."""
        return (0,) if g.tensors[op.inputs[0]].dtype is DType.INT8 else ()

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x, o = g.tensors[op.inputs[0]], out(g, op)
        assert o.quant is not None
        params = ctx.symbol(op, "params")
        src, dst = ctx.cptr(op.inputs[0]), ctx.ptr(op.outputs[0])
        if x.dtype is DType.FLOAT32:
            fields: dict[str, int | str] = {
                "size": o.size, "scale": c_float(o.quant.scale), "zero_point": o.quant.zero_point
            }
            return Emission(
                kernels=("quantize_s8",),
                call=f"mcu_quantize_f32_s8(&{params}, {src}, {dst});",
                params_type="mcu_quantize_params_t",
                params_name=params,
                params=tuple(fields.items()),
            )
        assert x.quant is not None
        m, s = quant.quantize_multiplier(quant.f32(x.quant.scale) / quant.f32(o.quant.scale))
        fields = {
            "size": o.size,
            "input_zero_point": x.quant.zero_point,
            "output_zero_point": o.quant.zero_point,
            "multiplier": m,
            "shift": s,
        }
        return Emission(
            kernels=("quantize_s8",),
            call=f"mcu_requantize_s8(&{params}, {src}, {dst});",
            params_type="mcu_requantize_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


class Dequantize(OpDef):
    kind = OpKind.DEQUANTIZE
    summary = "int8 to float32"
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("output", 0, DType.FLOAT32),
        rules.same_size(),
        _scale_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x = g.tensors[op.inputs[0]]
        assert x.quant is not None
        params = ctx.symbol(op, "params")
        fields: dict[str, int | str] = {
            "size": x.size, "scale": c_float(x.quant.scale), "zero_point": x.quant.zero_point
        }
        return Emission(
            kernels=("quantize_s8",),
            call=(
                f"mcu_dequantize_s8_f32(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])});"
            ),
            params_type="mcu_dequantize_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
