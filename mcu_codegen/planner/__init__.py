"""Static memory planning: every activation gets a fixed arena offset at build time.

``plan`` tries each candidate execution order with and without in-place reuse,
places the buffers with several strategies (keeping the smallest), and checks
the winner with the independent verifier before returning it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import Graph
from .allocate import arena_size, best_plan, greedy_by_size, lower_bound
from .buffers import Buffer, Place, buffers
from .schedule import candidate_orders
from .verify import PlanError, verify_offsets, verify_plan


@dataclass(frozen=True)
class ArenaPlan:
    order: tuple[int, ...]
    buffers: tuple[Buffer, ...]
    offsets: dict[int, int]  # buffer id -> arena offset
    shared_pairs: tuple[tuple[int, int], ...]
    arena_bytes: int
    lower_bound_bytes: int  # for the model's own order, without in-place reuse
    greedy_bytes: int  # TFLite Micro's greedy-by-size plan of the same tensors
    strategy: str
    inplace: bool

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

    @property
    def scratch_bytes(self) -> int:
        return sum(b.nbytes for b in self.buffers if b.scratch_for >= 0)


def plan(g: Graph) -> ArenaPlan:
    """Plan ``g``; the result is verified tensor by tensor before it is returned."""
    base_order = tuple(range(len(g.ops)))
    base, _ = buffers(g, base_order, inplace=False)
    base_arena = [b for b in base if b.place is Place.ARENA]
    bound = lower_bound(base_arena)
    greedy = arena_size(base_arena, greedy_by_size(base_arena))
    best: ArenaPlan | None = None
    for order in candidate_orders(g):
        for inplace in (False, True):
            bufs, pairs = buffers(g, order, inplace=inplace)
            arena = [b for b in bufs if b.place is Place.ARENA]
            size, strategy, offsets = best_plan(arena)
            if best is None or size < best.arena_bytes:
                best = ArenaPlan(order, tuple(bufs), offsets, tuple(pairs), size, bound,
                                 greedy, strategy, inplace)
    assert best is not None
    _check(g, best)
    return best


def _check(g: Graph, p: ArenaPlan) -> None:
    arena = [b for b in p.buffers if b.place is Place.ARENA]
    verify_offsets(arena, p.offsets, p.arena_bytes)
    tensor_offsets = {t: p.offsets[b.id] for b in arena for t in b.tensors}
    external = [t for b in p.buffers if b.place is not Place.ARENA for t in b.tensors]
    scratch = {b.scratch_for: (p.offsets[b.id], b.nbytes) for b in arena if b.scratch_for >= 0}
    verify_plan(g, p.order, tensor_offsets, external, scratch, p.shared_pairs, p.arena_bytes)


__all__ = ["ArenaPlan", "Buffer", "PlanError", "Place", "plan"]
