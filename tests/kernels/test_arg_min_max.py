"""ARG_MAX and ARG_MIN sweeps: ranks 1 to 5, every axis (negative too, axis tensor
of shape [1] or scalar), axis sizes 1 to 300 (ties: the verify edge sets are all
one value, and more than 256 values along an axis must repeat), input zero points at
-128 / 0 / 127. Output int32 only: TFLite Micro has no int64 output for these ops
(see test_arg_max_int64_output_is_refused)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._sweep import Case, assert_bit_exact, sweep
from tests.tflite_writer import ModelBuilder, QParams

ZPS = [-128, 0, 127, 5]


def _case(shape: Sequence[int], axis: int, in_zp: int = 5, scalar_axis: bool = False
          ) -> Case:
    return {"shape": tuple(shape), "axis": axis, "scalar": scalar_axis, "in_zp": in_zp}


def arg_model(opcode: str, case: Case, output_type: str = "int32") -> bytes:
    shape, axis = list(case["shape"]), case["axis"]
    out_shape = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    mb = ModelBuilder(f"{opcode.lower()} sweep")
    x = mb.add_tensor("x", shape, "int8", QParams([0.05], [case["in_zp"]]))
    ax = mb.add_tensor("axis", [] if case["scalar"] else [1], "int32",
                       data=np.asarray([axis], dtype=np.int32))
    y = mb.add_tensor("y", out_shape, output_type)
    mb.add_op(opcode, [x, ax], [y], {"output_type": output_type.upper()})
    mb.set_io([x], [y])
    return mb.build()


CURATED: list[Case] = [
    _case((1, 10), 1),                          # a classifier's scores
    _case((2, 3, 4), 0, in_zp=-128),
    _case((2, 3, 4), -2, in_zp=127, scalar_axis=True),
    _case((2, 300), -1, in_zp=0),               # > 256 values: ties certain
    _case((4, 1, 3), 1),                        # axis of size 1: always 0
    _case((7,), 0, scalar_axis=True),           # 1-D in, scalar out
    _case((2, 2, 3, 2, 5), 3),
]


def draw(r: random.Random) -> Case | None:
    rank = r.randint(1, 5)
    shape = tuple(r.choice([1, 2, 3, 4, 5, 8, 13]) for _ in range(rank))
    if math.prod(shape) > 3000:
        return None
    axis = r.randrange(rank)
    if r.random() < 0.3:
        axis -= rank
    return _case(shape, axis, r.choice(ZPS), r.random() < 0.3)


CASES_MAX = sweep(CURATED, draw, family="arg_max", default_random=0)
CASES_MIN = sweep(CURATED, draw, family="arg_min", default_random=0)


def test_arg_min_max_case_count() -> None:
    assert min(len(CASES_MAX), len(CASES_MIN)) >= 6


@pytest.mark.parametrize("case", CASES_MAX)
def test_arg_max_bit_exact(case: Case) -> None:
    assert_bit_exact(arg_model("ARG_MAX", case), case)


@pytest.mark.parametrize("case", CASES_MIN)
def test_arg_min_bit_exact(case: Case) -> None:
    assert_bit_exact(arg_model("ARG_MIN", case), case)


def test_arg_max_int64_output_is_refused() -> None:
    """TFLite Micro fails at Eval on an int64 output ("Only int32_t are supported"):
    the build refuses it with that reason instead of inventing semantics."""
    with pytest.raises(UnsupportedError, match="int32"):
        api.compile_model(arg_model("ARG_MAX", _case((2, 3), 1), output_type="int64"))
