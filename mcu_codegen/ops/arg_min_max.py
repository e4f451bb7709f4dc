"""ARG_MAX and ARG_MIN (int8 input, int32 output, one constant axis).

TFLite Micro supports only an int32 axis and an int32 output here; an int64
output (the converter's default for tf.argmax) fails in its Eval, so it is
refused at build time rather than given semantics of our own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import rules
from .base import Emission, EmitContext, OpDef, inp, out
from .quantize import NoAttrs


def _axis(g: Graph, op: Op) -> int:
    """The resolved axis: TFLite reads only the first value of the axis tensor."""
    x, axis = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]]
    assert axis.data is not None
    a = int(axis.data.reshape(-1)[0])
    return a + len(x.shape) if a < 0 else a


def _shape_rule(g: Graph, op: Op) -> str | None:
    """the axis input is a constant int32 tensor whose first value is in [-rank, rank);
    the input has at least one dimension and no empty one; the output holds the input's
    shape without the axis"""
    x, axis, o = inp(g, op, 0), inp(g, op, 1), out(g, op)
    if x is None:
        return None  # reported by the dtype rule
    if axis is None or axis.data is None or axis.dtype is not DType.INT32 or axis.size < 1:
        return "the axis input must be a constant int32 tensor"
    if not x.shape or x.size == 0:
        return f"input shape {list(x.shape)} is not supported (at least 1-D, none empty)"
    a = _axis(g, op)
    if not 0 <= a < len(x.shape):
        return f"axis {int(axis.data.reshape(-1)[0])} is out of range"
    want = x.shape[:a] + x.shape[a + 1:]
    if o.size != x.size // x.shape[a]:
        return f"output shape {list(o.shape)} does not hold the expected {list(want)}"
    return None


def _output_type_rule(g: Graph, op: Op) -> str | None:
    """the output is int32 (TFLite Micro has no int64 output for this op)"""
    o = out(g, op)
    if o.dtype is not DType.INT32:
        return f"output is {o.dtype.label}: TFLite Micro supports only an int32 output"
    return None


class _ArgMinMax(OpDef):
    is_max = 1
    rules = (
        rules.n_inputs(2, 2),
        rules.io_dtype("input", 0, DType.INT8),
        _output_type_rule,
        _shape_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()  # output_type only repeats the output tensor's type

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x = g.tensors[op.inputs[0]]
        a = _axis(g, op)
        outer = inner = 1
        for d in x.shape[:a]:
            outer *= d
        for d in x.shape[a + 1:]:
            inner *= d
        fields = {"outer": outer, "axis_size": x.shape[a], "inner": inner,
                  "is_max": self.is_max}
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("arg_min_max_s8",),
            call=f"mcu_arg_min_max_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                 f"{ctx.ptr(op.outputs[0])});",
            params_type="mcu_arg_min_max_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


class ArgMax(_ArgMinMax):
    kind = OpKind.ARG_MAX
    summary = "index of the largest value along one axis (first one on ties), int32 output"
    is_max = 1


class ArgMin(_ArgMinMax):
    kind = OpKind.ARG_MIN
    summary = "index of the smallest value along one axis (first one on ties), int32 output"
    is_max = 0
