"""The allocators and the independent plan verifier, on random lifetime sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcu_codegen.planner.allocate import (
    ORDERINGS,
    align,
    arena_size,
    best_plan,
    lower_bound,
    place_in_order,
)
from mcu_codegen.planner.buffers import Buffer, Place
from mcu_codegen.planner.verify import PlanError, verify_offsets


@st.composite
def buffer_sets(draw: st.DrawFn) -> list[Buffer]:
    n = draw(st.integers(1, 24))
    steps = draw(st.integers(1, 30))
    bufs = []
    for i in range(n):
        first = draw(st.integers(0, steps - 1))
        last = draw(st.integers(first, steps - 1))
        size = draw(st.one_of(st.integers(1, 64), st.integers(1, 5000)))
        bufs.append(Buffer(i, (i,), size, first, last, Place.ARENA))
    return bufs


@settings(max_examples=300, deadline=None)
@given(buffer_sets())
def test_every_strategy_gives_a_valid_plan_no_smaller_than_the_bound(bufs: list[Buffer]) -> None:
    bound = lower_bound(bufs)
    for order in ORDERINGS.values():
        offsets = place_in_order(order(bufs))
        size = arena_size(bufs, offsets)
        verify_offsets(bufs, offsets, size)
        assert size >= bound
    size, _, offsets = best_plan(bufs)
    verify_offsets(bufs, offsets, size)
    assert bound <= size <= sum(align(b.nbytes) for b in bufs)


@settings(max_examples=200, deadline=None)
@given(buffer_sets(), st.data())
def test_verifier_catches_any_collision(bufs: list[Buffer], data: st.DataObject) -> None:
    """Move one buffer onto another that is alive at the same time: always caught."""
    size, _, offsets = best_plan(bufs)
    pairs = [(a, b) for a in bufs for b in bufs
             if a.id < b.id and a.first <= b.last and b.first <= a.last]
    if not pairs:
        return
    a, b = data.draw(st.sampled_from(pairs))
    broken = dict(offsets)
    broken[b.id] = broken[a.id]
    with pytest.raises(PlanError):
        verify_offsets(bufs, broken, max(size, broken[b.id] + b.nbytes + 16))


def test_verifier_checks_alignment_and_bounds() -> None:
    bufs = [Buffer(0, (0,), 32, 0, 1, Place.ARENA)]
    with pytest.raises(PlanError, match="aligned"):
        verify_offsets(bufs, {0: 8}, 64)
    with pytest.raises(PlanError, match="outside"):
        verify_offsets(bufs, {0: 16}, 32)
    with pytest.raises(PlanError, match="no offset"):
        verify_offsets(bufs, {}, 32)


def test_hill_climb_reaches_the_bound_where_greedy_does_not() -> None:
    """A chain of equal buffers plus a small one placed badly by size-first greedy
    (the shape of the MLPerf Tiny autoencoder)."""
    sizes = [128, 128, 128, 128, 8, 128, 128, 128, 128]
    bufs = [Buffer(i, (i,), s, i, i + 1, Place.ARENA) for i, s in enumerate(sizes)]
    greedy = arena_size(bufs, place_in_order(ORDERINGS["greedy_by_size"](bufs)))
    size, strategy, offsets = best_plan(bufs)
    verify_offsets(bufs, offsets, size)
    assert size == lower_bound(bufs) == 256
    assert greedy == 272 and strategy.endswith("hill_climb")


def test_tensor_level_verifier_rejects_undeclared_sharing() -> None:
    """The whole-plan check recomputes lifetimes from the graph: two tensors alive at
    once at the same offset are an error unless the planner declared the sharing."""
    from mcu_codegen import api
    from mcu_codegen.planner import Place, plan
    from mcu_codegen.planner.verify import verify_plan
    from tests.example_models import kws_tiny

    _, g = api.load(kws_tiny())
    p = plan(g)
    arena = [b for b in p.buffers if b.place is Place.ARENA]
    offsets = {t: p.offsets[b.id] for b in arena for t in b.tensors}
    external = [t for b in p.buffers if b.place is not Place.ARENA for t in b.tensors]
    verify_plan(g, p.order, offsets, external, {}, p.shared_pairs, p.arena_bytes)
    # conv0 -> t0 -> depthwise -> t1 -> conv -> t2: put t1 where t0 and t2 are.
    t0, t1 = g.ops[1].inputs[0], g.ops[1].outputs[0]
    t2 = g.ops[2].outputs[0]
    assert offsets[t0] == offsets[t2] != offsets[t1]
    broken = dict(offsets)
    broken[t1] = broken[t0]
    with pytest.raises(PlanError, match="overlap"):
        verify_plan(g, p.order, broken, external, {}, p.shared_pairs, p.arena_bytes)
    declared = [*p.shared_pairs, (t0, t1), (t1, t2)]
    verify_plan(g, p.order, broken, external, {}, declared, p.arena_bytes)
    missing = {t: o for t, o in offsets.items() if t != t1}
    with pytest.raises(PlanError, match="no storage"):
        verify_plan(g, p.order, missing, external, {}, p.shared_pairs, p.arena_bytes)
    with pytest.raises(PlanError, match="before it is written"):
        verify_plan(g, tuple(reversed(p.order)), offsets, external, {}, p.shared_pairs,
                    p.arena_bytes)
