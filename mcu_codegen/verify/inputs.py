"""Test inputs: seeded random tensors plus the edge cases every port must survive."""

from __future__ import annotations

import numpy as np

from ..ir import DType, Graph, Tensor


def _float_range(g: Graph, t: Tensor) -> tuple[float, float]:
    """The real range a float32 input covers once quantized by its QUANTIZE consumer."""
    for op in g.ops:
        if t.index in op.inputs:
            q = g.tensors[op.outputs[0]].quant
            if q is not None:
                return q.scale * (-128 - q.zero_point), q.scale * (127 - q.zero_point)
    return -1.0, 1.0


def make_inputs(g: Graph, count: int, seed: int) -> list[tuple[str, list[np.ndarray]]]:
    """``count`` random input sets, then all -128, all 127 and all at the zero point
    (for float inputs: the quantized range's ends, just beyond them, and 0.0)."""
    rng = np.random.default_rng(seed)
    sets: list[tuple[str, list[np.ndarray]]] = []
    tensors = [g.tensors[i] for i in g.inputs]
    for k in range(count):
        arrays = []
        for t in tensors:
            if t.dtype is DType.FLOAT32:
                lo, hi = _float_range(g, t)
                span = hi - lo
                arrays.append(rng.uniform(lo - 0.05 * span, hi + 0.05 * span, t.shape)
                              .astype(np.float32))
            else:
                info = np.iinfo(t.dtype.numpy)
                arrays.append(rng.integers(info.min, info.max, t.shape, endpoint=True,
                                           dtype=t.dtype.numpy))
        sets.append((f"random #{k}", arrays))
    for label in ("all minimum", "all maximum", "all zero point"):
        arrays = []
        for t in tensors:
            if t.dtype is DType.FLOAT32:
                lo, hi = _float_range(g, t)
                value = {"all minimum": lo * 1.5, "all maximum": hi * 1.5,
                         "all zero point": 0.0}[label]
                arrays.append(np.full(t.shape, value, dtype=np.float32))
            else:
                info = np.iinfo(t.dtype.numpy)
                zp = t.quant.zero_point if t.quant else 0
                value = {"all minimum": info.min, "all maximum": info.max,
                         "all zero point": zp}[label]
                arrays.append(np.full(t.shape, value, dtype=t.dtype.numpy))
        sets.append((label, arrays))
    return sets
