"""SHAPE, STRIDED_SLICE, PACK and FILL: evaluated at build time on constants;
STRIDED_SLICE and PACK also run on int8 activations.

Models exported from Keras often compute shapes at run time (SHAPE ->
STRIDED_SLICE -> PACK -> FILL to build a zero initial state). Every input of
such a chain is known when the model is compiled, so a pass replaces the chain
with constant tensors (``evaluate``). SHAPE and FILL left in the graph are not
supported; STRIDED_SLICE and PACK on int8 activations run the ``copy_s8``
kernel (the plans are in slicing.py and movement.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, inp, out
from .common import opt_int
from .movement import (
    arity,
    axis_boxes,
    const_int_input,
    const_ints,
    copy_emission,
    int8_data,
    normalize_axis,
)
from .quantize import NoAttrs
from .slicing import (
    MAX_STRIDED_SLICE_RANK,
    StridedPlan,
    output_matches,
    plan_boxes,
    strided_slice_plan,
)

#: Largest result computed at build time. The passes evaluate ops before any rule
#: has checked them, and FILL or PACK can multiply a few bytes of model into
#: gigabytes of generated C: a bigger (or malformed) op is left alone for its rule.
MAX_FOLD_BYTES = 16 << 20


def _constant_only(g: Graph, op: Op) -> str | None:
    """supported only when every input is constant (the op is evaluated at build time,
    into at most 16 MiB)"""
    if _too_big(g, op):
        return f"it would compute more than {MAX_FOLD_BYTES} bytes at build time"
    if all(t < 0 or g.tensors[t].is_const for t in op.inputs):
        return "its constant inputs do not fit its type, so it cannot be evaluated"
    return "its inputs are not constant, so it cannot be evaluated at build time"


def _too_big(g: Graph, op: Op) -> bool:
    consts = [g.tensors[t].nbytes for t in op.inputs if t >= 0 and g.tensors[t].is_const]
    return sum(consts) + sum(g.tensors[t].nbytes for t in op.outputs) > MAX_FOLD_BYTES


Evaluate = Callable[[Any, Graph, Op], "list[np.ndarray] | None"]


def guarded(fn: Evaluate) -> Evaluate:
    """Wrap an ``evaluate``: None (not folded) for an op too big to evaluate, one whose
    constants do not fit its type, or whose results do not have its outputs' shapes."""

    @functools.wraps(fn)
    def evaluate(self: Any, g: Graph, op: Op) -> list[np.ndarray] | None:
        if _too_big(g, op):
            return None
        try:
            values = fn(self, g, op)
        except (ValueError, IndexError, TypeError, OverflowError):
            return None
        if values is None or len(values) != len(op.outputs) or any(
            v.shape != g.tensors[t].shape for v, t in zip(values, op.outputs, strict=False)
        ):
            return None
        return values

    return evaluate


@dataclass(frozen=True)
class StridedSliceAttrs(OpAttrs):
    begin_mask: int
    end_mask: int
    ellipsis_mask: int
    new_axis_mask: int
    shrink_axis_mask: int
    offset: bool


@dataclass(frozen=True)
class PackAttrs(OpAttrs):
    axis: int
    values_count: int = 0


def _const(g: Graph, op: Op, i: int) -> np.ndarray | None:
    t = inp(g, op, i)
    return None if t is None else t.data


class _BuildTimeOnly(OpDef):
    rules = (_constant_only,)

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()


class Shape(_BuildTimeOnly):
    kind = OpKind.SHAPE
    summary = "the shape of a tensor (always known at build time)"

    @guarded
    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        x = g.tensors[op.inputs[0]]
        return [np.array(x.shape, dtype=out(g, op).dtype.numpy)]


def _strided_plan(g: Graph, op: Op) -> StridedPlan | str:
    a = op.attrs
    assert isinstance(a, StridedSliceAttrs)
    x = g.tensors[op.inputs[0]].shape
    b, e, s = (const_ints(g, op, i) for i in (1, 2, 3))
    if b is None or e is None or s is None:
        return "begin, end and strides must be constant int32 tensors"
    if any(v.ndim != 1 or v.size != len(x) for v in (b, e, s)):
        return f"begin, end and strides must hold {len(x)} values each"
    return strided_slice_plan(x, b.tolist(), e.tolist(), s.tolist(), a.begin_mask, a.end_mask,
                              a.shrink_axis_mask)


def _strided_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 1 to 4; ellipsis_mask, new_axis_mask and offset are unset
    (TFLite Micro ignores them); strides are not 0; a shrunk axis has a stride > 0 and
    a begin inside the axis; the output shape is the slice's"""
    a = op.attrs
    assert isinstance(a, StridedSliceAttrs)
    x = g.tensors[op.inputs[0]].shape
    if not 1 <= len(x) <= MAX_STRIDED_SLICE_RANK:
        return f"input has rank {len(x)}, expected 1 to {MAX_STRIDED_SLICE_RANK}"
    if a.ellipsis_mask or a.new_axis_mask or a.offset:
        return "ellipsis_mask, new_axis_mask or offset is set"
    plan = _strided_plan(g, op)
    if isinstance(plan, str):
        return plan
    if not output_matches(plan, out(g, op).shape):
        return f"output shape {list(out(g, op).shape)} is not the slice's"
    return None


