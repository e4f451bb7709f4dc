"""CONCATENATION, SPLIT, SPLIT_V and UNPACK (int8): joins and splits along one axis.

All four are pure data movement, run by the ``copy_s8`` kernel with one box per
part: TFLite Micro's loops copy, for every outer index, one contiguous chunk of
``size_along_axis * inner`` values per part, in part order; each box is exactly
that walk. PACK (shape_ops.py) shares the same plan.

TFLite Micro's int8 CONCATENATION does not rescale: it requires every input to
have the output's scale and zero point, and so do we. SPLIT, SPLIT_V and UNPACK
copy bytes without looking at quantization, as TFLite Micro does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, out
from .common import activation, opt_int
from .movement import (
    arity,
    axis_boxes,
    const_int_input,
    const_ints,
    copy_emission,
    int8_data,
    normalize_axis,
)

#: TFLite Micro's CONCATENATION takes at most 10 inputs of at most 6 dimensions.
MAX_CONCAT_INPUTS = 10
MAX_CONCAT_RANK = 6


@dataclass(frozen=True)
class ConcatAttrs(OpAttrs):
    axis: int
    activation: str


@dataclass(frozen=True)
class SplitAttrs(OpAttrs):
    num_splits: int


@dataclass(frozen=True)
class UnpackAttrs(OpAttrs):
    num: int
    axis: int


def _same_except(shape: Sequence[int], ref: Sequence[int], axis: int) -> bool:
    return len(shape) == len(ref) and all(
        a == b for i, (a, b) in enumerate(zip(shape, ref, strict=True)) if i != axis)


# ---- CONCATENATION ---------------------------------------------------------------------


def _concat_quant(g: Graph, op: Op) -> str | None:
    """every input has the output's scale and zero point (TFLite Micro's int8
    CONCATENATION does not rescale)"""
    o = out(g, op)
    assert o.quant is not None
    for i, t_idx in enumerate(op.inputs):
        q = g.tensors[t_idx].quant
        assert q is not None
        if (q.scale, q.zero_point) != (o.quant.scale, o.quant.zero_point):
            return (f"input {i} has scale {q.scale:g} and zero point {q.zero_point}, the output "
                    f"{o.quant.scale:g} and {o.quant.zero_point}")
    return None


def _concat_shape(g: Graph, op: Op) -> str | None:
    """the fused activation is NONE; the axis is in [-rank, rank); every input has the
    output's rank (at most 6) and shape except along the axis, where the sizes add up
    to the output's"""
    a = op.attrs
    assert isinstance(a, ConcatAttrs)
    if a.activation != "NONE":
        return f"fused activation {a.activation} (TFLite Micro accepts only NONE)"
    o = out(g, op).shape
    if len(o) > MAX_CONCAT_RANK:
        return f"output has rank {len(o)}, at most {MAX_CONCAT_RANK} is supported"
    axis = normalize_axis(a.axis, len(o))
    if axis is None:
        return f"axis {a.axis} is out of range for rank {len(o)}"
    shapes = [g.tensors[t].shape for t in op.inputs]
    for i, s in enumerate(shapes):
        if not _same_except(s, o, axis):
            return f"input {i} has shape {list(s)}, which does not fit the output {list(o)}"
    if sum(s[axis] for s in shapes) != o[axis]:
        return f"the inputs' sizes along axis {axis} do not add up to {o[axis]}"
    return None


