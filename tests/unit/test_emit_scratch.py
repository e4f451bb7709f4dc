"""EmitContext.scratch: the C expression for an op's kernel scratch memory is the
arena offset the planner chose for the scratch buffer that ``OpDef.scratch_bytes``
asked for (16-byte aligned, checked by the plan verifier against every live tensor)."""

from __future__ import annotations

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.codegen.context import Emitter
from mcu_codegen.ir import OpKind
from mcu_codegen.ops import OPS
from mcu_codegen.planner import plan
from tests.tflite_writer import ModelBuilder, QParams


def _three_op_model() -> bytes:
    """int8 x -> QUANTIZE (new scale) -> a [2, 8, 6] -> MEAN over the last axis -> t
    -> SUM over the last axis -> y. During the SUM only t (16 bytes) is alive in an
    arena sized for a and t together, so 96 bytes are free there."""
    mb = ModelBuilder("scratch")
    q = QParams([0.05], [3])
    x = mb.add_tensor("x", [2, 8, 6], "int8", q)
    a = mb.add_tensor("a", [2, 8, 6], "int8", QParams([0.04], [-1]))
    t = mb.add_tensor("t", [2, 8], "int8", q)
    y = mb.add_tensor("y", [2], "int8", QParams([0.4], [0]))
    axis = mb.add_tensor("axis", [1], "int32", data=np.asarray([-1], dtype=np.int32))
    mb.add_op("QUANTIZE", [x], [a])
    mb.add_op("MEAN", [a, axis], [t], {"keep_dims": False})
    mb.add_op("SUM", [t, axis], [y], {"keep_dims": False})
    mb.set_io([x], [y])
    return mb.build()


def test_scratch_points_at_the_planned_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OPS[OpKind.SUM], "scratch_bytes", lambda g, op: 40)
    _, g = api.load(_three_op_model())
    p = plan(g)
    sum_pos = next(i for i, op in enumerate(g.ops) if op.kind is OpKind.SUM)
    buf = p.scratch_of(sum_pos)
    assert buf is not None and buf.nbytes == 40
    offset = p.offsets[buf.id]
    assert offset % 16 == 0 and offset + 40 <= p.arena_bytes
    em = Emitter(g, p, "model")
    assert em.scratch(g.ops[sum_pos]) == f"(arena + {offset})"
    # The MEAN asked for none: asking for it is a generator bug, said plainly.
    mean_op = next(op for op in g.ops if op.kind is OpKind.MEAN)
    with pytest.raises(AssertionError, match="no planned scratch"):
        em.scratch(mean_op)
    # The scratch buffer never overlaps the SUM's input, alive at the same time.
    t_buf = p.buffer_of(g.ops[sum_pos].inputs[0])
    assert t_buf is not None
    t_off = p.offsets[t_buf.id]
    assert offset + 40 <= t_off or t_off + t_buf.nbytes <= offset


def test_scratch_never_grows_the_arena(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request with no free bytes during its op is not granted: the op runs its
    kernel's no-scratch variant and the arena keeps its size."""
    _, g = api.load(_three_op_model())
    without = plan(g).arena_bytes
    monkeypatch.setattr(OPS[OpKind.MEAN], "scratch_bytes", lambda g, op: 4096)
    p = plan(g)
    mean_pos = next(i for i, op in enumerate(g.ops) if op.kind is OpKind.MEAN)
    assert p.scratch_of(mean_pos) is None
    assert p.arena_bytes == without
