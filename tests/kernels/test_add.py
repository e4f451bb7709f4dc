"""ADD sweep: same shapes and broadcasting ([1,4,4,8]+[1,1,1,8] both ways,
[2,3,1]+[1,1,4], rank-mismatched, scalars, 5-D and 6-D), every fused
activation, input scales equal / close / far apart, output scale close to and far
from the inputs', and zero points -128 / 0 / 127."""

from __future__ import annotations

import random

import pytest

from tests.kernels._sweep import ACTIVATIONS, Case, assert_bit_exact, sweep
from tests.tflite_writer import QParams, add_model


def _case(s1, s2, q1=(0.05, 3), q2=(0.02, -7), qo=(0.06, 1), act="NONE") -> Case:
    return {"s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "act": act}


CURATED: list[Case] = [
    _case((1, 4, 4, 8), (1, 4, 4, 8)),
    _case((1, 4, 4, 8), (1, 1, 1, 8), act="RELU"),
    _case((1, 1, 1, 8), (1, 4, 4, 8), act="RELU6", qo=(0.05, -128)),
    _case((2, 3, 1), (1, 1, 4), act="RELU_N1_TO_1", qo=(0.01, 0)),
    _case((4, 5), (3, 1, 5)),  # rank mismatch
    _case((8,), (2, 3, 8), q1=(0.5, -128), q2=(0.5, -128), qo=(0.5, -128)),  # identical qp
    _case((2, 1, 3, 1, 4), (1, 5, 1, 2, 1), q1=(0.001, 127), q2=(1.0, -128), qo=(1.0, 127)),
    _case((2, 1, 2, 1, 3, 2), (1, 3, 1, 2, 1, 1), act="RELU", qo=(0.2, -100)),  # 6-D
    _case((), (3, 4), q1=(0.1, 0), q2=(0.1, 0), qo=(0.1, 0)),  # scalar
    _case((1, 8), (8,), q1=(0.02, 0), q2=(0.021, 0), qo=(0.04, 0)),  # close scales
    _case((16,), (16,), q1=(1.0, 127), q2=(0.001, -128), qo=(0.0005, 0)),  # out << in
    _case((3, 7), (3, 7), q1=(0.01, -128), q2=(0.01, 127), qo=(5.0, -128), act="RELU6"),
    _case((1, 5, 5, 3), (1, 5, 5, 1), q1=(0.25, 100), q2=(0.003, -50), qo=(0.3, 0),
          act="RELU_N1_TO_1"),
    _case((2, 1, 4, 1), (3, 1, 2), q1=(1.0 / 128, -1), q2=(1.0 / 64, 10), qo=(1.0 / 32, 5)),
    # >= 1024 elements: the kernel tabulates the scaled inputs (same shapes, broadcast)
    _case((1, 16, 16, 8), (1, 16, 16, 8), q1=(0.01, -128), q2=(0.5, 127), qo=(0.02, 3),
          act="RELU"),
    _case((1, 16, 16, 8), (1, 1, 1, 8), q1=(0.1, 5), q2=(0.003, -20), qo=(0.07, -1)),
]

SHAPE_PAIRS = [
    ((1, 4, 4, 8), (1, 1, 1, 8)), ((2, 3, 1), (1, 1, 4)), ((4, 5), (3, 1, 5)),
    ((8,), (2, 3, 8)), ((1, 6, 6, 3), (1, 6, 6, 3)), ((1,), (3, 4)), ((), (2, 5)),
    ((2, 1, 3), (2, 4, 1)), ((1, 3, 1, 5), (2, 1, 4, 1)), ((2, 1, 3, 1, 4), (1, 5, 1, 2, 1)),
    ((2, 1, 2, 1, 3, 2), (1, 3, 1, 2, 1, 1)), ((5, 1), (1, 7)), ((1, 1, 1, 1), (1, 1, 1, 1)),
    ((3, 4, 5), (4, 5)), ((2, 2, 2, 2, 2), (2, 2, 2, 2, 2)),
]
SCALES = [0.001, 0.003, 0.02, 0.021, 0.05, 0.1, 0.5, 1.0, 1.0 / 128]
ZPS = [-128, -128, 0, 0, 127, 127, -7, 3, 60]


def draw(r: random.Random) -> Case:
    s1, s2 = r.choice(SHAPE_PAIRS)
    if r.random() < 0.5:
        s1, s2 = s2, s1
    q1 = (r.choice(SCALES), r.choice(ZPS))
    q2 = (r.choice(SCALES), r.choice(ZPS))
    # output scale relative to the larger input scale: close or far (both ways)
    qo = (max(q1[0], q2[0]) * r.choice([0.01, 0.5, 1.0, 2.0, 100.0]), r.choice(ZPS))
    return _case(s1, s2, q1, q2, qo, r.choice(ACTIVATIONS))


CASES = sweep(CURATED, draw, family="add")


def build(case: Case) -> bytes:
    return add_model(case["s1"], case["s2"], QParams(*case["q1"]), QParams(*case["q2"]),
                     QParams(*case["qo"]), activation=case["act"])


def test_add_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_add_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
