"""The input-stationary DSP CONV_2D variants (ops/simd/dsp_conv_smallk.py,
runtime_c/dsp_conv_smallk_s8.c): pointwise over 8 or 16 channels and 3x3 over 3
channels, bit-exact with TFLite Micro.

Host cases run the kernels' C loops (``kernels="dsp"`` emulates the intrinsics); the
Cortex-M4 cases (mps2-an386, QEMU) run the assembly: every run function (K = 8, 16, 27
with 4 or 8 channels per flag test), one run over the whole image or one per output
row, border chunks, constant channels. Every case asserts which kernel ran, so a
variant that silently stops (or starts) applying fails here."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.ops.simd import dsp_conv_smallk
from tests.kernels import test_conv
from tests.kernels._sweep import VERIFY_INPUTS, Case, case_id, case_seed
from tests.tflite_writer import QParams, conv2d_model

CALL = "mcu_dsp_conv_smallk_s8"
RGB_CALL = "mcu_dsp_conv_rgb_s8"


def _conv(shape: tuple[int, ...], oc: int, **kw: Any) -> Case:
    kw.setdefault("out_zp", -128)
    return test_conv._case(shape, oc, (1, 1), **kw)


def _rgb(shape: tuple[int, ...], oc: int, **kw: Any) -> Case:
    kw.setdefault("out_zp", -128)
    return test_conv._case(shape, oc, (3, 3), **kw)


def _call(case: Case) -> str:
    return RGB_CALL if case["k"] == (3, 3) else CALL


def _check(case: Case, *, taken: bool, board: str = "host", model: bytes | None = None) -> str:
    """Verify the case's model (or ``model``) with the DSP kernels; the variant runs iff
    ``taken``. Returns model.c."""
    model = test_conv.build(case) if model is None else model
    cid = case_id(case)
    src = api.compile_model(model, board=board, kernels="dsp").library.files["model.c"]
    assert (f"{_call(case)}(".encode() in src) == taken, f"{cid}: expected taken={taken}"
    seed = case_seed(cid) % 10_000
    result = api.verify(model, board=board, inputs=VERIFY_INPUTS, seed=seed, kernels="dsp")
    details = [f"  {label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.cases == VERIFY_INPUTS + 3
    assert result.ok, f"{cid} (seed {seed}) differs from TFLite Micro\n" + "\n".join(details)
    return src.decode()


#: Cases the variant takes: K of 8 and 16, channel counts 4..36 (one and several
#: quads, multiples of 8 and not), strides (one run per image or per row), SAME and
#: VALID, full-range activations (NONE, and RELU / RELU6 whose range is all of int8 at
#: zero point -128), per-channel and per-tensor, input zero points at the extremes,
#: batches, and constant channels (a multiplier that rounds to 0).
TAKEN: list[Case] = [
    _conv((1, 6, 5, 8), 16, act="RELU6", in_zp=-128, in_s=0.002, out_f=0.1),  # VWW op 2
    _conv((1, 5, 4, 16), 32, act="RELU6", in_zp=-128, in_s=0.002, out_f=0.1),  # op 4
    _conv((1, 7, 3, 8), 4, in_zp=127),
    _conv((2, 3, 5, 16), 12, act="RELU", in_zp=-1),
    _conv((1, 7, 6, 8), 20, s=(2, 2), pad="VALID", pc=False),
    _conv((1, 5, 9, 16), 36, s=(1, 2), in_zp=0, bias=False),
    _conv((1, 9, 4, 8), 8, s=(3, 1), pad="SAME", in_zp=-128, in_s=0.004),
    _conv((1, 4, 4, 16), 8, out_f=1e9),  # every channel constant
    _conv((3, 2, 2, 8), 24, act="RELU", pc=False, in_zp=3, out_f=0.2),
]

#: 3x3 over 3 channels: VWW's first layer (stride 2, SAME: bottom / right border),
#: ResNet's (stride 1, borders all round, 16 channels), 4 / 12 / 20 channels (4 per
#: flag test), dilated rows, VALID (no border), an image narrower than the filter
#: (every pixel a border pixel), wide border rows in several chunks, a stride wider
#: than a chunk, batches, per-tensor, constant channels.
RGB_TAKEN: list[Case] = [
    _rgb((1, 9, 9, 3), 8, s=(2, 2), act="RELU6", in_zp=-128, in_s=0.002, out_f=0.1),
    _rgb((1, 6, 7, 3), 16, act="RELU", in_zp=-128),
    _rgb((1, 5, 6, 3), 4, in_zp=127),
    _rgb((2, 6, 5, 3), 12, s=(2, 1), d=(2, 1), in_zp=-3),
    _rgb((1, 7, 8, 3), 20, pad="VALID", pc=False),
    _rgb((1, 5, 2, 3), 8, in_zp=3),
    _rgb((1, 3, 40, 3), 8, in_zp=-128, bias=False),
    _rgb((1, 5, 33, 3), 8, s=(1, 14), in_zp=0),
    _rgb((1, 4, 4, 3), 8, out_f=1e9),
]

#: Cases it leaves to the general DSP core: other output zero points, a clamping
#: activation, K not 8 or 16, channel counts not a multiple of 4, larger filters, a
#: multiplier > 1 (no fast epilogue).
NOT_TAKEN: list[Case] = [
    _conv((1, 5, 5, 8), 16, out_zp=-6),
    _conv((1, 5, 5, 16), 8, act="RELU_N1_TO_1"),
    _conv((1, 5, 5, 12), 8),
    _conv((1, 5, 5, 8), 6),
    _conv((1, 5, 5, 32), 8),
    test_conv._case((1, 6, 6, 8), 8, (3, 3), out_zp=-128),
    _conv((1, 4, 4, 8), 4, out_f=1e-3),
    _rgb((1, 6, 6, 3), 8, out_zp=-6),
    _rgb((1, 7, 7, 3), 8, d=(1, 2)),
    _rgb((1, 6, 6, 3), 6),
    _rgb((1, 4, 4, 3), 68),
    _rgb((1, 6, 6, 3), 8, act="RELU_N1_TO_1"),
    _rgb((1, 6, 6, 4), 8),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in TAKEN])
def test_smallk_is_bit_exact(case: Case) -> None:
    _check(case, taken=True)


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in RGB_TAKEN])
def test_rgb_is_bit_exact(case: Case) -> None:
    _check(case, taken=True)


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in NOT_TAKEN])
def test_smallk_leaves_other_convolutions(case: Case) -> None:
    _check(case, taken=False)


def test_records_layout() -> None:
    """Record words: doubled x2 start with the zero point folded, (w0, w2), (w1, w3)
    lanes doubled, m, R = 2^(e-1) - 128 * 2^e, e, the last channel flagged."""
    rows = np.arange(-8, 8, dtype=np.int64).reshape(2, 8)
    bias = np.array([100, -7], dtype=np.int64)
    rec = dsp_conv_smallk.records(rows, bias, 3, [2**30, 2**31 - 1], [-5, -9], (-128, 127))
    assert rec.shape == (2 * 8,)
    r0, r1 = rec[:8].astype(np.int64), rec[8:].astype(np.int64)
    assert r0[0] == 2 * (100 - 3 * rows[0].sum()) and r1[0] == 2 * (-7 - 3 * rows[1].sum())

    def lanes(word: int) -> tuple[int, int]:
        u = word & 0xFFFFFFFF
        return _s16(u & 0xFFFF), _s16(u >> 16)

    assert lanes(int(r0[1])) == (2 * -8, 2 * -6) and lanes(int(r0[2])) == (2 * -7, 2 * -5)
    assert lanes(int(r1[3])) == (2 * 4, 2 * 6) and lanes(int(r1[4])) == (2 * 5, 2 * 7)
    assert list(r0[5:]) == [2**30, 2**4 - 128 * 2**5, 5]
    assert list(r1[5:]) == [2**31 - 1, 2**8 - 128 * 2**9, 9 | dsp_conv_smallk.LAST_FLAG]


def test_cases_reach_what_they_claim() -> None:
    """The taken cases cover both K, one run per image and per row, channel counts that
    are and are not multiples of 8, per-tensor quantization and constant channels."""
    ks = {c["shape"][3] for c in TAKEN}
    assert ks == set(dsp_conv_smallk.IN_CHANNELS)
    assert any(c["s"] != (1, 1) for c in TAKEN) and any(c["s"] == (1, 1) for c in TAKEN)
    assert {c["oc"] % 8 for c in TAKEN} == {0, 4}
    assert any(not c["pc"] for c in TAKEN) and any(c["out_f"] > 1e6 for c in TAKEN)


#: Cases also run on the Cortex-M4 (the assembly): every run function (k8x8, k16x4,
#: k8x4, k16x8, rgb_x8, rgb_x4), whole-image and per-row runs, constant channels,
#: batches, border chunks and dilated rows.
QEMU_CASES = [TAKEN[0], TAKEN[3], TAKEN[4], TAKEN[5], TAKEN[7], RGB_TAKEN[0], RGB_TAKEN[1],
              RGB_TAKEN[3], RGB_TAKEN[6]]
RUNS = {"mcu_dsp_smallk_k8x4", "mcu_dsp_smallk_k8x8", "mcu_dsp_smallk_k16x4",
        "mcu_dsp_smallk_k16x8", "mcu_dsp_rgb_x4", "mcu_dsp_rgb_x8"}


def test_qemu_cases_reach_every_run_function() -> None:
    called = set()
    for c in QEMU_CASES:
        src = api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"]
        called |= {r for r in RUNS if f", {r});".encode() in src}
    assert called == RUNS


@pytest.mark.qemu
@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in QEMU_CASES])
def test_smallk_on_cortex_m4(case: Case) -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    _check(case, taken=True, board="mps2-an386")


def _s16(v: int) -> int:
    return v - 0x10000 if v & 0x8000 else v


def test_rgb_records_layout() -> None:
    """A records in reverse channel order with channel 0's A7 high lane flagged, the
    word 4 * n, B records in order with the last e flagged; lanes per RGB_WORDS."""
    n = 4
    rows = (np.arange(n * 27, dtype=np.int64).reshape(n, 27) % 251) - 125
    bias = np.arange(n, dtype=np.int64) * 1000
    mults, shifts = [2**30 + r for r in range(n)], [-(r + 3) for r in range(n)]
    rec = dsp_conv_smallk.rgb_records(rows, bias, -128, mults, shifts, (-128, 127))
    assert rec.size == 18 * n + 1 and rec[9 * n] == 4 * n
    a = rec[: 9 * n].reshape(n, 9)[::-1].astype(np.int64)  # channel order
    b = rec[9 * n + 1:].reshape(n, 9).astype(np.int64)
    w = rows.reshape(n, 3, 9)
    for c in range(n):
        assert a[c, 0] == 2 * (bias[c] + 128 * rows[c].sum())
        words = [*a[c, 1:], *b[c, :6]]
        for i, (lo, hi) in enumerate(dsp_conv_smallk.RGB_WORDS):
            u = int(words[i]) & 0xFFFFFFFF
            assert _s16(u & 0xFFFF) == 2 * w[c, lo[0], lo[1]], (c, i)
            want_hi = 2 * w[c, hi[0], hi[1]] if hi is not None else int(c == 0)
            assert _s16(u >> 16) == want_hi, (c, i)
        e = -shifts[c]
        flag = dsp_conv_smallk.LAST_FLAG if c == n - 1 else 0
        assert list(b[c, 6:]) == [mults[c], 2 ** (e - 1) - 128 * 2**e, e | flag]
    # every patch value appears once
    seen = sorted(p for lo, hi in dsp_conv_smallk.RGB_WORDS for p in (lo, hi) if p)
    assert seen == sorted((r, j) for r in range(3) for j in range(9))


def test_rgb_cases_reach_what_they_claim() -> None:
    """Border chunks of several pixels, one-pixel chunks, rows without interior, 4 and
    8 channels per flag test."""
    assert any(c["shape"][2] + 2 > 16 for c in RGB_TAKEN)  # a row of several chunks
    assert any(c["s"][1] > 13 for c in RGB_TAKEN)  # one pixel per chunk
    assert any(c["shape"][2] < 3 for c in RGB_TAKEN)  # no interior
    assert {c["oc"] % 8 for c in RGB_TAKEN} == {0, 4}


#: RGB conv whose channel 0 moves with one unit of its doubled accumulator: weights
#: in {-1, 0, 1} (about 8 nonzero a channel: accumulators of a few hundred, outputs
#: mostly inside int8), multipliers 0.45 .. 0.49 (e = 1), input zero point 0 so the
#: last patch byte p2[8] (row 3, column 3, channel 3) is negative for half the
#: inputs. The widening of p2[8] must zero its high half (UXTH): channel 0's A7 high
#: lane is the flag 1, so a sign-extended p2[8] would add -1 to that accumulator.
RGB_BOUNDARY: Case = {"name": "rgb-boundary", "shape": (1, 8, 10, 3), "oc": 8, "k": (3, 3)}


def _rgb_boundary_model() -> bytes:
    case = RGB_BOUNDARY
    oc = case["oc"]
    rng = np.random.default_rng(case_seed(case_id(case)))
    q = 8 / 27
    w = rng.choice([-1, 0, 1], p=[q / 2, 1 - q, q / 2], size=(oc, 3, 3, 3))
    w_s = [0.01 * (1 + 0.01 * c) for c in range(oc)]
    return conv2d_model(None, case["shape"], oc, kernel=3, input_qp=QParams([0.02], [0]),
                        output_qp=QParams([0.02 * 0.01 / 0.45], [-128]), weights=w,
                        weight_scales=w_s, bias=rng.integers(-40, 41, size=oc))


def test_rgb_boundary_case() -> None:
    """The boundary case takes the RGB kernel (8 channels a flag test) and channel 0
    depends on the last patch byte; bit-exact on the host."""
    src = _check(RGB_BOUNDARY, taken=True, model=_rgb_boundary_model())
    assert ", mcu_dsp_rgb_x8);" in src


@pytest.mark.qemu
def test_rgb_boundary_on_cortex_m4() -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    _check(RGB_BOUNDARY, taken=True, board="mps2-an386", model=_rgb_boundary_model())
