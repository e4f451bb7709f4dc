"""Model builders and parameter pools shared by the element-wise sweeps (MUL, SUB,
SQUARED_DIFFERENCE, MAXIMUM/MINIMUM, PRELU and the table-driven activations).

TFLite Micro's Python interpreter cannot set a rank-0 (scalar) graph input, so
scalar operands are always constant tensors here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tests.kernels._sweep import Case, case_id, case_rng
from tests.tflite_writer import QParams, TensorSpec, single_op_model

#: Shape pairs that broadcast: equal, one side broadcast, both sides broadcast,
#: rank mismatch, 5-D and 6-D, and size-1 everywhere.
SHAPE_PAIRS: list[tuple[tuple[int, ...], tuple[int, ...]]] = [
    ((1, 4, 4, 8), (1, 4, 4, 8)), ((1, 4, 4, 8), (1, 1, 1, 8)), ((1, 1, 1, 8), (1, 4, 4, 8)),
    ((2, 3, 1), (1, 1, 4)), ((4, 5), (3, 1, 5)), ((8,), (2, 3, 8)), ((5, 1), (1, 7)),
    ((1, 3, 1, 5), (2, 1, 4, 1)), ((2, 1, 3, 1, 4), (1, 5, 1, 2, 1)),
    ((2, 1, 2, 1, 3, 2), (1, 3, 1, 2, 1, 1)), ((1, 1, 1, 1), (1, 1, 1, 1)), ((3, 4, 5), (4, 5)),
    ((2, 2, 2, 2, 2), (2, 2, 2, 2, 2)), ((1, 6, 6, 3), (1, 6, 6, 1)), ((7,), (1,)),
    ((1, 2, 2, 16), ()),
]
SCALES = [0.001, 0.003, 1.0 / 128, 0.02, 0.021, 0.05, 0.1, 0.5, 1.0, 2.5]
ZPS = [-128, -128, 0, 0, 127, 127, -7, 3, 60]


def _spec(shape: Sequence[int], q: tuple[float, int], name: str,
          data: np.ndarray | None = None) -> TensorSpec:
    return TensorSpec(list(shape), "int8", QParams(*q), data=data, name=name)


def const_data(case: Case, shape: Sequence[int]) -> np.ndarray:
    """Seeded (by the case id) int8 data for a constant operand."""
    rng = case_rng(case_id(case))
    return rng.integers(-128, 128, size=list(shape), dtype=np.int64).astype(np.int8)


def binary_model(op: str, case: Case, options: Mapping[str, Any] | None = None) -> bytes:
    """``op`` of inputs with shapes ``s1``, ``s2`` and quantizations ``q1``, ``q2``,
    output ``qo``; input 2 is a constant when ``case["const"]`` (always when scalar)."""
    s1, s2 = tuple(case["s1"]), tuple(case["s2"])
    out_shape = list(np.broadcast_shapes(s1, s2))
    constant = bool(case.get("const")) or s2 == ()
    data2 = const_data(case, s2) if constant else None
    return single_op_model(
        op,
        [_spec(s1, case["q1"], "input1"), _spec(s2, case["q2"], "input2", data2)],
        _spec(out_shape, case["qo"], "output"),
        dict(options) if options else None,
        description=op.lower(),
    )


def unary_model(op: str, shape: Sequence[int], qi: tuple[float, int], qo: tuple[float, int],
                options: Mapping[str, Any] | None = None) -> bytes:
    return single_op_model(
        op, [_spec(shape, qi, "input")], _spec(shape, qo, "output"),
        dict(options) if options else None, description=op.lower(),
    )
