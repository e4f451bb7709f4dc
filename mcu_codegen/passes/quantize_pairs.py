"""cancel_quantize_pairs: remove conversions that give back the same bytes."""

from __future__ import annotations

from ..ir import DType, Graph, OpKind
from .rewrite import drop_ops, is_private, readers, replace_uses


def cancel_quantize_pairs(g: Graph) -> Graph:
    """Expects: a valid graph. Guarantees: no int8 -> int8 QUANTIZE with equal scale and
    zero point, and no DEQUANTIZE -> QUANTIZE pair with equal parameters on both ends,
    remains; readers of the removed results read the original int8 tensor. Both are
    exact identities in TFLite's arithmetic (the multiplier is 2^30 with shift 1, and
    q -> scale*(q-zp) -> round(x/scale)+zp gives q back for every int8 q)."""
    changed = True
    while changed:
        changed = False
        for pos, op in enumerate(g.ops):
            if op.kind is not OpKind.QUANTIZE:
                continue
            src, dst = g.tensors[op.inputs[0]], g.tensors[op.outputs[0]]
            if src.dtype is DType.INT8 and src.quant == dst.quant and dst.index not in g.outputs:
                g = drop_ops(replace_uses(g, dst.index, src.index), [pos])
                changed = True
                break
            producer = [p for p, o in enumerate(g.ops) if src.index in o.outputs]
            if src.dtype is not DType.FLOAT32 or len(producer) != 1:
                continue
            deq = g.ops[producer[0]]
            orig = g.tensors[deq.inputs[0]]
            if (deq.kind is OpKind.DEQUANTIZE and orig.quant == dst.quant
                    and is_private(g, src.index, pos) and dst.index not in g.outputs
                    and len(readers(g, dst.index)) > 0):
                g = drop_ops(replace_uses(g, dst.index, orig.index), [pos, producer[0]])
                changed = True
                break
    return g
