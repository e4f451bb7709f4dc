"""MEAN, SUM and REDUCE_MAX sweeps: ranks 1 to 5, any axes (negative, duplicated,
scalar axis tensor, no axis at all), keep_dims true and false, the 4-D spatial mean
(axes 1 and 2) with and without keep_dims, reductions down to one value, and
input/output scales equal, close and far apart (including the MEAN multiplier whose
1/n shift TFLite clamps at 31 + shift) with zero points at -128 / 0 / 127.
REDUCE_MAX needs equal input and output quantization (TFLite Micro requires it)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest

from tests.kernels._sweep import Case, assert_bit_exact, sweep
from tests.tflite_writer import ModelBuilder, QParams

ZPS = [-128, 0, 127, 5, -37]
IN_SCALES = [0.02, 0.5, 1.0 / 128, 0.003, 1.7]
#: output scale / the natural one (mean: the input scale; sum: in_scale * sqrt(n)).
OUT_F = [1.0, 1.0, 1.0001, 0.5, 3.0, 0.01, 100.0, 2.0**-27, 2.0**27]


def _case(shape: Sequence[int], axes: Sequence[int], keep: bool, in_s: float = 0.02,
          in_zp: int = 5, out_f: float = 1.0, out_zp: int = -6, scalar_axis: bool = False
          ) -> Case:
    return {"shape": tuple(shape), "axes": tuple(axes), "keep": keep, "scalar": scalar_axis,
            "in_s": in_s, "in_zp": in_zp, "out_f": out_f, "out_zp": out_zp}


def reduce_model(opcode: str, case: Case) -> bytes:
    shape, axes = list(case["shape"]), list(case["axes"])
    rank = len(shape)
    resolved = {a + rank if a < 0 else a for a in axes}
    count = math.prod(shape[a] for a in resolved)
    if opcode == "REDUCE_MAX":
        out_q = QParams([case["in_s"]], [case["in_zp"]])
    else:
        natural = case["in_s"] * (math.sqrt(count) if opcode == "SUM" else 1.0)
        out_q = QParams([natural * case["out_f"]], [case["out_zp"]])
    if case["keep"]:
        out_shape = [1 if i in resolved else d for i, d in enumerate(shape)]
    else:
        out_shape = [d for i, d in enumerate(shape) if i not in resolved]
    mb = ModelBuilder(f"{opcode.lower()} sweep")
    x = mb.add_tensor("x", shape, "int8", QParams([case["in_s"]], [case["in_zp"]]))
    axis_shape = [] if case["scalar"] else [len(axes)]
    ax = mb.add_tensor("axis", axis_shape, "int32", data=np.asarray(axes, dtype=np.int32))
    y = mb.add_tensor("y", out_shape, "int8", out_q)
    mb.add_op(opcode, [x, ax], [y], {"keep_dims": case["keep"]})
    mb.set_io([x], [y])
    return mb.build()


CURATED_MEAN: list[Case] = [
    _case((1, 6, 5, 8), (1, 2), True),                                # spatial mean, keep_dims
    _case((2, 7, 3, 4), (2, 1), False, in_zp=-128, out_zp=127),       # spatial, axes reversed
    _case((3, 10), (-1,), False, in_s=0.5, out_f=0.01, out_zp=0),     # multiplier > 1
    _case((2, 3, 4, 5), (0, 2), True, in_zp=127, out_zp=-128, out_f=3.0),
    _case((4, 5, 6), (0, 1, 2), False, out_f=0.5),                    # down to one value
    _case((1, 16, 16, 3), (1, 2), True, in_s=1.7, out_f=2.0**27),     # 1/n shift clamped
    _case((1, 4, 4, 3), (1, 2), False, in_s=0.003, out_f=2.0**-27),   # shift +28: saturates
    _case((2, 3), (), True, out_f=1.0001),                            # no axis: requantize only
    _case((2, 1, 5, 3, 2), (1, -4, 3), False, scalar_axis=False),     # duplicate + size-1 axis
    _case((9,), (0,), True, scalar_axis=True, out_f=100.0),           # scalar axis tensor
]
CURATED_SUM: list[Case] = [
    _case((1, 6, 5, 8), (1, 2), True),
    _case((2, 3, 4), (-1,), False, in_zp=-128, out_zp=127, out_f=0.5),
    _case((3, 4, 5), (0, 2), True, in_s=0.5, out_f=3.0, out_zp=0),
    _case((2, 3, 4, 5), (1,), False, in_zp=127, out_zp=-128, out_f=0.01),
    _case((5, 7), (0, 1), False, out_f=100.0),
    _case((2, 3), (), False, out_f=1.0001),
]
CURATED_MAX: list[Case] = [
    _case((1, 6, 5, 8), (1, 2), True),
    _case((2, 3, 4), (-1,), False, in_zp=-128),
    _case((3, 4, 5), (0, 2), True, in_zp=127, scalar_axis=False),
    _case((2, 3, 4, 5), (1, 3), False, in_s=0.5),
    _case((7,), (0,), False, scalar_axis=True),
    _case((2, 4, 1, 3, 2), (-1, 2, 0), True, in_zp=0),
]


def draw(r: random.Random) -> Case | None:
    rank = r.randint(1, 5)
    shape = tuple(r.choice([1, 2, 3, 4, 5, 7, 8]) for _ in range(rank))
    if math.prod(shape) > 3000:
        return None
    n_axes = r.randint(0 if r.random() < 0.1 else 1, rank)
    axes = r.sample(range(rank), n_axes)
    axes = [a - rank if r.random() < 0.3 else a for a in axes]
    if axes and r.random() < 0.15:
        axes.append(axes[0])  # a duplicate
    scalar = len(axes) == 1 and r.random() < 0.3
    return _case(shape, axes, r.random() < 0.5, r.choice(IN_SCALES), r.choice(ZPS),
                 r.choice(OUT_F), r.choice(ZPS), scalar)


CASES_MEAN = sweep(CURATED_MEAN, draw, family="mean", default_random=0)
CASES_SUM = sweep(CURATED_SUM, draw, family="sum", default_random=0)
CASES_MAX = sweep(CURATED_MAX, draw, family="reduce_max", default_random=0)


def test_reduce_case_count() -> None:
    assert min(len(CASES_MEAN), len(CASES_SUM), len(CASES_MAX)) >= 6


@pytest.mark.parametrize("case", CASES_MEAN)
def test_mean_bit_exact(case: Case) -> None:
    assert_bit_exact(reduce_model("MEAN", case), case)


@pytest.mark.parametrize("case", CASES_SUM)
def test_sum_bit_exact(case: Case) -> None:
    assert_bit_exact(reduce_model("SUM", case), case)


@pytest.mark.parametrize("case", CASES_MAX)
def test_reduce_max_bit_exact(case: Case) -> None:
    assert_bit_exact(reduce_model("REDUCE_MAX", case), case)
