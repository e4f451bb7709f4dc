"""PRELU sweep: alpha per channel ([C], [1, 1, C]), per element, scalar, and larger
than the input (the input broadcasts), constant or computed; input, alpha and
output scales close and far apart (multipliers below and above one), zero points
-128 / 0 / 127 on each of the three tensors."""

from __future__ import annotations

import random

import pytest

from tests.kernels._elementwise import SCALES, ZPS, binary_model
from tests.kernels._sweep import Case, assert_bit_exact, sweep

#: (input shape, alpha shape)
SHAPES = [((1, 4, 4, 8), (8,)), ((1, 4, 4, 8), (1, 1, 8)), ((1, 4, 4, 8), (1, 4, 4, 8)),
          ((2, 6, 5), (5,)), ((1, 1, 1, 8), (1, 4, 4, 8)), ((3, 7), (1, 7)), ((1, 2, 2, 16), ()),
          ((2, 1, 3, 1, 4), (1, 5, 1, 2, 1)), ((1, 8, 8, 3), (1, 8, 1, 3))]
ALPHA_SCALES = [0.001, 0.002, 1.0 / 256, 0.01, 0.05, 0.3]


def _case(s1, s2, q1=(0.05, 3), q2=(0.01, -2), qo=(0.04, 5), const=True) -> Case:
    return {"s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "const": const}


CURATED: list[Case] = [
    _case((1, 4, 4, 8), (8,)),
    _case((1, 4, 4, 8), (1, 1, 8), q1=(0.1, -128), q2=(0.002, 127), qo=(0.1, -128)),
    _case((1, 4, 4, 8), (1, 4, 4, 8), q1=(1.0, 127), q2=(0.05, 0), qo=(0.002, 0), const=False),
    _case((1, 1, 1, 8), (1, 4, 4, 8), const=False),  # alpha larger than the input
    _case((1, 2, 2, 16), (), q1=(0.02, 0), q2=(0.3, -128), qo=(0.02, 0)),  # scalar alpha
]


def draw(r: random.Random) -> Case:
    s1, s2 = r.choice(SHAPES)
    q1 = (r.choice(SCALES), r.choice(ZPS))
    q2 = (r.choice(ALPHA_SCALES), r.choice(ZPS))
    qo = (q1[0] * r.choice([0.01, 0.5, 1.0, 2.0, 50.0]), r.choice(ZPS))
    return _case(s1, s2, q1, q2, qo, const=r.random() < 0.7)


CASES = sweep(CURATED, draw, family="prelu", default_random=2, full_random=50)


@pytest.mark.parametrize("case", CASES)
def test_prelu_bit_exact(case: Case) -> None:
    assert_bit_exact(binary_model("PRELU", case), case)
