"""SLICE and STRIDED_SLICE sweeps on int8 activations (the ``copy_s8`` kernel):
ranks 1 to 5 (STRIDED_SLICE 1 to 4, TFLite Micro's limit), SLICE with int32 and
int64 begin/size and size -1, STRIDED_SLICE with negative and out-of-range
begin/end (clamped), strides -3..3, begin/end masks and shrunk axes; zero points
-128 / 0 / 127; outputs with a different quantization (copied unchanged, as
TFLite Micro does). The expected output shapes come from numpy's slicing."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._movement import curated, dims, i32, one_op_model, pick_quant, sweep_sizes
from tests.kernels._sweep import FULL_SWEEP, Case, assert_bit_exact, case_id, sweep

# ---- SLICE ------------------------------------------------------------------------------


def _slice(shape, begin, size, q=(0.02, 5), qo=None, int64=False) -> Case:
    return {"op": "SLICE", "shape": tuple(shape), "begin": tuple(begin), "size": tuple(size),
            "q": tuple(q), "qo": tuple(qo or q), "int64": int64}


SLICE_CURATED = [
    _slice((1, 6, 6, 4), (0, 1, 2, 0), (1, 4, 3, -1)),
    _slice((9,), (3,), (-1,), (0.05, -128), int64=True),
    _slice((2, 3, 4, 5, 2), (1, 0, 1, 2, 0), (1, 3, 2, 2, 1), (0.1, 127), qo=(0.3, 0)),
    _slice((3, 4), (0, 0), (3, 4), (1.0, 0)),
]


def draw_slice(r: random.Random) -> Case:
    rank = r.randint(1, 5)
    shape = dims(r, rank, 1, 5)
    begin = tuple(r.randrange(d) for d in shape)
    size = tuple(-1 if r.random() < 0.2 else r.randint(1, d - b)
                 for d, b in zip(shape, begin, strict=True))
    q = pick_quant(r)
    return _slice(shape, begin, size, q, pick_quant(r) if r.random() < 0.2 else q,
                  int64=r.random() < 0.3)


def build_slice(c: Case) -> bytes:
    shape = c["shape"]
    out = [d - b if n == -1 else n for d, b, n in zip(shape, c["begin"], c["size"], strict=True)]
    dtype = np.int64 if c["int64"] else np.int32
    consts = {1: np.asarray(c["begin"], dtype), 2: np.asarray(c["size"], dtype)}
    return one_op_model("SLICE", [(shape, c["q"])], consts, [(out, c["qo"])],
                        case_id=case_id(c))


# ---- STRIDED_SLICE ----------------------------------------------------------------------


def _ss(shape, begin, end, strides, bm=0, em=0, sm=0, q=(0.02, 5), qo=None) -> Case:
    return {"op": "STRIDED_SLICE", "shape": tuple(shape), "begin": tuple(begin),
            "end": tuple(end), "strides": tuple(strides), "bm": bm, "em": em, "sm": sm,
            "q": tuple(q), "qo": tuple(qo or q)}


SS_CURATED = [
    _ss((1, 8, 8, 3), (0, 1, 0, 0), (1, 7, 8, 3), (1, 2, 3, 1)),
    _ss((10,), (-2,), (1,), (-3,), q=(0.05, -128)),
    _ss((2, 5, 4), (1, 0, 0), (2, -10, 100), (1, -1, 2), bm=0b010, em=0b100, q=(0.1, 127),
        qo=(0.2, 1)),
    _ss((3, 4, 5), (1, 0, -1), (2, 4, 0), (1, 1, 1), sm=0b101, q=(1.0, 0)),
    _ss((2, 3, 4, 5), (-10, 2, 10, 4), (10, -10, -10, -10), (1, -1, -2, -1), bm=0b0001),
    _ss((4, 6), (0, 0), (0, 0), (1, 1), bm=0b11, em=0b11),
]


def _ss_shape(c: Case) -> tuple[int, ...] | None:
    """The output shape numpy's slicing gives (TFLite's semantics), or None when a
    shrunk index lies outside its axis."""
    index: list[slice | int] = []
    for d, size in enumerate(c["shape"]):
        b, e, s = c["begin"][d], c["end"][d], c["strides"][d]
        if c["sm"] >> d & 1:
            if not -size <= b < size:
                return None
            index.append(b)
        else:
            index.append(slice(None if c["bm"] >> d & 1 else b, None if c["em"] >> d & 1 else e,
                               s))
    return np.empty(c["shape"], np.int8)[tuple(index)].shape


def draw_ss(r: random.Random) -> Case | None:
    rank = r.randint(1, 4)
    shape = dims(r, rank, 1, 6)
    begin = tuple(r.randint(-d - 2, d + 1) for d in shape)
    end = tuple(r.randint(-d - 2, d + 1) for d in shape)
    strides = tuple(r.choice([1, 1, 2, 3, -1, -2, -3]) for _ in shape)
    bm, em = r.getrandbits(rank) if r.random() < 0.5 else 0, \
        r.getrandbits(rank) if r.random() < 0.5 else 0
    sm = r.getrandbits(rank) if r.random() < 0.3 else 0
    strides = tuple(1 if sm >> d & 1 else s for d, s in enumerate(strides))
    q = pick_quant(r)
    c = _ss(shape, begin, end, strides, bm, em, sm, q, pick_quant(r) if r.random() < 0.2 else q)
    out = _ss_shape(c)
    if out is None or 0 in out:
        return None
    return c


def build_ss(c: Case) -> bytes:
    out = _ss_shape(c)
    assert out is not None
    consts = {1: i32(c["begin"]), 2: i32(c["end"]), 3: i32(c["strides"])}
    options = {"begin_mask": c["bm"], "end_mask": c["em"], "shrink_axis_mask": c["sm"]}
    return one_op_model("STRIDED_SLICE", [(c["shape"], c["q"])], consts, [(out, c["qo"])],
                        options, case_id=case_id(c))


CASES = (
    sweep(curated(SLICE_CURATED), draw_slice, family="slice", **sweep_sizes())
    + sweep(curated(SS_CURATED), draw_ss, family="strided_slice", **sweep_sizes())
)

BUILD = {"SLICE": build_slice, "STRIDED_SLICE": build_ss}


@pytest.mark.parametrize("case", CASES)
def test_slice_bit_exact(case: Case) -> None:
    assert_bit_exact(BUILD[case["op"]](case), case)


def test_slice_case_count() -> None:
    for op in BUILD:
        assert sum(1 for p in CASES if p.values[0]["op"] == op) >= (50 if FULL_SWEEP else 6), op


@pytest.mark.parametrize("case,reason", [
    (_ss((2, 3, 4, 5, 2), (0,) * 5, (1,) * 5, (1,) * 5), "rank 5"),
    (_ss((4, 5), (1, 0), (3, 5), (-1, 1), sm=0b01), "shrunk axis 0 needs a stride > 0"),
], ids=["rank-5", "shrink-negative-stride"])
def test_strided_slice_refusals(case: Case, reason: str) -> None:
    """What TFLite Micro cannot run (rank 5) or runs without writing its output (a
    shrunk axis with a negative stride) is refused."""
    consts = {1: i32(case["begin"]), 2: i32(case["end"]), 3: i32(case["strides"])}
    out = [1] * (len(case["shape"]) - bin(case["sm"]).count("1"))
    model = one_op_model("STRIDED_SLICE", [(case["shape"], case["q"])], consts,
                         [(out, case["q"])], {"shrink_axis_mask": case["sm"]})
    with pytest.raises(UnsupportedError, match=reason):
        api.compile_model(model)
