"""SQUARED_DIFFERENCE sweep: every broadcast pattern (one side, both sides, rank
mismatch, 5-D, 6-D, a constant scalar), constant and computed second operands,
input scales equal / close / far apart, output scales that make the output
multiplier far below and far above one (positive shifts), zero points
-128 / 0 / 127."""

from __future__ import annotations

import random

import pytest

from tests.kernels._elementwise import SCALES, SHAPE_PAIRS, ZPS, binary_model
from tests.kernels._sweep import Case, assert_bit_exact, sweep


def _case(s1, s2, q1=(0.05, 3), q2=(0.02, -7), qo=(0.5, -128), const=False) -> Case:
    return {"s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "const": const}


CURATED: list[Case] = [
    _case((1, 4, 4, 8), (1, 4, 4, 8)),
    _case((1, 4, 4, 8), (1, 1, 1, 8), q1=(0.5, -128), q2=(0.5, 127), qo=(60.0, -128),
          const=True),
    _case((4, 5), (3, 1, 5), q1=(1.0, 127), q2=(0.001, -128), qo=(1e-5, 0)),  # shift > 0
    _case((4, 64), (4, 64), q1=(1.0, 3), q2=(1.0, -5), qo=(1e-8, 0)),  # shift 15: wraps
    _case((2, 1, 2, 1, 3, 2), (1, 3, 1, 2, 1, 1), q1=(0.02, 0), q2=(0.021, 0), qo=(0.01, 127)),
    _case((1, 2, 2, 16), (), q1=(0.1, -5), q2=(0.1, 0), qo=(0.05, -100)),  # scalar constant
]


def draw(r: random.Random) -> Case:
    s1, s2 = r.choice(SHAPE_PAIRS)
    if r.random() < 0.5 and s1 != ():
        s1, s2 = s2, s1
    q1, q2 = (r.choice(SCALES), r.choice(ZPS)), (r.choice(SCALES), r.choice(ZPS))
    big = max(q1[0], q2[0])
    # (255 * max scale)^2 / 255 spans the output range; go far below and above it
    qo = (big * big * r.choice([0.01, 1.0, 16.0, 255.0, 2000.0]), r.choice(ZPS))
    return _case(s1, s2, q1, q2, qo, const=r.random() < 0.3)


CASES = sweep(CURATED, draw, family="squared_difference", default_random=2, full_random=50)


@pytest.mark.parametrize("case", CASES)
def test_squared_difference_bit_exact(case: Case) -> None:
    assert_bit_exact(binary_model("SQUARED_DIFFERENCE", case), case)
