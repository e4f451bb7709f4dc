"""fuse_activations: a standalone RELU / RELU6 becomes its producer's fused activation."""

from __future__ import annotations

from dataclasses import replace

from ..ir import Graph, OpKind
from ..ops import OPS
from .rewrite import drop_ops, is_private, replace_op

_FUSABLE = {OpKind.RELU: "RELU", OpKind.RELU6: "RELU6"}


def fuse_activations(g: Graph) -> Graph:
    """Expects: a valid graph. Guarantees: a RELU or RELU6 whose input is the private
    result of an op with a fused-activation slot set to NONE, with equal input and
    output quantization, is gone; the producer writes the RELU's output with the
    activation fused. Bit-exact: the producer's clamp to the activation range equals
    requantizing by 1.0 and clamping afterwards."""
    changed = True
    while changed:
        changed = False
        producer = {t: pos for pos, op in enumerate(g.ops) for t in op.outputs}
        for pos, op in enumerate(g.ops):
            act = _FUSABLE.get(op.kind)
            src = op.inputs[0] if op.inputs else -1
            prev_pos = producer.get(src)
            if act is None or prev_pos is None:
                continue
            prev = g.ops[prev_pos]
            attrs = prev.attrs
            if (not OPS[prev.kind].takes_fused_activation
                    or getattr(attrs, "activation", None) != "NONE"
                    or g.tensors[src].quant != g.tensors[op.outputs[0]].quant
                    or not is_private(g, src, pos)):
                continue
            fused = replace(prev, attrs=replace(attrs, activation=act),  # type: ignore[type-var]
                            outputs=(op.outputs[0],))
            g = drop_ops(replace_op(g, prev_pos, fused), [pos])
            changed = True
            break
    return g
