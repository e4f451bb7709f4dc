"""MAXIMUM and MINIMUM (int8, broadcasting up to 6-D).

TFLite Micro compares the stored int8 values as they are: the kernel has no
Prepare step and never reads the tensors' scales or zero points (the converter
gives both inputs and the output one quantization). Bit-exactness means doing
the same, so no rule asks the quantizations to agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .arithmetic import BINARY_INT8_RULES
from .broadcast import BroadcastBinaryOp, op_geometry
from .quantize import NoAttrs


class _MaxMin(BroadcastBinaryOp):
    kernel, params_type = "maximum_minimum_s8", "mcu_broadcast_t"
    rules = BINARY_INT8_RULES

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        return {}

    def fields(self, g: Graph, op: Op) -> dict[str, int | str]:
        """The params struct is the broadcast geometry itself."""
        return dict(op_geometry(g, op).fields())


class Maximum(_MaxMin):
    kind = OpKind.MAXIMUM
    summary = ("element-wise maximum of the stored int8 values with TFLite broadcasting; like "
               "TFLite Micro it never rescales, whatever the tensors' quantizations")
    function = "mcu_maximum_s8"


class Minimum(_MaxMin):
    kind = OpKind.MINIMUM
    summary = ("element-wise minimum of the stored int8 values with TFLite broadcasting; like "
               "TFLite Micro it never rescales, whatever the tensors' quantizations")
    function = "mcu_minimum_s8"
