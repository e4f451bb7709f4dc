"""AVERAGE_POOL_2D and MAX_POOL_2D sweep: windows 1x1 / 2x2 / 3x3 / 10x4 / 3x1 /
1x5, strides 1, 2 and mixed, SAME (window clipped at the borders) and VALID,
batch 1 and > 1, every fused activation (clamp points that fall inside the int8
range) and zero points -128 / 0 / 127."""

from __future__ import annotations

import random

import pytest

from tests.kernels._sweep import ACTIVATIONS, Case, assert_bit_exact, sweep, window_ok
from tests.tflite_writer import QParams, pool2d_model


def _case(kind, shape, f, s=(1, 1), pad="VALID", act="NONE", scale=0.02, zp=5) -> Case:
    return {"kind": kind, "shape": tuple(shape), "f": tuple(f), "s": tuple(s), "pad": pad,
            "act": act, "scale": scale, "zp": zp}


CURATED: list[Case] = [
    _case("AVERAGE", (1, 8, 8, 3), (2, 2), (2, 2)),
    _case("MAX", (1, 8, 8, 3), (2, 2), (2, 2)),
    _case("AVERAGE", (1, 9, 9, 2), (3, 3), (2, 2), "SAME", "RELU", zp=-128),
    _case("MAX", (1, 9, 9, 2), (3, 3), (2, 2), "SAME", "RELU6", scale=0.05, zp=-128),
    _case("AVERAGE", (1, 12, 8, 4), (10, 4), (1, 1), "VALID", "RELU6", scale=0.05, zp=127),
    _case("MAX", (1, 12, 8, 4), (10, 4), (2, 1), "SAME", zp=127),
    _case("AVERAGE", (2, 7, 5, 3), (3, 1), (2, 1), "SAME", "RELU_N1_TO_1", scale=0.01, zp=0),
    _case("MAX", (3, 6, 11, 2), (1, 5), (1, 2), "VALID", "RELU_N1_TO_1", scale=0.01, zp=0),
    _case("AVERAGE", (1, 5, 5, 8), (5, 5), (1, 1), "VALID", scale=0.5, zp=-128),  # global
    _case("MAX", (1, 4, 4, 1), (1, 1), (1, 1), "VALID", "RELU", zp=0),
    _case("AVERAGE", (1, 3, 3, 2), (5, 5), (2, 2), "SAME", zp=127),  # window > input
    _case("MAX", (2, 10, 10, 3), (3, 3), (3, 3), "SAME", "RELU", zp=-6),
    _case("AVERAGE", (1, 16, 16, 1), (4, 4), (4, 4), "VALID", "RELU", scale=1.0 / 128, zp=0),
    _case("MAX", (1, 1, 13, 5), (1, 3), (1, 1), "SAME", zp=-128),  # 1-D
]

FILTERS = [(1, 1), (2, 2), (3, 3), (10, 4), (3, 1), (1, 5), (5, 5), (2, 3)]
STRIDES = [(1, 1), (2, 2), (2, 1), (1, 2), (3, 3)]
QPS = [(0.02, 5), (0.05, -128), (0.01, 0), (0.5, 127), (1.0 / 128, -1), (0.2, 60)]


def draw(r: random.Random) -> Case | None:
    f = r.choice(FILTERS)
    pad = r.choice(["SAME", "VALID"])
    shape = (r.choice([1, 1, 2, 3]), r.randint(1, 14), r.randint(1, 14), r.randint(1, 8))
    if not window_ok(shape[1:3], f, (1, 1), pad):
        return None
    scale, zp = r.choice(QPS)
    return _case(r.choice(["AVERAGE", "MAX"]), shape, f, r.choice(STRIDES), pad,
                 r.choice(ACTIVATIONS), scale, zp)


CASES = sweep(CURATED, draw, family="pooling")


def build(case: Case) -> bytes:
    return pool2d_model(case["kind"], case["shape"], filter_size=case["f"], stride=case["s"],
                        padding=case["pad"], activation=case["act"],
                        qp=QParams([case["scale"]], [case["zp"]]))


def test_pooling_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_pooling_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
