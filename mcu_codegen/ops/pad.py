"""PAD and PADV2 (int8): folded into the following convolution when possible,
otherwise run as a fill and a box copy (``copy_s8``).

A PAD whose pad value is the zero point, feeding only a VALID CONV_2D or
DEPTHWISE_CONV_2D, becomes that convolution's explicit padding (the kernel
skips taps outside the image, which is exactly a tap on the zero point; see
passes/pad.py). Any other PAD runs on its own: the output is filled with the
pad value, then the input is copied into its interior, as
tflite::reference_ops::Pad produces it.

The pad value is, as in TFLite Micro: PAD, and PADV2 without a value input,
the output's zero point; PADV2 its constant int8 value, which must carry the
output's scale and zero point. The input's values are copied unchanged (TFLite
Micro does not rescale them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, Rule, inp, out
from .movement import Box, arity, const_int_input, copy_emission, int8_data, row_major
from .quantize import NoAttrs

#: TFLite's Pad kernels work on up to 5-D tensors (PadKernelMaxDimensionCount).
MAX_PAD_RANK = 5


def pad_amounts(g: Graph, op: Op) -> np.ndarray | None:
    """The [rank, 2] paddings when they are a constant tensor, else None (the
    standalone kernel also requires int32, which is what TFLite Micro reads)."""
    t = inp(g, op, 1)
    if t is None or t.data is None or t.data.ndim != 2 or t.data.shape[1] != 2:
        return None
    return t.data.astype(np.int64)


def pad_value(g: Graph, op: Op) -> int | None:
    """The int8 value PAD or PADV2 writes, or None when it is not a usable constant."""
    o = out(g, op)
    v = inp(g, op, 2) if op.kind is OpKind.PADV2 else None
    if v is None:
        return o.quant.zero_point if o.quant is not None else None
    if v.data is None or v.data.size != 1 or v.dtype is not DType.INT8:
        return None
    return int(v.data.reshape(-1)[0])


def pad_value_is_zero_point(g: Graph, op: Op) -> bool:
    """PAD pads int8 with the output zero point; PADV2 with its constant value input
    (the zero point when it has none). Input and output share quantization."""
    x, o = g.tensors[op.inputs[0]], g.tensors[op.outputs[0]]
    if x.quant is None or o.quant is None or x.quant != o.quant:
        return False
    return pad_value(g, op) == o.quant.zero_point


def _pad_value_rule(g: Graph, op: Op) -> str | None:
    """PADV2's pad value, when given, is a constant int8 scalar with the output's scale
    and zero point"""
    v = inp(g, op, 2) if op.kind is OpKind.PADV2 else None
    if v is None:
        return None
    if v.data is None or v.data.size != 1 or v.dtype is not DType.INT8:
        return "the pad value must be a constant int8 tensor of one element"
    o = out(g, op)
    assert o.quant is not None
    if v.quant is None or (v.quant.scale, v.quant.zero_point) != (o.quant.scale,
                                                                 o.quant.zero_point):
        return "the pad value's scale and zero point differ from the output's"
    return None


def _pad_shape_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 1 to 5; the paddings are [rank, 2] and >= 0; the output shape is
    the input's plus the paddings"""
    x = g.tensors[op.inputs[0]].shape
    if not 1 <= len(x) <= MAX_PAD_RANK:
        return f"input has rank {len(x)}, expected 1 to {MAX_PAD_RANK}"
    pads = pad_amounts(g, op)
    if pads is None or pads.shape != (len(x), 2):
        return f"the paddings must be a [{len(x)}, 2] tensor"
    if (pads < 0).any():
        return "negative paddings"
    expected = tuple(d + int(p[0]) + int(p[1]) for d, p in zip(x, pads, strict=True))
    if out(g, op).shape != expected:
        return f"output shape {list(out(g, op).shape)}, expected {list(expected)}"
    return None


class Pad(OpDef):
    kind = OpKind.PAD
    summary = "constant padding of an int8 tensor with the zero point (folded into the " \
        "convolution it feeds when possible)"
    rules: ClassVar[Sequence[Rule]] = (
        arity((2, 2)),
        int8_data((0,)),
        const_int_input(1, "the paddings"),
        _pad_shape_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x, o = g.tensors[op.inputs[0]], out(g, op)
        pads = pad_amounts(g, op)
        value = pad_value(g, op)
        assert pads is not None and value is not None
        dst_strides = row_major(o.shape)
        offset = sum(int(p[0]) * s for p, s in zip(pads, dst_strides, strict=True))
        box = Box(0, 0, 0, offset, x.shape, row_major(x.shape), dst_strides)
        fill = value if o.size != x.size else None
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], [box], fill=fill)


class PadV2(Pad):
    kind = OpKind.PADV2
    summary = "constant padding of an int8 tensor with a given value (folded into the " \
        "convolution it feeds when it is the zero point)"
    rules = (
        arity((2, 3)),
        int8_data((0,)),
        const_int_input(1, "the paddings"),
        _pad_value_rule,
        _pad_shape_rule,
    )

