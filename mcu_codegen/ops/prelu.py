"""PRELU (int8 input and alpha, each with its own quantization; alpha broadcasts
against the input and may be a constant or a computed tensor)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant
from .arithmetic import REQUANTIZING_RULES, checked_shift
from .base import out
from .broadcast import BroadcastBinaryOp
from .quantize import NoAttrs


class Prelu(BroadcastBinaryOp):
    kind = OpKind.PRELU
    summary = "parametric ReLU: x for x >= 0, alpha * x otherwise, alpha broadcast against x"
    rules = REQUANTIZING_RULES
    kernel, function, params_type = "prelu_s8", "mcu_prelu_s8", "mcu_prelu_params_t"

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """TFLM CalculatePreluParams: s_in / s_out and s_in * s_alpha / s_out, in double."""
        qx, qa, qo = (g.tensors[op.inputs[0]].quant, g.tensors[op.inputs[1]].quant,
                      out(g, op).quant)
        assert qx is not None and qa is not None and qo is not None
        c = quant.prelu_params(qx, qa, qo)
        checked_shift("identity multiplier", c["output_shift_1"])
        checked_shift("alpha multiplier", c["output_shift_2"])
        return c
