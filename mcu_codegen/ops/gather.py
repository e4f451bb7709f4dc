"""GATHER (int8 values, constant int32 indices): the ``gather_s8`` kernel.

TFLite Micro gathers int8 or float32 values with int32 indices only, and does
not check the indices at run time (an index outside the axis reads outside the
input). We accept constant indices, check them at build time, and let the
kernel read them straight from the model's constant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, out
from .common import opt_int
from .movement import arity, const_int_input, int8_data


@dataclass(frozen=True)
class GatherAttrs(OpAttrs):
    axis: int
    batch_dims: int


@dataclass(frozen=True)
class _Geometry:
    axis: int
    batch_dims: int
    shape: tuple[int, ...]  # the output shape TFLite Micro computes


def _geometry(g: Graph, op: Op) -> _Geometry | str:
    """TFLM GatherPrepare: normalized axis and batch_dims, and the output shape."""
    a = op.attrs
    assert isinstance(a, GatherAttrs)
    x, idx = g.tensors[op.inputs[0]].shape, g.tensors[op.inputs[1]].shape
    axis = a.axis + len(x) if a.axis < 0 else a.axis
    if not 0 <= axis < len(x):
        return f"axis {a.axis} is out of range for rank {len(x)}"
    batch_dims = a.batch_dims + len(idx) if a.batch_dims < 0 else a.batch_dims
    if not (0 <= batch_dims <= axis and batch_dims < len(x) and batch_dims <= len(idx)):
        return f"batch_dims {a.batch_dims} does not fit axis {axis} and the indices"
    if x[:batch_dims] != idx[:batch_dims]:
        return "the first batch_dims dimensions of input and indices differ"
    shape = x[:axis] + idx[batch_dims:] + x[axis + 1:]
    return _Geometry(axis, batch_dims, shape)


def _gather_rule(g: Graph, op: Op) -> str | None:
    """the axis is in [-rank, rank) and 0 <= batch_dims <= axis (negative values count
    from the end); every index lies in [0, size of the axis); the output shape is
    TFLite's: input[:axis] + indices[batch_dims:] + input[axis+1:]"""
    geo = _geometry(g, op)
    if isinstance(geo, str):
        return geo
    size = g.tensors[op.inputs[0]].shape[geo.axis]
    data = g.tensors[op.inputs[1]].data
    assert data is not None
    if data.size and (data.min() < 0 or data.max() >= size):
        return f"an index lies outside [0, {size})"
    if out(g, op).shape != geo.shape:
        return f"output shape {list(out(g, op).shape)}, expected {list(geo.shape)}"
    return None


class Gather(OpDef):
    kind = OpKind.GATHER
    summary = "take slices of an int8 tensor at constant int32 indices along one axis " \
        "(bytes copied unchanged)"
    rules = (
        arity((2, 2)),
        int8_data((0,)),
        const_int_input(1, "the indices"),
        _gather_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return GatherAttrs(axis=opt_int(options, "axis"),
                           batch_dims=opt_int(options, "batch_dims"))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        geo = _geometry(g, op)
        assert not isinstance(geo, str)
        x, idx = g.tensors[op.inputs[0]].shape, g.tensors[op.inputs[1]].shape
        fields: dict[str, int | str] = {
            "batch_size": math.prod(x[:geo.batch_dims]),
            "outer_size": math.prod(x[geo.batch_dims:geo.axis]),
            "axis_size": x[geo.axis],
            "coord_size": math.prod(idx[geo.batch_dims:]),
            "inner_size": math.prod(x[geo.axis + 1:]),
        }
        params = ctx.symbol(op, "params")
        call = (f"mcu_gather_s8(&{params}, {ctx.cptr(op.inputs[0])}, {ctx.cptr(op.inputs[1])}, "
                f"{ctx.ptr(op.outputs[0])});")
        return Emission(kernels=("gather_s8",), call=call, params_type="mcu_gather_params_t",
                        params_name=params, params=tuple(fields.items()))
