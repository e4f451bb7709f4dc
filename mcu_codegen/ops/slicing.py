"""SLICE (int8) and the run-time plan of STRIDED_SLICE (its OpDef is in shape_ops.py).

Both are one box copy (``copy_s8``): the output is written in row-major order,
as TFLite's SequentialTensorWriter writes it, from the input element at
``start + index * stride`` on every axis. The starts and counts are computed
here exactly as TFLite Micro computes them at run time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, out
from .movement import Box, arity, const_int_input, const_ints, copy_emission, int8_data, row_major
from .quantize import NoAttrs

#: TFLite Micro's limits: SLICE works on up to 5-D, STRIDED_SLICE on up to 4-D tensors.
MAX_SLICE_RANK = 5
MAX_STRIDED_SLICE_RANK = 4


def _clamp(v: int, lo: int, hi: int) -> int:
    return hi if v > hi else lo if v < lo else v


@dataclass(frozen=True)
class StridedPlan:
    """Per input axis: first index, element count and step of the slice."""

    starts: tuple[int, ...]
    counts: tuple[int, ...]
    steps: tuple[int, ...]
    kept: tuple[bool, ...]  # False for shrunk axes


def strided_slice_plan(shape: Sequence[int], begin: Sequence[int], end: Sequence[int],
                       strides: Sequence[int], begin_mask: int, end_mask: int,
                       shrink_mask: int) -> StridedPlan | str:
    """The slice TFLite Micro's StridedSlice runs (strided_slice_logic.h,
    StridedSliceStartForAxis / StridedSliceEndForAxis), or why we refuse it."""
    starts, counts, kept = [], [], []
    for axis, size in enumerate(shape):
        stride = int(strides[axis])
        if stride == 0:
            return f"stride 0 on axis {axis}"
        start = int(begin[axis])
        if start < 0:
            start += size
        start = _clamp(start, 0, size) if stride > 0 else _clamp(start, -1, size - 1)
        if begin_mask >> axis & 1:
            start = 0 if stride > 0 else size - 1
        shrink = bool(shrink_mask >> axis & 1)
        if shrink:
            # TFLite Micro's run-time loop copies nothing for a shrunk axis with a
            # negative stride or a begin outside the axis (its output shape check
            # still counts one element): refuse what would leave the output unset.
            if stride < 0 or not 0 <= start < size:
                return f"shrunk axis {axis} needs a stride > 0 and a begin inside the axis"
            stop = start + 1
        else:
            stop = int(end[axis])
            if stop < 0:
                stop += size
            stop = _clamp(stop, 0, size) if stride > 0 else _clamp(stop, -1, size - 1)
            if end_mask >> axis & 1:
                stop = size if stride > 0 else -1
        if stride > 0:
            count = max(0, -(-(stop - start) // stride))
        else:
            count = max(0, -(-(start - stop) // -stride))
        starts.append(start)
        counts.append(count)
        kept.append(not shrink)
    return StridedPlan(tuple(starts), tuple(counts), tuple(int(s) for s in strides), tuple(kept))


def plan_boxes(shape: Sequence[int], plan: StridedPlan) -> list[Box]:
    """The one box that copies the planned slice into a dense output."""
    in_strides = row_major(shape)
    offset = sum(s * st for s, st in zip(plan.starts, in_strides, strict=True))
    src = tuple(st * step for st, step in zip(in_strides, plan.steps, strict=True))
    return [Box(0, offset, 0, 0, plan.counts, src, row_major(plan.counts))]


# ---- SLICE ------------------------------------------------------------------------------


def _slice_plan(g: Graph, op: Op) -> StridedPlan | str:
    x = g.tensors[op.inputs[0]].shape
    dtypes = (DType.INT32, DType.INT64)
    begin, size = const_ints(g, op, 1, dtypes), const_ints(g, op, 2, dtypes)
    if begin is None or size is None:
        return "begin and size must be constant int32 or int64 tensors"
    if begin.ndim != 1 or size.ndim != 1 or begin.size != len(x) or size.size != len(x):
        return f"begin and size must hold {len(x)} values each"
    starts, counts = [], []
    for axis, dim in enumerate(x):
        b, n = int(begin[axis]), int(size[axis])
        if n == -1:
            n = dim - b
        if b < 0 or n < 0 or b + n > dim:
            return f"begin {b} with size {int(size[axis])} does not fit axis {axis} of size {dim}"
        starts.append(b)
        counts.append(n)
    return StridedPlan(tuple(starts), tuple(counts), (1,) * len(x), (True,) * len(x))


def _slice_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 1 to 5; begin and size hold one value per dimension, with
    0 <= begin and begin + size within the dimension (size -1: to the end); the
    output shape is the sizes"""
    x = g.tensors[op.inputs[0]].shape
    if not 1 <= len(x) <= MAX_SLICE_RANK:
        return f"input has rank {len(x)}, expected 1 to {MAX_SLICE_RANK}"
    plan = _slice_plan(g, op)
    if isinstance(plan, str):
        return plan
    if plan.counts != out(g, op).shape:
        return f"output shape {list(out(g, op).shape)} is not the slice {list(plan.counts)}"
    return None


class Slice(OpDef):
    kind = OpKind.SLICE
    summary = "a contiguous block of an int8 tensor (bytes copied unchanged)"
    rules = (
        arity((3, 3)),
        int8_data((0,)),
        const_int_input(1, "begin", int64=True),
        const_int_input(2, "size", int64=True),
        _slice_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        plan = _slice_plan(g, op)
        assert not isinstance(plan, str)
        boxes = plan_boxes(g.tensors[op.inputs[0]].shape, plan)
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], boxes)


def output_matches(plan: StridedPlan, shape: Sequence[int]) -> bool:
    """The kept axes' counts are the output shape (TFLite Micro's CheckOutputSize)."""
    kept = tuple(c for c, k in zip(plan.counts, plan.kept, strict=True) if k)
    return kept == tuple(shape) and math.prod(plan.counts) == math.prod(shape)
