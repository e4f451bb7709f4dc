"""What every broadcasting binary int8 op shares: the walk geometry, the shape
rule, the in-place rule and the emitter skeleton (kernels in ``runtime_c/`` call
``mcu_broadcast_s8`` with a row function).

TFLite Micro walks any broadcast with ``BroadcastBinaryOpSimple``
(reference/broadcast_loop.h, up to 6 dimensions in TFLite Micro's RuntimeShape)
and applies a pure per-element function, so the order of the walk does not
change a single output byte; the generator collapses the shapes into at most
six loops whose innermost one is as long as possible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..ir import Graph, Op
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, inp, out
from .common import SUPPORTED_ACTIVATIONS, activation

MAX_DIMS = 6


@dataclass(frozen=True)
class FusedActivationAttrs(OpAttrs):
    activation: str


def parse_activation(options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
    return FusedActivationAttrs(activation=activation(options))


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """numpy / TFLite broadcasting of two shapes, or None when they do not broadcast."""
    n = max(len(a), len(b))
    a1, b1 = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    result = []
    for x, y in zip(a1, b1, strict=True):
        if x != y and 1 not in (x, y):
            return None
        result.append(y if x == 1 else x)
    return tuple(result)


@dataclass(frozen=True)
class Geometry:
    """The output as ``dims`` (6 loops, outermost first) with the element strides of
    each input along them (0 where that input is broadcast)."""

    dims: tuple[int, ...]
    strides1: tuple[int, ...]
    strides2: tuple[int, ...]

    def fields(self) -> dict[str, str]:
        """The initializers of mcu_broadcast_t's fields."""
        def c(v: tuple[int, ...]) -> str:
            return "{" + ", ".join(map(str, v)) + "}"
        return {"out_dims": c(self.dims), "in1_strides": c(self.strides1),
                "in2_strides": c(self.strides2)}

    def initializer(self) -> str:
        """A C initializer of an mcu_broadcast_t (nested in a params struct)."""
        fields = "".join(f"\n        .{k} = {v}," for k, v in self.fields().items())
        return "{" + fields + "\n    }"


def geometry(s1: tuple[int, ...], s2: tuple[int, ...], out_shape: tuple[int, ...]) -> Geometry:
    """Collapse the broadcast of ``s1`` and ``s2`` to ``out_shape``: size-1 output
    dimensions vanish, and neighbours along which each input is either whole or
    broadcast in both merge into one loop."""
    n = len(out_shape)
    p1, p2 = (1,) * (n - len(s1)) + s1, (1,) * (n - len(s2)) + s2
    merged: list[tuple[int, bool, bool]] = []  # (size, input1 whole, input2 whole)
    for o, a, b in zip(out_shape, p1, p2, strict=True):
        if o == 1:
            continue
        pattern = (a == o, b == o)
        if merged and merged[-1][1:] == pattern:
            merged[-1] = (merged[-1][0] * o, *pattern)
        else:
            merged.append((o, *pattern))
    if len(merged) > MAX_DIMS:
        raise ValueError(f"{len(merged)} broadcast dimensions, at most {MAX_DIMS}")
    merged = [(1, False, False)] * (MAX_DIMS - len(merged)) + merged

    def strides(which: int) -> tuple[int, ...]:
        result, step = [0] * MAX_DIMS, 1
        for i in range(MAX_DIMS - 1, -1, -1):
            size, whole = merged[i][0], merged[i][which]
            if whole:
                result[i] = step
                step *= size
        return tuple(result)

    return Geometry(tuple(m[0] for m in merged), strides(1), strides(2))


def op_geometry(g: Graph, op: Op) -> Geometry:
    return geometry(g.tensors[op.inputs[0]].shape, g.tensors[op.inputs[1]].shape,
                    out(g, op).shape)


def broadcast_rule(g: Graph, op: Op) -> str | None:
    """the two input shapes broadcast to the output shape (at most 6 dimensions)"""
    s1, s2 = g.tensors[op.inputs[0]].shape, g.tensors[op.inputs[1]].shape
    o = out(g, op)
    if broadcast_shape(s1, s2) != o.shape:
        return f"shapes {list(s1)} and {list(s2)} do not broadcast to {list(o.shape)}"
    if len(o.shape) > MAX_DIMS or max(len(s1), len(s2)) > MAX_DIMS:
        return f"more than {MAX_DIMS} dimensions"
    return None


def activation_rule(g: Graph, op: Op) -> str | None:
    """the fused activation is NONE, RELU, RELU6 or RELU_N1_TO_1"""
    a = op.attrs
    assert isinstance(a, FusedActivationAttrs)
    if a.activation not in SUPPORTED_ACTIVATIONS:
        return f"fused activation {a.activation}"
    return None


class BroadcastBinaryOp(OpDef):
    """An int8 op ``out = f(in1, in2)`` with broadcasting, run by ``<kernel>`` through
    ``broadcast_s8``; subclasses give the kernel and the per-op constants."""

    kernel: ClassVar[str]
    function: ClassVar[str]
    params_type: ClassVar[str]

    def constants(self, g: Graph, op: Op) -> dict[str, int]:
        """The params struct's fields after ``bcast`` (TFLM's Prepare arithmetic)."""
        raise NotImplementedError

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        """An input with the output's own shape is read at element i just before output
        element i is written (the walk's row function reads then writes)."""
        o = out(g, op)
        return tuple(i for i in (0, 1) if (t := inp(g, op, i)) is not None and t.shape == o.shape)

    def fields(self, g: Graph, op: Op) -> dict[str, int | str]:
        return {"bcast": op_geometry(g, op).initializer(), **self.constants(g, op)}

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        params = ctx.symbol(op, "params")
        call = (f"{self.function}(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.cptr(op.inputs[1])}, {ctx.ptr(op.outputs[0])});")
        return Emission(
            kernels=(self.kernel, "broadcast_s8"),
            call=call,
            params_type=self.params_type,
            params_name=params,
            params=tuple(self.fields(g, op).items()),
        )
