"""CONV_2D sweep: kernels 1x1 / 3x3 / 10x4 / 3x1 / 1x5, strides 1, 2 and mixed,
SAME/VALID, dilation 1 and 2, per-channel vs per-tensor weights, with/without
bias, batch 1 and > 1, every fused activation, output scales near / far from the
natural one (including an effective multiplier > 1) and zero points -128 / 0 / 127."""

from __future__ import annotations

import random

import pytest

from tests.kernels._sweep import (
    ACTIVATIONS,
    Case,
    accumulator_out_scale,
    assert_bit_exact,
    case_id,
    case_rng,
    sweep,
    window_ok,
)
from tests.tflite_writer import QParams, conv2d_model


def _case(shape, oc, k, s=(1, 1), pad="SAME", d=(1, 1), act="NONE", pc=True, bias=True,
          in_s=0.02, in_zp=5, out_f=1.0, out_zp=-6) -> Case:
    return {"shape": tuple(shape), "oc": oc, "k": tuple(k), "s": tuple(s), "pad": pad,
            "d": tuple(d), "act": act, "pc": pc, "bias": bias, "in_s": in_s, "in_zp": in_zp,
            "out_f": out_f, "out_zp": out_zp}


CURATED: list[Case] = [
    _case((1, 8, 8, 3), 4, (3, 3)),
    _case((1, 9, 9, 4), 8, (1, 1), pad="VALID", act="RELU", pc=False, bias=False),
    _case((1, 12, 6, 2), 3, (10, 4), pad="VALID", act="RELU6"),
    _case((1, 7, 5, 3), 2, (3, 1), s=(2, 1), act="RELU_N1_TO_1", out_f=0.05),
    _case((1, 6, 11, 2), 5, (1, 5), s=(1, 2), pad="VALID", bias=False),
    _case((1, 10, 10, 3), 4, (3, 3), s=(2, 2), in_s=0.5, in_zp=-128, out_zp=127),
    _case((1, 11, 11, 2), 3, (3, 3), d=(2, 2), act="RELU", in_s=0.003, in_zp=127, out_zp=-128),
    _case((1, 12, 9, 3), 2, (3, 3), s=(2, 2), pad="VALID", d=(2, 2), pc=False),
    _case((3, 6, 6, 2), 3, (3, 3), act="RELU6", out_zp=0),
    _case((2, 5, 7, 4), 6, (1, 1), s=(2, 2), pc=False, in_zp=0, out_f=10.0),
    _case((1, 8, 8, 2), 3, (3, 3), out_f=0.1, out_zp=0),
    _case((1, 6, 6, 2), 2, (3, 3), out_f=1e-3, act="RELU_N1_TO_1"),  # multiplier > 1
    _case((1, 5, 6, 3), 4, (10, 4), d=(1, 2), bias=False, in_zp=-128),  # window >> input
    _case((1, 3, 3, 2), 3, (5, 5), s=(2, 2), out_zp=127, act="RELU"),
    _case((1, 1, 1, 8), 16, (1, 1), pc=True, in_s=1.0 / 128, in_zp=0, out_f=0.5),
    _case((2, 13, 4, 1), 1, (3, 1), s=(2, 1), pad="VALID", d=(2, 1), act="RELU6", pc=False,
          in_zp=-128, out_zp=127),
    _case((1, 1, 20, 3), 4, (1, 5), s=(1, 2), act="RELU"),  # 1-D signal
    _case((1, 6, 6, 3), 2, (3, 3), out_f=1e9, out_zp=17),  # multiplier < 2^-32: becomes 0
    _case((1, 32, 32, 8), 16, (3, 3), s=(2, 2), act="RELU6"),  # a larger layer
    # filter rows already a multiple of 16 long; odd channel and pixel counts, batches
    _case((3, 5, 5, 32), 7, (1, 1), act="RELU", in_zp=-128),
    _case((1, 7, 9, 16), 33, (3, 3), s=(1, 2), d=(2, 1), pc=False, in_zp=127, out_zp=-128),
]

KERNELS = [(1, 1), (3, 3), (10, 4), (3, 1), (1, 5), (2, 2), (5, 5), (4, 10)]
STRIDES = [(1, 1), (2, 2), (2, 1), (1, 2), (3, 3)]
DILATIONS = [(1, 1), (2, 2), (1, 2), (2, 1)]
IN_QP = [(0.02, 5), (0.5, -128), (0.003, 127), (1.0 / 128, 0), (0.05, -1), (0.25, 100)]
OUT_F = [1.0, 1.0, 0.1, 10.0, 0.01, 1e-3, 50.0, 1e9]
ZPS = [-128, 0, 127, -6, 17]


def draw(r: random.Random) -> Case | None:
    k = r.choice(KERNELS)
    d = r.choice(DILATIONS)
    pad = r.choice(["SAME", "VALID"])
    shape = (r.choice([1, 1, 1, 2, 3]), r.randint(1, 14), r.randint(1, 14), r.randint(1, 8))
    if not window_ok(shape[1:3], k, d, pad):
        return None
    in_s, in_zp = r.choice(IN_QP)
    return _case(shape, r.randint(1, 9), k, r.choice(STRIDES), pad, d, r.choice(ACTIVATIONS),
                 r.random() < 0.6, r.random() < 0.75, in_s, in_zp, r.choice(OUT_F), r.choice(ZPS))


CASES = sweep(CURATED, draw, family="conv")


def build(case: Case) -> bytes:
    n, h, w, c = case["shape"]
    kh, kw = case["k"]
    out_s = case["out_f"] * accumulator_out_scale(case["in_s"], case["in_zp"], kh * kw * c,
                                                  case["pc"])
    return conv2d_model(
        case_rng(case_id(case)), case["shape"], case["oc"], kernel=case["k"], stride=case["s"],
        padding=case["pad"], dilation=case["d"], activation=case["act"], per_channel=case["pc"],
        input_qp=QParams([case["in_s"]], [case["in_zp"]]),
        output_qp=QParams([out_s], [case["out_zp"]]), with_bias=case["bias"],
    )


def test_conv_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_conv_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
