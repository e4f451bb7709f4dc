"""SHAPE, STRIDED_SLICE, PACK and FILL on constants: evaluated at build time.

Models exported from Keras often compute shapes at run time (SHAPE ->
STRIDED_SLICE -> PACK -> FILL to build a zero initial state). Every input of
such a chain is known when the model is compiled, so a pass replaces the chain
with constant tensors. Left in the graph, these ops are not supported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import OpDef, inp, out
from .common import opt_int
from .quantize import NoAttrs


def _constant_only(g: Graph, op: Op) -> str | None:
    """supported only when every input is constant (the op is evaluated at build time)"""
    return "its inputs are not constant, so it cannot be evaluated at build time"


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

    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        x = g.tensors[op.inputs[0]]
        return [np.array(x.shape, dtype=out(g, op).dtype.numpy)]


class StridedSlice(_BuildTimeOnly):
    kind = OpKind.STRIDED_SLICE
    summary = "strided slice of a constant tensor"

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return StridedSliceAttrs(
            begin_mask=opt_int(options, "begin_mask"),
            end_mask=opt_int(options, "end_mask"),
            ellipsis_mask=opt_int(options, "ellipsis_mask"),
            new_axis_mask=opt_int(options, "new_axis_mask"),
            shrink_axis_mask=opt_int(options, "shrink_axis_mask"),
            offset=bool(options.get("offset", False)),
        )

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


class Pack(_BuildTimeOnly):
    kind = OpKind.PACK
    summary = "stack constant tensors along a new axis"

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return PackAttrs(axis=opt_int(options, "axis"))

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

    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        dims, value = _const(g, op, 0), _const(g, op, 1)
        if dims is None or value is None or value.size != 1:
            return None
        o = out(g, op)
        if tuple(int(d) for d in dims.reshape(-1)) != o.shape:
            return None
        return [np.full(o.shape, value.reshape(-1)[0], dtype=o.dtype.numpy)]
