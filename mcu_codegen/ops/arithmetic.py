"""MUL, SUB and SQUARED_DIFFERENCE (int8, each input with its own quantization,
broadcasting up to 6-D)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..ir import DType, Graph, Op, OpKind, QuantParams
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Rule, out
from .broadcast import (
    BroadcastBinaryOp,
    FusedActivationAttrs,
    activation_rule,
    broadcast_rule,
    parse_activation,
)
from .quantize import NoAttrs


def per_tensor_input(index: int) -> Rule:
    def rule(g: Graph, op: Op) -> str | None:
        q = g.tensors[op.inputs[index]].quant
        if q is not None and q.per_channel:
            return f"input {index} has per-channel quantization"
        return None

    rule.__doc__ = f"input {index} is quantized per tensor"
    return rule


def checked_shift(name: str, shift: int) -> int:
    """A MultiplyByQuantizedMultiplier shift must lie in [-31, 30]: TFLite shifts
    by 1 << shift, which is undefined from 31 on."""
    if not -31 <= shift <= 30:
        raise ValueError(f"the {name} needs the shift {shift}, outside [-31, 30]")
    return shift


BINARY_INT8_RULES: tuple[Rule, ...] = (
    rules.n_inputs(2, 2),
    rules.io_dtype("input", 0, DType.INT8),
    rules.io_dtype("input", 1, DType.INT8),
    rules.io_dtype("output", 0, DType.INT8),
    broadcast_rule,
)
#: For the ops that rescale: TFLite Micro reads only the first scale of input 1.
REQUANTIZING_RULES: tuple[Rule, ...] = (*BINARY_INT8_RULES, per_tensor_input(1))


def _three(g: Graph, op: Op) -> tuple[QuantParams, QuantParams, QuantParams]:
    q1, q2, qo = (g.tensors[op.inputs[0]].quant, g.tensors[op.inputs[1]].quant,
                  out(g, op).quant)
    assert q1 is not None and q2 is not None and qo is not None
    return q1, q2, qo


def _activation(op: Op) -> str:
    assert isinstance(op.attrs, FusedActivationAttrs)
    return op.attrs.activation


class Mul(BroadcastBinaryOp):
    kind = OpKind.MUL
    takes_fused_activation = True
    summary = "element-wise multiplication with TFLite broadcasting and fused activation"
    rules = (*REQUANTIZING_RULES, activation_rule)
    kernel, function, params_type = "mul_s8", "mcu_mul_s8", "mcu_mul_params_t"

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return parse_activation(options, op_inputs)

    def macs(self, g: Graph, op: Op) -> int:
        return out(g, op).size

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """TFLM CalculateOpDataMul: one multiplier for double(s1) * s2 / s_out."""
        q1, q2, qo = _three(g, op)
        mult, shift = quant.mul_multiplier(q1, q2, qo)
        act_min, act_max = quant.activation_range(_activation(op), qo)
        return {
            "input1_offset": -q1.zero_point,
            "input2_offset": -q2.zero_point,
            "output_offset": qo.zero_point,
            "output_multiplier": mult,
            "output_shift": checked_shift("output multiplier", shift),
            "act_min": act_min,
            "act_max": act_max,
        }


class Sub(BroadcastBinaryOp):
    kind = OpKind.SUB
    takes_fused_activation = True
    summary = "element-wise subtraction with TFLite broadcasting and fused activation"
    rules = (*REQUANTIZING_RULES, activation_rule)
    kernel, function, params_type = "sub_s8", "mcu_sub_s8", "mcu_sub_params_t"

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return parse_activation(options, op_inputs)

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """TFLM CalculateOpDataSub: ADD's scheme with float32 scale ratios."""
        q1, q2, qo = _three(g, op)
        act_min, act_max = quant.activation_range(_activation(op), qo)
        return {**quant.sub_params(q1, q2, qo), "act_min": act_min, "act_max": act_max}


class SquaredDifference(BroadcastBinaryOp):
    kind = OpKind.SQUARED_DIFFERENCE
    summary = "element-wise (x1 - x2)^2 with TFLite broadcasting"
    rules = REQUANTIZING_RULES
    kernel = "squared_difference_s8"
    function, params_type = "mcu_squared_difference_s8", "mcu_sub_params_t"

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def macs(self, g: Graph, op: Op) -> int:
        return out(g, op).size

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """TFLM squared_difference.cc PrepareQuantized (left shift 7, no activation)."""
        q1, q2, qo = _three(g, op)
        c = quant.squared_difference_params(q1, q2, qo)
        checked_shift("output multiplier", c["output_shift"])
        return {**c, "act_min": quant.INT8_MIN, "act_max": quant.INT8_MAX}
