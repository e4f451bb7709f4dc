"""fold_pad: PAD with the zero point feeding a VALID convolution becomes its padding."""

from __future__ import annotations

from dataclasses import replace

from ..ir import Graph, OpKind
from ..ops.conv import ConvAttrs
from ..ops.pad import pad_amounts, pad_value_is_zero_point
from .rewrite import drop_ops, is_private, replace_op

_CONVS = (OpKind.CONV_2D, OpKind.DEPTHWISE_CONV_2D)


def fold_pad(g: Graph) -> Graph:
    """Expects: a valid graph. Guarantees: a PAD/PADV2 of a 4-D int8 tensor that pads
    only height and width, with the zero point, and whose private result feeds a
    VALID CONV_2D or DEPTHWISE_CONV_2D, is gone; the convolution reads the PAD's
    input with explicit (top, bottom, left, right) padding. Bit-exact: a tap on the
    zero point adds (zp - zp) * w = 0, the same as the skipped out-of-image tap."""
    changed = True
    while changed:
        changed = False
        readers_of: dict[int, list[int]] = {}
        for pos, op in enumerate(g.ops):
            for t in op.inputs:
                readers_of.setdefault(t, []).append(pos)
        for pos, op in enumerate(g.ops):
            if op.kind not in (OpKind.PAD, OpKind.PADV2) or len(op.inputs) < 2:
                continue
            pads = pad_amounts(g, op)
            src, dst = op.inputs[0], op.outputs[0]
            users = readers_of.get(dst, [])
            if (pads is None or pads.shape != (4, 2) or (pads < 0).any()
                    or pads[0].any() or pads[3].any() or len(users) != 1
                    or not pad_value_is_zero_point(g, op) or not is_private(g, dst, users[0])):
                continue
            conv = g.ops[users[0]]
            attrs = conv.attrs
            if (conv.kind not in _CONVS or not isinstance(attrs, ConvAttrs)
                    or conv.inputs[0] != dst or attrs.padding != "VALID"
                    or attrs.explicit_pads is not None):
                continue
            explicit = (int(pads[1, 0]), int(pads[1, 1]), int(pads[2, 0]), int(pads[2, 1]))
            new_conv = replace(conv, attrs=replace(attrs, explicit_pads=explicit),
                               inputs=(src, *conv.inputs[1:]))
            g = drop_ops(replace_op(g, users[0], new_conv), [pos])
            changed = True
            break
    return g
