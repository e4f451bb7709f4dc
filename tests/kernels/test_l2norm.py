"""L2_NORMALIZATION sweep: ranks 1 to 4, depths 1 to 2000 (one element: +-1; all
at the zero point: TFLite's "0 is treated as 1" path), input scales (which do not
change the result) and input zero points at -128 / 0 / 127. The output is always
scale 1/128, zero point 0, as TFLite requires (TFLite Micro's kernel writes that
encoding without looking at the output's parameters; other output parameters are
refused, see test_l2norm_other_output_quantization_is_refused)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._sweep import Case, assert_bit_exact, sweep
from tests.tflite_writer import ModelBuilder, QParams

ZPS = [-128, 0, 127, 5, -77]


def _case(shape: Sequence[int], in_zp: int = 5, in_s: float = 0.05) -> Case:
    return {"shape": tuple(shape), "in_s": in_s, "in_zp": in_zp}


def l2norm_model(case: Case, out_q: QParams | None = None) -> bytes:
    mb = ModelBuilder("l2norm sweep")
    x = mb.add_tensor("x", case["shape"], "int8", QParams([case["in_s"]], [case["in_zp"]]))
    y = mb.add_tensor("y", case["shape"], "int8", out_q or QParams([1.0 / 128], [0]))
    mb.add_op("L2_NORMALIZATION", [x], [y])
    mb.set_io([x], [y])
    return mb.build()


CURATED: list[Case] = [
    _case((1, 64)),                              # an embedding
    _case((3, 1), in_zp=-128),                   # depth 1: +-1 (or 0 at the zero point)
    _case((2, 2, 5, 7), in_zp=127, in_s=1.7),
    _case((2000,), in_zp=0),                     # a long row (sum of squares ~ 2^25)
    _case((2, 3, 300), in_zp=-77, in_s=0.003),
    _case((4, 2), in_zp=-1),                     # tiny rows: small sums, large shifts
]


def draw(r: random.Random) -> Case | None:
    rank = r.randint(1, 4)
    shape = [r.choice([1, 2, 3]) for _ in range(rank - 1)]
    shape.append(r.choice([1, 2, 3, 8, 17, 64, 129, 500, 1500]))
    if math.prod(shape) > 6000:
        return None
    return _case(shape, r.choice(ZPS), r.choice([0.05, 0.003, 1.0 / 128, 2.5]))


CASES = sweep(CURATED, draw, family="l2norm", default_random=1)


def test_l2norm_case_count() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES)
def test_l2norm_bit_exact(case: Case) -> None:
    assert_bit_exact(l2norm_model(case), case)


def test_l2norm_other_output_quantization_is_refused() -> None:
    with pytest.raises(UnsupportedError, match="1/128"):
        api.compile_model(l2norm_model(_case((2, 8)), QParams([0.3], [17])))
