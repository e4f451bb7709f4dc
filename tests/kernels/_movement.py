"""Model builders shared by the data-movement sweeps (join, slice, layout, pad,
gather, resize): one-op models whose int8 data tensors are graph inputs (or, when
asked, int8 constants) and whose index tensors are int32 constants."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tests.kernels._sweep import FULL_SWEEP, Case, case_rng
from tests.tflite_writer import ModelBuilder, QParams

#: Per op, the default run takes the first DEFAULT_CURATED hand-picked cases and
#: DEFAULT_RANDOM random ones; the full sweep all hand-picked and FULL_RANDOM random.
DEFAULT_CURATED = 4
DEFAULT_RANDOM = 2
FULL_RANDOM = 50

#: (scale, zero point) pairs the sweeps draw from.
QUANTS = [(0.02, 5), (0.05, -128), (0.1, 127), (1.0, 0), (0.003, -7), (0.5, 60)]


def sweep_sizes() -> dict[str, int]:
    return {"default_random": DEFAULT_RANDOM, "full_random": FULL_RANDOM}


def curated(cases: Sequence[Case]) -> list[Case]:
    """The hand-picked cases this run takes (all of them in the full sweep)."""
    return list(cases) if FULL_SWEEP else list(cases[:DEFAULT_CURATED])


def pick_quant(r: random.Random) -> tuple[float, int]:
    return r.choice(QUANTS)


def dims(r: random.Random, rank: int, lo: int = 1, hi: int = 4) -> tuple[int, ...]:
    return tuple(r.randint(lo, hi) for _ in range(rank))


def one_op_model(
    opcode: str,
    data_inputs: Sequence[tuple[Sequence[int], tuple[float, int]] | None],
    consts: Mapping[int, np.ndarray],
    outputs: Sequence[tuple[Sequence[int], tuple[float, int]]],
    options: Mapping[str, Any] | None = None,
    *,
    const_data: Sequence[int] = (),
    case_id: str = "",
) -> bytes:
    """A model of one op.

    Input position ``i`` is: an int8 tensor ``data_inputs[i] = (shape, (scale, zp))``
    (a graph input, or an int8 constant of random values when ``i in const_data``),
    or, when ``data_inputs[i]`` is None, the constant ``consts[i]`` (its numpy dtype
    decides the tensor type: int32, int64 or int8 with the output's quantization).
    Every output is an int8 graph output.
    """
    mb = ModelBuilder(f"{opcode.lower()} sweep")
    rng = case_rng(case_id or opcode)
    count = max(len(data_inputs), max(consts, default=-1) + 1)
    ids, graph_inputs = [], []
    out_q = QParams(*outputs[0][1])
    for i in range(count):
        spec = data_inputs[i] if i < len(data_inputs) else None
        if spec is not None:
            shape, q = spec
            if i in const_data:
                values = rng.integers(-128, 128, size=math.prod(shape), dtype=np.int64)
                ids.append(mb.add_tensor(f"const_{i}", shape, "int8", QParams(*q), data=values))
            else:
                t = mb.add_tensor(f"input_{i}", shape, "int8", QParams(*q))
                ids.append(t)
                graph_inputs.append(t)
            continue
        value = np.asarray(consts[i])
        dtype = {"int32": "int32", "int64": "int64", "int8": "int8"}[value.dtype.name]
        quant = out_q if dtype == "int8" else None
        ids.append(mb.add_tensor(f"const_{i}", value.shape, dtype, quant, data=value))
    outs = [mb.add_tensor(f"output_{j}", shape, "int8", QParams(*q))
            for j, (shape, q) in enumerate(outputs)]
    mb.add_op(opcode, ids, outs, dict(options or {}))
    mb.set_io(graph_inputs, outs)
    return mb.build()


def i32(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


__all__ = ["DEFAULT_CURATED", "DEFAULT_RANDOM", "FULL_RANDOM", "FULL_SWEEP", "QUANTS",
           "curated", "dims", "i32", "one_op_model", "pick_quant", "sweep_sizes"]
