"""IR + arena plan -> the data the templates render (all arithmetic happens here)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, Tensor
from ..ops import simd
from ..ops.base import Emission
from ..planner import ArenaPlan, Place
from .cformat import c_array_body, c_comment_text, c_float_decimal, c_int

#: Headers every generated library needs beside the kernels it uses.
COMMON_HEADERS = ("mcu_nn_types.h", "mcu_requant.h")


@dataclass(frozen=True)
class WeightArray:
    name: str
    ctype: str
    length: int
    body: str
    comment: str


@dataclass(frozen=True)
class RenderedOp:
    index: int
    comment: str
    arrays: tuple[tuple[str, str, int, str], ...]  # (ctype, name, length, body)
    params_type: str
    params_name: str
    params: tuple[tuple[str, str], ...]
    call: str


@dataclass(frozen=True)
class IoInfo:
    index: int
    name: str
    ctype: str
    dtype: str
    shape: tuple[int, ...]
    nbytes: int
    scale: float
    zero_point: int

    @property
    def shape_c(self) -> str:
        return "{" + ", ".join(str(d) for d in self.shape) + "}"

    @property
    def scale_c(self) -> str:
        return c_float_decimal(self.scale)


class Emitter:
    """Implements ops.base.EmitContext over one graph and plan."""

    def __init__(self, g: Graph, plan: ArenaPlan, prefix: str, isa: str = "portable") -> None:
        self.g, self.plan, self.prefix, self.isa = g, plan, prefix, isa
        self.weights: dict[int, WeightArray] = {}
        self._const_arrays: dict[tuple[str, str, bytes], str] = {}

    def _storage(self, t: Tensor) -> str:
        if t.is_const:
            return self.weight(t)
        buf = self.plan.buffer_of(t.index)
        if buf is None:
            raise AssertionError(f"tensor {t.index} has no storage")
        if buf.place is Place.INPUT:
            return f"inputs[{buf.io_index}]"
        if buf.place is Place.OUTPUT:
            return f"outputs[{buf.io_index}]"
        if buf.place is Place.STATE:
            return f"({self.prefix}_state + {self.plan.state_offsets[buf.id]})"
        return f"(arena + {self.plan.offsets[buf.id]})"

    def ptr(self, tensor: int) -> str:
        t = self.g.tensors[tensor]
        return f"(({t.dtype.ctype} *){self._storage(t)})"

    def cptr(self, tensor: int) -> str:
        t = self.g.tensors[tensor]
        return f"((const {t.dtype.ctype} *){self._storage(t)})"

    def same_storage(self, a: int, b: int) -> bool:
        ta, tb = self.g.tensors[a], self.g.tensors[b]
        return not ta.is_const and self._storage(ta) == self._storage(tb)

    def symbol(self, op: Op, what: str) -> str:
        return f"op{op.index}_{what}"

    def has_scratch(self, op: Op) -> bool:
        return self.scratch_size(op) > 0

    def scratch_size(self, op: Op) -> int:
        pos = next((p for p, o in enumerate(self.g.ops) if o == op), None)
        buf = self.plan.scratch_of(pos) if pos is not None else None
        return 0 if buf is None else buf.nbytes

    def scratch(self, op: Op) -> str:
        pos = next((p for p, o in enumerate(self.g.ops) if o == op), None)
        buf = self.plan.scratch_of(pos) if pos is not None else None
        if buf is None:
            raise AssertionError(f"{op.describe()} has no planned scratch memory "
                                 "(its scratch_bytes is 0)")
        return f"(arena + {self.plan.offsets[buf.id]})"

    def const_array(self, op: Op, what: str, ctype: str, values: np.ndarray) -> str:
        flat = np.ascontiguousarray(values).reshape(-1)
        key = (ctype, flat.dtype.str, flat.tobytes())
        if key not in self._const_arrays:
            # keys after every tensor index: emitted after the model's own weights
            index = len(self.g.tensors) + len(self._const_arrays)
            name = f"{self.prefix}_op{op.index}_{what}"
            self.weights[index] = WeightArray(
                name=name, ctype=ctype, length=max(flat.size, 1),
                body=c_array_body(flat if flat.size else [0]),
                comment=f"op {op.index} {c_comment_text(what)}: derived at build time",
            )
            self._const_arrays[key] = name
        return self._const_arrays[key]

    def weight(self, t: Tensor) -> str:
        if t.index not in self.weights:
            assert t.data is not None
            name = f"{self.prefix}_w{t.index}"
            self.weights[t.index] = WeightArray(
                name=name,
                ctype=t.dtype.ctype,
                length=max(t.size, 1),
                body=c_array_body(t.data if t.size else [0]),
                comment=f"tensor {t.index} {c_comment_text(t.name)} {list(t.shape)}",
            )
        return self.weights[t.index].name


def _param_value(v: int | float | str) -> str:
    return c_int(v) if isinstance(v, int) else str(v)


def render_op(op: Op, e: Emission, g: Graph) -> RenderedOp:
    outs = ", ".join(c_comment_text(g.tensors[t].name, 60) for t in op.outputs)
    return RenderedOp(
        index=op.index,
        comment=f"op {op.index}: {op.kind.value} -> {outs}",
        arrays=tuple(
            (a.ctype, a.name, len(a.values), c_array_body(list(a.values))) for a in e.arrays
        ),
        params_type=e.params_type,
        params_name=e.params_name,
        params=tuple((k, _param_value(v)) for k, v in e.params),
        call=e.call,
    )


def io_info(g: Graph, indices: tuple[int, ...]) -> list[IoInfo]:
    result = []
    for i, t_idx in enumerate(indices):
        t = g.tensors[t_idx]
        result.append(
            IoInfo(
                index=i,
                name=c_comment_text(t.name),
                ctype=t.dtype.ctype,
                dtype=t.dtype.label,
                shape=t.shape,
                nbytes=t.nbytes,
                scale=t.quant.scale if t.quant and t.dtype is not DType.FLOAT32 else 0.0,
                zero_point=t.quant.zero_point if t.quant and t.dtype is not DType.FLOAT32 else 0,
            )
        )
    return result


def output_copies(g: Graph, em: Emitter) -> list[str]:
    """Graph outputs whose bytes are not produced in the caller's output buffer
    (an output that is also an input, or listed twice) are copied at the end."""
    copies = []
    for j, t_idx in enumerate(g.outputs):
        t = g.tensors[t_idx]
        src = em.cptr(t_idx)
        if f"outputs[{j}]" not in src:
            copies.append(f"memcpy(outputs[{j}], {src}, {t.nbytes});")
    return copies


def emit_ops(g: Graph, plan: ArenaPlan, em: Emitter) -> tuple[list[RenderedOp], list[str]]:
    ops, kernels = [], []
    for op_pos in plan.order:
        op = g.ops[op_pos]
        e = simd.emit(g, op, em, em.isa)
        for k in e.kernels:
            if k not in kernels:
                kernels.append(k)
        ops.append(render_op(op, e, g))
    return ops, sorted(kernels)


@dataclass(frozen=True)
class StateReset:
    """One variable tensor's bytes in the state area and the byte it resets to
    (TFLite Micro resets int8 variables to their zero point, others to 0)."""

    offset: int
    nbytes: int
    value: int
    comment: str


def state_resets(g: Graph, plan: ArenaPlan) -> list[StateReset]:
    resets = []
    for b in plan.buffers:
        if b.place is not Place.STATE:
            continue
        var = next(t for t in b.tensors if g.tensors[t].is_variable)
        t = g.tensors[var]
        value = t.quant.zero_point if t.dtype is DType.INT8 and t.quant else 0
        resets.append(StateReset(plan.state_offsets[b.id], b.nbytes, value,
                                 f"tensor {var} {c_comment_text(t.name)}"))
    return resets
