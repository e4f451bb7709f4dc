"""TRANSPOSE_CONV sweep: kernels 1x1 / 2x2 / 3x3 / 4x4 / 5x3 / 1x5, strides 1, 2, 3
and mixed, SAME/VALID with every output size the padding allows (not only
in * stride), per-channel vs per-tensor weights, with bias (4 inputs), without
(3 inputs, or 4 with an absent bias), batch 1 and > 1, every fused activation,
output scales near / far from the natural one (including an effective multiplier
> 1) and zero points -128 / 0 / 127."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest

from tests.kernels._sweep import (
    ACTIVATIONS,
    Case,
    assert_bit_exact,
    case_id,
    case_rng,
    sweep,
)
from tests.tflite_writer import ModelBuilder, QParams

ZPS = [-128, 0, 127, -6, 17]
IN_QP = [(0.02, 5), (0.5, -128), (0.003, 127), (1.0 / 128, 0), (0.05, -1)]
OUT_F = [1.0, 1.0, 0.1, 10.0, 1e-3, 50.0]
KERNELS = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 3), (1, 5), (3, 2)]
STRIDES = [(1, 1), (2, 2), (2, 1), (1, 2), (3, 3), (3, 2)]


def _case(shape: Sequence[int], oc: int, k: Sequence[int], s: Sequence[int] = (2, 2),
          pad: str = "SAME", extra: Sequence[int] = (0, 0), act: str = "NONE",
          pc: bool = True, bias: str = "yes", in_s: float = 0.02, in_zp: int = 5,
          out_f: float = 1.0, out_zp: int = -6) -> Case:
    """``extra`` picks the output size among those the padding allows: SAME gives
    in * stride - extra, VALID (in - 1) * stride + k + extra. ``bias``: yes / no
    (3 inputs) / absent (4 inputs, the last -1)."""
    return {"shape": tuple(shape), "oc": oc, "k": tuple(k), "s": tuple(s), "pad": pad,
            "extra": tuple(extra), "act": act, "pc": pc, "bias": bias, "in_s": in_s,
            "in_zp": in_zp, "out_f": out_f, "out_zp": out_zp}


def _out_size(n: int, k: int, s: int, pad: str, extra: int) -> int:
    return n * s - extra if pad == "SAME" else (n - 1) * s + k + extra


def _rms(zp: int) -> float:
    q = np.arange(-128, 128, dtype=np.float64)
    return float(np.sqrt(np.mean((q - zp) ** 2)))


def transpose_conv_model(case: Case) -> bytes:
    rng = case_rng(case_id(case))
    n, h, w, ic = case["shape"]
    oc, (kh, kw), (sh, sw) = case["oc"], case["k"], case["s"]
    oh = _out_size(h, kh, sh, case["pad"], case["extra"][0])
    ow = _out_size(w, kw, sw, case["pad"], case["extra"][1])
    w_scales = ([0.004 * 10.0 ** e for e in rng.permutation(np.linspace(-0.5, 0.5, oc))]
                if case["pc"] and oc > 1 else [0.004])
    taps = math.ceil(kh / sh) * math.ceil(kw / sw) * ic
    acc_std = math.sqrt(taps) * _rms(case["in_zp"]) * math.sqrt(127 * 128 / 3)
    out_s = max(6.0 * acc_std * case["in_s"] * max(w_scales) / 255.0, 1e-6) * case["out_f"]
    mb = ModelBuilder("transpose_conv sweep")
    shape_t = mb.add_tensor("output_shape", [4], "int32", data=np.asarray([n, oh, ow, oc]))
    wq = rng.integers(-127, 128, size=(oc, kh, kw, ic))
    wt = mb.add_tensor("filter", [oc, kh, kw, ic], "int8", QParams(w_scales, [0], 0), data=wq)
    x = mb.add_tensor("input", [n, h, w, ic], "int8", QParams([case["in_s"]], [case["in_zp"]]))
    ins = [shape_t, wt, x]
    if case["bias"] == "yes":
        b_q = QParams([case["in_s"] * s for s in w_scales], [0], 0)
        b = np.rint(rng.normal(0.0, 0.5 * acc_std, size=oc)).astype(np.int64)
        ins.append(mb.add_tensor("bias", [oc], "int32", b_q, data=b))
    elif case["bias"] == "absent":
        ins.append(-1)
    y = mb.add_tensor("output", [n, oh, ow, oc], "int8", QParams([out_s], [case["out_zp"]]))
    mb.add_op("TRANSPOSE_CONV", ins, [y], {"padding": case["pad"], "stride_h": sh,
                                          "stride_w": sw, "fused_activation_function": case["act"]})
    mb.set_io([x], [y])
    return mb.build()


CURATED: list[Case] = [
    _case((1, 4, 4, 3), 4, (3, 3)),                                   # decoder upsampling x2
    _case((1, 3, 5, 2), 3, (2, 2), pad="VALID", pc=False, bias="no"),
    _case((1, 4, 3, 2), 2, (5, 3), s=(3, 2), act="RELU", bias="absent", in_zp=-128,
          out_zp=127),
    _case((2, 3, 3, 4), 3, (4, 4), pad="SAME", extra=(1, 1), act="RELU6", in_zp=127,
          out_zp=-128),                                               # out < in * stride
    _case((1, 2, 6, 1), 5, (1, 5), s=(1, 2), pad="VALID", extra=(0, 1), out_f=1e-3,
          act="RELU_N1_TO_1"),                                        # multiplier > 1
    _case((1, 5, 5, 3), 2, (3, 3), s=(1, 1), in_s=0.5, out_f=0.1, out_zp=0),
    _case((1, 6, 6, 8), 8, (3, 3), pc=True, bias="yes", out_f=50.0),
]


def draw(r: random.Random) -> Case | None:
    k, s = r.choice(KERNELS), r.choice(STRIDES)
    pad = r.choice(["SAME", "VALID"])
    extra = tuple(r.randrange(st) for st in s)
    shape = (r.choice([1, 1, 1, 2]), r.randint(1, 7), r.randint(1, 7), r.randint(1, 6))
    in_s, in_zp = r.choice(IN_QP)
    return _case(shape, r.randint(1, 6), k, s, pad, extra, r.choice(ACTIVATIONS),
                 r.random() < 0.6, r.choice(["yes", "yes", "no", "absent"]), in_s, in_zp,
                 r.choice(OUT_F), r.choice(ZPS))


CASES = sweep(CURATED, draw, family="transpose_conv", default_random=1)


def test_transpose_conv_case_count() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES)
def test_transpose_conv_bit_exact(case: Case) -> None:
    assert_bit_exact(transpose_conv_model(case), case)
