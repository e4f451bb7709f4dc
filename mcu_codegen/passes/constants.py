"""fold_constants: evaluate ops whose inputs are known at build time."""

from __future__ import annotations

from dataclasses import replace

from ..ir import Graph
from ..ops import OPS
from .rewrite import drop_ops, replace_tensor


def fold_constants(g: Graph) -> Graph:
    """Expects: a valid graph. Guarantees: every op whose definition can evaluate it
    from constant inputs (SHAPE of any tensor; STRIDED_SLICE, PACK, FILL, RESHAPE of
    constants) is gone and its outputs are constant tensors with the same values
    the reference would compute at run time. Repeats until nothing changes."""
    changed = True
    while changed:
        changed = False
        for pos, op in enumerate(g.ops):
            values = OPS[op.kind].evaluate(g, op)
            if values is None:
                continue
            for t_idx, value in zip(op.outputs, values, strict=True):
                t = g.tensors[t_idx]
                g = replace_tensor(g, replace(t, data=value.astype(t.dtype.numpy)))
            g = drop_ops(g, [pos])
            changed = True
            break
    return g
