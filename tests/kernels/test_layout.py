"""TRANSPOSE, DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND and SPACE_TO_BATCH_ND
sweeps (the ``copy_s8`` kernel): TRANSPOSE of ranks 1 to 5 with every kind of
permutation, block sizes 1 to 4, BATCH_TO_SPACE_ND with crops on every side and
3-D (NHC) tensors, zero points -128 / 0 / 127, outputs with a different
quantization (copied unchanged, as TFLite Micro does). SPACE_TO_BATCH_ND with
padding is refused: TFLite Micro pads with a value it never initializes."""

from __future__ import annotations

import itertools
import random

import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._movement import curated, dims, i32, one_op_model, pick_quant, sweep_sizes
from tests.kernels._sweep import FULL_SWEEP, Case, assert_bit_exact, case_id, sweep


def _q(r: random.Random) -> tuple[tuple[float, int], tuple[float, int]]:
    q = pick_quant(r)
    return q, (pick_quant(r) if r.random() < 0.2 else q)


# ---- TRANSPOSE --------------------------------------------------------------------------


def _tr(shape, perm, q=(0.02, 5), qo=None) -> Case:
    return {"op": "TRANSPOSE", "shape": tuple(shape), "perm": tuple(perm), "q": tuple(q),
            "qo": tuple(qo or q)}


TR_CURATED = [
    _tr((1, 4, 6, 3), (0, 3, 1, 2)),
    _tr((5, 7), (1, 0), (0.05, -128)),
    _tr((2, 3, 4, 5, 2), (4, 2, 0, 3, 1), (0.1, 127), qo=(0.3, 0)),
    _tr((6,), (0,), (1.0, 0)),
    _tr((2, 1, 3), (2, 1, 0)),
]


def draw_tr(r: random.Random) -> Case:
    rank = r.randint(1, 5)
    perm = list(range(rank))
    r.shuffle(perm)
    return _tr(dims(r, rank, 1, 4), perm, *_q(r))


def build_tr(c: Case) -> bytes:
    out = [c["shape"][p] for p in c["perm"]]
    return one_op_model("TRANSPOSE", [(c["shape"], c["q"])], {1: i32(c["perm"])},
                        [(out, c["qo"])], case_id=case_id(c))


# ---- DEPTH_TO_SPACE, SPACE_TO_DEPTH ------------------------------------------------------


def _blk(op, n, h, w, c, b, q=(0.02, 5), qo=None) -> Case:
    """Space-side shape [n, h*b, w*b, c], depth side [n, h, w, c*b*b]."""
    return {"op": op, "nhwc": (n, h, w, c), "block": b, "q": tuple(q), "qo": tuple(qo or q)}


D2S_CURATED = [
    _blk("DEPTH_TO_SPACE", 1, 2, 3, 2, 2),
    _blk("DEPTH_TO_SPACE", 2, 1, 1, 1, 3, (0.05, -128)),
    _blk("DEPTH_TO_SPACE", 1, 3, 2, 3, 1, (0.1, 127), qo=(0.3, 0)),
    _blk("DEPTH_TO_SPACE", 1, 2, 2, 1, 4, (1.0, 0)),
]
S2D_CURATED = [
    _blk("SPACE_TO_DEPTH", 1, 2, 3, 2, 2),
    _blk("SPACE_TO_DEPTH", 2, 1, 1, 1, 3, (0.05, -128)),
    _blk("SPACE_TO_DEPTH", 1, 3, 2, 3, 1, (0.1, 127), qo=(0.3, 0)),
    _blk("SPACE_TO_DEPTH", 1, 2, 2, 1, 4, (1.0, 0)),
]


def _draw_blk(op: str, r: random.Random) -> Case:
    return _blk(op, r.randint(1, 2), r.randint(1, 3), r.randint(1, 3), r.randint(1, 3),
                r.randint(1, 4), *_q(r))


def build_blk(c: Case) -> bytes:
    n, h, w, ch = c["nhwc"]
    b = c["block"]
    space, depth = [n, h * b, w * b, ch], [n, h, w, ch * b * b]
    x, y = (depth, space) if c["op"] == "DEPTH_TO_SPACE" else (space, depth)
    return one_op_model(c["op"], [(x, c["q"])], {}, [(y, c["qo"])], {"block_size": b},
                        case_id=case_id(c))


# ---- BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND ------------------------------------------------


def _b2s(op, n, h, w, c, block, crops, q=(0.02, 5), qo=None) -> Case:
    """BATCH_TO_SPACE_ND: input [n * prod(block), h, w, c] ([.., h, c] when w is None);
    SPACE_TO_BATCH_ND: input [n, h * bh, w * bw, c]."""
    return {"op": op, "n": n, "h": h, "w": w, "c": c, "block": tuple(block),
            "crops": tuple(tuple(p) for p in crops), "q": tuple(q), "qo": tuple(qo or q)}


B2S_CURATED = [
    _b2s("BATCH_TO_SPACE_ND", 1, 3, 3, 2, (2, 2), ((0, 0), (0, 0))),
    _b2s("BATCH_TO_SPACE_ND", 1, 3, 3, 2, (2, 2), ((1, 0), (0, 1)), (0.05, -128)),
    _b2s("BATCH_TO_SPACE_ND", 2, 2, 4, 1, (3, 2), ((2, 1), (1, 2)), (0.1, 127), qo=(0.3, 0)),
    _b2s("BATCH_TO_SPACE_ND", 1, 5, None, 3, (2,), ((1, 2),), (1.0, 0)),
]
S2B_CURATED = [
    _b2s("SPACE_TO_BATCH_ND", 1, 2, 3, 2, (2, 2), ((0, 0), (0, 0))),
    _b2s("SPACE_TO_BATCH_ND", 2, 3, 1, 1, (1, 3), ((0, 0), (0, 0)), (0.05, -128)),
    _b2s("SPACE_TO_BATCH_ND", 1, 2, 2, 3, (3, 2), ((0, 0), (0, 0)), (0.1, 127), qo=(0.3, 0)),
    _b2s("SPACE_TO_BATCH_ND", 2, 3, None, 2, (2,), ((0, 0),), (1.0, 0)),
]


