"""FULLY_CONNECTED sweep: per-tensor and per-channel weights, with/without bias,
batch 1 and > 1 (2-D, and rank-3/4 inputs flattened or with keep_num_dims),
every fused activation, output scales near / far from the natural one (including
an effective multiplier > 1) and zero points -128 / 0 / 127."""

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
)
from tests.tflite_writer import QParams, fully_connected_model


def _case(shape, units, act="NONE", pc=False, bias=True, keep=False, in_s=0.02, in_zp=5,
          out_f=1.0, out_zp=-6) -> Case:
    return {"shape": tuple(shape), "units": units, "act": act, "pc": pc, "bias": bias,
            "keep": keep, "in_s": in_s, "in_zp": in_zp, "out_f": out_f, "out_zp": out_zp}


CURATED: list[Case] = [
    _case((1, 16), 8),
    _case((1, 32), 10, act="RELU", pc=True),
    _case((4, 24), 6, act="RELU6", bias=False),
    _case((3, 7), 5, act="RELU_N1_TO_1", pc=True, bias=False, out_f=0.1),
    _case((2, 3, 20), 4, keep=True, in_zp=-128, out_zp=127),
    _case((2, 3, 20), 4, keep=False, pc=True, in_zp=127, out_zp=-128),
    _case((1, 1, 1, 64), 12, in_s=1.0 / 128, in_zp=0, out_zp=0),
    _case((5, 1), 3, pc=True),  # depth 1
    _case((1, 40), 1, act="RELU"),  # a single output unit
    _case((2, 16), 4, out_f=1e-3),  # effective multiplier > 1
    _case((3, 48), 33, act="RELU", pc=True, in_zp=-128),  # odd batches and units
    _case((2, 700), 5, act="RELU", pc=True, in_zp=127),  # long rows: chunked input
    _case((1, 1000), 3, out_f=0.1, out_zp=-128),  # long row, per-tensor: chunked input
    _case((6, 10), 9, pc=True, out_f=20.0, act="RELU6", in_s=0.5, in_zp=-1),
    _case((8, 256), 16, pc=False, in_s=0.003, out_f=0.5),
    _case((1, 100), 7, pc=True, bias=False, act="RELU_N1_TO_1", in_zp=-128, out_zp=0),
    _case((2, 2, 2, 9), 3, keep=True, pc=True, act="RELU", out_zp=127),
    _case((3, 12), 5, out_f=1e9, out_zp=-100),  # multiplier < 2^-32: becomes 0
    _case((2, 12), 5, pc=True, out_f=1e9, out_zp=100),
    # one input row, per-tensor weights (a loop of its own): hello_world's layers
    _case((1, 1), 16, act="RELU", in_zp=-128, out_zp=-128),
    _case((1, 16), 16, act="RELU", in_zp=-128),
    _case((1, 16), 1, out_zp=5),
    _case((1, 5), 7, bias=False, in_zp=127),
]

IN_QP = [(0.02, 5), (0.5, -128), (0.003, 127), (1.0 / 128, 0), (0.05, -1), (0.25, 100)]
OUT_F = [1.0, 1.0, 0.1, 10.0, 0.01, 1e-3, 50.0, 1e9]
ZPS = [-128, 0, 127, -6, 17]


def draw(r: random.Random) -> Case:
    depth = r.choice([1, 3, 8, 16, 17, 33, 64, 100, 250])
    lead = r.choice([(1,), (1,), (2,), (5,), (2, 3), (1, 1, 1), (3, 1, 2)])
    in_s, in_zp = r.choice(IN_QP)
    return _case(lead + (depth,), r.randint(1, 20), r.choice(ACTIVATIONS), r.random() < 0.5,
                 r.random() < 0.75, len(lead) > 1 and r.random() < 0.5, in_s, in_zp,
                 r.choice(OUT_F), r.choice(ZPS))


CASES = sweep(CURATED, draw, family="fully_connected")


def build(case: Case) -> bytes:
    out_s = case["out_f"] * accumulator_out_scale(case["in_s"], case["in_zp"], case["shape"][-1],
                                                  case["pc"])
    return fully_connected_model(
        case_rng(case_id(case)), case["shape"], case["units"], activation=case["act"],
        per_channel=case["pc"], input_qp=QParams([case["in_s"]], [case["in_zp"]]),
        output_qp=QParams([out_s], [case["out_zp"]]), with_bias=case["bias"],
        keep_num_dims=case["keep"],
    )


def test_fully_connected_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_fully_connected_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
