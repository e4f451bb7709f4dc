"""The CONV_2D patch-column path, case by case. The planner grants kernel scratch
only where it does not grow the arena, which a single-op model never allows, so the
ordinary sweep runs the kernel without scratch (straight from the input). Here the
plan is widened to grant every request (each at the end of the arena) and the CONV_2D
sweep runs again: both paths must be bit-exact with TFLite Micro."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mcu_codegen import api
from mcu_codegen.ir import Graph
from mcu_codegen.ops import OPS
from mcu_codegen.planner import ArenaPlan, Place
from mcu_codegen.planner.buffers import Buffer
from tests.kernels import test_conv
from tests.kernels._sweep import Case, assert_bit_exact

_plan = api.plan


def plan_granting_all_scratch(g: Graph, isa: str = "portable") -> ArenaPlan:
    """The usual plan, plus every scratch request it left out, placed after the arena
    (portable kernels: the tests here compile for the host)."""
    assert isa == "portable", isa
    p = _plan(g, isa)
    buffers, offsets, size = list(p.buffers), dict(p.offsets), p.arena_bytes
    for pos, op in enumerate(g.ops):
        nbytes = OPS[op.kind].scratch_bytes(g, op)
        if nbytes > 0 and p.scratch_of(pos) is None:
            step = p.order.index(pos)
            b = Buffer(max(x.id for x in buffers) + 1, (), nbytes, step, step, Place.ARENA,
                       scratch_for=pos)
            size = (size + 15) // 16 * 16
            buffers.append(b)
            offsets[b.id] = size
            size += nbytes
    return replace(p, buffers=tuple(buffers), offsets=offsets, arena_bytes=size)


@pytest.fixture
def all_scratch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "plan", plan_granting_all_scratch)


def _wants_scratch(model: bytes) -> bool:
    _, g = api.load(model)
    return any(OPS[op.kind].scratch_bytes(g, op) > 0 for op in g.ops)


CONV = list(test_conv.CASES)


@pytest.mark.usefixtures("all_scratch")
@pytest.mark.parametrize("case", CONV)
def test_conv_with_patch_columns(case: Case) -> None:
    model = test_conv.build(case)
    assert _wants_scratch(model), "this case no longer exercises the patch-column path"
    assert_bit_exact(model, case)
