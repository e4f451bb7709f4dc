"""RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR sweeps (the ``resize_s8`` kernels):
up- and down-scaling by integer and non-integer ratios, sizes 1 to 12 (an output
of one row or column too), every align_corners / half_pixel_centers combination
TFLite Micro accepts (both set: nearest only), batches and channels 1 to 3, zero
points -128 / 0 / 127, outputs with a different quantization (TFLite Micro does
not rescale)."""

from __future__ import annotations

import random

import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._movement import curated, i32, one_op_model, pick_quant, sweep_sizes
from tests.kernels._sweep import FULL_SWEEP, Case, assert_bit_exact, case_id, sweep


def _rs(op, n, in_hw, out_hw, c, align=False, half=False, q=(0.02, 5), qo=None) -> Case:
    return {"op": op, "n": n, "in": tuple(in_hw), "out": tuple(out_hw), "c": c,
            "align": align, "half": half, "q": tuple(q), "qo": tuple(qo or q)}


NN = "RESIZE_NEAREST_NEIGHBOR"
BL = "RESIZE_BILINEAR"
NEAREST_CURATED = [
    _rs(NN, 1, (4, 4), (8, 8), 3),
    _rs(NN, 1, (3, 5), (7, 4), 2, half=True, q=(0.05, -128)),
    _rs(NN, 2, (5, 3), (2, 9), 1, align=True, q=(0.1, 127), qo=(0.3, 0)),
    _rs(NN, 1, (6, 6), (1, 4), 2, align=True, half=True, q=(1.0, 0)),
]
BILINEAR_CURATED = [
    _rs(BL, 1, (4, 4), (8, 8), 3),
    _rs(BL, 1, (3, 5), (7, 4), 2, half=True, q=(0.05, -128)),
    _rs(BL, 2, (5, 3), (2, 9), 1, align=True, q=(0.1, 127), qo=(0.3, 0)),
    _rs(BL, 1, (6, 7), (1, 12), 2, align=True, q=(1.0, 0)),
    _rs(BL, 1, (1, 1), (3, 2), 2, half=True),
]


def _draw(op: str, r: random.Random) -> Case:
    align, half = r.choice([(False, False), (True, False), (False, True)]
                           + ([(True, True)] if op == NN else []))
    q = pick_quant(r)
    return _rs(op, r.randint(1, 2), (r.randint(1, 8), r.randint(1, 8)),
               (r.randint(1, 12), r.randint(1, 12)), r.randint(1, 3), align, half, q,
               pick_quant(r) if r.random() < 0.2 else q)


def build(c: Case) -> bytes:
    x = [c["n"], *c["in"], c["c"]]
    y = [c["n"], *c["out"], c["c"]]
    return one_op_model(c["op"], [(x, c["q"])], {1: i32(c["out"])}, [(y, c["qo"])],
                        {"align_corners": c["align"], "half_pixel_centers": c["half"]},
                        case_id=case_id(c))


CASES = (
    sweep(curated(NEAREST_CURATED), lambda r: _draw(NN, r), family="resize_nearest",
          **sweep_sizes())
    + sweep(curated(BILINEAR_CURATED), lambda r: _draw(BL, r), family="resize_bilinear",
            **sweep_sizes())
)


@pytest.mark.parametrize("case", CASES)
def test_resize_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


def test_resize_case_count() -> None:
    for op in (NN, BL):
        assert sum(1 for p in CASES if p.values[0]["op"] == op) >= (50 if FULL_SWEEP else 6)


def test_bilinear_align_corners_with_half_pixel_centers_is_refused() -> None:
    """TFLite Micro's RESIZE_BILINEAR fails to prepare with both flags set."""
    with pytest.raises(UnsupportedError, match="both set"):
        api.compile_model(build(_rs(BL, 1, (3, 3), (5, 5), 1, align=True, half=True)))
