"""SUB sweep: every broadcast pattern (one side, both sides, rank mismatch, 5-D,
6-D, a constant scalar), constant and computed second operands, every fused
activation, input scales equal / close / far apart, output scale close to and
far from the inputs', zero points -128 / 0 / 127. The 0.02 / 0.021 case tells
float32 multipliers (what TFLite Micro's sub_common.cc source says) from the
double ones the tflite-micro package computes: 31 outputs differ by one."""

from __future__ import annotations

import random

import pytest

from tests.kernels._elementwise import SCALES, SHAPE_PAIRS, ZPS, binary_model
from tests.kernels._sweep import ACTIVATIONS, Case, assert_bit_exact, sweep


def _case(s1, s2, q1=(0.05, 3), q2=(0.02, -7), qo=(0.06, 1), act="NONE", const=False) -> Case:
    return {"s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "act": act, "const": const}


CURATED: list[Case] = [
    _case((1, 4, 4, 8), (1, 4, 4, 8), act="RELU"),
    _case((1, 1, 1, 8), (1, 4, 4, 8), q1=(0.1, 127), q2=(0.1, 127), qo=(0.1, -128),
          act="RELU6"),
    _case((4, 5), (3, 1, 5), q1=(1.0, -128), q2=(0.001, 127), qo=(0.0005, 0),
          act="RELU_N1_TO_1", const=True),
    _case((2, 1, 3, 1, 4), (1, 5, 1, 2, 1), q1=(0.02, 0), q2=(0.021, 0), qo=(0.04, 0)),
    _case((1, 2, 2, 16), (), q1=(0.5, -1), q2=(0.25, 0), qo=(2.0, 5)),  # scalar constant
]


def draw(r: random.Random) -> Case:
    s1, s2 = r.choice(SHAPE_PAIRS)
    if r.random() < 0.5 and s1 != ():
        s1, s2 = s2, s1
    q1, q2 = (r.choice(SCALES), r.choice(ZPS)), (r.choice(SCALES), r.choice(ZPS))
    qo = (max(q1[0], q2[0]) * r.choice([0.01, 0.5, 1.0, 2.0, 100.0]), r.choice(ZPS))
    return _case(s1, s2, q1, q2, qo, r.choice(ACTIVATIONS), const=r.random() < 0.3)


CASES = sweep(CURATED, draw, family="sub", default_random=2, full_random=50)


@pytest.mark.parametrize("case", CASES)
def test_sub_bit_exact(case: Case) -> None:
    model = binary_model("SUB", case, {"fused_activation_function": case["act"]})
    assert_bit_exact(model, case)
