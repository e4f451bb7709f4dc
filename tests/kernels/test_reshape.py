"""RESHAPE / SQUEEZE / EXPAND_DIMS sweep: new shapes with and without -1, with
and without the shape input tensor, squeeze of all / listed / negative dims,
expand at the front, middle, back and negative axes, int8 / int16 / int32
tensors (EXPAND_DIMS: int8 / int16, all TFLite Micro runs) and zero points
-128 / 0 / 127.

As single ops these copy a graph input into a graph output; the chain tests put
them between two QUANTIZE ops, where the planner lets the output share the
input's arena bytes (no copy)."""

from __future__ import annotations

import math
import random

import pytest

from tests.kernels._sweep import Case, assert_bit_exact, requant_chain_model, sweep
from tests.tflite_writer import QParams, expand_dims_model, reshape_model, squeeze_model


def _case(op, shape, arg, dtype="int8", zp=5, shape_input=True) -> Case:
    # int16 / int32 tensors get zero point 0 (int16 must be symmetric; int32 is unquantized)
    c: Case = {"op": op, "shape": tuple(shape), "arg": arg, "dtype": dtype,
               "zp": zp if dtype == "int8" else 0}
    if op == "RESHAPE":
        c["shape_input"] = shape_input
    return c


CURATED: list[Case] = [
    _case("RESHAPE", (1, 4, 4, 2), (1, 32)),
    _case("RESHAPE", (2, 3, 4), (-1, 4), zp=-128),
    _case("RESHAPE", (2, 3, 4), (6, 4), zp=127, shape_input=False),
    _case("RESHAPE", (24,), (2, 1, 3, 1, 4, 1), zp=0),
    _case("RESHAPE", (2, 3, 4), (4, -1), dtype="int16"),
    _case("RESHAPE", (5, 7), (35,), dtype="int32"),
    _case("RESHAPE", (1, 1), (1,), shape_input=False),
    _case("SQUEEZE", (1, 5, 1, 3), ()),
    _case("SQUEEZE", (1, 5, 1, 3), (2,), zp=-128),
    _case("SQUEEZE", (1, 5, 1, 3), (-4,), dtype="int16", zp=127),
    _case("SQUEEZE", (1, 1, 1, 1), (), dtype="int32"),
    _case("EXPAND_DIMS", (5, 3), 0),
    _case("EXPAND_DIMS", (5, 3), 2, zp=-128),
    _case("EXPAND_DIMS", (5, 3), -1, dtype="int16"),
    _case("EXPAND_DIMS", (7,), -2, zp=127),
    _case("EXPAND_DIMS", (2, 3, 4, 5), 2, zp=0),
    _case("RESHAPE", (1, 1), ()),  # to a scalar: the shape input is a [0] constant
]

XFAIL: dict[str, str] = {}

SHAPES = [(1, 4, 4, 2), (2, 3, 4), (24,), (1, 1, 6, 1), (3, 1, 5), (1, 10), (2, 2, 2, 2, 2)]
DTYPES = ["int8", "int8", "int16", "int32"]
ZPS = [-128, 0, 127, 5]


def _factor(r: random.Random, n: int) -> list[int]:
    dims = []
    for _ in range(r.randint(1, 4)):
        divisors = [d for d in range(1, n + 1) if n % d == 0]
        d = r.choice(divisors)
        dims.append(d)
        n //= d
    dims.append(n)
    return dims


def draw(r: random.Random) -> Case | None:
    op = r.choice(["RESHAPE", "RESHAPE", "SQUEEZE", "EXPAND_DIMS"])
    shape = r.choice(SHAPES)
    dtype, zp = r.choice(DTYPES), r.choice(ZPS)
    if op == "RESHAPE":
        new = _factor(r, math.prod(shape))
        if r.random() < 0.4:
            new[r.randrange(len(new))] = -1
        return _case(op, shape, tuple(new), dtype, zp, r.random() < 0.7)
    if op == "SQUEEZE":
        ones = [i for i, d in enumerate(shape) if d == 1]
        if not ones:
            return None
        dims = tuple(i - len(shape) if r.random() < 0.5 else i
                     for i in sorted(r.sample(ones, r.randint(0, len(ones)))))
        return _case(op, shape, dims, dtype, zp)
    if len(shape) >= 6 or dtype == "int32":
        return None  # TFLite Micro's EXPAND_DIMS supports only int8, int16 and float32
    axis = r.randint(-len(shape) - 1, len(shape))
    return _case(op, shape, axis, dtype, zp)


CASES = sweep(CURATED, draw, family="reshape", xfail=XFAIL)


def build(case: Case) -> bytes:
    dtype = case["dtype"]
    qp = QParams([{"int8": 0.02, "int16": 0.001, "int32": 1.0}[dtype]],
                 [case["zp"]])
    if case["op"] == "RESHAPE":
        return reshape_model(case["shape"], case["arg"], qp=qp if dtype != "int32" else None,
                             dtype=dtype, shape_input=case["shape_input"])
    if case["op"] == "SQUEEZE":
        return squeeze_model(case["shape"], case["arg"], qp=qp if dtype != "int32" else None,
                             dtype=dtype)
    return expand_dims_model(case["shape"], case["arg"], qp=qp if dtype != "int32" else None,
                             dtype=dtype)


def test_reshape_case_count() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_reshape_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)


CHAINS = [
    ("RESHAPE", (1, 4, 4, 2), (1, 32)),
    ("RESHAPE", (2, 3, 4), (4, 6)),
    ("SQUEEZE", (1, 5, 1, 3), (5, 3)),
    ("EXPAND_DIMS", (5, 3), (5, 1, 3)),
    ("EXPAND_DIMS", (6,), (1, 6)),
]


@pytest.mark.parametrize("middle,in_shape,out_shape", CHAINS,
                         ids=[f"{m}-{'x'.join(map(str, a))}-to-{'x'.join(map(str, b))}"
                              for m, a, b in CHAINS])
def test_reshape_inside_graph(middle: str, in_shape: tuple, out_shape: tuple) -> None:
    case = {"chain": middle, "in": in_shape, "out": out_shape}
    assert_bit_exact(requant_chain_model(middle, in_shape, out_shape), case)
