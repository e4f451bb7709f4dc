"""collapse_reshapes: a chain of RESHAPE-like ops becomes one."""

from __future__ import annotations

from dataclasses import replace

from ..ir import Graph
from ..ops import OPS
from .rewrite import is_private, replace_op


def collapse_reshapes(g: Graph) -> Graph:
    """Expects: a valid graph. Guarantees: no RESHAPE/SQUEEZE/EXPAND_DIMS reads the
    private result of another one; the later op reads the first one's input directly
    (the earlier op is then dead and removed by remove_dead_ops)."""
    producer = {t: pos for pos, op in enumerate(g.ops) for t in op.outputs}
    for pos, op in enumerate(g.ops):
        if not OPS[op.kind].aliases_input():
            continue
        src = op.inputs[0]
        prev_pos = producer.get(src)
        if prev_pos is None:
            continue
        prev = g.ops[prev_pos]
        if OPS[prev.kind].aliases_input() and is_private(g, src, pos):
            g = replace_op(g, pos, replace(op, inputs=(prev.inputs[0],)))
    return g
