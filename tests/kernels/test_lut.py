"""LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and ELU: the table-driven int8 activations.

Two sweeps:

* ``test_<op>_bit_exact``: whole models through ``api.verify`` (C kernel, planner,
  generated tables), ranks 1-5 with at least 1,024 elements so that the random
  input sets reach every one of the 256 input values; input scales from 1e-4 to
  16 (LOGISTIC/TANH: input shifts from 14 to 31, i.e. a radius of 0), zero points
  -128 / 0 / 127, output scales far below and above the input's, LEAKY_RELU alphas
  from -1.5 to 1.5 (0 and negative included), and the output quantizations TFLite
  Micro ignores for LOGISTIC and TANH.
* ``test_table_matches_tflm``: the generator's table against TFLite Micro run on
  all 256 inputs at once, without compiling C (cheap, so it sweeps more scales).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from mcu_codegen.ops import tables
from mcu_codegen.verify.reference import make_runner
from tests.kernels._elementwise import unary_model
from tests.kernels._sweep import Case, assert_bit_exact, sweep

SHAPES = [(1, 16, 16, 8), (4, 256), (1030,), (2, 3, 5, 7, 11), (1, 8, 8, 16)]
IN_SCALES = [1e-4, 0.001, 0.003, 1.0 / 128, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 4.0, 16.0]
ZPS = [-128, -128, 0, 0, 127, 127, -7, 3, 60]
ALPHAS = [0.01, 0.1, 0.2, 0.3, 1.0, 1.5, -0.5, -1.5, 0.0, 0.7]
#: Output scale / input scale. HARD_SWISH needs >= 1/128 (TFLite Micro refuses less).
OUT_FACTORS = {"HARD_SWISH": [1.0 / 64, 0.1, 0.5, 1.0, 2.0, 8.0],
               "LEAKY_RELU": [0.01, 0.5, 1.0, 2.0, 100.0],
               "ELU": [0.01, 0.5, 1.0, 2.0, 100.0]}
STANDARD_OUTPUT = {"LOGISTIC": (1.0 / 256, -128), "TANH": (1.0 / 128, 0)}


def _case(op: str, shape: tuple[int, ...], qi: tuple[float, int], qo: tuple[float, int],
          alpha: float | None = None) -> Case:
    c: Case = {"op": op, "shape": tuple(shape), "qi": tuple(qi), "qo": tuple(qo)}
    if alpha is not None:
        c["alpha"] = alpha
    return c


def _draw_params(op: str, r: random.Random) -> tuple[tuple[float, int], tuple[float, int],
                                                     float | None]:
    qi = (r.choice(IN_SCALES), r.choice(ZPS))
    if op in STANDARD_OUTPUT:
        qo = STANDARD_OUTPUT[op]
        if r.random() < 0.15:  # TFLite Micro ignores it (LOGISTIC keeps zero point -128)
            qo = (r.choice(IN_SCALES), -128 if op == "LOGISTIC" else r.choice(ZPS))
    else:
        qo = (qi[0] * r.choice(OUT_FACTORS[op]), r.choice(ZPS))
    return qi, qo, (r.choice(ALPHAS) if op == "LEAKY_RELU" else None)


def _drawer(op: str) -> Callable[[random.Random], Case]:
    def draw(r: random.Random) -> Case:
        qi, qo, alpha = _draw_params(op, r)
        return _case(op, r.choice(SHAPES), qi, qo, alpha)
    return draw


def _options(case: Case) -> dict[str, Any] | None:
    return {"alpha": case["alpha"]} if "alpha" in case else None


def build(case: Case) -> bytes:
    return unary_model(case["op"], case["shape"], case["qi"], case["qo"], _options(case))


CURATED: dict[str, list[Case]] = {
    "LOGISTIC": [
        _case("LOGISTIC", (1, 16, 16, 8), (0.1, 3), (1.0 / 256, -128)),
        _case("LOGISTIC", (4, 256), (16.0, -128), (1.0 / 256, -128)),  # radius 0
        _case("LOGISTIC", (1030,), (0.02, 127), (0.01, -128)),  # output scale not read
    ],
    "TANH": [
        _case("TANH", (1, 16, 16, 8), (0.05, -3), (1.0 / 128, 0)),
        _case("TANH", (2, 3, 5, 7, 11), (1e-4, 0), (1.0 / 128, 0)),
        _case("TANH", (4, 256), (0.25, -128), (0.05, 10)),  # output quantization not read
    ],
    "HARD_SWISH": [
        _case("HARD_SWISH", (1, 16, 16, 8), (0.05, -3), (0.03, -100)),
        _case("HARD_SWISH", (4, 256), (1.0, 127), (1.0 / 64, -128)),  # exponent 0
        _case("HARD_SWISH", (1030,), (0.001, -128), (0.008, 127)),  # reluish shift < 0
    ],
    "LEAKY_RELU": [
        _case("LEAKY_RELU", (1, 16, 16, 8), (0.05, -3), (0.03, -10), alpha=0.2),
        _case("LEAKY_RELU", (4, 256), (0.1, 127), (0.1, -128), alpha=-0.5),
        _case("LEAKY_RELU", (1030,), (0.02, 0), (2.0, 0), alpha=0.0),
    ],
    "ELU": [
        _case("ELU", (1, 16, 16, 8), (0.05, -3), (0.03, 60)),
        _case("ELU", (4, 256), (0.5, 127), (0.005, -128)),
        _case("ELU", (1030,), (0.02, -128), (2.0, 0)),
    ],
}

CASES = {op: sweep(CURATED[op], _drawer(op), family=f"lut-{op.lower()}", default_random=2,
                   full_random=50)
         for op in CURATED}


@pytest.mark.parametrize("case", CASES["LOGISTIC"])
def test_logistic_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


@pytest.mark.parametrize("case", CASES["TANH"])
def test_tanh_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


@pytest.mark.parametrize("case", CASES["HARD_SWISH"])
def test_hard_swish_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


@pytest.mark.parametrize("case", CASES["LEAKY_RELU"])
def test_leaky_relu_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


@pytest.mark.parametrize("case", CASES["ELU"])
def test_elu_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


# ----------------------------------------------------------------------------
# The tables alone, against TFLite Micro on every input value
# ----------------------------------------------------------------------------


def _table(case: Case) -> tables.Table:
    (si, zi), (so, zo) = case["qi"], case["qo"]
    op = case["op"]
    if op == "LOGISTIC":
        return tables.logistic_table(si, zi)
    if op == "TANH":
        return tables.tanh_table(si, zi)
    if op == "HARD_SWISH":
        return tables.hard_swish_table(si, zi, so, zo)
    if op == "LEAKY_RELU":
        return tables.leaky_relu_table(case["alpha"], si, zi, so, zo)
    return tables.elu_table(si, zi, so, zo)


def _draw_table_case(r: random.Random) -> Case:
    op = r.choice(sorted(CURATED))
    _, qo, alpha = _draw_params(op, r)
    # finer than the model sweep: log-uniform input scales
    qi = (float(np.float32(10 ** r.uniform(-4, 1.3))), r.randint(-128, 127))
    if op not in STANDARD_OUTPUT:
        factors = OUT_FACTORS[op]
        qo = (qi[0] * 10 ** r.uniform(np.log10(min(factors)), np.log10(max(factors))), qo[1])
    return _case(op, (256,), qi, qo, alpha)


TABLE_CASES = sweep([], _draw_table_case, family="lut-tables", default_random=10,
                    full_random=400)


@pytest.mark.parametrize("case", TABLE_CASES)
def test_table_matches_tflm(case: Case) -> None:
    runner = make_runner("tflm", build(case), 1)
    ref = runner([np.arange(-128, 128, dtype=np.int8)])[0].astype(int).tolist()
    ours = list(_table(case))
    wrong = [(x - 128, ours[x], ref[x]) for x in range(256) if ours[x] != ref[x]]
    assert not wrong, f"{case}: (input, ours, TFLite Micro) {wrong[:8]}"
