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
from mcu_codegen.ir import Graph, OpKind
from mcu_codegen.ops import quant, simd
from mcu_codegen.ops.simd import dsp_conv, dsp_mat_mult
from mcu_codegen.planner import ArenaPlan
from mcu_codegen.planner.buffers import Buffer, Place
from mcu_codegen.resources import data_dir
from tests.kernels import test_conv, test_fully_connected
from tests.kernels._sweep import VERIFY_INPUTS, Case, case_id, case_seed
from tests.tflite_writer import QParams, fully_connected_model

_plan = api.plan


@pytest.fixture(autouse=True)
def _only_dsp_conv2d(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other DSP CONV_2D variants, tried before this one, would take some cases (small
    K, few channels): here every DSP CONV_2D is the DspConv2D variant."""
    key = (OpKind.CONV_2D, "dsp")
    mine = [v for v in simd._VARIANTS.get(key, []) if isinstance(v, dsp_conv.DspConv2D)]
    assert mine
    monkeypatch.setitem(simd._VARIANTS, key, mine)


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
    # direct 1x1 through the column loop (dsp_mm_cols_sat, FAST_SAT): blocks of 6 then
    # one of 2 (per-row calls: strided), one block of 4, whole blocks of 6 (two
    # batches), one block of 2; groups % 8 of 1, 3, 5, 2 (the loops' computed entries)
    _conv((1, 6, 5, 36), 8, (1, 1), s=(2, 1), act="RELU", in_zp=-128, out_zp=-128),
    _conv((1, 3, 4, 12), 4, (1, 1), in_zp=3),
    _conv((2, 4, 3, 52), 12, (1, 1), in_zp=-7),
    _conv((1, 5, 3, 8), 2, (1, 1), in_zp=0),
    # more than MCU_DSP_COLS_STACK_GROUPS groups: the looped column (scratch)
    _conv((1, 3, 3, 136), 10, (1, 1), in_zp=2),
    # more than MCU_DSP_RAW_STACK_GROUPS groups without scratch: raw 6-, 4- and 2-row
    # blocks over segments (FAST_SAT), the last block whole or through the buffer
    # (n_out % 6 of 5, 2, 4, 3); segments of 15 / 5, 18 / 6, 15 / 3 and 20 / 4 groups
    _conv((1, 6, 5, 20), 11, (3, 3), in_zp=5),
    _conv((1, 5, 6, 24), 8, (3, 3), s=(2, 1), in_zp=-128),
    _conv((1, 7, 6, 12), 10, (5, 5), in_zp=1),
    _conv((1, 6, 6, 16), 15, (5, 5), in_zp=-128),
    # output zero point -128 and the whole int8 range (RELU, RELU6 with a small output
    # scale, NONE): MCU_DSP_FAST_SAT_NOFIX, the tail without the sign fix. Small output
    # scales make large accumulators, about half of them negative (where the fix would
    # apply): patch columns (6 + 4 rows, 6 + 2, 5 through the buffer), the looped
    # column (34 groups) or its stack copy, raw segments (6 + 6 + 2 and 6 + 4 rows),
    # and every row constant (huge output scale: zero weights, trailer (2^30, 2c+1, 1))
    _conv((1, 5, 5, 6), 10, (3, 3), act="RELU6", in_zp=-128, out_zp=-128, out_f=0.04),
    _conv((1, 4, 5, 8), 8, (3, 3), act="RELU", in_zp=-100, out_zp=-128, out_f=0.3),
    _conv((1, 4, 4, 8), 5, (3, 3), act="RELU", in_zp=-128, out_zp=-128, out_f=0.1),
    _conv((1, 3, 3, 136), 10, (1, 1), in_zp=2, out_zp=-128, out_f=0.3),
    _conv((1, 6, 6, 16), 14, (5, 5), act="RELU", in_zp=-128, out_zp=-128, out_f=0.3),
    _conv((1, 5, 6, 24), 10, (3, 3), s=(2, 1), in_zp=-128, out_zp=-128, out_f=0.3),
    _conv((1, 4, 4, 8), 6, (1, 1), out_f=1e5, out_zp=-128),
]
#: The cases above that exercise the 3x3x3 column, the odd-pixel column, the column
#: loop of direct convolutions and the raw segments (also run under QEMU below).
RGB_CONV = [DSP_CONV[4], DSP_CONV[14], DSP_CONV[15]]
ODD_PIXELS = DSP_CONV[16]
SEGMENTS = DSP_CONV[17:20]
DIRECT_COLS = DSP_CONV[20:25]
RAW_SEGMENTS = DSP_CONV[25:29]
NOFIX_CONV = DSP_CONV[29:36]

CONV_CASES = [pytest.param(c, id=case_id(c)) for c in DSP_CONV] + list(test_conv.CASES)
#: FC cases for the DSP paths (FAST_SAT): raw segments (44 groups, no scratch; 6 + 6
#: + 2 rows, one stored), the column loop (5 groups, 6 + 4 rows, five rows; 35 and 33
#: groups with scratch: 6 + 2 and 6 rows), a depth % 4 != 0 row staged into the
#: scratch (6 + 6 rows, five stored).
DSP_FC = [test_fully_connected._case((3, 176), 13, in_zp=-128),
          test_fully_connected._case((5, 20), 10),
          test_fully_connected._case((2, 140), 8, in_zp=9),
          test_fully_connected._case((2, 132), 6, in_zp=-100),
          test_fully_connected._case((2, 30), 11),
          # MCU_DSP_FAST_SAT_NOFIX: the looped column (35 groups), the frame loop
          test_fully_connected._case((2, 140), 8, in_zp=9, out_zp=-128, act="RELU",
                                     out_f=0.3),
          test_fully_connected._case((5, 20), 10, out_zp=-128, act="RELU6", out_f=0.04)]
NOFIX_FC = DSP_FC[5:7]
FC_CASES = [pytest.param(c, id=case_id(c)) for c in DSP_FC] + list(test_fully_connected.CASES)


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
    assert modes == {dsp_mat_mult.FAST_SAT, dsp_mat_mult.FAST_CLAMP, dsp_mat_mult.GENERIC,
                     dsp_mat_mult.FAST_SAT_NOFIX}


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
             ODD_PIXELS, *SEGMENTS, *DIRECT_COLS]
QEMU_FC = [*DSP_FC[1:], *[test_fully_connected.CURATED[i] for i in (1, 10, 11)]]


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
                                  *[pytest.param(c, id=f"stack-{case_id(c)}")
                                    for c in SEGMENTS],
                                  *[pytest.param(c, id=f"cols-{case_id(c)}")
                                    for c in DIRECT_COLS[:2]],
                                  *[pytest.param(c, id=f"raw-{case_id(c)}")
                                    for c in RAW_SEGMENTS]])
def test_dsp_conv_without_scratch_on_cortex_m4(case: Case) -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    _check(test_conv.build(case), case, "mcu_dsp_conv_s8", board="mps2-an386")


#: The SSAT modes (the assembly's).
SSAT = (dsp_mat_mult.FAST_SAT, dsp_mat_mult.FAST_SAT_NOFIX)


def _fields(src: bytes, name: str) -> int:
    return int(re.findall(rb"\.mm\." + name.encode() + rb" = (-?\d+)", src)[0])


def test_new_paths_are_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases meant for the 3x3x3 column, the odd-pixel column, the single-column
    FAST_SAT assembly (last blocks of 6, 4 and 2 rows, whole or through the buffer),
    the column loop of direct convolutions and the raw FAST_SAT blocks (segments of
    every length % 4) have the geometry and parameters those paths need, so they cannot
    silently test something else."""
    for c in RGB_CONV:
        assert c["shape"][3] == 3 and c["k"] == (3, 3), case_id(c)
    odd = ODD_PIXELS
    assert odd["shape"][1] * odd["shape"][2] % 2 == 1 and odd["shape"][3] * 3 // 4 >= 4
    lasts = set()  # (rows of the last block, outputs stored) of the column assembly
    with monkeypatch.context() as m:
        m.setattr(api, "plan", _plan_all_scratch)
        for c in QEMU_CONV:
            src = api.compile_model(test_conv.build(c), kernels="dsp").library.files[
                "model.c"]
            call = src.split(b"mcu_dsp_conv_s8(")[1].split(b";")[0]
            if _fields(src, "mode") in SSAT and b".direct = 0" in src:
                assert not call.endswith(b"NULL)"), case_id(c)
                n = _fields(src, "n_out")
                left = n % 6 or 6
                lasts.add((left + 1) & ~1 if left < 6 else 6)
                lasts.add(-left if left % 2 else left)
    assert lasts >= {6, 4, 2, -5, -3}
    entries, tails = set(), set()
    for c in DIRECT_COLS:
        src = api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"]
        assert b".direct = 1" in src and _fields(src, "mode") in SSAT, case_id(c)
        entries.add(_fields(src, "groups") % 8)
        tails.add((_fields(src, "n_out") % 6, _fields(src, "n_out") >= 6))
    assert entries >= {1, 2, 3, 5} and tails >= {(2, True), (4, False), (0, True), (2, False)}
    # the looped column (more groups than the stack frame's) with each last block
    big = {(_fields(src, "n_out") % 6) for c in [*DIRECT_COLS, *DSP_FC[2:4]]
           for src in [api.compile_model(
               (test_conv.build(c) if "oc" in c else test_fully_connected.build(c)),
               kernels="dsp").library.files["model.c"]]
           if _fields(src, "groups") > 32 and _fields(src, "mode") in SSAT}
    assert big >= {0, 2, 4}
    header = (data_dir("runtime_c") / "dsp_mat_mult_raw_s8.h").read_text()
    bound = int(re.findall(r"#define MCU_DSP_RAW_STACK_GROUPS (\d+)", header)[0])
    lengths, lasts = set(), set()
    for c in RAW_SEGMENTS:
        src = api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"]
        call = src.split(b"mcu_dsp_conv_s8(")[1].split(b";")[0]
        assert call.endswith(b"NULL)"), case_id(c)  # no scratch: the raw kernel
        assert _fields(src, "mode") in SSAT and _fields(src, "groups") > bound, case_id(c)
        in_c, k_w = c["shape"][3], c["k"][1]
        lengths |= {(in_c // 4) % 4, (k_w * in_c // 4) % 4}
        lasts.add(c["oc"] % 6)
    assert lengths >= {0, 1, 2, 3} and lasts >= {5, 2, 3, 4}


@pytest.mark.qemu
def test_dsp_fully_connected_without_scratch_on_cortex_m4() -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    for case in (test_fully_connected.CURATED[10], DSP_FC[0]):
        # 3 x 48 -> 33 units (clamp) and 3 x 176 -> 13 (raw segments, FAST_SAT)
        assert case["shape"][-1] % 4 == 0 and case["units"] % 2
        _check(test_fully_connected.build(case), case, "mcu_dsp_fully_connected_s8",
               board="mps2-an386")


#: MCU_DSP_FAST_SAT_NOFIX cases run on the Cortex-M4: with scratch (patch columns of
#: 6 + 4, 6 + 2 and 5 rows, the looped column, the frame loop over constant rows) and
#: without (the stack column, raw segments of 6 + 6 + 2 and 6 + 4 rows).
QEMU_NOFIX_SCRATCH = [*NOFIX_CONV[:4], NOFIX_CONV[6]]
QEMU_NOFIX_PLAIN = [NOFIX_CONV[1], NOFIX_CONV[4], NOFIX_CONV[5]]


@pytest.mark.qemu
@pytest.mark.parametrize("case", [pytest.param(c, id=f"scratch-{case_id(c)}")
                                  for c in QEMU_NOFIX_SCRATCH]
                         + [pytest.param(c, id=f"plain-{case_id(c)}")
                            for c in QEMU_NOFIX_PLAIN])
def test_dsp_conv_nofix_on_cortex_m4(case: Case, request: pytest.FixtureRequest,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    if request.node.callspec.id.startswith("scratch-"):
        monkeypatch.setattr(api, "plan", _plan_all_scratch)
    src = _check(test_conv.build(case), case, "mcu_dsp_conv_s8", board="mps2-an386")
    assert f".mm.mode = {dsp_mat_mult.FAST_SAT_NOFIX}" in src, case_id(case)


def _asm_objects(src: bytes) -> set[str]:
    return {m.decode() for m in re.findall(rb"&(mcu_dsp_mm_\w+)", src)}


def test_qemu_cases_reach_every_assembly_object(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases run under QEMU name, between them, every assembly object of both
    tails (col, raw, cols, cols_frame; sat and nofix), so each naked function runs on
    the M4; each op names only objects of its own mode's tail."""
    seen: set[str] = set()
    tails = {dsp_mat_mult.FAST_SAT: "_sat", dsp_mat_mult.FAST_SAT_NOFIX: "_nofix"}

    def add(src: bytes) -> None:
        objs = _asm_objects(src)
        mode = _fields(src, "mode")
        assert all(o.endswith(tails[mode]) for o in objs) if mode in SSAT else not objs
        seen.update(objs)

    plain = [DSP_CONV[i] for i in (0, 1, 10, 11, 12)] + [*SEGMENTS, *DIRECT_COLS[:2],
                                                          *RAW_SEGMENTS, *QEMU_NOFIX_PLAIN]
    for c in plain:
        add(api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"])
    for c in (test_fully_connected.CURATED[10], DSP_FC[0]):
        add(api.compile_model(test_fully_connected.build(c), kernels="dsp")
            .library.files["model.c"])
    monkeypatch.setattr(api, "plan", _plan_all_scratch)
    for c in [*QEMU_CONV, *QEMU_NOFIX_SCRATCH]:
        add(api.compile_model(test_conv.build(c), kernels="dsp").library.files["model.c"])
    for c in QEMU_FC:
        add(api.compile_model(test_fully_connected.build(c), kernels="dsp")
            .library.files["model.c"])
    want = {f"mcu_dsp_mm_{f}{t}" for f in ("col", "raw", "cols", "cols_frame")
            for t in tails.values()}
    assert seen == want


def test_nofix_mode_choice() -> None:
    """MCU_DSP_FAST_SAT_NOFIX exactly where the zero point is -128 and the range the
    whole int8 range (rows fast or constant); constant and padding rows have x2 = 0."""
    rows = np.array([[1, -2, 3, -4], [0, 0, 0, 0], [5, 6, 7, 8]], dtype=np.int8)
    bias = np.array([-100, 2**29, 7], dtype=np.int64)
    mults, shifts = [2**30, 2**30, 2**30 + 5], [-3, -30, -5]
    full = (-128, 127)
    kinds = dsp_mat_mult.row_kinds(rows, bias, -128, mults, shifts, -128, full)
    assert kinds[0] == "fast" and isinstance(kinds[1], int) and kinds[2] == "fast"
    s = dsp_mat_mult.build(rows, bias, -128, -128, mults, shifts, full)
    assert s.mode == dsp_mat_mult.FAST_SAT_NOFIX
    words = s.words.reshape(-1)
    # block of 4 rows (3 + a padding row): heads, 1 group x 4 rows x 2 words, trailers
    assert list(words[[1, 3]]) == [0, 0]  # constant / padding rows start at 0
    assert not words[4 + 2 * 1:4 + 2 * 2].any() and not words[4 + 2 * 3:4 + 2 * 4].any()
    assert dsp_mat_mult.build(rows, bias, -128, -127, mults, shifts, full).mode == \
        dsp_mat_mult.FAST_SAT
    assert dsp_mat_mult.build(rows, bias, -128, -128, mults, shifts, (-128, 100)).mode == \
        dsp_mat_mult.FAST_CLAMP
    assert dsp_mat_mult.build(rows, bias, -128, -128, mults, [1, 1, 1], full).mode == \
        dsp_mat_mult.GENERIC
    assert dsp_mat_mult.mm_fields(s, 3, -128, full, paths={"col", "raw"})["mm.col_asm"] \
        == "&mcu_dsp_mm_col_nofix"


def _boundary_fc(case: Case) -> bytes:
    """An SSAT-mode FC (MCU_DSP_FAST_SAT_NOFIX at zero point -128) whose requantization
    lands on a rounding boundary half the time: weights in {-1, 0, 1} (about 16
    nonzero a row), multipliers 0.26 .. 0.35 (e = 1: the ASR drops one bit, so a +-1
    before it changes about half the unsaturated outputs), accumulators of a few
    hundred (most outputs inside int8)."""
    batch, depth = case["shape"]
    units = case["units"]
    rng = np.random.default_rng(case_seed(case_id(case)))
    q = min(1.0, 16 / depth)
    w = rng.choice([-1, 0, 1], p=[q / 2, 1 - q, q / 2], size=(units, depth))
    w_s = [0.01 * (1 + 0.05 * (c % 8)) for c in range(units)]
    return fully_connected_model(
        None, (batch, depth), units, per_channel=True, input_qp=QParams([0.02], [0]),
        output_qp=QParams([0.02 * 0.01 / 0.26], [case["out_zp"]]), weights=w, weight_scales=w_s,
        bias=rng.integers(-60, 61, size=units))


def _bfc(shape: tuple[int, int], units: int, scratch: bool, obj: str,
         out_zp: int = -128) -> Case:
    return {"name": "boundary-fc", "shape": shape, "units": units, "scratch": scratch,
            "obj": obj, "out_zp": out_zp}


#: Boundary FCs for the no-fix objects and last blocks the cases above leave without
#: a sensitive case: the frame loop (6 groups) with a 2-row last block, the single
#: column (odd units: 6 + 2 rows, one stored), the looped column (35 groups, scratch;
#: 6 + 2 rows), raw segments (44 groups, no scratch; 6 + 4 and 6 + 2 rows); and the
#: frame loop's 2-row last block in MCU_DSP_FAST_SAT (zero point -127, the sign fix).
BOUNDARY_FC: list[Case] = [
    _bfc((6, 24), 8, False, "cols_frame"),
    _bfc((6, 24), 7, True, "col"),
    _bfc((3, 140), 8, True, "cols"),
    _bfc((3, 176), 10, False, "raw"),
    _bfc((3, 176), 8, False, "raw"),
    _bfc((6, 24), 8, False, "cols_frame", out_zp=-127),
]
BOUNDARY_IDS = [pytest.param(c, id=f"{c['obj']}-{c['shape'][1]}x{c['units']}"
                             f"-zp{c['out_zp']}") for c in BOUNDARY_FC]


def _boundary_src(case: Case, monkeypatch: pytest.MonkeyPatch) -> bytes:
    if case["scratch"]:
        monkeypatch.setattr(api, "plan", _plan_all_scratch)
    return api.compile_model(_boundary_fc(case), kernels="dsp").library.files["model.c"]


@pytest.mark.parametrize("case", BOUNDARY_IDS)
def test_boundary_fc_reaches_its_object(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each boundary FC runs its SSAT tail (no fix at zero point -128) through the
    object it is for, with the last block it is for, every multiplier with e = 1."""
    src = _boundary_src(case, monkeypatch)
    nofix = case["out_zp"] == -128
    assert _fields(src, "mode") == SSAT[nofix]
    assert _asm_objects(src) == {f"mcu_dsp_mm_{case['obj']}_{'nofix' if nofix else 'sat'}"}
    assert _fields(src, "n_out") == case["units"]
    blocks = dsp_mat_mult.block_sizes(case["units"])
    assert blocks == [6, 4 if case["units"] == 10 else 2]
    real = [np.float32(0.02) * np.float32(0.01 * (1 + 0.05 * (c % 8)))
            / np.float32(0.02 * 0.01 / 0.26) for c in range(case["units"])]
    assert {quant.quantize_multiplier(float(r))[1] for r in real} == {-1}


@pytest.mark.parametrize("case", BOUNDARY_IDS)
def test_boundary_fc_is_bit_exact(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    if case["scratch"]:
        monkeypatch.setattr(api, "plan", _plan_all_scratch)
    _check(_boundary_fc(case), case, "mcu_dsp_fully_connected_s8")


@pytest.mark.qemu
@pytest.mark.parametrize("case", BOUNDARY_IDS)
def test_boundary_fc_on_cortex_m4(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the M4: a +1 before the ASR of the no-fix tail of these objects, or in the
    frame loop's 2-row last block (either tail), changes outputs."""
    from tests.e2e.cross import require_cross_tools

    require_cross_tools()
    if case["scratch"]:
        monkeypatch.setattr(api, "plan", _plan_all_scratch)
    _check(_boundary_fc(case), case, "mcu_dsp_fully_connected_s8", board="mps2-an386")
