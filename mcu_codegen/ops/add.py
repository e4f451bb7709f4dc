"""ADD (int8, each input with its own scale and zero point, broadcasting)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import fixedpoint, quant, rules
from .base import Emission, EmitContext, OpDef, out
from .common import SUPPORTED_ACTIVATIONS, activation

MAX_DIMS = 6
#: Output elements from which the kernel reads each input's scaled value from a 256-entry
#: int32 table built here (2 KB of flash) instead of computing it.
TABLE_MIN_ELEMENTS = 1024


def scaled_table(offset: int, left_shift: int, multiplier: int, shift: int) -> np.ndarray:
    """The first half of TFLite's AddFunc for every int8 value v (index v + 128):
    MultiplyByQuantizedMultiplierSmallerThanOneExp((v + offset) * 2^left_shift,
    multiplier, shift), shift <= 0."""
    return np.array([
        fixedpoint.rdbp(fixedpoint.srdhm(fixedpoint.wrap32((v + offset) << left_shift),
                                         multiplier), -shift)
        for v in range(-128, 128)
    ], dtype=np.int32)


@dataclass(frozen=True)
class AddAttrs(OpAttrs):
    activation: str


def _broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    n = max(len(a), len(b))
    a1, b1 = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    result = []
    for x, y in zip(a1, b1, strict=True):
        if x != y and 1 not in (x, y):
            return None
        result.append(y if x == 1 else x)
    return tuple(result)


def _strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[int]:
    """Element strides of ``shape`` walked in ``out_shape``'s index space (0 = broadcast)."""
    padded = (1,) * (len(out_shape) - len(shape)) + shape
    strides, step = [0] * len(padded), 1
    for i in range(len(padded) - 1, -1, -1):
        strides[i] = step if padded[i] != 1 else 0
        step *= padded[i]
    return strides


def _rule(g: Graph, op: Op) -> str | None:
    """input shapes broadcast to the output shape (at most 6 dimensions); the fused
    activation is NONE, RELU, RELU6 or RELU_N1_TO_1"""
    a = op.attrs
    assert isinstance(a, AddAttrs)
    if a.activation not in SUPPORTED_ACTIVATIONS:
        return f"fused activation {a.activation}"
    s1, s2 = g.tensors[op.inputs[0]].shape, g.tensors[op.inputs[1]].shape
    o = out(g, op)
    bshape = _broadcast_shape(s1, s2)
    if bshape is None or bshape != o.shape:
        return f"shapes {list(s1)} and {list(s2)} do not broadcast to {list(o.shape)}"
    if len(o.shape) > MAX_DIMS:
        return f"output has {len(o.shape)} dimensions, at most {MAX_DIMS} are supported"
    return None


class Add(OpDef):
    kind = OpKind.ADD
    takes_fused_activation = True
    summary = "element-wise addition with TFLite broadcasting and fused activation"
    rules = (
        rules.n_inputs(2, 2),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("input", 1, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return AddAttrs(activation=activation(options))

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        """An input with the output's own shape is read element by element just before
        the same element of the output is written."""
        o = out(g, op)
        return tuple(i for i in (0, 1) if g.tensors[op.inputs[i]].shape == o.shape)

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        t1, t2, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert t1.quant and t2.quant and o.quant and isinstance(op.attrs, AddAttrs)
        shape = (1,) * (MAX_DIMS - len(o.shape)) + o.shape
        broadcast = t1.shape != t2.shape
        act_min, act_max = quant.activation_range(op.attrs.activation, o.quant)
        q = quant.add_params(t1.quant, t2.quant, o.quant)
        fields: dict[str, int | str] = {
            "size": o.size,
            "broadcast": int(broadcast),
            "out_dims": "{" + ", ".join(str(d) for d in shape) + "}",
            "in1_strides": "{" + ", ".join(map(str, _strides(t1.shape, shape))) + "}",
            "in2_strides": "{" + ", ".join(map(str, _strides(t2.shape, shape))) + "}",
            "left_shift": q["left_shift"],
            "input1_offset": q["input1_offset"],
            "input1_multiplier": q["input1_multiplier"],
            "input1_shift": q["input1_shift"],
            "input2_offset": q["input2_offset"],
            "input2_multiplier": q["input2_multiplier"],
            "input2_shift": q["input2_shift"],
            "output_offset": q["output_offset"],
            "output_multiplier": q["output_multiplier"],
            "output_shift": q["output_shift"],
            "act_min": act_min,
            "act_max": act_max,
        }
        params = ctx.symbol(op, "params")
        tables = "NULL"
        shifts = (q["input1_shift"], q["input2_shift"])
        if o.size >= TABLE_MIN_ELEMENTS and all(-31 <= s <= 0 for s in shifts):
            tables = ctx.const_array(op, "scaled", "int32_t", np.concatenate([
                scaled_table(q["input1_offset"], q["left_shift"], q["input1_multiplier"],
                              q["input1_shift"]),
                scaled_table(q["input2_offset"], q["left_shift"], q["input2_multiplier"],
                              q["input2_shift"]),
            ]))
        call = (
            f"mcu_add_s8(&{params}, {ctx.cptr(op.inputs[0])}, {ctx.cptr(op.inputs[1])}, "
            f"{ctx.ptr(op.outputs[0])}, {tables});"
        )
        return Emission(
            kernels=("add_s8",),
            call=call,
            params_type="mcu_add_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