class Concatenation(OpDef):
    kind = OpKind.CONCATENATION
    summary = "join int8 tensors along one axis (no rescaling, as in TFLite Micro)"
    rules = (
        arity((1, MAX_CONCAT_INPUTS)),
        int8_data(None),
        _concat_quant,
        _concat_shape,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return ConcatAttrs(axis=opt_int(options, "axis"), activation=activation(options))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        assert isinstance(op.attrs, ConcatAttrs)
        o = out(g, op)
        axis = normalize_axis(op.attrs.axis, len(o.shape))
        assert axis is not None
        shapes = [g.tensors[t].shape for t in op.inputs]
        boxes = axis_boxes(shapes, axis, o.shape, split=False)
        return copy_emission(g, op, ctx, op.inputs, op.outputs[:1], boxes)


# ---- SPLIT, SPLIT_V ----------------------------------------------------------------------


def _split_axis(g: Graph, op: Op, position: int) -> int | None:
    values = const_ints(g, op, position)
    if values is None or values.size != 1:
        return None
    return normalize_axis(int(values.reshape(-1)[0]), len(g.tensors[op.inputs[_data(op)]].shape))


def _data(op: Op) -> int:
    """Position of the split tensor among the inputs (SPLIT puts the axis first)."""
    return 1 if op.kind is OpKind.SPLIT else 0


def _axis_position(op: Op) -> int:
    return 0 if op.kind is OpKind.SPLIT else 2


def _split_shapes(g: Graph, op: Op) -> str | None:
    """the axis holds one value in [-rank, rank); every output has the input's shape
    except along the axis, where the outputs' sizes add up to the input's (for SPLIT
    all outputs have the same size; SPLIT_V's size_splits input is not read, the
    output shapes decide, as in TFLite Micro)"""
    x = g.tensors[op.inputs[_data(op)]].shape
    axis = _split_axis(g, op, _axis_position(op))
    if axis is None:
        return f"the axis is not one value in [-{len(x)}, {len(x)})"
    shapes = [g.tensors[t].shape for t in op.outputs]
    for j, s in enumerate(shapes):
        if not _same_except(s, x, axis):
            return f"output {j} has shape {list(s)}, which does not fit the input {list(x)}"
    if op.kind is OpKind.SPLIT and len(set(shapes)) != 1:
        return "the outputs of SPLIT have different shapes"
    if sum(s[axis] for s in shapes) != x[axis]:
        return f"the outputs' sizes along axis {axis} do not add up to {x[axis]}"
    return None


class _SplitBase(OpDef):
    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return SplitAttrs(num_splits=opt_int(options, "num_splits"))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        src = op.inputs[_data(op)]
        axis = _split_axis(g, op, _axis_position(op))
        assert axis is not None
        shapes = [g.tensors[t].shape for t in op.outputs]
        boxes = axis_boxes(shapes, axis, g.tensors[src].shape, split=True)
        return copy_emission(g, op, ctx, (src,), op.outputs, boxes)


class Split(_SplitBase):
    kind = OpKind.SPLIT
    summary = "split an int8 tensor into equal parts along one axis (bytes copied unchanged)"
    rules = (
        arity((2, 2), (1, 0)),
        const_int_input(0, "the axis"),
        int8_data((1,)),
        _split_shapes,
    )


class SplitV(_SplitBase):
    kind = OpKind.SPLIT_V
    summary = "split an int8 tensor into parts of given sizes along one axis (bytes copied " \
        "unchanged)"
    rules = (
        arity((3, 3), (1, 0)),
        const_int_input(2, "the axis"),
        int8_data((0,)),
        _split_shapes,
    )


# ---- UNPACK ------------------------------------------------------------------------------


def _unpack_shapes(g: Graph, op: Op) -> str | None:
    """the axis is in [-rank, rank); num equals the number of outputs and the input's
    size along the axis; every output has the input's shape without that axis"""
    a = op.attrs
    assert isinstance(a, UnpackAttrs)
    x = g.tensors[op.inputs[0]].shape
    axis = normalize_axis(a.axis, len(x))
    if axis is None:
        return f"axis {a.axis} is out of range for rank {len(x)}"
    if not a.num == len(op.outputs) == x[axis]:
        return (f"num is {a.num}, with {len(op.outputs)} outputs and size {x[axis]} along "
                f"axis {axis}")
    expected = x[:axis] + x[axis + 1:]
    for j, t in enumerate(op.outputs):
        if g.tensors[t].shape != expected:
            return f"output {j} has shape {list(g.tensors[t].shape)}, expected {list(expected)}"
    return None


class Unpack(OpDef):
    kind = OpKind.UNPACK
    summary = "split an int8 tensor into its slices along one axis (bytes copied unchanged)"
    rules = (
        arity((1, 1), (1, 0)),
        int8_data((0,)),
        _unpack_shapes,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return UnpackAttrs(num=opt_int(options, "num"), axis=opt_int(options, "axis"))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        assert isinstance(op.attrs, UnpackAttrs)
        x = g.tensors[op.inputs[0]].shape
        axis = normalize_axis(op.attrs.axis, len(x))
        assert axis is not None
        part = x[:axis] + (1,) + x[axis + 1:]
        boxes = axis_boxes([part] * len(op.outputs), axis, x, split=True)
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs, boxes)
