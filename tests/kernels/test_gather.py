"""GATHER sweep (the ``gather_s8`` kernel): int8 inputs of ranks 1 to 4, every axis
(negative too), batch_dims 0..axis, scalar and 1-D to 3-D constant int32 indices
with repeats, zero points -128 / 0 / 127, outputs with a different quantization
(copied unchanged, as TFLite Micro does). Indices outside the axis are refused
(TFLite Micro would read outside the input)."""

from __future__ import annotations

import math
import random

import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._movement import curated, dims, i32, one_op_model, pick_quant, sweep_sizes
from tests.kernels._sweep import FULL_SWEEP, Case, assert_bit_exact, case_id, sweep


def _gather(shape, axis, idx_shape, indices, batch_dims=0, q=(0.02, 5), qo=None) -> Case:
    return {"op": "GATHER", "shape": tuple(shape), "axis": axis, "idx_shape": tuple(idx_shape),
            "indices": tuple(indices), "batch_dims": batch_dims, "q": tuple(q),
            "qo": tuple(qo or q)}


CURATED = [
    _gather((10, 4), 0, (3,), (9, 0, 9)),  # embedding lookup with a repeat
    _gather((2, 5, 3), -2, (), (4,), q=(0.05, -128)),  # scalar index drops the axis
    _gather((2, 3, 4), 2, (2, 2), (3, 0, 1, 1), batch_dims=1, q=(0.1, 127), qo=(0.3, 0)),
    _gather((3, 2, 4, 2), 1, (3, 2, 1), (1, 0, 0, 1, 1, 1), q=(1.0, 0)),
    _gather((6,), 0, (2, 3), (5, 4, 3, 2, 1, 0)),
]


def draw(r: random.Random) -> Case:
    rank = r.randint(1, 4)
    shape = dims(r, rank, 1, 4)
    axis = r.randrange(rank)
    batch_dims = r.randint(0, axis) if r.random() < 0.3 else 0
    idx_rank = r.randint(batch_dims, batch_dims + 2)
    idx_shape = shape[:batch_dims] + dims(r, idx_rank - batch_dims, 1, 3)
    indices = tuple(r.randrange(shape[axis]) for _ in range(math.prod(idx_shape)))
    if r.random() < 0.5:
        axis -= rank
    q = pick_quant(r)
    return _gather(shape, axis, idx_shape, indices, batch_dims, q,
                   pick_quant(r) if r.random() < 0.2 else q)


def build(c: Case) -> bytes:
    shape, idx_shape, b = c["shape"], c["idx_shape"], c["batch_dims"]
    axis = c["axis"] % len(shape)
    out = list(shape[:axis]) + list(idx_shape[b:]) + list(shape[axis + 1:])
    indices = i32(c["indices"]).reshape(idx_shape)
    return one_op_model("GATHER", [(shape, c["q"])], {1: indices}, [(out, c["qo"])],
                        {"axis": c["axis"], "batch_dims": b}, case_id=case_id(c))


CASES = sweep(curated(CURATED), draw, family="gather", **sweep_sizes())


@pytest.mark.parametrize("case", CASES)
def test_gather_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


def test_gather_case_count() -> None:
    assert len(CASES) >= (50 if FULL_SWEEP else 6)


def test_gather_index_out_of_range_is_refused() -> None:
    c = _gather((4, 3), 0, (2,), (1, 4))
    with pytest.raises(UnsupportedError, match=r"outside \[0, 4\)"):
        api.compile_model(build(c))
