"""Dilation sweep for CONV_2D and DEPTHWISE_CONV_2D: dilation 2 and 3 (equal and
mixed per axis, e.g. (3, 1), (2, 3)), with strides 1 to 3, SAME and VALID,
non-square inputs and kernels (including windows that reach past the input in
SAME mode), depth multipliers 1 / 2 / 4, per-channel and per-tensor weights,
and input zero points -128 / 127 (padding taps must contribute nothing)."""

from __future__ import annotations

import random
from collections.abc import Sequence

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
from tests.tflite_writer import QParams, conv2d_model, depthwise_conv2d_model

DILATIONS = [(2, 2), (3, 3), (2, 3), (3, 2), (3, 1), (1, 2), (2, 1), (1, 3)]
KERNELS = [(3, 3), (2, 2), (3, 1), (1, 3), (5, 3), (2, 4), (3, 5)]
STRIDES = [(1, 1), (2, 2), (2, 1), (1, 2), (3, 3), (1, 3)]
ZPS = [-128, 0, 127, -6]
IN_QP = [(0.02, 5), (0.5, -128), (0.003, 127), (1.0 / 128, 0)]


def _case(shape: Sequence[int], ch: int, k: Sequence[int], d: Sequence[int],
          s: Sequence[int] = (1, 1), pad: str = "SAME", act: str = "NONE", pc: bool = True,
          in_s: float = 0.02, in_zp: int = 5, out_zp: int = -6) -> Case:
    """``ch``: output channels (CONV_2D) or depth multiplier (DEPTHWISE_CONV_2D)."""
    return {"shape": tuple(shape), "ch": ch, "k": tuple(k), "d": tuple(d), "s": tuple(s),
            "pad": pad, "act": act, "pc": pc, "in_s": in_s, "in_zp": in_zp, "out_zp": out_zp}


def build(case: Case, depthwise: bool) -> bytes:
    kh, kw = case["k"]
    terms = kh * kw * (1 if depthwise else case["shape"][3])
    out_s = accumulator_out_scale(case["in_s"], case["in_zp"], terms, case["pc"])
    make = depthwise_conv2d_model if depthwise else conv2d_model
    return make(
        case_rng(case_id(case)), case["shape"], case["ch"], kernel=case["k"],
        stride=case["s"], padding=case["pad"], dilation=case["d"], activation=case["act"],
        per_channel=case["pc"], input_qp=QParams([case["in_s"]], [case["in_zp"]]),
        output_qp=QParams([out_s], [case["out_zp"]]),
    )


CURATED: list[Case] = [
    _case((1, 9, 9, 3), 2, (3, 3), (2, 2)),
    _case((1, 12, 10, 2), 2, (3, 3), (3, 3), s=(2, 2), pad="VALID", in_zp=-128, out_zp=127),
    _case((1, 7, 13, 3), 1, (5, 3), (2, 3), s=(1, 2), pad="SAME", act="RELU", in_zp=127),
    _case((2, 11, 6, 2), 4, (3, 1), (3, 1), s=(2, 1), pad="VALID", pc=False, act="RELU6"),
    _case((1, 5, 4, 2), 2, (3, 3), (3, 3), s=(3, 3), pad="SAME", in_zp=-128),  # window > input
    _case((1, 1, 20, 4), 2, (1, 3), (1, 3), s=(1, 3), pad="VALID", in_s=0.5, out_zp=0),
]


def draw(r: random.Random) -> Case | None:
    k, d, s = r.choice(KERNELS), r.choice(DILATIONS), r.choice(STRIDES)
    pad = r.choice(["SAME", "VALID"])
    shape = (r.choice([1, 1, 2]), r.randint(1, 14), r.randint(1, 14), r.randint(1, 5))
    if not window_ok(shape[1:3], k, d, pad):
        return None
    in_s, in_zp = r.choice(IN_QP)
    return _case(shape, r.choice([1, 2, 4]), k, d, s, pad, r.choice(ACTIVATIONS),
                 r.random() < 0.6, in_s, in_zp, r.choice(ZPS))


CASES_CONV = sweep(CURATED, draw, family="conv_dilation", default_random=1)
CASES_DW = sweep(CURATED, draw, family="depthwise_dilation", default_random=1)


def test_dilation_case_count() -> None:
    assert min(len(CASES_CONV), len(CASES_DW)) >= 7


@pytest.mark.parametrize("case", CASES_CONV)
def test_conv_dilation_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case, depthwise=False), case)


@pytest.mark.parametrize("case", CASES_DW)
def test_depthwise_dilation_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case, depthwise=True), case)
