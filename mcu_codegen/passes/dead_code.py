"""remove_dead_ops: drop ops whose results nobody reads."""

from __future__ import annotations

from ..ir import Graph
from .rewrite import drop_ops


def remove_dead_ops(g: Graph) -> Graph:
    """Expects: a valid graph. Guarantees: every remaining op has an output that is a
    graph output or is read by another remaining op. Tensors keep their indices (so
    report.json matches the .tflite file); unused ones are simply never planned or
    emitted."""
    while True:
        needed = set(g.outputs)
        for op in g.ops:
            needed.update(t for t in op.inputs if t >= 0)
        dead = [pos for pos, op in enumerate(g.ops) if not any(t in needed for t in op.outputs)]
        if not dead:
            return g
        g = drop_ops(g, dead)
