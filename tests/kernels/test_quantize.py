"""QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float32) sweep:
scales from 1e-6 to 100, requantization ratios far above / below / equal to 1,
zero points -128 / 0 / 127, shapes of rank 1-4.

Besides the seeded sweep (through ``api.verify``), crafted inputs the random
sets almost never hit: float values exactly halfway between two steps (both
signs), their float neighbours, -0.0 and values far outside the int8 range; and
every one of the 256 int8 values for requantize and dequantize."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.verify.compare import compare
from tests.kernels._sweep import BuiltLibrary, Case, assert_bit_exact, sweep, tflm_runner
from tests.tflite_writer import QParams, dequantize_model, quantize_model


def _case(kind, shape, in_q=None, out_q=None) -> Case:
    return {"kind": kind, "shape": tuple(shape), "in_q": in_q, "out_q": out_q}


CURATED: list[Case] = [
    # float32 -> int8
    _case("f32->i8", (1, 10), out_q=(0.02, 5)),
    _case("f32->i8", (2, 3, 4), out_q=(1e-6, -128)),
    _case("f32->i8", (7,), out_q=(100.0, 127)),
    _case("f32->i8", (1, 4, 4, 3), out_q=(0.25, 0)),
    _case("f32->i8", (1, 1, 1, 1), out_q=(3.7, 0)),
    # int8 -> int8
    _case("i8->i8", (1, 10), in_q=(1.0, 0), out_q=(0.001, 5)),  # multiplier 1000
    _case("i8->i8", (1, 10), in_q=(0.001, 127), out_q=(1.0, -128)),  # multiplier 1e-3
    _case("i8->i8", (3, 5), in_q=(0.02, 0), out_q=(0.02, -128)),  # zero point shift only
    _case("i8->i8", (3, 5), in_q=(0.02, 3), out_q=(0.0201, 3)),  # close scales
    _case("i8->i8", (2, 2, 8), in_q=(0.5, -128), out_q=(0.25, 127)),  # exact x2
    _case("i8->i8", (1, 6, 6, 2), in_q=(1.0 / 128, 127), out_q=(1.0 / 3, 0)),
    # int8 -> float32
    _case("i8->f32", (1, 10), in_q=(0.02, 5)),
    _case("i8->f32", (4,), in_q=(1e-6, -128)),
    _case("i8->f32", (2, 2, 2), in_q=(100.0, 127)),
    _case("i8->f32", (1, 3, 3, 4), in_q=(1.0 / 3, 0)),
]

SHAPES = [(1, 10), (7,), (2, 3, 4), (1, 4, 4, 3), (1, 1), (3, 50), (1, 2, 2, 1)]
SCALES = [1e-6, 0.001, 0.003, 0.02, 1.0 / 128, 0.1, 1.0 / 3, 0.5, 1.0, 3.7, 100.0]
ZPS = [-128, -128, 0, 0, 127, 127, -6, 5, 77]


def draw(r: random.Random) -> Case | None:
    kind = r.choice(["f32->i8", "i8->i8", "i8->f32"])
    q1 = (r.choice(SCALES), r.choice(ZPS))
    if kind == "f32->i8":
        return _case(kind, r.choice(SHAPES), out_q=q1)
    if kind == "i8->f32":
        return _case(kind, r.choice(SHAPES), in_q=q1)
    # requantize: output scale close to / far from the input's (ratio within 2^+-20)
    q2 = (q1[0] * r.choice([1e-3, 0.1, 0.5, 0.999, 1.0, 1.001, 2.0, 10.0, 1e3]), r.choice(ZPS))
    return _case(kind, r.choice(SHAPES), in_q=q1, out_q=q2)


CASES = sweep(CURATED, draw, family="quantize")


def build(case: Case) -> bytes:
    kind, shape = case["kind"], case["shape"]
    if kind == "f32->i8":
        return quantize_model(shape, QParams(*case["out_q"]))
    if kind == "i8->i8":
        return quantize_model(shape, QParams(*case["out_q"]), "int8", QParams(*case["in_q"]))
    return dequantize_model(shape, QParams(*case["in_q"]))


def test_quantize_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_quantize_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


# ----------------------------------------------------------------------------
# Crafted inputs
# ----------------------------------------------------------------------------


def _run_crafted(model: bytes, x: np.ndarray, what: str) -> None:
    compiled = api.compile_model(model)
    ref = tflm_runner(compiled)([x])
    with BuiltLibrary(compiled) as lib:
        ours = lib.run([x])
    mismatches = compare(ours, ref)
    assert not mismatches, f"{what}: " + "; ".join(m.describe() for m in mismatches)


def _halfway_values(scale: float, zp: int) -> np.ndarray:
    """(k + 1/2) * scale for every k that can reach the int8 range (both signs),
    each with its float32 neighbours, plus zeros and far out-of-range values."""
    k = np.arange(-130 - zp, 131 - zp, dtype=np.float64)
    ties = ((k + 0.5) * scale).astype(np.float32)
    values = [ties, np.nextafter(ties, np.float32(np.inf)),
              np.nextafter(ties, np.float32(-np.inf)), (k * scale).astype(np.float32),
              np.array([0.0, -0.0, 1e-30, -1e-30, 1000 * scale, -1000 * scale,
                        1e6 * scale, -1e6 * scale], dtype=np.float32)]
    return np.concatenate(values).astype(np.float32)


@pytest.mark.parametrize("scale,zp", [(0.25, 0), (0.5, -128), (2.0**-7, 127), (0.02, 5),
                                      (1.0 / 3, -6), (1e-6, 0)],
                         ids=lambda v: f"{v:.6g}" if isinstance(v, float) else str(v))
def test_quantize_f32_halfway_values(scale: float, zp: int) -> None:
    x = _halfway_values(scale, zp)
    _run_crafted(quantize_model(x.shape, QParams(scale, zp)), x,
                 f"QUANTIZE f32->int8 scale={scale} zp={zp}")


ALL_INT8 = np.arange(-128, 128, dtype=np.int8)


@pytest.mark.parametrize("in_q,out_q", [
    ((1.0, 0), (0.001, 5)), ((0.001, 127), (1.0, -128)), ((0.02, 3), (0.0201, -3)),
    ((0.5, -128), (0.25, 127)), ((0.3, 10), (0.7, -20)), ((0.02, 0), (0.02, 0)),
], ids=str)
def test_requantize_every_int8_value(in_q: tuple, out_q: tuple) -> None:
    _run_crafted(quantize_model(ALL_INT8.shape, QParams(*out_q), "int8", QParams(*in_q)),
                 ALL_INT8, f"QUANTIZE int8->int8 in={in_q} out={out_q}")


@pytest.mark.parametrize("in_q", [(0.02, 5), (1e-6, -128), (100.0, 127), (1.0 / 3, 0)], ids=str)
def test_dequantize_every_int8_value(in_q: tuple) -> None:
    _run_crafted(dequantize_model(ALL_INT8.shape, QParams(*in_q)), ALL_INT8,
                 f"DEQUANTIZE in={in_q}")