class StridedSlice(OpDef):
    kind = OpKind.STRIDED_SLICE
    summary = "strided slice of an int8 tensor (bytes copied unchanged), or of constants " \
        "(evaluated at build time)"
    rules = (
        arity((4, 4)),
        int8_data((0,)),
        const_int_input(1, "begin"),
        const_int_input(2, "end"),
        const_int_input(3, "strides"),
        _strided_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return StridedSliceAttrs(
            begin_mask=opt_int(options, "begin_mask"),
            end_mask=opt_int(options, "end_mask"),
            ellipsis_mask=opt_int(options, "ellipsis_mask"),
            new_axis_mask=opt_int(options, "new_axis_mask"),
            shrink_axis_mask=opt_int(options, "shrink_axis_mask"),
            offset=bool(options.get("offset", False)),
        )

    @guarded
    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        a = op.attrs
        assert isinstance(a, StridedSliceAttrs)
        x, b, e, s = (_const(g, op, i) for i in range(4))
        if x is None or b is None or e is None or s is None:
            return None
        if a.ellipsis_mask or a.new_axis_mask or b.size != x.ndim:
            return None
        index: list[slice | int] = []
        for d in range(x.ndim):
            begin, end = int(b[d]), int(e[d])
            if a.offset:
                end += begin
            if a.shrink_axis_mask >> d & 1:
                index.append(begin)
                continue
            index.append(slice(None if a.begin_mask >> d & 1 else begin,
                               None if a.end_mask >> d & 1 else end, int(s[d])))
        result = np.asarray(x[tuple(index)])
        o = out(g, op)
        return [result.astype(o.dtype.numpy).reshape(o.shape)]

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        plan = _strided_plan(g, op)
        assert not isinstance(plan, str)
        boxes = plan_boxes(g.tensors[op.inputs[0]].shape, plan)
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], boxes)


def _pack_shapes(g: Graph, op: Op) -> str | None:
    """values_count equals the number of inputs; the axis is in [-rank, rank) of the
    output; every input has the same shape, the output's without that axis"""
    a = op.attrs
    assert isinstance(a, PackAttrs)
    o = out(g, op).shape
    axis = normalize_axis(a.axis, len(o))
    if axis is None:
        return f"axis {a.axis} is out of range for an output of rank {len(o)}"
    if a.values_count != len(op.inputs) or o[axis] != len(op.inputs):
        return (f"values_count is {a.values_count}, with {len(op.inputs)} inputs and output "
                f"size {o[axis]} along axis {axis}")
    expected = o[:axis] + o[axis + 1:]
    for i, t in enumerate(op.inputs):
        if g.tensors[t].shape != expected:
            return f"input {i} has shape {list(g.tensors[t].shape)}, expected {list(expected)}"
    return None


class Pack(OpDef):
    kind = OpKind.PACK
    summary = "stack int8 tensors along a new axis (bytes copied unchanged), or constants " \
        "(evaluated at build time)"
    rules = (
        arity((1, 0)),
        int8_data(None),
        _pack_shapes,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return PackAttrs(axis=opt_int(options, "axis"),
                         values_count=opt_int(options, "values_count"))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        assert isinstance(op.attrs, PackAttrs)
        o = out(g, op).shape
        axis = normalize_axis(op.attrs.axis, len(o))
        assert axis is not None
        part = o[:axis] + (1,) + o[axis + 1:]
        boxes = axis_boxes([part] * len(op.inputs), axis, o, split=False)
        return copy_emission(g, op, ctx, op.inputs, op.outputs[:1], boxes)

    @guarded
    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        assert isinstance(op.attrs, PackAttrs)
        values = [_const(g, op, i) for i in range(len(op.inputs))]
        if any(v is None for v in values):
            return None
        o = out(g, op)
        stacked = np.stack([v for v in values if v is not None], axis=op.attrs.axis)
        return [stacked.astype(o.dtype.numpy).reshape(o.shape)]


class Fill(_BuildTimeOnly):
    kind = OpKind.FILL
    summary = "a tensor of one constant value"

    @guarded
    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        dims, value = _const(g, op, 0), _const(g, op, 1)
        if dims is None or value is None or value.size != 1:
            return None
        o = out(g, op)
        if tuple(int(d) for d in dims.reshape(-1)) != o.shape:
            return None
        return [np.full(o.shape, value.reshape(-1)[0], dtype=o.dtype.numpy)]
