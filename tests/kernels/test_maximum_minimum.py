"""MAXIMUM / MINIMUM sweep: every broadcast pattern (one side, both sides, rank
mismatch, 5-D, 6-D, a constant scalar), constant and computed second operands,
zero points -128 / 0 / 127, and quantizations that differ between the operands
(TFLite Micro compares the raw int8 values and never rescales)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from tests.kernels._elementwise import SCALES, SHAPE_PAIRS, ZPS, binary_model
from tests.kernels._sweep import Case, assert_bit_exact, sweep

Q = (0.05, 3)


def _case(op, s1, s2, q1=Q, q2=Q, qo=Q, const=False) -> Case:
    return {"op": op, "s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "const": const}


CURATED: list[Case] = [
    _case("MAXIMUM", (1, 4, 4, 8), (1, 4, 4, 8)),
    _case("MINIMUM", (1, 4, 4, 8), (1, 1, 1, 8), const=True),
    _case("MAXIMUM", (2, 1, 2, 1, 3, 2), (1, 3, 1, 2, 1, 1), (0.1, -128), (0.1, -128),
          (0.1, -128)),
    _case("MINIMUM", (4, 5), (3, 1, 5), (0.1, 127), (0.02, 0), (1.0, -128)),  # no rescaling
    _case("MAXIMUM", (1, 2, 2, 16), (), (0.1, 0), (0.1, 0), (0.1, 0)),  # scalar constant
    _case("MINIMUM", (2, 1, 3, 1, 4), (1, 5, 1, 2, 1)),
]


def _drawer(op: str) -> Callable[[random.Random], Case]:
    def draw(r: random.Random) -> Case:
        s1, s2 = r.choice(SHAPE_PAIRS)
        if r.random() < 0.5 and s1 != ():
            s1, s2 = s2, s1
        q = (r.choice(SCALES), r.choice(ZPS))
        if r.random() < 0.75:  # what the converter writes: one quantization for all three
            q1 = q2 = qo = q
        else:
            q1, q2 = q, (r.choice(SCALES), r.choice(ZPS))
            qo = (r.choice(SCALES), r.choice(ZPS))
        return _case(op, s1, s2, q1, q2, qo, const=r.random() < 0.3)
    return draw


CASES = {op: sweep([c for c in CURATED if c["op"] == op], _drawer(op), family=op.lower(),
                   default_random=1, full_random=50)
         for op in ("MAXIMUM", "MINIMUM")}


@pytest.mark.parametrize("case", CASES["MAXIMUM"])
def test_maximum_bit_exact(case: Case) -> None:
    assert_bit_exact(binary_model("MAXIMUM", case), case)


@pytest.mark.parametrize("case", CASES["MINIMUM"])
def test_minimum_bit_exact(case: Case) -> None:
    assert_bit_exact(binary_model("MINIMUM", case), case)
