"""LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and ELU (int8), each as a 256-entry table.

The tables hold what TFLite Micro's own int8 arithmetic gives for every input
byte (see ``tables.py``); the kernel ``lut_s8`` only looks them up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import rules, tables
from .base import CArray, Emission, EmitContext, OpDef, out
from .common import opt_float
from .quantize import NoAttrs


@dataclass(frozen=True)
class LeakyReluAttrs(OpAttrs):
    alpha: float


def _same_shape(g: Graph, op: Op) -> str | None:
    """input and output have the same shape"""
    if g.tensors[op.inputs[0]].shape != out(g, op).shape:
        return "input and output shapes differ"
    return None


UNARY_INT8_RULES = (
    rules.n_inputs(1, 1),
    rules.io_dtype("input", 0, DType.INT8),
    rules.io_dtype("output", 0, DType.INT8),
    _same_shape,
)


def _scales(g: Graph, op: Op) -> tuple[float, int, float, int]:
    """(input scale, input zero point, output scale, output zero point)."""
    qi, qo = g.tensors[op.inputs[0]].quant, out(g, op).quant
    assert qi is not None and qo is not None
    return qi.scale, qi.zero_point, qo.scale, qo.zero_point


class _Lookup(OpDef):
    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def table(self, g: Graph, op: Op) -> tables.Table:
        raise NotImplementedError

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        return (0,)

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        name = ctx.symbol(op, "table")
        call = (f"mcu_lut_s8({name}, {out(g, op).size}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])});")
        return Emission(kernels=("lut_s8",), call=call,
                        arrays=(CArray(name, "int8_t", self.table(g, op)),))


def _logistic_output_rule(g: Graph, op: Op) -> str | None:
    """the output zero point is -128 (TFLite Micro requires it)"""
    q = out(g, op).quant
    if q is None or q.zero_point != -128:
        return "output zero point must be -128"
    return None


class Logistic(_Lookup):
    kind = OpKind.LOGISTIC
    summary = ("sigmoid by TFLite's fixed-point routine, as a table; like TFLite Micro it "
               "writes the output on scale 1/256 whatever the output's scale says")
    rules = (*UNARY_INT8_RULES, _logistic_output_rule)

    def table(self, g: Graph, op: Op) -> tables.Table:
        s_in, zp_in, _, _ = _scales(g, op)
        return tables.logistic_table(s_in, zp_in)


class Tanh(_Lookup):
    kind = OpKind.TANH
    summary = ("hyperbolic tangent by TFLite's fixed-point routine, as a table; like TFLite "
               "Micro it writes the output on scale 1/128, zero point 0, whatever the output's "
               "quantization says")
    rules = UNARY_INT8_RULES

    def table(self, g: Graph, op: Op) -> tables.Table:
        s_in, zp_in, _, _ = _scales(g, op)
        return tables.tanh_table(s_in, zp_in)


def _hard_swish_scale_rule(g: Graph, op: Op) -> str | None:
    """the output scale is at least about the input scale / 128 (TFLite Micro requires
    an output multiplier exponent <= 0)"""
    s_in, _, s_out, _ = _scales(g, op)
    try:
        tables.hard_swish_params(s_in, s_out)
    except ValueError as exc:
        return str(exc)
    return None


class HardSwish(_Lookup):
    kind = OpKind.HARD_SWISH
    summary = "hard swish, x * relu6(x + 3) / 6, by TFLite's int16 fixed-point routine, as a table"
    rules = (*UNARY_INT8_RULES, _hard_swish_scale_rule)

    def table(self, g: Graph, op: Op) -> tables.Table:
        return tables.hard_swish_table(*_scales(g, op))


class LeakyRelu(_Lookup):
    kind = OpKind.LEAKY_RELU
    summary = "leaky ReLU: x for x >= 0, alpha * x otherwise (any alpha, also negative), as a table"
    rules = UNARY_INT8_RULES

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return LeakyReluAttrs(alpha=opt_float(options, "alpha", 0.0))

    def table(self, g: Graph, op: Op) -> tables.Table:
        assert isinstance(op.attrs, LeakyReluAttrs)
        return tables.leaky_relu_table(op.attrs.alpha, *_scales(g, op))


class Elu(_Lookup):
    kind = OpKind.ELU
    summary = ("exponential linear unit: exp(x) - 1 for x < 0, x otherwise, as TFLite Micro's "
               "float32 table")
    rules = UNARY_INT8_RULES

    def table(self, g: Graph, op: Op) -> tables.Table:
        return tables.elu_table(*_scales(g, op))
