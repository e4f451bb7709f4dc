"""BATCH_MATMUL sweep: ranks 2 to 5 on either side, batch dimensions broadcast from
either operand (and ranks that differ), adj_x / adj_y, a constant right-hand side
(weights in flash, random in [-127, 127], zero point 0 or not), a constant
left-hand side, or two activations,
output scales near / far from the natural one (including an effective multiplier
> 1) and zero points at -128 / 0 / 127."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest

from tests.kernels._sweep import Case, assert_bit_exact, case_id, case_rng, sweep
from tests.tflite_writer import ModelBuilder, QParams

ZPS = [-128, 0, 127, 5, -20]
OUT_F = [1.0, 1.0, 0.1, 10.0, 1e-3, 40.0]


def _case(lhs: Sequence[int], rhs: Sequence[int], adj_x: bool = False, adj_y: bool = False,
          const: str = "rhs", l_zp: int = 5, r_zp: int = 0, out_f: float = 1.0,
          out_zp: int = -6) -> Case:
    return {"lhs": tuple(lhs), "rhs": tuple(rhs), "adj_x": adj_x, "adj_y": adj_y,
            "const": const, "l_zp": l_zp, "r_zp": r_zp, "out_f": out_f, "out_zp": out_zp}


def _rms(zp: int) -> float:
    q = np.arange(-128, 128, dtype=np.float64)
    return float(np.sqrt(np.mean((q - zp) ** 2)))


def _ext(shape: Sequence[int]) -> list[int]:
    return [1] * (5 - len(shape)) + list(shape)


def output_shape(case: Case) -> list[int]:
    le, re_ = _ext(case["lhs"]), _ext(case["rhs"])
    rows = le[4] if case["adj_x"] else le[3]
    cols = re_[3] if case["adj_y"] else re_[4]
    batch = [r if lb == 1 else lb for lb, r in zip(le[:3], re_[:3], strict=True)]
    rank = max(len(case["lhs"]), len(case["rhs"]))
    return (batch + [rows, cols])[5 - rank:]


def batch_matmul_model(case: Case) -> bytes:
    rng = case_rng(case_id(case))
    lhs, rhs = list(case["lhs"]), list(case["rhs"])
    depth = lhs[-2] if case["adj_x"] else lhs[-1]
    l_s, r_s = 0.02, 0.004 if case["const"] == "rhs" else 0.03
    acc_std = math.sqrt(depth) * _rms(case["l_zp"]) * _rms(case["r_zp"])
    out_s = max(6.0 * acc_std * l_s * r_s / 255.0, 1e-6) * case["out_f"]
    mb = ModelBuilder("batch_matmul sweep")
    l_q, r_q = QParams([l_s], [case["l_zp"]]), QParams([r_s], [case["r_zp"]])
    l_data = rng.integers(-128, 128, size=lhs) if case["const"] == "lhs" else None
    r_data = rng.integers(-127, 128, size=rhs) if case["const"] == "rhs" else None
    x = mb.add_tensor("lhs", lhs, "int8", l_q, data=l_data)
    w = mb.add_tensor("rhs", rhs, "int8", r_q, data=r_data)
    y = mb.add_tensor("y", output_shape(case), "int8", QParams([out_s], [case["out_zp"]]))
    mb.add_op("BATCH_MATMUL", [x, w], [y], {"adj_x": case["adj_x"], "adj_y": case["adj_y"]})
    mb.set_io([t for t, d in ((x, l_data), (w, r_data)) if d is None], [y])
    return mb.build()


CURATED: list[Case] = [
    _case((4, 8), (8, 5)),                                          # plain 2-D, weights
    _case((2, 3, 6), (2, 6, 4), const="none", r_zp=-128, out_zp=127),
    _case((3, 6, 2), (6, 4), adj_x=True, l_zp=-128, out_f=0.1),     # rank 3 x rank 2
    _case((2, 5, 6), (2, 3, 6), adj_y=True, const="none", r_zp=127, out_zp=-128),
    _case((1, 2, 4, 3), (3, 1, 5, 4), adj_x=True, adj_y=True, const="none", out_f=1e-3),
    _case((2, 1, 3, 2, 7), (4, 3, 7, 3), r_zp=3, out_f=10.0),       # rank 5 x 4, broadcast
    _case((3, 1, 4, 8), (1, 2, 8, 2), const="lhs", l_zp=0, r_zp=-3, out_zp=0),
    _case((1, 64), (64, 10), l_zp=-128, out_f=40.0),                 # a classifier head
]


def draw(r: random.Random) -> Case | None:
    rows, depth, cols = r.randint(1, 7), r.choice([1, 2, 5, 8, 16, 33]), r.randint(1, 7)
    n_batch = r.randint(0, 3)
    full = [r.choice([2, 3]) for _ in range(n_batch)]
    lb = [d if r.random() < 0.6 else 1 for d in full][r.randint(0, n_batch):]
    rb = [d if r.random() < 0.6 else 1 for d in full][r.randint(0, n_batch):]
    adj_x, adj_y = r.random() < 0.4, r.random() < 0.4
    lhs = lb + ([depth, rows] if adj_x else [rows, depth])
    rhs = rb + ([cols, depth] if adj_y else [depth, cols])
    if math.prod(lhs) * math.prod(rhs) > 200_000:
        return None
    const = r.choice(["rhs", "rhs", "none", "none", "lhs"])
    return _case(lhs, rhs, adj_x, adj_y, const, r.choice(ZPS),
                 r.choice([0, 0, 3]) if const == "rhs" else r.choice(ZPS), r.choice(OUT_F),
                 r.choice(ZPS))


CASES = sweep(CURATED, draw, family="batch_matmul", default_random=0)


def test_batch_matmul_case_count() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES)
def test_batch_matmul_bit_exact(case: Case) -> None:
    assert_bit_exact(batch_matmul_model(case), case)