def _draw_b2s(op: str, r: random.Random) -> Case | None:
    three_d = r.random() < 0.25
    block = (r.randint(1, 3),) if three_d else (r.randint(1, 3), r.randint(1, 3))
    h, w = r.randint(1, 4), None if three_d else r.randint(1, 4)
    crops: list[tuple[int, int]] = []
    for size, b in zip((h, w), block, strict=False):
        if op == "SPACE_TO_BATCH_ND" or r.random() < 0.4:
            crops.append((0, 0))
            continue
        total = r.randint(0, size * b - 1)
        top = r.randint(0, total)
        crops.append((top, total - top))
    return _b2s(op, r.randint(1, 2), h, w, r.randint(1, 3), block, crops, *_q(r))


def build_b2s(c: Case) -> bytes:
    n, h, w, ch, block, crops = c["n"], c["h"], c["w"], c["c"], c["block"], c["crops"]
    bh, bw = block[0], block[1] if w is not None else 1
    batch = [n * bh * bw, h] + ([w] if w is not None else []) + [ch]
    space = [n, h * bh - sum(crops[0])]
    if w is not None:
        space.append(w * bw - sum(crops[1]))
    space.append(ch)
    x, y = (batch, space) if c["op"] == "BATCH_TO_SPACE_ND" else (space, batch)
    consts = {1: i32(block), 2: i32([list(p) for p in crops])}
    return one_op_model(c["op"], [(x, c["q"])], consts, [(y, c["qo"])], case_id=case_id(c))


CASES = (
    sweep(curated(TR_CURATED), draw_tr, family="transpose", **sweep_sizes())
    + sweep(curated(D2S_CURATED), lambda r: _draw_blk("DEPTH_TO_SPACE", r), family="depth_to_space",
            **sweep_sizes())
    + sweep(curated(S2D_CURATED), lambda r: _draw_blk("SPACE_TO_DEPTH", r), family="space_to_depth",
            **sweep_sizes())
    + sweep(curated(B2S_CURATED), lambda r: _draw_b2s("BATCH_TO_SPACE_ND", r),
            family="batch_to_space_nd", **sweep_sizes())
    + sweep(curated(S2B_CURATED), lambda r: _draw_b2s("SPACE_TO_BATCH_ND", r),
            family="space_to_batch_nd", **sweep_sizes())
)

BUILD = {"TRANSPOSE": build_tr, "DEPTH_TO_SPACE": build_blk, "SPACE_TO_DEPTH": build_blk,
         "BATCH_TO_SPACE_ND": build_b2s, "SPACE_TO_BATCH_ND": build_b2s}


@pytest.mark.parametrize("case", CASES)
def test_layout_bit_exact(case: Case) -> None:
    assert_bit_exact(BUILD[case["op"]](case), case)


def test_layout_case_count() -> None:
    for op in BUILD:
        assert sum(1 for p in CASES if p.values[0]["op"] == op) >= (50 if FULL_SWEEP else 6), op


#: Every 4-D permutation in the full sweep, three of them by default.
PERMS_4D = list(itertools.permutations(range(4))) if FULL_SWEEP else \
    [(0, 3, 1, 2), (3, 2, 1, 0), (1, 0, 2, 3)]


@pytest.mark.parametrize("perm", PERMS_4D, ids=lambda p: "".join(map(str, p)))
def test_transpose_4d_permutations(perm: tuple[int, ...]) -> None:
    c = _tr((2, 3, 4, 5), perm)
    assert_bit_exact(build_tr(c), c)


def test_space_to_batch_with_padding_is_refused() -> None:
    """TFLite Micro's SPACE_TO_BATCH_ND pads with SpaceToBatchParams.output_offset,
    which its Prepare never sets: the padded bytes are whatever the arena held."""
    model = one_op_model("SPACE_TO_BATCH_ND", [((1, 3, 3, 2), (0.05, 17))],
                         {1: i32([2, 2]), 2: i32([[1, 0], [0, 1]])},
                         [((4, 2, 2, 2), (0.05, 17))])
    with pytest.raises(UnsupportedError, match="uninitialized"):
        api.compile_model(model)


@pytest.mark.parametrize("op,case,boxes", [
    ("TRANSPOSE", _tr((1, 32, 32, 16), (0, 3, 1, 2)), 1),
    ("DEPTH_TO_SPACE", _blk("DEPTH_TO_SPACE", 1, 16, 16, 8, 2), 1),
    ("BATCH_TO_SPACE_ND", _b2s("BATCH_TO_SPACE_ND", 1, 16, 16, 8, (2, 2), ((1, 0), (0, 1))), 4),
], ids=["transpose", "depth_to_space", "batch_to_space_nd"])
def test_copy_tables_stay_small(op: str, case: Case, boxes: int) -> None:
    """The generated tables hold a few boxes (strides), never one entry per element."""
    source = api.compile_model(BUILD[op](case)).library.files["model.c"].decode()
    assert f".num_boxes = {boxes}," in source
    table = source[source.index("op0_boxes["):]
    assert int(table[len("op0_boxes["):table.index("]")]) <= boxes * (4 + 3 * 6)
