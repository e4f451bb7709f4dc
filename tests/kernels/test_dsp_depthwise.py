"""The DSP kernel of DEPTHWISE_CONV_2D (mcu_codegen/ops/simd/dsp_depthwise.py,
runtime_c/dsp_depthwise_conv_s8.c), bit-exact with TFLite Micro: on the host with
``kernels="dsp"`` (the intrinsics emulated in C) over a sweep of geometries, channel
counts, zero points, multipliers and activations, and on the Cortex-M4 of mps2-an386 (the
instructions themselves) for cases that reach every naked assembly function and branch
(see ON_M4) and the C block on Arm. Each case also asserts whether the DSP variant
was chosen and, on Arm, which assembly path its parameters select, so a case meant for a
path cannot silently take another."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from mcu_codegen import api
from tests.e2e.cross import require_cross_tools
from tests.kernels import test_depthwise_conv
from tests.kernels._sweep import (
    ACTIVATIONS,
    accumulator_out_scale,
    case_id,
    case_rng,
    case_seed,
    sweep,
    window_ok,
)
from tests.tflite_writer import QParams, depthwise_conv2d_model

Case = dict[str, Any]
INPUTS = 3  # random input sets per case; verify adds the 3 edge sets (min, max, zero point)
CALL = "mcu_dsp_depthwise_conv_s8("


def _dw(shape, k=(3, 3), s=(1, 1), pad="SAME", d=(1, 1), act="NONE", dm=1, pc=True,
        bias=True, in_s=0.02, in_zp=5, out_f=1.0, out_zp=-6, dsp=True,
        asm: str | None = None) -> Case:
    """asm: the Arm assembly path the parameters must select ("fix": with the sign
    correction, "nofix": without, "c": the C block), None: not checked."""
    return {"op": "dw", "shape": tuple(shape), "k": tuple(k), "s": tuple(s), "pad": pad,
            "d": tuple(d), "act": act, "dm": dm, "pc": pc, "bias": bias, "in_s": in_s,
            "in_zp": in_zp, "out_f": out_f, "out_zp": out_zp, "dsp": dsp, "asm": asm}


DEPTHWISE: list[Case] = [
    _dw((1, 8, 8, 8), asm="fix"),  # 3x3 stride 1 SAME, zy = -6: rows, border rows/columns
    _dw((1, 9, 7, 16), s=(2, 2), act="RELU6", in_zp=-128, out_zp=-128),
    _dw((1, 10, 6, 12), pad="VALID", in_zp=127, out_zp=127, pc=False),
    _dw((2, 7, 9, 6), act="RELU", in_zp=-128, out_zp=3, asm="c"),  # range [3, 127]: C
    _dw((1, 6, 5, 7), s=(2, 1), act="RELU_N1_TO_1", out_f=0.05, bias=False),
    _dw((1, 5, 5, 3), out_zp=127),  # fewer channels than a block
    _dw((1, 11, 11, 8), d=(2, 2), in_s=0.003, in_zp=-128, out_zp=0, asm="fix"),  # dilation
    _dw((1, 12, 10, 8), k=(5, 5), s=(2, 1), d=(1, 2), act="RELU6", in_zp=0),
    _dw((1, 9, 1, 4), k=(3, 1), s=(2, 1)),  # 1-D
    _dw((1, 1, 11, 5), k=(1, 5), pad="VALID", in_zp=-128, out_zp=127),
    _dw((1, 6, 6, 4), k=(2, 2), s=(2, 2), pc=False, bias=False),
    _dw((1, 4, 4, 16), k=(1, 1), in_s=1.0 / 128, in_zp=0, out_zp=127, out_f=0.1),
    _dw((1, 6, 6, 8), out_f=1e-3),  # multipliers > 1: left shifts, channels with e = 0
    _dw((1, 6, 6, 8), out_f=0.3, act="RELU"),  # some channels e = 0, some e >= 1
    _dw((1, 4, 3, 4), k=(10, 4), d=(2, 1), bias=False),  # window much larger than input
    _dw((1, 5, 5, 4), out_f=1e9, out_zp=-50),  # multiplier below 2^-32: 0, every output zy
    _dw((1, 24, 24, 32), s=(2, 2), act="RELU6"),  # a larger layer
    # the KWS layer: 25x5x64, zy = -128 after RELU (no sign correction), 40% border columns
    _dw((1, 25, 5, 64), act="RELU", in_zp=-128, out_zp=-128, asm="nofix"),
    # a tail of 2 channels after a block, odd width, stride 1 and 2, without correction
    _dw((1, 7, 9, 6), in_zp=-128, out_zp=-128, asm="nofix"),
    _dw((1, 9, 11, 10), s=(2, 2), pad="VALID", in_zp=-128, out_zp=-128, asm="nofix"),
    _dw((1, 10, 7, 12), s=(2, 2), act="RELU", in_zp=-128, out_zp=-128, asm="nofix"),
    _dw((2, 6, 7, 13), s=(1, 2), in_zp=-3, out_zp=-6, asm="fix"),  # batches, tail of 1
    _dw((1, 3, 3, 20), in_zp=-128, out_zp=-128, asm="nofix"),  # every pixel at a border
    # dilation 2 with the pad-row functions (two border columns and rows each side); a
    # one-pixel-wide image (both outer columns outside: the table everywhere)
    _dw((1, 11, 12, 8), d=(2, 2), act="RELU", in_zp=-128, out_zp=-128, asm="nofix"),
    _dw((1, 5, 1, 8), in_zp=-128, out_zp=-128, asm="nofix"),
    # not for the DSP variant (the portable kernel runs): depth multiplier > 1, a right
    # shift so large that zy * 2^e leaves int32, more than MCU_DSP_DW_MAX_TAPS taps
    _dw((1, 8, 8, 3), dm=2, act="RELU", dsp=False),
    _dw((1, 5, 5, 4), out_f=1e4, out_zp=127, dsp=False),
    _dw((1, 10, 10, 4), k=(9, 9), pad="SAME", dsp=False),
]


def _draw_dw(r: random.Random) -> Case | None:
    """Depth multiplier 1 (the variant's domain), 1..20 channels, any geometry."""
    k = r.choice(test_depthwise_conv.KERNELS)
    d = r.choice(test_depthwise_conv.DILATIONS)
    pad = r.choice(["SAME", "VALID"])
    shape = (r.choice([1, 1, 2]), r.randint(1, 12), r.randint(1, 12), r.randint(1, 20))
    if not window_ok(shape[1:3], k, d, pad):
        return None
    in_s, in_zp = r.choice(test_depthwise_conv.IN_QP)
    return _dw(shape, k, r.choice(test_depthwise_conv.STRIDES), pad, d, r.choice(ACTIVATIONS),
               1, r.random() < 0.6, r.random() < 0.75, in_s, in_zp,
               r.choice(test_depthwise_conv.OUT_F), r.choice(test_depthwise_conv.ZPS), None)


def _draw_dw3(r: random.Random) -> Case | None:
    """The 3x3 layers of the assembly paths: zero points -128 (no correction) or not,
    stride 1 or 2, 4..40 channels (tails of 0..3)."""
    pad = r.choice(["SAME", "VALID"])
    shape = (1, r.randint(1, 14), r.randint(1, 14), r.randint(4, 40))
    d = r.choice([(1, 1), (1, 1), (2, 1)])
    if not window_ok(shape[1:3], (3, 3), d, pad):
        return None
    zy = r.choice([-128, -128, -6, 0])
    return _dw(shape, (3, 3), r.choice([(1, 1), (2, 2)]), pad, d, r.choice(["NONE", "RELU"]),
               1, True, True, 0.02, r.choice([-128, -128, 5]), r.choice([1.0, 0.3, 3.0]), zy,
               None)


#: Seeded random cases on top of the hand-picked ones.
RANDOM = (sweep([], _draw_dw, family="dsp-depthwise")
          + sweep([], _draw_dw3, family="dsp-depthwise-3x3"))


def build(case: Case) -> bytes:
    kh, kw = case["k"]
    out_s = case["out_f"] * accumulator_out_scale(case["in_s"], case["in_zp"], kh * kw,
                                                  case["pc"])
    return depthwise_conv2d_model(
        case_rng(case_id(case)), case["shape"], case["dm"], kernel=case["k"],
        stride=case["s"], padding=case["pad"], dilation=case["d"], activation=case["act"],
        per_channel=case["pc"], input_qp=QParams([case["in_s"]], [case["in_zp"]]),
        output_qp=QParams([out_s], [case["out_zp"]]), with_bias=case["bias"])


def _asm_path(source: str) -> str:
    """The Arm path mcu_dsp_depthwise_conv_s8 takes with the generated parameters."""
    f = {k: int(v) for k, v in re.findall(r"\.(\w+) = (-?\d+),", source)}
    fast = (f["k_h"] * f["k_w"] == 9 and f["every_shift_right"] and f["full_range"]
            and f["blocks"] > 0)
    return "c" if not fast else ("nofix" if f["no_fix"] else "fix")


def _check(case: Case, board: str) -> None:
    model = build(case)
    cid = case_id({k: v for k, v in case.items() if k != "asm"})
    kernels = "dsp" if board == "host" else "auto"
    source = api.compile_model(model, board=board, kernels=kernels).library.files["model.c"]
    text = source.decode()
    used = CALL in text
    if case["dsp"] is not None:
        assert used == case["dsp"], f"{cid}: DSP variant {'' if used else 'not '}chosen"
    if case.get("asm") is not None:
        assert _asm_path(text) == case["asm"], f"{cid}: not the {case['asm']} path"
    seed = case_seed(cid) % 10_000
    result = api.verify(model, board=board, inputs=INPUTS, seed=seed, reference="tflm",
                        kernels=kernels)
    assert result.cases == INPUTS + 3, f"{cid}: ran {result.cases} input sets"
    details = [f"  {label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.ok, (f"{cid} on {board} (verify seed {seed}) differs from TFLite Micro\n"
                       + "\n".join(details))


def _params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=case_id({k: v for k, v in c.items() if k != "asm"}))
            for c in cases]


@pytest.mark.parametrize("case", _params(DEPTHWISE))
def test_dsp_depthwise_bit_exact_on_host(case: Case) -> None:
    _check(case, "host")


@pytest.mark.parametrize("case", RANDOM)
def test_dsp_depthwise_random_case_bit_exact_on_host(case: Case) -> None:
    _check(case, "host")


#: On the Cortex-M4, every naked function and branch: dw9_row_* (runs of inside pixels,
#: with and without a channel tail after them), dw9_left / right (columns of border
#: pixels) and dw9_top / bottom (runs in border rows), dw9_tab_* (corners, windows with
#: two outside columns, every border pixel of a layer with the sign fix), with (fix) and
#: without (nofix) the sign correction, stride 1 and 2, dilation, batches; and the C
#: block on Arm (channels with e = 0, a 5x5 kernel, a narrowed activation range).
ON_M4 = [DEPTHWISE[i] for i in (0, 17, 18, 19, 20, 21, 22, 23, 24, 6, 13, 7, 3)]


@pytest.mark.qemu
@pytest.mark.parametrize("case", _params(ON_M4))
def test_dsp_depthwise_bit_exact_on_cortex_m4(case: Case) -> None:
    require_cross_tools()
    _check(case, "mps2-an386")
