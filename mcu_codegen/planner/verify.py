"""Independent check of an arena plan (shares no code with the allocators)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import McuCodegenError
from .buffers import Buffer


class PlanError(McuCodegenError):
    """An arena plan is wrong: a bug in the planner, never the user's fault."""

    exit_code = 70


def verify_plan(
    bufs: Sequence[Buffer], offsets: Mapping[int, int], arena_bytes: int, alignment: int = 16
) -> None:
    """Raise PlanError unless every buffer is placed, aligned, inside the arena, and no
    two buffers alive at the same op share a byte."""
    for b in bufs:
        if b.id not in offsets:
            raise PlanError(f"buffer {b.id} has no offset")
        off = offsets[b.id]
        if off % alignment:
            raise PlanError(f"buffer {b.id} at offset {off} is not {alignment}-byte aligned")
        if off < 0 or off + b.nbytes > arena_bytes:
            raise PlanError(f"buffer {b.id} [{off}, {off + b.nbytes}) is outside the arena")
    last_step = max((b.last for b in bufs), default=-1)
    for step in range(last_step + 1):
        live = sorted(
            (offsets[b.id], offsets[b.id] + b.nbytes, b.id)
            for b in bufs
            if b.first <= step <= b.last and b.nbytes > 0
        )
        for (_s0, e0, id0), (s1, _e1, id1) in zip(live, live[1:], strict=False):
            if s1 < e0:
                raise PlanError(f"buffers {id0} and {id1} overlap at op {step}")
