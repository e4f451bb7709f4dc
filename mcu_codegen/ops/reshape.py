"""RESHAPE, SQUEEZE and EXPAND_DIMS: the same bytes under a new shape.

The planner gives the output the input's storage, so these ops cost nothing;
only when that is impossible (e.g. a graph input reshaped straight into a graph
output) does the generated code copy the bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import rules
from .base import Emission, EmitContext, OpDef, out


@dataclass(frozen=True)
class ReshapeAttrs(OpAttrs):
    """No attributes matter: the output tensor's shape is authoritative."""


def _dtype_rule(g: Graph, op: Op) -> str | None:
    """input and output have the same element type and quantization"""
    x, o = g.tensors[op.inputs[0]], out(g, op)
    if x.dtype != o.dtype:
        return f"input is {x.dtype.label}, output {o.dtype.label}"
    if x.quant is not None and o.quant is not None and (
        (x.quant.scales, x.quant.zero_points) != (o.quant.scales, o.quant.zero_points)
    ):
        return "input and output quantization differ"
    return None


class _Reshape(OpDef):
    rules = (
        rules.n_inputs(1, 2),
        rules.io_dtype("input", 0, DType.INT8, DType.INT16, DType.INT32, DType.FLOAT32),
        rules.same_size(),
        _dtype_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return ReshapeAttrs()

    def aliases_input(self) -> bool:
        return True

    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        x = g.tensors[op.inputs[0]]
        if x.data is None or len(op.outputs) != 1 or x.size != out(g, op).size:
            return None  # not checked yet: the rules will say what is wrong
        return [x.data.reshape(out(g, op).shape)]

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        if ctx.same_storage(op.inputs[0], op.outputs[0]):
            return Emission(kernels=(), call="/* same bytes as its input: nothing to do */")
        src, dst = ctx.cptr(op.inputs[0]), ctx.ptr(op.outputs[0])
        call = f"memcpy({dst}, {src}, {out(g, op).nbytes});"
        return Emission(kernels=(), call=call)


class Reshape(_Reshape):
    kind = OpKind.RESHAPE
    summary = "new shape, same bytes (no copy)"


class Squeeze(_Reshape):
    kind = OpKind.SQUEEZE
    summary = "drop dimensions of size 1 (no copy)"


class ExpandDims(_Reshape):
    kind = OpKind.EXPAND_DIMS
    summary = "insert a dimension of size 1 (no copy)"
