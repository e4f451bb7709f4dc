"""SOFTMAX sweep (output scale 1/256, zero point -128): ranks 2-4, depth 1 up to
511, beta from 2^-10 to 3, input scales from 2^-25 (multiplier just above the
minimum) to 64 (multiplier clamped to 2^31 - 1), input zero points -128 / 0 / 127.

Depth stays below 512: from 512 on, TFLite Micro's reference kernel aborts the
process on equal inputs (gemmlowp's RoundingDivideByPOT asserts exponent <= 31
once the sum of exps reaches 2^9), so such a model cannot be compared."""

from __future__ import annotations

import random

import pytest

from tests.kernels._sweep import Case, assert_bit_exact, sweep
from tests.tflite_writer import QParams, softmax_model

#: TFLite Micro cannot run deeper softmaxes on equal inputs (see the module doc).
MAX_DEPTH = 511


def _case(shape, beta=1.0, in_s=0.1, in_zp=0) -> Case:
    return {"shape": tuple(shape), "beta": beta, "in_s": in_s, "in_zp": in_zp}


CURATED: list[Case] = [
    _case((1, 10)),
    _case((1, 1)),  # depth 1: always 1.0
    _case((4, 7), in_zp=-128),
    _case((2, 3, 16), beta=0.5, in_s=1.0 / 16, in_zp=127),
    _case((1, 2, 2, 5), beta=3.0, in_s=0.5, in_zp=10),
    _case((1, MAX_DEPTH), in_s=0.05, in_zp=-128),
    _case((1, 8), in_s=64.0),  # beta * scale * 2^26 clamps at 2^31 - 1
    _case((1, 8), beta=1e-3, in_s=1e-3),
    _case((3, 8), in_s=2.0**-25),  # multiplier 2, just above the minimum
    _case((1, 12), beta=2.0**-10, in_s=1e-4, in_zp=127),
    _case((5, 33), beta=2.0, in_s=0.2, in_zp=-1),
    _case((2, 1, 1, 100), beta=1.0, in_s=1.0 / 256, in_zp=0),
    _case((1, 250), beta=0.25, in_s=0.25, in_zp=-128),
    _case((6, 2), beta=1.5, in_s=0.0078125, in_zp=127),
]

SHAPES = [(1, 10), (1, 1), (3, 4), (2, 3, 16), (1, 2, 2, 5), (1, 100), (2, 300), (1, MAX_DEPTH),
          (4, 1, 7), (1, 1, 1, 64), (8, 2), (1, 255), (1, 256), (1, 257)]
BETAS = [1.0, 1.0, 0.5, 2.0, 0.25, 3.0, 1e-3, 2.0**-10, 0.7]
SCALES = [0.1, 1.0 / 16, 0.5, 1.0, 0.004, 2.0, 64.0, 1e-3, 1.0 / 256, 0.05]
ZPS = [-128, 0, 127, -1, 10, 64]


def draw(r: random.Random) -> Case | None:
    beta, in_s = r.choice(BETAS), r.choice(SCALES)
    if beta * in_s * 2.0**26 <= 2.0:  # keep clear of the minimum multiplier (rule rejects <= 1)
        return None
    return _case(r.choice(SHAPES), beta, in_s, r.choice(ZPS))


CASES = sweep(CURATED, draw, family="softmax")


def build(case: Case) -> bytes:
    return softmax_model(case["shape"], beta=case["beta"],
                         input_qp=QParams([case["in_s"]], [case["in_zp"]]))


def test_softmax_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_softmax_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
