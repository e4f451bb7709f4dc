"""Data movement as box copies: the plans the ``copy_s8`` kernel runs.

An op that only moves int8 values (TRANSPOSE, SLICE, CONCATENATION, PAD, ...)
is described as an optional fill plus a list of boxes. A box copies, for every
index ``i`` of ``dims`` in row-major order,
``dst[dst_offset + i . dst_strides] = src[src_offset + i . src_strides]``
(element offsets into one of the op's source or destination tensors). The
generator derives the boxes from the TFLite reference routine's loops, drops
size-1 dimensions and merges dimensions that are contiguous in both tensors,
so the kernel mostly runs ``memcpy`` over long rows; the tables hold strides,
never one entry per element.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op
from .base import CArray, Emission, EmitContext, Rule, inp

#: The kernel's largest box rank (MCU_COPY_MAX_DIMS in mcu_nn_types.h).
MAX_DIMS = 6


@dataclass(frozen=True)
class Box:
    """One strided box copy (see the module docstring)."""

    src: int  # position in the op's source tensors
    src_offset: int
    dst: int  # position in the op's destination tensors
    dst_offset: int
    dims: tuple[int, ...]
    src_strides: tuple[int, ...]
    dst_strides: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return any(d <= 0 for d in self.dims)


def row_major(shape: Sequence[int]) -> tuple[int, ...]:
    """Element strides of a dense row-major tensor of ``shape``."""
    strides, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = step
        step *= max(int(shape[i]), 1)
    return tuple(strides)


def simplify(box: Box) -> Box:
    """The same copy with size-1 dimensions dropped and contiguous neighbours merged."""
    if box.empty:
        return Box(box.src, 0, box.dst, 0, (0,), (0,), (0,))
    kept = [(d, s, t) for d, s, t in zip(box.dims, box.src_strides, box.dst_strides,
                                         strict=True) if d != 1]
    merged: list[tuple[int, int, int]] = []
    for d, s, t in kept:
        if merged:
            pd, ps, pt = merged[-1]
            if ps == s * d and pt == t * d:
                merged[-1] = (pd * d, s, t)
                continue
        merged.append((d, s, t))
    if not merged:
        merged = [(1, 1, 1)]
    dims, ss, ds = (tuple(x) for x in zip(*merged, strict=True))
    return Box(box.src, box.src_offset, box.dst, box.dst_offset, dims, ss, ds)


def _span(offset: int, dims: Sequence[int], strides: Sequence[int]) -> tuple[int, int]:
    lo = hi = offset
    for d, s in zip(dims, strides, strict=True):
        lo += min(0, (d - 1) * s)
        hi += max(0, (d - 1) * s)
    return lo, hi


def check_bounds(boxes: Sequence[Box], src_sizes: Sequence[int],
                 dst_sizes: Sequence[int]) -> None:
    """Every element a box touches lies inside its tensor (a generator bug otherwise)."""
    for b in boxes:
        if b.empty:
            continue
        lo, hi = _span(b.src_offset, b.dims, b.src_strides)
        if not (lo >= 0 and hi < src_sizes[b.src]):
            raise AssertionError(f"box reads [{lo}, {hi}] of a {src_sizes[b.src]}-element source")
        lo, hi = _span(b.dst_offset, b.dims, b.dst_strides)
        if not (lo >= 0 and hi < dst_sizes[b.dst]):
            raise AssertionError(f"box writes [{lo}, {hi}] of a {dst_sizes[b.dst]}-element "
                                 "destination")


def copy_emission(g: Graph, op: Op, ctx: EmitContext, srcs: Sequence[int], dsts: Sequence[int],
                  boxes: Sequence[Box], fill: int | None = None) -> Emission:
    """The ``mcu_copy_s8`` call running ``boxes`` from tensors ``srcs`` into ``dsts``;
    with ``fill``, every byte of ``dsts[0]`` is first set to that int8 value."""
    simple = [simplify(b) for b in boxes]
    simple = [b for b in simple if not b.empty]
    check_bounds(simple, [g.tensors[t].size for t in srcs], [g.tensors[t].size for t in dsts])
    rank = max([len(b.dims) for b in simple] or [1])
    if rank > MAX_DIMS:
        raise AssertionError(f"a box of rank {rank} (the kernel takes {MAX_DIMS})")
    table: list[int] = []
    for b in simple:
        pad = rank - len(b.dims)
        table += [b.src, b.src_offset, b.dst, b.dst_offset]
        table += [1] * pad + list(b.dims)
        table += [0] * pad + list(b.src_strides)
        table += [0] * pad + list(b.dst_strides)
    params = ctx.symbol(op, "params")
    arrays: tuple[CArray, ...] = ()
    boxes_expr = "NULL"
    if table:
        boxes_name = ctx.symbol(op, "boxes")
        arrays = (CArray(boxes_name, "int32_t", tuple(table)),)
        boxes_expr = boxes_name
    fill_bytes = g.tensors[dsts[0]].size if fill is not None else 0
    fields: tuple[tuple[str, int | str], ...] = (
        ("rank", rank),
        ("num_boxes", len(simple)),
        ("boxes", boxes_expr),
        ("fill_bytes", fill_bytes),
        ("fill_value", fill if fill is not None else 0),
    )
    src_list = ", ".join(ctx.cptr(t) for t in srcs)
    dst_list = ", ".join(ctx.ptr(t) for t in dsts)
    call = (f"mcu_copy_s8(&{params}, (const int8_t *const[]){{{src_list}}}, "
            f"(int8_t *const[]){{{dst_list}}});")
    return Emission(kernels=("copy_s8",), call=call, params_type="mcu_copy_params_t",
                    params_name=params, params=fields, arrays=arrays)


def axis_boxes(shapes: Sequence[Sequence[int]], axis: int, joined: Sequence[int],
               split: bool) -> list[Box]:
    """Boxes joining tensors of ``shapes`` along ``axis`` into one tensor of shape
    ``joined`` (CONCATENATION, PACK after a reshape), or splitting it into them
    (SPLIT, SPLIT_V, UNPACK) when ``split``. Part k covers ``shapes[k][axis]``
    consecutive positions of the axis, after parts 0..k-1."""
    outer = math.prod(joined[:axis])
    inner = math.prod(joined[axis + 1:])
    total = joined[axis] * inner
    boxes, start = [], 0
    for k, shape in enumerate(shapes):
        chunk = shape[axis] * inner
        if split:
            boxes.append(Box(0, start * inner, k, 0, (outer, chunk), (total, 1), (chunk, 1)))
        else:
            boxes.append(Box(k, 0, 0, start * inner, (outer, chunk), (chunk, 1), (total, 1)))
        start += shape[axis]
    return boxes


def normalize_axis(axis: int, rank: int) -> int | None:
    """``axis`` in [0, rank) after adding ``rank`` to a negative one, else None."""
    a = axis + rank if axis < 0 else axis
    return a if 0 <= a < rank else None


# ---- support rules shared by the data-movement ops ---------------------------------------


def _doc(text: str) -> Callable[[Rule], Rule]:
    def wrap(fn: Rule) -> Rule:
        fn.__doc__ = text
        return fn

    return wrap


def arity(inputs: tuple[int, int], outputs: tuple[int, int] = (1, 1)) -> Rule:
    """The op has inputs[0]..inputs[1] inputs and outputs[0]..outputs[1] outputs
    (an upper bound of 0 means no limit)."""

    def count(lo: int, hi: int, what: str) -> str:
        if hi == 0:
            return f"at least {lo} {what}{'s' if lo != 1 else ''}"
        if lo == hi:
            return f"{lo} {what}{'s' if lo != 1 else ''}"
        return f"{lo} to {hi} {what}s"

    text = f"takes {count(*inputs, 'input')} and has {count(*outputs, 'output')}"

    @_doc(text)
    def rule(g: Graph, op: Op) -> str | None:
        for n, (lo, hi), what in ((len(op.inputs), inputs, "inputs"),
                                  (len(op.outputs), outputs, "outputs")):
            if n < lo or (hi and n > hi):
                return f"has {n} {what}, expected {count(lo, hi, what[:-1])}"
        if any(t < 0 for t in op.outputs):
            return "an output is missing"
        return None

    return rule


def int8_data(inputs: Sequence[int] | None = (0,)) -> Rule:
    """The listed inputs (None: all of them) and every output are int8 with per-tensor
    quantization."""
    which = "every input" if inputs is None else \
        " and ".join(f"input {i}" for i in inputs)

    @_doc(f"{which} and every output are int8 with per-tensor quantization")
    def rule(g: Graph, op: Op) -> str | None:
        positions = range(len(op.inputs)) if inputs is None else inputs
        tensors = [(f"input {i}", op.inputs[i]) for i in positions]
        tensors += [(f"output {j}", t) for j, t in enumerate(op.outputs)]
        for name, idx in tensors:
            if idx < 0:
                return f"{name} is missing"
            t = g.tensors[idx]
            if t.dtype is not DType.INT8:
                return f"{name} is {t.dtype.label}, expected int8"
            if t.quant is None:
                return f"{name} is int8 without quantization parameters"
            if t.quant.per_channel:
                return f"{name} has per-channel quantization"
            if t.quant.scale <= 0:
                return f"{name} has a quantization scale of 0"
        return None

    return rule


def const_ints(g: Graph, op: Op, i: int, dtypes: Sequence[DType] = (DType.INT32,)
               ) -> np.ndarray | None:
    """Input ``i``'s values as int64 when it is a constant of one of ``dtypes``."""
    t = inp(g, op, i)
    if t is None or t.data is None or t.dtype not in dtypes:
        return None
    return t.data.astype(np.int64)


def const_int_input(i: int, what: str, int64: bool = False) -> Rule:
    """Input ``i`` is a constant int32 (or int64) tensor."""
    names = "int32 or int64" if int64 else "int32"
    dtypes = (DType.INT32, DType.INT64) if int64 else (DType.INT32,)

    @_doc(f"input {i} ({what}) is a constant {names} tensor")
    def rule(g: Graph, op: Op) -> str | None:
        t = inp(g, op, i)
        if t is None:
            return f"input {i} ({what}) is missing"
        if t.data is None:
            return f"input {i} ({what}) must be a constant tensor"
        if t.dtype not in dtypes:
            return f"input {i} ({what}) is {t.dtype.label}, expected {names}"
        return None

    return rule
