"""Static memory planning: every activation gets a fixed arena offset at build time."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import Graph
from .allocate import STRATEGIES, arena_size, greedy_by_size, lower_bound
from .buffers import Buffer, Place, buffers
from .verify import verify_plan


@dataclass(frozen=True)
class ArenaPlan:
    order: tuple[int, ...]
    buffers: tuple[Buffer, ...]
    offsets: dict[int, int]
    arena_bytes: int
    lower_bound_bytes: int
    greedy_bytes: int
    strategy: str

    def buffer_of(self, tensor: int) -> Buffer | None:
        for b in self.buffers:
            if tensor in b.tensors:
                return b
        return None

    def scratch_of(self, op_pos: int) -> Buffer | None:
        for b in self.buffers:
            if b.scratch_for == op_pos:
                return b
        return None


def plan(g: Graph) -> ArenaPlan:
    """Plan the graph in its own op order; keep the smallest of several strategies."""
    order = tuple(range(len(g.ops)))
    bufs = buffers(g, order)
    arena = [b for b in bufs if b.place is Place.ARENA]
    best: tuple[int, str, dict[int, int]] | None = None
    for name, strategy in STRATEGIES.items():
        offsets = strategy(arena)
        size = arena_size(arena, offsets)
        if best is None or size < best[0]:
            best = (size, name, offsets)
    assert best is not None
    size, name, offsets = best
    verify_plan(arena, offsets, size)
    greedy = arena_size(arena, greedy_by_size(arena))
    return ArenaPlan(order, tuple(bufs), offsets, size, lower_bound(arena), greedy, name)
