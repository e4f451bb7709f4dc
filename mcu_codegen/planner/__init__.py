"""Static memory planning: every activation gets a fixed arena offset at build time.

``plan`` tries each candidate execution order with and without in-place reuse,
places the buffers with several strategies (keeping the smallest), and checks
the winner with the independent verifier before returning it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..ir import Graph
from .allocate import arena_size, best_plan, grant_scratch, greedy_by_size, lower_bound
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
    state_offsets: dict[int, int] = field(default_factory=dict)  # buffer id -> state offset
    state_bytes: int = 0

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


def plan(g: Graph, isa: str = "portable") -> ArenaPlan:
    """Plan ``g``; the result is verified tensor by tensor before it is returned.

    Kernel scratch memory never makes the arena bigger: tensors are planned first,
    then each op's scratch request is granted only where it fits in bytes that are
    free during that op. An op whose request is not granted runs the kernel
    variant that needs no scratch (``ArenaPlan.scratch_of`` returns None for it).
    Scratch requests are those of the kernel set ``isa`` (see ops.simd).
    """
    base_order = tuple(range(len(g.ops)))
    base, _ = buffers(g, base_order, inplace=False, isa=isa)
    base_arena = [b for b in base if b.place is Place.ARENA and b.scratch_for < 0]
    bound = lower_bound(base_arena)
    greedy = arena_size(base_arena, greedy_by_size(base_arena))
    best: ArenaPlan | None = None
    for order in candidate_orders(g):
        for inplace in (False, True):
            bufs, pairs = buffers(g, order, inplace=inplace, isa=isa)
            tensors = [b for b in bufs if b.place is Place.ARENA and b.scratch_for < 0]
            size, strategy, offsets = best_plan(tensors)
            granted = grant_scratch([b for b in bufs if b.scratch_for >= 0], tensors, offsets,
                                    size)
            kept = tuple(b for b in bufs if b.scratch_for < 0 or b.id in granted)
            candidate = ArenaPlan(order, kept, {**offsets, **granted}, tuple(pairs), size,
                                  bound, greedy, strategy, inplace)
            if best is None or (size, -candidate.scratch_bytes) < (
                    best.arena_bytes, -best.scratch_bytes):
                best = candidate
    assert best is not None
    state_offsets, state_bytes = _state_layout(best.buffers)
    best = replace(best, state_offsets=state_offsets, state_bytes=state_bytes)
    _check(g, best)
    return best


def _state_layout(bufs: tuple[Buffer, ...]) -> tuple[dict[int, int], int]:
    """Variable tensors live in their own static area, one after the other."""
    offsets, size = {}, 0
    for b in bufs:
        if b.place is Place.STATE:
            offsets[b.id] = size
            size += (b.nbytes + 15) // 16 * 16
    return offsets, size


def _check(g: Graph, p: ArenaPlan) -> None:
    arena = [b for b in p.buffers if b.place is Place.ARENA]
    verify_offsets(arena, p.offsets, p.arena_bytes)
    tensor_offsets = {t: p.offsets[b.id] for b in arena for t in b.tensors}
    external = [t for b in p.buffers if b.place is not Place.ARENA for t in b.tensors]
    scratch = {b.scratch_for: (p.offsets[b.id], b.nbytes) for b in arena if b.scratch_for >= 0}
    verify_plan(g, p.order, tensor_offsets, external, scratch, p.shared_pairs, p.arena_bytes)


__all__ = ["ArenaPlan", "Buffer", "PlanError", "Place", "plan"]
