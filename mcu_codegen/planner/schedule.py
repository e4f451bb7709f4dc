"""Execution orders worth planning: the model's own, and memory-aware ones.

Only graphs with branches (a tensor read by several ops) have a choice; for a
chain the model's order is the only valid one.
"""

from __future__ import annotations

from ..ir import Graph


def _deps(g: Graph) -> tuple[list[set[int]], list[set[int]]]:
    producer = {t: pos for pos, op in enumerate(g.ops) for t in op.outputs}
    before: list[set[int]] = [set() for _ in g.ops]
    after: list[set[int]] = [set() for _ in g.ops]
    for pos, op in enumerate(g.ops):
        for t in op.inputs:
            p = producer.get(t)
            if p is not None and p != pos:
                before[pos].add(p)
                after[p].add(pos)
    return before, after


def has_branches(g: Graph) -> bool:
    readers: dict[int, int] = {}
    for op in g.ops:
        for t in set(op.inputs):
            if t >= 0 and not g.tensors[t].is_const:
                readers[t] = readers.get(t, 0) + 1
    return any(n > 1 for n in readers.values())


def memory_greedy_order(g: Graph, prefer_large_first: bool) -> tuple[int, ...]:
    """A topological order that, among the ready ops, runs first the one that frees
    the most bytes net of what it allocates (ties: the model's order). With
    ``prefer_large_first`` the sign of the tie-break on output size flips, which
    finishes the heavier branch first."""
    before, after = _deps(g)
    waiting = [len(b) for b in before]
    readers_left: dict[int, int] = {}
    for op in g.ops:
        for t in set(op.inputs):
            if t >= 0 and not g.tensors[t].is_const:
                readers_left[t] = readers_left.get(t, 0) + 1
    ready = [pos for pos, n in enumerate(waiting) if n == 0]
    order: list[int] = []
    while ready:
        def score(pos: int) -> tuple[int, int, int]:
            op = g.ops[pos]
            allocated = sum(g.tensors[t].nbytes for t in op.outputs)
            freed = sum(g.tensors[t].nbytes for t in set(op.inputs)
                        if t >= 0 and readers_left.get(t) == 1 and t not in g.outputs)
            size_key = -allocated if prefer_large_first else allocated
            return (allocated - freed, size_key, pos)

        ready.sort(key=score)
        pos = ready.pop(0)
        order.append(pos)
        for t in set(g.ops[pos].inputs):
            if t in readers_left:
                readers_left[t] -= 1
        for nxt in sorted(after[pos]):
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    assert len(order) == len(g.ops), "the graph has a cycle"
    return tuple(order)


def candidate_orders(g: Graph) -> list[tuple[int, ...]]:
    """The model's order first, then distinct memory-aware alternatives."""
    orders = [tuple(range(len(g.ops)))]
    if has_branches(g):
        for large_first in (False, True):
            o = memory_greedy_order(g, large_first)
            if o not in orders:
                orders.append(o)
    return orders
