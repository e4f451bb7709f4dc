"""Offset assignment for arena buffers: small pure functions, smallest plan kept."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from .buffers import Buffer

ALIGN = 16


def align(n: int, to: int = ALIGN) -> int:
    return (n + to - 1) // to * to


def overlaps(a: Buffer, b: Buffer) -> bool:
    """True when the two buffers are alive during at least one common op."""
    return a.first <= b.last and b.first <= a.last


def place_in_order(ordered: Sequence[Buffer]) -> dict[int, int]:
    """First fit: each buffer goes at the lowest aligned offset where it does not
    collide with an already placed buffer whose lifetime overlaps its own.

    Placed buffers are indexed by the steps they are alive at, so a buffer is only
    compared with the buffers alive during its own lifetime."""
    offsets: dict[int, int] = {}
    alive_at: dict[int, list[Buffer]] = {}
    for buf in ordered:
        rivals: dict[int, Buffer] = {}
        for step in range(buf.first, buf.last + 1):
            for p in alive_at.get(step, ()):
                rivals[p.id] = p
        busy = sorted((offsets[p.id], offsets[p.id] + p.nbytes) for p in rivals.values())
        offset = 0
        for start, end in busy:
            if offset + buf.nbytes <= start:
                break
            offset = max(offset, align(end))
        offsets[buf.id] = offset
        for step in range(buf.first, buf.last + 1):
            alive_at.setdefault(step, []).append(buf)
    return offsets


def by_size(bufs: Sequence[Buffer]) -> list[Buffer]:
    """TFLite Micro's GreedyMemoryPlanner order: largest first, ties by first use."""
    return sorted(bufs, key=lambda b: (-b.nbytes, b.first, b.id))


def by_first_use(bufs: Sequence[Buffer]) -> list[Buffer]:
    """Buffers in the order they come alive, longer-lived first on ties."""
    return sorted(bufs, key=lambda b: (b.first, -b.last, -b.nbytes, b.id))


def by_lifetime(bufs: Sequence[Buffer]) -> list[Buffer]:
    """Longest-lived buffers first (they constrain the most others)."""
    return sorted(bufs, key=lambda b: (b.first - b.last, -b.nbytes, b.id))


def by_conflicts(bufs: Sequence[Buffer]) -> list[Buffer]:
    """Buffers that overlap the most bytes of others first."""
    alive_at: dict[int, list[Buffer]] = {}
    for b in bufs:
        for step in range(b.first, b.last + 1):
            alive_at.setdefault(step, []).append(b)
    weight = {}
    for b in bufs:
        rivals = {o.id: o.nbytes for step in range(b.first, b.last + 1)
                  for o in alive_at[step] if o.id != b.id}
        weight[b.id] = sum(rivals.values())
    return sorted(bufs, key=lambda b: (-weight[b.id] - b.nbytes, b.first, b.id))


ORDERINGS: dict[str, Callable[[Sequence[Buffer]], list[Buffer]]] = {
    "greedy_by_size": by_size,
    "greedy_by_first_use": by_first_use,
    "greedy_by_lifetime": by_lifetime,
    "greedy_by_conflicts": by_conflicts,
}


def greedy_by_size(bufs: Sequence[Buffer]) -> dict[int, int]:
    """The plan TFLite Micro's greedy planner would make for these buffers."""
    return place_in_order(by_size(bufs))


def arena_size(bufs: Sequence[Buffer], offsets: dict[int, int]) -> int:
    return align(max((offsets[b.id] + b.nbytes for b in bufs), default=0))


def lower_bound(bufs: Sequence[Buffer]) -> int:
    """The largest sum of 16-byte-aligned live buffers at any op: no plan can be smaller."""
    steps = {s for b in bufs for s in (b.first, b.last)}
    return max((sum(align(b.nbytes) for b in bufs if b.first <= s <= b.last) for s in steps),
               default=0)


def improve(bufs: Sequence[Buffer], start: Sequence[Buffer], target: int,
            iterations: int, seed: int = 0) -> tuple[int, dict[int, int]]:
    """Hill climbing over placement orders: swap two buffers of the best order found
    so far, keep the swap when the arena does not grow. Deterministic (fixed seed,
    fixed iteration budget, never a time limit, so the same model always gets the
    same plan); stops as soon as the arena reaches ``target`` (the lower bound)."""
    rng = random.Random(seed)
    order = list(start)
    best_offsets = place_in_order(order)
    best = arena_size(bufs, best_offsets)
    n = len(order)
    for _ in range(iterations if n > 1 else 0):
        if best <= target:
            break
        i, j = rng.randrange(n), rng.randrange(n)
        if i == j:
            continue
        order[i], order[j] = order[j], order[i]
        offsets = place_in_order(order)
        size = arena_size(bufs, offsets)
        if size <= best:
            best, best_offsets = size, offsets
        else:
            order[i], order[j] = order[j], order[i]
    return best, best_offsets


def search_budget(n_buffers: int) -> int:
    """Placement attempts for the hill climb: cheap graphs get more of them."""
    return max(20, min(400, 40_000 // max(1, n_buffers * n_buffers)))


def best_plan(bufs: Sequence[Buffer]) -> tuple[int, str, dict[int, int]]:
    """The smallest plan of the greedy strategies, improved by hill climbing when
    none reaches the lower bound. Returns (arena bytes, strategy, offsets)."""
    target = lower_bound(bufs)
    best: tuple[int, str, dict[int, int], list[Buffer]] | None = None
    for name, order_fn in ORDERINGS.items():
        ordered = order_fn(bufs)
        offsets = place_in_order(ordered)
        size = arena_size(bufs, offsets)
        if best is None or size < best[0]:
            best = (size, name, offsets, ordered)
    assert best is not None
    size, name, offsets, ordered = best
    if size > target:
        climbed, climbed_offsets = improve(bufs, ordered, target, search_budget(len(bufs)))
        if climbed < size:
            return climbed, f"{name}+hill_climb", climbed_offsets
    return size, name, offsets


def grant_scratch(requests: Sequence[Buffer], placed: Sequence[Buffer],
                  offsets: dict[int, int], arena: int) -> dict[int, int]:
    """Offsets for the scratch requests that fit in bytes free during their op
    without growing the arena (first fit, largest requests first); the others are
    left out."""
    granted: dict[int, int] = {}
    taken = list(placed)
    where = dict(offsets)
    for req in sorted(requests, key=lambda b: (-b.nbytes, b.first, b.id)):
        busy = sorted((where[b.id], where[b.id] + b.nbytes) for b in taken if overlaps(b, req))
        offset = 0
        for start, end in busy:
            if offset + req.nbytes <= start:
                break
            offset = max(offset, align(end))
        if offset + req.nbytes <= arena:
            granted[req.id] = offset
            where[req.id] = offset
            taken.append(req)
    return granted
