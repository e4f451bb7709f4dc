"""MUL sweep: equal shapes and every broadcast pattern (one side, both sides, rank
mismatch, 5-D, 6-D, a constant scalar), constant and computed second operands,
every fused activation, input scales equal / far apart, output scales from far
below to far above s1 * s2 * 255 (multiplier shifts from -31 up to 29, where
the left shift wraps around), zero points -128 / 0 / 127."""

from __future__ import annotations

import random

import pytest

from tests.kernels._elementwise import SCALES, SHAPE_PAIRS, ZPS, binary_model
from tests.kernels._sweep import ACTIVATIONS, Case, assert_bit_exact, sweep


def _case(s1, s2, q1=(0.05, 3), q2=(0.02, -7), qo=(0.25, 1), act="NONE", const=False) -> Case:
    return {"s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "act": act, "const": const}


CURATED: list[Case] = [
    _case((1, 4, 4, 8), (1, 4, 4, 8), act="RELU"),
    _case((1, 4, 4, 8), (1, 1, 1, 8), q1=(0.5, -128), q2=(0.003, 127), qo=(0.1, 127),
          act="RELU6", const=True),
    _case((4, 5), (3, 1, 5), q1=(1.0, 127), q2=(1.0, -128), qo=(2e-4, 0),  # shift > 0
          act="RELU_N1_TO_1"),
    _case((2, 1, 2, 1, 3, 2), (1, 3, 1, 2, 1, 1), q1=(0.02, 0), q2=(0.021, 0), qo=(50.0, -128)),
    _case((1, 2, 2, 16), (), q1=(0.1, -5), q2=(0.01, 0), qo=(0.02, 10)),  # scalar constant
    # shift 29: the product * 2^29 wraps around in int32, as in TFLite
    _case((4, 64), (4, 64), q1=(1.0, 3), q2=(1.0, -5), qo=(2e-9, 0)),
]


def draw(r: random.Random) -> Case:
    s1, s2 = r.choice(SHAPE_PAIRS)
    if r.random() < 0.5 and s1 != ():
        s1, s2 = s2, s1
    q1, q2 = (r.choice(SCALES), r.choice(ZPS)), (r.choice(SCALES), r.choice(ZPS))
    # output scale relative to s1 * s2: 255 spans the product's range exactly
    qo = (q1[0] * q2[0] * r.choice([0.5, 16.0, 64.0, 255.0, 1000.0, 4000.0]), r.choice(ZPS))
    return _case(s1, s2, q1, q2, qo, r.choice(ACTIVATIONS), const=r.random() < 0.3)


CASES = sweep(CURATED, draw, family="mul", default_random=2, full_random=50)


@pytest.mark.parametrize("case", CASES)
def test_mul_bit_exact(case: Case) -> None:
    model = binary_model("MUL", case, {"fused_activation_function": case["act"]})
    assert_bit_exact(model, case)
