"""DEPTHWISE_CONV_2D sweep: depth multipliers 1 / 2 / 8 (and odd ones in the full
sweep), 1-D and non-square kernels, strides 1, 2 and mixed, SAME/VALID, dilation
1 and 2, per-channel vs per-tensor weights, with/without bias (2-input op), batch
1 and > 1, every fused activation, output scales near / far from the natural one
and zero points -128 / 0 / 127."""

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
from tests.tflite_writer import QParams, depthwise_conv2d_model


def _case(shape, dm, k, s=(1, 1), pad="SAME", d=(1, 1), act="NONE", pc=True, bias=True,
          in_s=0.02, in_zp=5, out_f=1.0, out_zp=-6) -> Case:
    return {"shape": tuple(shape), "dm": dm, "k": tuple(k), "s": tuple(s), "pad": pad,
            "d": tuple(d), "act": act, "pc": pc, "bias": bias, "in_s": in_s, "in_zp": in_zp,
            "out_f": out_f, "out_zp": out_zp}


CURATED: list[Case] = [
    _case((1, 8, 8, 4), 1, (3, 3)),
    _case((1, 8, 8, 3), 2, (3, 3), act="RELU"),
    _case((1, 6, 6, 2), 8, (3, 3), act="RELU6", pc=False),
    _case((1, 12, 6, 3), 1, (10, 4), pad="VALID", bias=False),
    _case((1, 9, 1, 4), 2, (3, 1), s=(2, 1), act="RELU_N1_TO_1", out_f=0.05),  # 1-D
    _case((1, 1, 11, 2), 1, (1, 5), s=(1, 2), pad="VALID", in_zp=-128, out_zp=127),  # 1-D
    _case((1, 10, 10, 4), 1, (3, 3), s=(2, 2), pad="VALID", in_s=0.5, in_zp=127, out_zp=-128),
    _case((1, 11, 11, 2), 2, (3, 3), d=(2, 2), in_s=0.003, in_zp=-128, out_zp=0),
    _case((1, 12, 9, 1), 8, (3, 3), s=(2, 2), pad="VALID", d=(2, 2), bias=False),
    _case((3, 5, 5, 3), 2, (3, 3), act="RELU", pc=False, out_f=10.0),
    _case((2, 7, 6, 8), 1, (5, 5), s=(2, 1), pad="SAME", d=(1, 2), act="RELU6", in_zp=0),
    _case((1, 6, 6, 2), 1, (3, 3), out_f=1e-3),  # effective multiplier > 1
    _case((1, 4, 3, 2), 2, (10, 4), d=(2, 1), bias=False, act="RELU_N1_TO_1"),  # window >> input
    _case((1, 1, 1, 16), 1, (1, 1), in_s=1.0 / 128, in_zp=0, out_zp=127, out_f=0.1),
    _case((1, 5, 5, 1), 1, (2, 2), s=(2, 2), pc=True, act="RELU", out_zp=-128),
    _case((1, 6, 7, 3), 8, (1, 1), s=(3, 3), pad="VALID", pc=False, bias=False, in_zp=-128),
    _case((1, 5, 5, 4), 2, (3, 3), out_f=1e9, out_zp=-50),  # multiplier < 2^-32: becomes 0
    _case((1, 24, 24, 16), 1, (3, 3), s=(2, 2), act="RELU6"),  # a larger layer
    # channel blocks of 16, 8 and single channels; one input channel (a CONV_2D inside)
    _case((2, 9, 7, 29), 1, (3, 3), d=(2, 1), act="RELU", in_zp=-128, out_zp=3),
    _case((1, 8, 8, 40), 1, (5, 3), s=(2, 1), pad="VALID", pc=False, bias=False),
    _case((1, 20, 16, 1), 8, (10, 8), s=(2, 2), act="RELU", in_zp=-128),
]

KERNELS = [(1, 1), (3, 3), (10, 4), (3, 1), (1, 5), (2, 2), (5, 5), (1, 3), (7, 1)]
STRIDES = [(1, 1), (2, 2), (2, 1), (1, 2), (3, 3)]
DILATIONS = [(1, 1), (2, 2), (1, 2), (2, 1)]
MULTIPLIERS = [1, 1, 2, 8, 3]
IN_QP = [(0.02, 5), (0.5, -128), (0.003, 127), (1.0 / 128, 0), (0.05, -1), (0.25, 100)]
OUT_F = [1.0, 1.0, 0.1, 10.0, 0.01, 1e-3, 50.0, 1e9]
ZPS = [-128, 0, 127, -6, 17]


def draw(r: random.Random) -> Case | None:
    k = r.choice(KERNELS)
    d = r.choice(DILATIONS)
    pad = r.choice(["SAME", "VALID"])
    dm = r.choice(MULTIPLIERS)
    shape = (r.choice([1, 1, 1, 2, 3]), r.randint(1, 14), r.randint(1, 14),
             r.randint(1, 8 if dm <= 2 else 3))
    if not window_ok(shape[1:3], k, d, pad):
        return None
    in_s, in_zp = r.choice(IN_QP)
    return _case(shape, dm, k, r.choice(STRIDES), pad, d, r.choice(ACTIVATIONS),
                 r.random() < 0.6, r.random() < 0.75, in_s, in_zp, r.choice(OUT_F), r.choice(ZPS))


CASES = sweep(CURATED, draw, family="depthwise_conv")


def build(case: Case) -> bytes:
    kh, kw = case["k"]
    out_s = case["out_f"] * accumulator_out_scale(case["in_s"], case["in_zp"], kh * kw,
                                                  case["pc"])
    return depthwise_conv2d_model(
        case_rng(case_id(case)), case["shape"], case["dm"], kernel=case["k"], stride=case["s"],
        padding=case["pad"], dilation=case["d"], activation=case["act"], per_channel=case["pc"],
        input_qp=QParams([case["in_s"]], [case["in_zp"]]),
        output_qp=QParams([out_s], [case["out_zp"]]), with_bias=case["bias"],
    )


def test_depthwise_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_depthwise_conv_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
