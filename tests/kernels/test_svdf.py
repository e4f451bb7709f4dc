"""SVDF sweep: int8 state with int8 time weights and int16 state with int16 time
weights, batch 1 and > 1, rank 1 to 3, memory 1 to 16, input and state zero
points from -128 to 127 (a non-zero state zero point makes TFLite Micro's stored
activation wrap around; an int16 state with a non-zero zero point still resets
to 0), every fused activation (TFLite Micro's integer SVDF ignores it), and
state / output scales that make the activations saturate or stay small. Every
case runs several inputs in a row (the state carries over), then resets."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from tests.kernels._sweep import Case, case_id, case_rng, sweep
from tests.kernels.test_lstm import assert_stateful_bit_exact
from tests.tflite_writer import ModelBuilder, QParams


def _case(batches=1, n_in=8, units=4, rank=1, memory=4, state="int8", in_s=0.05, in_zp=-3,
          s_zp=0, s_f=1.0, out_f=1.0, out_zp=-6, act="NONE") -> Case:
    """``s_f`` / ``out_f`` multiply the natural state / output scale (< 1: saturate)."""
    return {"b": batches, "in": n_in, "units": units, "rank": rank, "mem": memory,
            "state": state, "in_s": in_s, "in_zp": in_zp, "s_zp": s_zp, "s_f": s_f,
            "out_f": out_f, "out_zp": out_zp, "act": act}


CURATED: list[Case] = [
    _case(),
    _case(state="int16", rank=2, memory=5, act="RELU"),
    _case(batches=3, n_in=5, units=2, rank=3, memory=3, in_zp=127, s_zp=-128, out_zp=127),
    _case(batches=2, state="int16", s_zp=7, in_zp=-128, memory=10, s_f=0.05),  # saturating
    _case(n_in=40, units=8, memory=1, s_zp=60, s_f=0.3, act="RELU6"),  # wrap-around store
    _case(n_in=1, units=1, memory=16, in_s=0.5, in_zp=0, out_f=0.02, out_zp=0),
    _case(batches=2, n_in=24, units=6, rank=2, memory=8, state="int16", out_f=20.0,
          act="TANH"),
]

IN_QP = [(0.05, -3), (1 / 255, -128), (0.5, 0), (0.02, 127), (0.1, 40)]


def draw(r: random.Random) -> Case:
    in_s, in_zp = r.choice(IN_QP)
    state = r.choice(["int8", "int16"])
    s_zp = r.choice([0, 0, -128, 127, 13, -40] if state == "int8" else [0, 0, 0, 5, -300])
    return _case(r.choice([1, 1, 2, 3]), r.choice([1, 3, 8, 17, 32, 64]), r.randint(1, 8),
                 r.choice([1, 1, 2, 3]), r.choice([1, 2, 4, 7, 10, 16]), state, in_s, in_zp,
                 s_zp, r.choice([0.05, 0.3, 1.0, 1.0, 4.0]), r.choice([0.02, 0.3, 1.0, 1.0, 10.0]),
                 r.choice([-128, -6, 0, 50, 127]), r.choice(["NONE", "NONE", "RELU", "RELU6"]))


CASES = sweep(CURATED, draw, family="svdf", default_random=1)

_INT8_RMS = math.sqrt(127 * 128 / 3)


def svdf_model(case: Case) -> bytes:
    """One SVDF as TFLite lays it out: input, weights_feature, weights_time, bias
    (scale = state scale x weights_time scale), variable state."""
    rng = case_rng(case_id(case))
    b, n_in, units, rank, mem = case["b"], case["in"], case["units"], case["rank"], case["mem"]
    filters = units * rank
    t_dtype = case["state"]
    t_max = 127 if t_dtype == "int8" else 32767
    mb = ModelBuilder("svdf sweep")
    x = mb.add_tensor("x", [b, n_in], "int8", QParams([case["in_s"]], [case["in_zp"]]))
    wf_s = 0.01
    wf = mb.add_tensor("weights_feature", [filters, n_in], "int8", QParams([wf_s], [0]),
                       data=rng.integers(-127, 128, (filters, n_in)))
    # State scale: +-3 sigma of a feature activation spans the state type's range.
    feat_std = math.sqrt(n_in) * case["in_s"] * 128 / math.sqrt(3) * wf_s * _INT8_RMS
    s_s = case["s_f"] * 3 * feat_std / t_max
    wt_s = 1.0 / t_max
    wt = mb.add_tensor("weights_time", [filters, mem], t_dtype, QParams([wt_s], [0]),
                       data=rng.integers(-t_max, t_max + 1, (filters, mem)))
    bias_s = float(np.float32(s_s) * np.float32(wt_s))
    # Output: the unit's time sum (rank x memory terms) plus the bias.
    out_std = math.sqrt(rank * mem) * feat_std * 0.6 + 1e-6
    bias = np.round(rng.normal(0, out_std, units) / bias_s)
    bias_t = mb.add_tensor("bias", [units], "int32", QParams([bias_s], [0]),
                           data=np.clip(bias, -(1 << 30), 1 << 30))
    state = mb.add_tensor("state", [b, filters * mem], t_dtype, QParams([s_s], [case["s_zp"]]),
                          is_variable=True)
    y = mb.add_tensor("y", [b, units], "int8",
                      QParams([case["out_f"] * 6 * out_std / 255], [case["out_zp"]]))
    mb.add_op("SVDF", [x, wf, wt, bias_t, state], [y],
              {"rank": rank, "fused_activation_function": case["act"]})
    mb.set_io([x], [y])
    return mb.build()


def test_svdf_case_count() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES)
def test_svdf_bit_exact(case: Case) -> None:
    assert_stateful_bit_exact(svdf_model(case), case)


def test_svdf_without_bias_is_refused() -> None:
    """TFLite Micro dereferences the bias while preparing an integer SVDF: a model
    without one is refused with a reason instead of compiled."""
    from mcu_codegen import api
    from mcu_codegen.errors import UnsupportedError

    mb = ModelBuilder("svdf without bias")
    x = mb.add_tensor("x", [1, 4], "int8", QParams([0.05], [0]))
    wf = mb.add_tensor("wf", [2, 4], "int8", QParams([0.01], [0]), data=np.ones((2, 4)))
    wt = mb.add_tensor("wt", [2, 3], "int8", QParams([0.01], [0]), data=np.ones((2, 3)))
    s = mb.add_tensor("s", [1, 6], "int8", QParams([0.1], [0]), is_variable=True)
    y = mb.add_tensor("y", [1, 2], "int8", QParams([0.1], [0]))
    mb.add_op("SVDF", [x, wf, wt, -1, s], [y], {"rank": 1})
    mb.set_io([x], [y])
    with pytest.raises(UnsupportedError, match="input 3 is missing"):
        api.compile_model(mb.build())
