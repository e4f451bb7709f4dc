"""LOG_SOFTMAX sweep (output scale 16/256, zero point 127, last axis): ranks 1-4,
depth 1 up to 4095 (the Q12.19 sum of exponentials stays below 2^31), input
scales from 1e-7 (multiplier just above its minimum of 1) to 64 (multiplier
clamped at 2^31 - 1, input shift 31), input zero points -128 / 0 / 127."""

from __future__ import annotations

import random

import pytest

from tests.kernels._elementwise import unary_model
from tests.kernels._sweep import Case, assert_bit_exact, sweep

OUTPUT = (16.0 / 256, 127)


def _case(shape, in_s=0.1, in_zp=0) -> Case:
    return {"shape": tuple(shape), "in_s": in_s, "in_zp": in_zp}


CURATED: list[Case] = [
    _case((1, 10)),
    _case((4, 7), in_s=0.05, in_zp=-128),
    _case((2, 3, 16), in_s=1.0 / 16, in_zp=127),
    _case((1, 1)),  # depth 1: log(1) = 0 -> 127
    _case((1, 4095), in_s=0.02, in_zp=0),  # the deepest row the rule allows
    _case((3, 8), in_s=64.0),  # multiplier clamped to 2^31 - 1
    _case((2, 5), in_s=1e-7, in_zp=3),  # multiplier just above 1
]

SHAPES = [(1, 10), (1, 1), (3, 4), (2, 3, 16), (1, 2, 2, 5), (1, 100), (2, 300), (1, 1000),
          (4, 1, 7), (1, 1, 1, 64), (8, 2), (1, 255), (1, 256), (1, 257), (40,), (1, 4095)]
SCALES = [1e-7, 1e-4, 1e-3, 1.0 / 256, 0.004, 0.05, 0.1, 1.0 / 16, 0.5, 1.0, 2.0, 8.0, 64.0]
ZPS = [-128, -128, 0, 0, 127, 127, -1, 10, 64]


def draw(r: random.Random) -> Case:
    return _case(r.choice(SHAPES), r.choice(SCALES), r.choice(ZPS))


CASES = sweep(CURATED, draw, family="log_softmax", default_random=1, full_random=50)


@pytest.mark.parametrize("case", CASES)
def test_log_softmax_bit_exact(case: Case) -> None:
    model = unary_model("LOG_SOFTMAX", case["shape"], (case["in_s"], case["in_zp"]), OUTPUT)
    assert_bit_exact(model, case)
