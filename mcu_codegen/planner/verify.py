"""Independent checks of arena plans (they share no code with the allocators).

``verify_offsets`` checks placed buffers; ``verify_plan`` checks a whole plan at
the level of tensors, recomputing every tensor's lifetime from the graph and the
execution order, so a bug in how the planner grouped tensors is caught too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import McuCodegenError
from ..ir import Graph


class PlanError(McuCodegenError):
    """An arena plan is wrong: a bug in the planner, never the user's fault."""

    exit_code = 70


def _no_overlap(items: Iterable[tuple[int, int, int, int, object]], what: str,
                allowed: Mapping[object, object] | None = None) -> None:
    """items: (first, last, start, end, key). Two items alive at one step may share
    bytes only if ``allowed`` maps both keys to the same group."""
    items = list(items)
    last_step = max((it[1] for it in items), default=-1)
    for step in range(last_step + 1):
        live = sorted((s, e, k) for f, la, s, e, k in items if f <= step <= la and e > s)
        for i, (s0, e0, k0) in enumerate(live):
            for s1, _e1, k1 in live[i + 1:]:
                if s1 >= e0:
                    break
                if allowed is None or allowed.get(k0, k0) != allowed.get(k1, k1):
                    raise PlanError(f"{what} {k0} [{s0}, {e0}) and {k1} overlap at step {step}")


def verify_offsets(bufs: Sequence[Any], offsets: Mapping[int, int], arena_bytes: int,
                   alignment: int = 16) -> None:
    """Every buffer placed, aligned, inside the arena, and no two buffers alive at the
    same step share a byte. ``bufs`` items have ``id``, ``nbytes``, ``first``, ``last``."""
    for b in bufs:
        if b.id not in offsets:
            raise PlanError(f"buffer {b.id} has no offset")
        off = offsets[b.id]
        if off % alignment:
            raise PlanError(f"buffer {b.id} at offset {off} is not {alignment}-byte aligned")
        if off < 0 or off + b.nbytes > arena_bytes:
            raise PlanError(f"buffer {b.id} [{off}, {off + b.nbytes}) is outside the arena")
    _no_overlap(((b.first, b.last, offsets[b.id], offsets[b.id] + b.nbytes, b.id)
                 for b in bufs), "buffers")


def verify_plan(g: Graph, order: Sequence[int], tensor_offsets: Mapping[int, int],
                external: Iterable[int], scratch: Mapping[int, tuple[int, int]],
                shared_pairs: Iterable[tuple[int, int]], arena_bytes: int,
                alignment: int = 16) -> None:
    """Check a plan tensor by tensor.

    ``tensor_offsets`` maps each arena tensor to its offset, ``external`` lists the
    tensors living in the caller's buffers, ``scratch`` maps op
    positions to (offset, bytes) of their scratch memory, ``shared_pairs`` lists the
    tensor pairs the planner declares may share bytes (RESHAPE aliases, in-place
    element-wise ops). Every op's arena tensors and scratch must be placed; nothing
    alive at the same step may overlap unless declared.
    """
    if sorted(order) != list(range(len(g.ops))):
        raise PlanError("the execution order is not a permutation of the ops")
    produced_at: dict[int, int] = {}
    for step, op_pos in enumerate(order):
        for t in g.ops[op_pos].outputs:
            produced_at[t] = step
    for step, op_pos in enumerate(order):
        for t in g.ops[op_pos].inputs:
            if t in produced_at and produced_at[t] > step:
                raise PlanError(f"tensor {t} is read at step {step} before it is written")
    outside = set(external)
    for op in g.ops:
        for t in (*op.inputs, *op.outputs):
            if t >= 0 and not g.tensors[t].is_const and t not in tensor_offsets \
                    and t not in outside:
                raise PlanError(f"tensor {t} used by op {op.index} has no storage")
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for step, op_pos in enumerate(order):
        op = g.ops[op_pos]
        for t in (*op.inputs, *op.outputs):
            if t in tensor_offsets:
                first.setdefault(t, step)
                last[t] = step
    parent: dict[object, object] = {}

    def root(x: object) -> object:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in shared_pairs:
        parent[root(b)] = root(a)
    items: list[tuple[int, int, int, int, object]] = []
    for t, off in tensor_offsets.items():
        nbytes = g.tensors[t].nbytes
        if off % alignment or off < 0 or off + nbytes > arena_bytes:
            raise PlanError(f"tensor {t} at [{off}, {off + nbytes}) is misaligned or outside")
        if t in first:
            items.append((first[t], last[t], off, off + nbytes, t))
    for op_pos, (off, nbytes) in scratch.items():
        step = order.index(op_pos)
        if off % alignment or off + nbytes > arena_bytes:
            raise PlanError(f"scratch of op {op_pos} is misaligned or outside the arena")
        items.append((step, step, off, off + nbytes, ("scratch", op_pos)))
    groups = {k: root(k) for *_, k in items}
    _no_overlap(items, "tensors", groups)
