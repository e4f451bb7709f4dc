"""The DSP (SMLAD) CONV_2D and FULLY_CONNECTED variants (ops/simd/dsp_conv.py,
dsp_fully_connected.py), bit-exact with TFLite Micro.

Each case is built with ``kernels="dsp"`` (the DSP intrinsics run as C on the host)
twice: with the usual plan (a single-op model gets no scratch: direct 1x1 convolutions
and FCs with depth % 4 == 0 widen in registers, the rest fall back to the portable
kernel) and with every scratch request granted (the patch-column path). Every case
asserts which kernel ran, so a variant that silently stops applying fails here. A few
cases also run on the Cortex-M4 under QEMU (real SMLAD / SMMLAR / SSAT)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.ir import Graph
from mcu_codegen.ops import simd
from mcu_codegen.ops.simd import dsp_conv, dsp_mat_mult
from mcu_codegen.planner import ArenaPlan
from mcu_codegen.planner.buffers import Buffer, Place
from tests.kernels import test_conv, test_fully_connected
from tests.kernels._sweep import VERIFY_INPUTS, Case, case_id, case_seed

_plan = api.plan


def _plan_all_scratch(g: Graph, isa: str = "portable") -> ArenaPlan:
    """The usual plan plus every scratch request of kernel set ``isa`` it left out,
    placed after the arena."""
    p = _plan(g, isa)
    buffers, offsets, size = list(p.buffers), dict(p.offsets), p.arena_bytes
    for pos, op in enumerate(g.ops):
        nbytes = simd.scratch_bytes(g, op, isa)
        if nbytes > 0 and p.scratch_of(pos) is None:
            b = Buffer(max(x.id for x in buffers) + 1, (), nbytes, p.order.index(pos),
                       p.order.index(pos), Place.ARENA, scratch_for=pos)
            size = (size + 15) // 16 * 16
            buffers.append(b)
            offsets[b.id] = size
            size += nbytes
    return replace(p, buffers=tuple(buffers), offsets=offsets, arena_bytes=size)


def _check(model: bytes, case: Case, want_call: str, board: str = "host") -> str:
    """Verify ``model`` with the DSP kernels; ``want_call`` must appear in model.c.
    Returns model.c."""
    compiled = api.compile_model(model, board=board, kernels="dsp")
    src = compiled.library.files["model.c"].decode()
    assert f"{want_call}(" in src, f"{case_id(case)}: expected {want_call} in model.c"
    cid = case_id(case)
    seed = case_seed(cid) % 10_000
    result = api.verify(model, board=board, inputs=VERIFY_INPUTS, seed=seed, kernels="dsp")
    details = [f"  {label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.cases == VERIFY_INPUTS + 3
    assert result.ok, f"{cid} (seed {seed}) differs from TFLite Micro\n" + "\n".join(details)
    return src


def _conv(shape, oc, k, **kw: Any) -> Case:
    return test_conv._case(shape, oc, k, **kw)


#: DSP-specific conv cases: K % 4 != 0, odd channels and pixels, direct pointwise
#: (in_c % 4 == 0), the three epilogues (fast SSAT, fast clamp, generic: multiplier
#: > 1, tiny multiplier), zero points at the extremes, strides, dilation, batches.
DSP_CONV: list[Case] = [
    _conv((1, 5, 5, 64), 64, (1, 1), act="RELU", in_zp=-128, out_zp=-128),  # KWS-like
    _conv((1, 7, 3, 16), 9, (1, 1), s=(2, 2), pad="VALID", in_zp=127, out_zp=127),
    _conv((2, 3, 5, 12), 7, (1, 1), act="RELU6", in_zp=-1),
    _conv((1, 6, 5, 1), 6, (10, 4), s=(2, 2), act="RELU", in_zp=-128),  # KWS first conv
    _conv((1, 8, 8, 3), 16, (3, 3), act="RELU", in_zp=-128),  # ResNet / VWW first conv
    _conv((1, 6, 7, 5), 5, (3, 3), s=(2, 1), d=(1, 2), in_zp=127, out_zp=-128),
    _conv((1, 4, 4, 8), 3, (1, 1), out_f=1e-3),  # multiplier > 1: generic
    _conv((1, 4, 4, 8), 4, (1, 1), out_f=1e9),  # multiplier 0: generic
    _conv((1, 9, 9, 7), 2, (5, 5), s=(3, 3), pad="SAME", act="RELU_N1_TO_1", in_s=0.5),
    _conv((3, 3, 3, 4), 1, (2, 2), pad="VALID", pc=False, bias=False),
    # patches read in place without scratch (in_c % 4 == 0): borders, dilation, strides
    _conv((1, 8, 8, 16), 16, (3, 3), act="RELU", in_zp=-128),  # ResNet-8 3x3
    _conv((1, 7, 6, 8), 5, (3, 3), s=(2, 2), d=(2, 1), in_zp=127, out_zp=-128),
    _conv((1, 6, 6, 4), 3, (5, 5), d=(1, 2), act="RELU6", in_zp=-1),
    _conv((1, 9, 8, 4), 2, (7, 7), pad="SAME"),  # 49 taps: too many segments, portable
    # 3x3 over 3 channels, patch widened from the rows (dsp_widen_3x3x3): VWW-like
    # stride 2, and dilated rows whose top / bottom taps read the pad row
    _conv((1, 9, 7, 3), 8, (3, 3), s=(2, 2), in_zp=-128, out_zp=-128),
    _conv((1, 7, 6, 3), 5, (3, 3), d=(2, 1), in_zp=127, out_zp=-128),
    # odd pixel count and >= 4 groups per row: both column strides of mcu_dsp_widen_s8
    _conv((1, 5, 5, 20), 6, (3, 3), in_zp=-3),
    # raw 8-row blocks (FAST_SAT) over segments of every length % 4: rows of 9 / taps of
    # 3 groups, rows of 6 / taps of 2, rows of 5 / taps of 1
    _conv((1, 6, 5, 12), 8, (3, 3), in_zp=5),
    _conv((1, 5, 6, 8), 16, (3, 3), s=(2, 1), in_zp=-128),
    _conv((1, 7, 6, 4), 9, (5, 5), in_zp=1),
]
#: The cases above that exercise the 3x3x3 column, the odd-pixel column and the raw
#: segment remainders (also run under QEMU below).
RGB_CONV = [DSP_CONV[4], DSP_CONV[14], DSP_CONV[15]]
ODD_PIXELS = DSP_CONV[16]
RAW_REMAINDERS = DSP_CONV[17:20]

CONV_CASES = [pytest.param(c, id=case_id(c)) for c in DSP_CONV] + list(test_conv.CASES)
FC_CASES = list(test_fully_connected.CASES)


def _in_place(case: Case) -> bool:
    """Whether the DSP kernel runs without scratch (see DspConv2D.scratch_bytes)."""
    kh, kw = case["k"]
    return case["shape"][3] % 4 == 0 and kh * kw <= dsp_conv.MAX_SEGMENTS


def _values(cases: list[Any]) -> list[Case]:
    return [c.values[0] for c in cases]


IN_PLACE = [pytest.param(c, id=case_id(c)) for c in _values(CONV_CASES) if _in_place(c)]
FALLBACK = [c for c in _values(CONV_CASES) if not _in_place(c)]


@pytest.mark.parametrize("case", IN_PLACE)
def test_dsp_conv_without_scratch(case: Case) -> None:
    _check(test_conv.build(case), case, "mcu_dsp_conv_s8")


def test_dsp_conv_without_scratch_falls_back_to_portable() -> None:
    """in_c % 4 != 0 or too many taps and no scratch: the portable kernel runs (its
    own sweep checks it)."""
    assert len(FALLBACK) >= 10 and len(IN_PLACE) >= 8
    for case in FALLBACK[:10]:
        src = api.compile_model(test_conv.build(case), kernels="dsp").library.files["model.c"]
        assert b"mcu_conv_s8(" in src and b"mcu_dsp_conv_s8(" not in src, case_id(case)


@pytest.mark.parametrize("case", CONV_CASES)
def test_dsp_conv_with_patch_columns(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "plan", _plan_all_scratch)
    src = _check(test_conv.build(case), case, "mcu_dsp_conv_s8")
    assert "NULL)" not in src.split("mcu_dsp_conv_s8(")[1].split(";")[0]


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in _values(FC_CASES)
                                  if c["shape"][-1] % 4 == 0])
def test_dsp_fully_connected_without_scratch(case: Case) -> None:
    _check(test_fully_connected.build(case), case, "mcu_dsp_fully_connected_s8")


@pytest.mark.parametrize("case", FC_CASES)
def test_dsp_fully_connected_with_scratch(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "plan", _plan_all_scratch)
    _check(test_fully_connected.build(case), case, "mcu_dsp_fully_connected_s8")


def test_every_epilogue_mode_is_swept() -> None:
    """The sweeps above reach the fast SSAT, fast clamp and generic epilogues."""
    modes = set()
    for c in DSP_CONV:
        src = api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"]
        modes.update(int(m) for m in re.findall(rb"\.mm\.mode = (\d+)", src))
    assert modes == {dsp_mat_mult.FAST_SAT, dsp_mat_mult.FAST_CLAMP, dsp_mat_mult.GENERIC}


def test_fast_epilogue_bound() -> None:
    """The fast epilogue is refused when 2 * the accumulator could overflow or the
    shift is not a right shift, unless the row's output is constant."""
    rows = np.full((2, 4), 127, dtype=np.int8)
    zero = np.zeros(2, np.int64)
    assert dsp_mat_mult.fast_ok(rows, zero, 0, [2**30] * 2, [-3] * 2)
    long_rows = np.full((2, 70_000), 127, dtype=np.int8)  # 127 * 128 * 70,000 > 2^30
    assert not dsp_mat_mult.fast_ok(long_rows, zero, 0, [2**30] * 2, [-3] * 2)
    assert not dsp_mat_mult.fast_ok(rows, zero, 0, [2**30] * 2, [0, -3])
    # a huge bias with a tiny multiplier: the output is the same for every input
    assert dsp_mat_mult.fast_ok(rows, np.full(2, 2**29, np.int64), 0,
                                [2**30] * 2, [-30] * 2)
    assert dsp_mat_mult.fast_ok(rows, zero, 0, [0, 2**30], [0, -3])  # multiplier 0


