"""PAD and PADV2 (int8): folded into the following convolution.

A PAD whose pad value is the zero point, feeding only a VALID CONV_2D or
DEPTHWISE_CONV_2D, becomes that convolution's explicit padding (the kernel
skips taps outside the image, which is exactly a tap on the zero point).
Standalone PAD is not supported yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import OpDef, inp
from .quantize import NoAttrs


def pad_amounts(g: Graph, op: Op) -> np.ndarray | None:
    """The [rank, 2] paddings when they are a constant tensor, else None."""
    t = inp(g, op, 1)
    if t is None or t.data is None or t.data.ndim != 2 or t.data.shape[1] != 2:
        return None
    return t.data.astype(np.int64)


def pad_value_is_zero_point(g: Graph, op: Op) -> bool:
    """PAD pads int8 with the output zero point; PADV2 with its constant value input."""
    x, o = g.tensors[op.inputs[0]], g.tensors[op.outputs[0]]
    if x.quant is None or o.quant is None or x.quant != o.quant:
        return False
    if op.kind is OpKind.PADV2:
        v = inp(g, op, 2)
        return v is not None and v.data is not None and v.data.size == 1 and \
            int(v.data.reshape(-1)[0]) == o.quant.zero_point
    return True


def _folded_only(g: Graph, op: Op) -> str | None:
    """supported only when it pads height and width with the zero point and feeds only a
    VALID CONV_2D or DEPTHWISE_CONV_2D (it is folded into that convolution)"""
    return "standalone PAD is not supported (it could not be folded into a convolution)"


class Pad(OpDef):
    kind = OpKind.PAD
    summary = "zero-point padding, folded into the convolution it feeds"
    rules = (_folded_only,)

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()


class PadV2(Pad):
    kind = OpKind.PADV2
