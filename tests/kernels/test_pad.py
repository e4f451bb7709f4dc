"""Standalone PAD and PADV2 sweeps (the ``copy_s8`` kernel: fill, then copy):
ranks 1 to 5, paddings 0..3 on every side, PADV2 with any int8 value and PADV2
without its value input (zero point), zero points -128 / 0 / 127, inputs with a
different quantization than the output (copied unchanged, as TFLite Micro does).
The fold into a following VALID convolution still happens: checked below."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mcu_codegen import api
from tests.kernels._movement import curated, dims, i32, one_op_model, pick_quant, sweep_sizes
from tests.kernels._sweep import FULL_SWEEP, Case, assert_bit_exact, case_id, sweep
from tests.tflite_writer import ModelBuilder, QParams


def _pad(op, shape, pads, value=None, q=(0.02, 5), qo=None) -> Case:
    return {"op": op, "shape": tuple(shape), "pads": tuple(tuple(p) for p in pads),
            "value": value, "q": tuple(q), "qo": tuple(qo or q)}


PAD_CURATED = [
    _pad("PAD", (1, 4, 4, 3), ((0, 0), (1, 1), (2, 0), (0, 0))),
    _pad("PAD", (5,), ((3, 2),), q=(0.05, -128)),
    _pad("PAD", (2, 3, 1, 2, 2), ((1, 0), (0, 2), (1, 1), (0, 0), (2, 3)), q=(0.1, 127),
         qo=(0.1, 100)),
    _pad("PAD", (2, 3), ((0, 0), (0, 0)), q=(1.0, 0)),
]
PADV2_CURATED = [
    _pad("PADV2", (1, 3, 3, 2), ((0, 0), (1, 2), (2, 1), (0, 0)), value=-7),
    _pad("PADV2", (4,), ((1, 1),), value=-128, q=(0.05, -128)),
    _pad("PADV2", (1, 2, 2, 2), ((1, 1), (0, 0), (1, 0), (1, 1)), value=None, q=(0.1, 127)),
    _pad("PADV2", (3, 1, 2), ((0, 1), (2, 0), (0, 3)), value=127, q=(1.0, 0), qo=(1.0, 3)),
]


def _draw(op: str, r: random.Random) -> Case:
    rank = r.randint(1, 5)
    pads = tuple((r.randint(0, 3), r.randint(0, 3)) for _ in range(rank))
    q = pick_quant(r)
    qo = (q[0], r.randint(-128, 127)) if r.random() < 0.2 else q
    value = None if op == "PAD" or r.random() < 0.15 else r.randint(-128, 127)
    return _pad(op, dims(r, rank, 1, 4), pads, value, q, qo)


def build(c: Case) -> bytes:
    shape, pads = c["shape"], c["pads"]
    out = [d + a + b for d, (a, b) in zip(shape, pads, strict=True)]
    consts: dict[int, np.ndarray] = {1: i32([list(p) for p in pads])}
    if c["value"] is not None:
        consts[2] = np.asarray([c["value"]], np.int8)  # carries the output's quantization
    return one_op_model(c["op"], [(shape, c["q"])], consts, [(out, c["qo"])],
                        case_id=case_id(c))


CASES = (
    sweep(curated(PAD_CURATED), lambda r: _draw("PAD", r), family="pad", **sweep_sizes())
    + sweep(curated(PADV2_CURATED), lambda r: _draw("PADV2", r), family="padv2",
            **sweep_sizes())
)


@pytest.mark.parametrize("case", CASES)
def test_pad_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


def test_pad_case_count() -> None:
    for op in ("PAD", "PADV2"):
        assert sum(1 for p in CASES if p.values[0]["op"] == op) >= (50 if FULL_SWEEP else 6)


def _pad_conv(pads: list[list[int]], padding_value: int | None) -> bytes:
    """x -PAD(V2)-> t -CONV_2D(VALID, 3x3)-> y."""
    q = QParams(0.02, 5)
    mb = ModelBuilder("pad-conv")
    x = mb.add_tensor("x", [1, 5, 5, 2], "int8", q)
    p = mb.add_tensor("paddings", [4, 2], "int32", data=i32(pads))
    shape = [1 + sum(pads[0]), 5 + sum(pads[1]), 5 + sum(pads[2]), 2 + sum(pads[3])]
    t = mb.add_tensor("t", shape, "int8", q)
    rng = np.random.default_rng(3)
    w = mb.add_tensor("w", [3, 3, 3, shape[3]], "int8", QParams(0.004, 0),
                      data=rng.integers(-127, 128, size=(3, 3, 3, shape[3])))
    y = mb.add_tensor("y", [shape[0], shape[1] - 2, shape[2] - 2, 3], "int8", QParams(0.05, -3))
    if padding_value is None:
        mb.add_op("PAD", [x, p], [t])
    else:
        v = mb.add_tensor("v", [1], "int8", q, data=np.asarray([padding_value]))
        mb.add_op("PADV2", [x, p, v], [t])
    mb.add_op("CONV_2D", [t, w], [y], {"padding": "VALID"})
    mb.set_io([x], [y])
    return mb.build()


@pytest.mark.parametrize("pads,value,folded", [
    ([[0, 0], [1, 1], [1, 1], [0, 0]], None, True),
    ([[0, 0], [2, 0], [0, 1], [0, 0]], 5, True),     # PADV2 with the zero point
    ([[0, 0], [1, 1], [1, 1], [0, 0]], -20, False),  # another value: runs standalone
    ([[1, 0], [1, 1], [1, 1], [0, 0]], None, False),  # pads the batch: standalone
], ids=["pad-folded", "padv2-zero-point-folded", "padv2-value-standalone",
        "batch-pad-standalone"])
def test_pad_before_conv(pads: list[list[int]], value: int | None, folded: bool) -> None:
    """A zero-point PAD feeding a VALID convolution is folded into it (no copy kernel);
    any other PAD runs standalone; both are bit-exact."""
    model = _pad_conv(pads, value)
    kernels = api.compile_model(model).library.files
    assert ("copy_s8.c" not in kernels) == folded
    assert_bit_exact(model, {"pads": pads, "value": value})