#: Cases that also run on the Cortex-M4 (mps2-an386) under QEMU.
QEMU_CONV = [DSP_CONV[0], DSP_CONV[1], DSP_CONV[3], DSP_CONV[5], DSP_CONV[6], *RGB_CONV,
             ODD_PIXELS, *RAW_REMAINDERS]
QEMU_FC = [test_fully_connected.CURATED[i] for i in (1, 10, 11)]


@pytest.mark.qemu
@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in QEMU_CONV])
def test_dsp_conv_on_cortex_m4(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    monkeypatch.setattr(api, "plan", _plan_all_scratch)
    _check(test_conv.build(case), case, "mcu_dsp_conv_s8", board="mps2-an386")


@pytest.mark.qemu
@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in QEMU_FC])
def test_dsp_fully_connected_on_cortex_m4(case: Case, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    monkeypatch.setattr(api, "plan", _plan_all_scratch)
    _check(test_fully_connected.build(case), case, "mcu_dsp_fully_connected_s8",
           board="mps2-an386")


@pytest.mark.qemu
@pytest.mark.parametrize("case", [pytest.param(DSP_CONV[0], id="direct-no-scratch"),
                                  pytest.param(DSP_CONV[1], id="direct-9-channels"),
                                  pytest.param(DSP_CONV[10], id="3x3-relu"),
                                  pytest.param(DSP_CONV[11], id="3x3-strided-dilated"),
                                  pytest.param(DSP_CONV[12], id="5x5-dilated-relu6"),
                                  *[pytest.param(c, id=f"raw8-{case_id(c)}")
                                    for c in RAW_REMAINDERS]])
def test_dsp_conv_without_scratch_on_cortex_m4(case: Case) -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    _check(test_conv.build(case), case, "mcu_dsp_conv_s8", board="mps2-an386")


def test_new_paths_are_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases meant for the 3x3x3 column, the odd-pixel column, the two-column
    FAST_SAT assembly (groups % 4 of 1, 2, 3) and the raw 8-row FAST_SAT blocks (with
    segments of every length % 4) have the geometry and parameters those paths need,
    so they cannot silently test something else."""
    for c in RGB_CONV:
        assert c["shape"][3] == 3 and c["k"] == (3, 3), case_id(c)
    odd = ODD_PIXELS
    assert odd["shape"][1] * odd["shape"][2] % 2 == 1 and odd["shape"][3] * 3 // 4 >= 4
    tails = set()
    with monkeypatch.context() as m:
        m.setattr(api, "plan", _plan_all_scratch)
        for c in QEMU_CONV:
            src = api.compile_model(test_conv.build(c), kernels="dsp").library.files[
                "model.c"]
            call = src.split(b"mcu_dsp_conv_s8(")[1].split(b";")[0]
            if b".mm.mode = 0" in src and not call.endswith(b"NULL)"):
                tails.add(int(re.findall(rb"\.mm\.groups = (\d+)", src)[0]) % 4)
    assert tails >= {1, 2, 3}
    remainders = set()
    for c in RAW_REMAINDERS:
        src = api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"]
        call = src.split(b"mcu_dsp_conv_s8(")[1].split(b";")[0]
        assert call.endswith(b"NULL)"), case_id(c)  # no scratch: the raw kernel
        assert b".mm.block = 8" in src and b".mm.mode = 0" in src, case_id(c)
        in_c, k_w = c["shape"][3], c["k"][1]
        remainders |= {(in_c // 4) % 4, (k_w * in_c // 4) % 4}
    assert remainders >= {1, 2, 3}


@pytest.mark.qemu
def test_dsp_fully_connected_without_scratch_on_cortex_m4() -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    case = test_fully_connected.CURATED[10]  # 3 x 48 -> 33 units: blocks of 8, a partial
    assert case["shape"][-1] % 4 == 0 and case["units"] % 8
    _check(test_fully_connected.build(case), case, "mcu_dsp_fully_connected_s8",
           board="mps2-an386")
