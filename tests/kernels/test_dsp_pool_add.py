"""The DSP kernels of AVERAGE_POOL_2D / MAX_POOL_2D and ADD (mcu_codegen/ops/simd/
dsp_pool.py, dsp_add.py; DEPTHWISE_CONV_2D: test_dsp_depthwise.py), bit-exact with TFLite
Micro: on the host with ``kernels="dsp"`` (the intrinsics emulated in C) over a sweep of
geometries, channel counts, zero points, multipliers and activations, and on the Cortex-M4
of mps2-an386 (the instructions themselves) for a few cases. Each case also asserts
whether the DSP variant was chosen, so a case meant for it cannot silently fall back to
the portable kernel (or the reverse)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mcu_codegen import api
from tests.e2e.cross import require_cross_tools
from tests.kernels import test_pooling
from tests.kernels._sweep import (
    ACTIVATIONS,
    case_id,
    case_seed,
    sweep,
    window_ok,
)
from tests.tflite_writer import QParams, add_model, pool2d_model

Case = dict[str, Any]
INPUTS = 3  # random input sets per case; verify adds the 3 edge sets (min, max, zero point)


def _pool(kind, shape, f, s=(1, 1), pad="VALID", act="NONE", scale=0.02, zp=5,
          dsp=True) -> Case:
    return {"op": "pool", "kind": kind, "shape": tuple(shape), "f": tuple(f), "s": tuple(s),
            "pad": pad, "act": act, "scale": scale, "zp": zp, "dsp": dsp}


def _add(s1, s2, q1=(0.05, 3), q2=(0.02, -7), qo=(0.06, 1), act="NONE", dsp=True) -> Case:
    return {"op": "add", "s1": tuple(s1), "s2": tuple(s2), "q1": tuple(q1), "q2": tuple(q2),
            "qo": tuple(qo), "act": act, "dsp": dsp}


POOLING: list[Case] = [
    _pool("AVERAGE", (1, 25, 5, 64), (25, 5)),  # the KWS head: one global average
    _pool("AVERAGE", (1, 9, 9, 8), (3, 3), (2, 2), "SAME", "RELU", zp=-128),
    _pool("AVERAGE", (2, 7, 5, 6), (3, 1), (2, 1), "SAME", "RELU_N1_TO_1", scale=0.01, zp=0),
    _pool("AVERAGE", (1, 12, 8, 5), (10, 4), (1, 1), "VALID", "RELU6", scale=0.05, zp=127),
    _pool("AVERAGE", (1, 3, 3, 4), (5, 5), (2, 2), "SAME", zp=127),  # window > input
    _pool("AVERAGE", (1, 16, 16, 4), (16, 16), zp=-128),  # 256 values: the int16 limit
    _pool("AVERAGE", (1, 17, 16, 4), (17, 16), zp=-128, dsp=False),  # 272: portable
    _pool("AVERAGE", (1, 6, 6, 3), (2, 2), (2, 2), dsp=False),  # fewer than 4 channels
    # windows as wide as the input: their rows are one run of pixels; 8 + 4 + 1 channels
    _pool("AVERAGE", (1, 6, 4, 13), (3, 4), (1, 1), "SAME", zp=-7),
    _pool("AVERAGE", (2, 7, 5, 12), (7, 5), scale=0.03, zp=100),
    _pool("MAX", (1, 8, 8, 8), (2, 2), (2, 2)),
    _pool("MAX", (1, 9, 9, 6), (3, 3), (2, 2), "SAME", "RELU6", scale=0.05, zp=-128),
    _pool("MAX", (2, 10, 10, 7), (3, 3), (3, 3), "SAME", "RELU", zp=-6),
    _pool("MAX", (1, 1, 13, 4), (1, 3), (1, 1), "SAME", "RELU_N1_TO_1", scale=0.01, zp=127),
]

ADD: list[Case] = [
    _add((1, 32, 32, 16), (1, 32, 32, 16), q1=(0.04, -128), q2=(0.06, 4), qo=(0.08, -128),
         act="RELU"),  # a ResNet residual
    _add((1, 16, 16, 8), (1, 16, 16, 8), q1=(0.01, -128), q2=(0.5, 127), qo=(0.02, 3)),
    _add((1, 8, 8, 17), (1, 8, 8, 17), q1=(0.02, 127), q2=(0.021, -128), qo=(0.04, 0),
         act="RELU6"),  # odd size: the one-at-a-time tail
    _add((4, 257), (4, 257), q1=(1.0, 127), q2=(0.001, -128), qo=(0.5, 0),
         act="RELU_N1_TO_1"),
    _add((2, 1030), (2, 1030), q1=(0.5, -128), q2=(0.5, -128), qo=(0.5, -128)),  # equal qp
    # portable: broadcasting, fewer than 1024 elements, an output multiplier above 1/2
    _add((1, 16, 16, 8), (1, 1, 1, 8), q1=(0.1, 5), q2=(0.003, -20), qo=(0.07, -1),
         dsp=False),
    _add((1, 4, 4, 8), (1, 4, 4, 8), dsp=False),
    _add((32, 64), (32, 64), q1=(1.0, 0), q2=(1.0, 0), qo=(2e-6, 0), dsp=False),
]



def _draw_pool(r: random.Random) -> Case | None:
    f = r.choice(test_pooling.FILTERS)
    pad = r.choice(["SAME", "VALID"])
    shape = (r.choice([1, 2]), r.randint(1, 12), r.randint(1, 12), r.randint(4, 13))
    if not window_ok(shape[1:3], f, (1, 1), pad):
        return None
    scale, zp = r.choice(test_pooling.QPS)
    return _pool(r.choice(["AVERAGE", "MAX"]), shape, f, r.choice(test_pooling.STRIDES), pad,
                 r.choice(ACTIVATIONS), scale, zp, None)


def _draw_add(r: random.Random) -> Case:
    """Same shapes of 1,024 to 3,000 elements; scales and zero points anywhere."""
    shape = (r.randint(1, 3), r.randint(16, 40), r.randint(16, 25))
    scales = [0.001, 0.003, 0.02, 0.021, 0.05, 0.1, 0.5, 1.0, 1.0 / 128]
    zps = [-128, 0, 127, -7, 3, 60]
    q1 = (r.choice(scales), r.choice(zps))
    q2 = (r.choice(scales), r.choice(zps))
    qo = (max(q1[0], q2[0]) * r.choice([0.01, 0.5, 1.0, 2.0, 100.0]), r.choice(zps))
    return _add(shape, shape, q1, q2, qo, r.choice(ACTIVATIONS), None)


#: Seeded random cases on top of the hand-picked ones (whichever kernel the op gets).
RANDOM = [p for family, draw in (("dsp-pool", _draw_pool), ("dsp-add", _draw_add))
          for p in sweep([], draw, family=family)]

KERNEL_CALL = {"pool": "mcu_dsp_", "add": "mcu_dsp_add_s8("}


def build(case: Case) -> bytes:
    if case["op"] == "pool":
        return pool2d_model(case["kind"], case["shape"], filter_size=case["f"],
                            stride=case["s"], padding=case["pad"], activation=case["act"],
                            qp=QParams([case["scale"]], [case["zp"]]))
    return add_model(case["s1"], case["s2"], QParams(*map(list, zip(case["q1"], strict=True))),
                     QParams(*map(list, zip(case["q2"], strict=True))),
                     QParams(*map(list, zip(case["qo"], strict=True))), case["act"])


def _params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=case_id(c)) for c in cases]


def _check(case: Case, board: str) -> None:
    model = build(case)
    cid = case_id(case)
    kernels = "dsp" if board == "host" else "auto"
    c_source = api.compile_model(model, board=board, kernels=kernels).library.files["model.c"]
    used = KERNEL_CALL[case["op"]] in c_source.decode()
    if case["dsp"] is not None:
        assert used == case["dsp"], f"{cid}: DSP variant {'' if used else 'not '}chosen"
    seed = case_seed(cid) % 10_000
    result = api.verify(model, board=board, inputs=INPUTS, seed=seed, reference="tflm",
                        kernels=kernels)
    assert result.cases == INPUTS + 3, f"{cid}: ran {result.cases} input sets"
    details = [f"  {label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.ok, (f"{cid} on {board} (verify seed {seed}) differs from TFLite Micro\n"
                       + "\n".join(details))


@pytest.mark.parametrize("case", _params(POOLING + ADD))
def test_dsp_kernel_bit_exact_on_host(case: Case) -> None:
    _check(case, "host")


@pytest.mark.parametrize("case", RANDOM)
def test_dsp_kernel_random_case_bit_exact_on_host(case: Case) -> None:
    _check(case, "host")


#: The instructions themselves on a Cortex-M4: both pools, ADD (depthwise:
#: test_dsp_depthwise.py).
ON_M4 = [POOLING[0], POOLING[8], POOLING[12], ADD[0], ADD[2]]


@pytest.mark.qemu
@pytest.mark.parametrize("case", _params(ON_M4))
def test_dsp_kernel_bit_exact_on_cortex_m4(case: Case) -> None:
    require_cross_tools()
    _check(case, "mps2-an386")
