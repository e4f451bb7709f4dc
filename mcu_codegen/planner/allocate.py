"""Offset assignment for arena buffers: small pure functions, smallest plan kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .buffers import Buffer

ALIGN = 16

Strategy = Callable[[Sequence[Buffer]], dict[int, int]]


def align(n: int, to: int = ALIGN) -> int:
    return (n + to - 1) // to * to


def overlaps(a: Buffer, b: Buffer) -> bool:
    """True when the two buffers are alive during at least one common op."""
    return a.first <= b.last and b.first <= a.last


def place_in_order(ordered: Sequence[Buffer]) -> dict[int, int]:
    """First fit: each buffer goes at the lowest aligned offset where it does not
    collide with an already placed buffer whose lifetime overlaps its own."""
    offsets: dict[int, int] = {}
    placed: list[Buffer] = []
    for buf in ordered:
        busy = sorted(
            (offsets[p.id], offsets[p.id] + p.nbytes) for p in placed if overlaps(p, buf)
        )
        offset = 0
        for start, end in busy:
            if offset + buf.nbytes <= start:
                break
            offset = max(offset, align(end))
        offsets[buf.id] = offset
        placed.append(buf)
    return offsets


def greedy_by_size(bufs: Sequence[Buffer]) -> dict[int, int]:
    """TFLite Micro's GreedyMemoryPlanner: largest first, ties by first use."""
    return place_in_order(sorted(bufs, key=lambda b: (-b.nbytes, b.first, b.id)))


def greedy_by_first_use(bufs: Sequence[Buffer]) -> dict[int, int]:
    """Buffers in the order they come alive, longer-lived first on ties."""
    return place_in_order(sorted(bufs, key=lambda b: (b.first, -b.last, -b.nbytes, b.id)))


def greedy_by_lifetime(bufs: Sequence[Buffer]) -> dict[int, int]:
    """Longest-lived buffers first (they constrain the most others)."""
    return place_in_order(sorted(bufs, key=lambda b: (b.first - b.last, -b.nbytes, b.id)))


STRATEGIES: dict[str, Strategy] = {
    "greedy_by_size": greedy_by_size,
    "greedy_by_first_use": greedy_by_first_use,
    "greedy_by_lifetime": greedy_by_lifetime,
}


def arena_size(bufs: Sequence[Buffer], offsets: dict[int, int]) -> int:
    return align(max((offsets[b.id] + b.nbytes for b in bufs), default=0))


def lower_bound(bufs: Sequence[Buffer]) -> int:
    """The largest sum of 16-byte-aligned live buffers at any op: no plan can be smaller."""
    steps = {s for b in bufs for s in (b.first, b.last)}
    return max((sum(align(b.nbytes) for b in bufs if b.first <= s <= b.last) for s in steps),
               default=0)
