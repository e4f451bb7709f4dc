"""Reusable support rules. Each returns a rule whose docstring is the user-facing text."""

from __future__ import annotations

from collections.abc import Callable

from ..ir import DType, Graph, Op
from .base import Rule, inp, out


def _rule(doc: str) -> Callable[[Rule], Rule]:
    def wrap(fn: Rule) -> Rule:
        fn.__doc__ = doc
        return fn

    return wrap


def io_dtype(position: str, index: int, *dtypes: DType) -> Rule:
    """The op's input or output ``index`` has one of ``dtypes`` and, if int8, quantization."""
    names = " or ".join(d.label for d in dtypes)

    @_rule(f"{position} {index} is {names}")
    def rule(g: Graph, op: Op) -> str | None:
        t = inp(g, op, index) if position == "input" else out(g, op, index)
        if t is None:
            return f"{position} {index} is missing"
        if t.dtype not in dtypes:
            return f"{position} {index} is {t.dtype.label}, expected {names}"
        if t.dtype in (DType.INT8, DType.INT16) and t.quant is None:
            return f"{position} {index} is {t.dtype.label} without quantization parameters"
        if t.dtype in (DType.INT8, DType.INT16) and t.quant and min(t.quant.scales) <= 0:
            return f"{position} {index} has a quantization scale of 0"
        per_channel = t.dtype is DType.INT8 and t.quant is not None and t.quant.per_channel
        if per_channel and (position == "output" or index == 0):
            return f"{position} {index} has per-channel quantization"
        return None

    return rule


def const_input(index: int, *dtypes: DType, optional: bool = False) -> Rule:
    """Input ``index`` is a constant tensor of one of ``dtypes``."""
    names = " or ".join(d.label for d in dtypes)
    what = "if present, " if optional else ""

    @_rule(f"input {index} ({what}constant) is {names}")
    def rule(g: Graph, op: Op) -> str | None:
        t = inp(g, op, index)
        if t is None:
            return None if optional else f"input {index} is missing"
        if not t.is_const:
            return f"input {index} must be a constant tensor"
        if t.dtype not in dtypes:
            return f"input {index} is {t.dtype.label}, expected {names}"
        return None

    return rule


def n_inputs(lo: int, hi: int) -> Rule:
    count = f"{lo} to {hi} inputs" if lo != hi else f"{lo} input{'s' if lo != 1 else ''}"

    @_rule(f"takes {count} and has one output")
    def rule(g: Graph, op: Op) -> str | None:
        if not lo <= len(op.inputs) <= hi:
            return f"has {len(op.inputs)} inputs, expected {lo}..{hi}"
        if len(op.outputs) != 1:
            return f"has {len(op.outputs)} outputs, expected 1"
        return None

    return rule


def rank(position: str, index: int, *ranks: int) -> Rule:
    names = " or ".join(str(r) for r in ranks)

    @_rule(f"{position} {index} has rank {names}")
    def rule(g: Graph, op: Op) -> str | None:
        t = inp(g, op, index) if position == "input" else out(g, op, index)
        if t is not None and len(t.shape) not in ranks:
            return f"{position} {index} has rank {len(t.shape)}, expected {names}"
        return None

    return rule


def same_quant(a: int = 0) -> Rule:
    @_rule("input and output have the same scale and zero point")
    def rule(g: Graph, op: Op) -> str | None:
        i, o = inp(g, op, a), out(g, op)
        if i is None or i.quant is None or o.quant is None:
            return None
        if (i.quant.scale, i.quant.zero_point) != (o.quant.scale, o.quant.zero_point):
            return "input and output quantization differ"
        return None

    return rule


def same_size() -> Rule:
    @_rule("input and output have the same number of elements")
    def rule(g: Graph, op: Op) -> str | None:
        i, o = inp(g, op, 0), out(g, op)
        if i is not None and i.size != o.size:
            return f"input has {i.size} elements, output {o.size}"
        return None

    return rule
