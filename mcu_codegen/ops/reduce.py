"""MEAN, SUM and REDUCE_MAX (int8, any axes, keep_dims or not).

TFLite Micro runs every int8 case through one generic routine
(reference_ops::QuantizedMeanOrSum for MEAN and SUM, ReduceGeneric for
REDUCE_MAX): there is no int8 fast path for a spatial mean in its reference
kernels, so one kernel with the 1/n folded into the multiplier reproduces all of
them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, Rule, inp, out

#: Entries of the kernel's dimension arrays (MCU_MAX_DIMS in mcu_nn_types.h).
MAX_DIMS = 6
#: Elements one output may sum: |sum - zero_point * n| <= 255 n stays below 2^31.
MAX_REDUCED = 1 << 23


@dataclass(frozen=True)
class ReducerAttrs(OpAttrs):
    keep_dims: bool


def resolve_axes(g: Graph, op: Op) -> tuple[int, ...]:
    """The constant axes, negatives resolved and duplicates dropped (TFLite's
    ResolveAxis); raises ValueError for an axis out of range."""
    x, axis = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]]
    assert axis.data is not None
    rank = len(x.shape)
    resolved: list[int] = []
    for a in (int(v) for v in axis.data.reshape(-1)):
        r = a + rank if a < 0 else a
        if not 0 <= r < rank:
            raise ValueError(f"axis {a} is out of range for rank {rank}")
        if r not in resolved:
            resolved.append(r)
    return tuple(resolved)


def _kept_shape(g: Graph, op: Op) -> tuple[int, ...]:
    x = g.tensors[op.inputs[0]]
    axes = resolve_axes(g, op)
    return tuple(d for i, d in enumerate(x.shape) if i not in axes)


def _segments(shape: Sequence[int], reduced: Sequence[bool]
              ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(dims, input element strides) of the kept and of the reduced dimensions,
    with size-1 dimensions dropped and neighbours of the same kind merged."""
    strides, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = step
        step *= shape[i]
    kept: list[tuple[int, int]] = []
    red: list[tuple[int, int]] = []
    prev_kind: bool | None = None
    for d, s, r in zip(shape, strides, reduced, strict=True):
        if d == 1:
            continue
        group = red if r else kept
        if prev_kind is r and group:
            dim, stride = group[-1]
            group[-1] = (dim * d, s)  # merging an inner neighbour: its stride, both sizes
        else:
            group.append((d, s))
        prev_kind = r
    return kept, red


def _c_list(values: Sequence[int]) -> str:
    padded = list(values) + [0] * (MAX_DIMS - len(values))
    return "{" + ", ".join(str(v) for v in padded) + "}"


def _shape_rule(g: Graph, op: Op) -> str | None:
    """the axis input is a constant int32 tensor of axes in [-rank, rank); the input has
    1 to 8 dimensions and no empty one; the output holds one value per kept position
    (with or without keep_dims); at most 8,388,608 elements reduce into one output"""
    x, axis, o = inp(g, op, 0), inp(g, op, 1), out(g, op)
    if x is None:
        return None  # reported by the dtype rule
    if axis is None or not axis.is_const or axis.dtype is not DType.INT32:
        return "the axis input must be a constant int32 tensor"
    if not 1 <= len(x.shape) <= 8 or x.size == 0:
        return f"input shape {list(x.shape)} is not supported (1 to 8 dimensions, none empty)"
    try:
        axes = resolve_axes(g, op)
    except ValueError as exc:
        return str(exc)
    kept = _kept_shape(g, op)
    n_out = 1
    for d in kept:
        n_out *= d
    if o.size != n_out:
        return f"output has {o.size} elements, expected {n_out} (shape {list(kept)})"
    reduced = 1
    for a in axes:
        reduced *= x.shape[a]
    if reduced > MAX_REDUCED:
        return f"{reduced} elements reduce into each output, at most {MAX_REDUCED} are supported"
    return None


def _params(g: Graph, op: Op) -> dict[str, int | str]:
    x = g.tensors[op.inputs[0]]
    axes = set(resolve_axes(g, op))
    kept, red = _segments(x.shape, [i in axes for i in range(len(x.shape))])
    if len(kept) > MAX_DIMS or len(red) > MAX_DIMS:
        raise ValueError("too many alternating kept and reduced dimensions")
    out_size = inner = 1
    for d, _ in kept:
        out_size *= d
    for d, _ in red:
        inner *= d
    return {
        "out_size": out_size,
        "outer_rank": len(kept),
        "outer_dims": _c_list([d for d, _ in kept]),
        "outer_strides": _c_list([s for _, s in kept]),
        "inner_rank": len(red),
        "inner_dims": _c_list([d for d, _ in red]),
        "inner_strides": _c_list([s for _, s in red]),
        "inner_size": inner,
    }


_COMMON_RULES: tuple[Rule, ...] = (
    rules.n_inputs(2, 2),
    rules.io_dtype("input", 0, DType.INT8),
    rules.io_dtype("output", 0, DType.INT8),
    _shape_rule,
)


class _Reduce(OpDef):
    function = ""

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return ReducerAttrs(keep_dims=bool(options.get("keep_dims", False)))

    def requant(self, g: Graph, op: Op, count: int) -> dict[str, int]:
        x, o = g.tensors[op.inputs[0]], out(g, op)
        assert x.quant and o.quant
        mult, shift = quant.quantize_multiplier(quant.f32(x.quant.scale) / quant.f32(o.quant.scale))
        return {"sum_offset": -x.quant.zero_point * count, "output_offset": o.quant.zero_point,
                "multiplier": mult, "shift": shift}

    def macs(self, g: Graph, op: Op) -> int:
        return g.tensors[op.inputs[0]].size

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        fields = _params(g, op)
        inner = fields["inner_size"]
        assert isinstance(inner, int)
        fields.update(self.requant(g, op, inner))
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("reduce_s8",),
            call=f"{self.function}(&{params}, {ctx.cptr(op.inputs[0])}, "
                 f"{ctx.ptr(op.outputs[0])});",
            params_type="mcu_reduce_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


class Sum(_Reduce):
    kind = OpKind.SUM
    summary = "sum over any axes, with or without keep_dims, requantized to the output"
    function = "mcu_reduce_sum_s8"
    rules = _COMMON_RULES


class Mean(_Reduce):
    kind = OpKind.MEAN
    summary = ("mean over any axes, with or without keep_dims, requantized to the output "
               "(TFLite's integer division folded into the multiplier)")
    function = "mcu_reduce_sum_s8"
    rules = _COMMON_RULES

    def requant(self, g: Graph, op: Op, count: int) -> dict[str, int]:
        x, o = g.tensors[op.inputs[0]], out(g, op)
        assert x.quant and o.quant
        mult, shift = quant.mean_multiplier(x.quant, o.quant, count)
        return {"sum_offset": -x.quant.zero_point * count, "output_offset": o.quant.zero_point,
                "multiplier": mult, "shift": shift}


def _max_quant_rule(g: Graph, op: Op) -> str | None:
    """input and output have the same scale and zero point (TFLite Micro requires it)"""
    x, o = inp(g, op, 0), out(g, op)
    if x is None or x.quant is None or o.quant is None:
        return None
    if (quant.f32(x.quant.scale), x.quant.zero_point) != (quant.f32(o.quant.scale),
                                                          o.quant.zero_point):
        return "input and output quantization differ"
    return None


class ReduceMax(_Reduce):
    kind = OpKind.REDUCE_MAX
    summary = "maximum over any axes, with or without keep_dims"
    function = "mcu_reduce_max_s8"
    rules = (*_COMMON_RULES, _max_quant_rule)

    def macs(self, g: Graph, op: Op) -> int:
        return 0

    def requant(self, g: Graph, op: Op, count: int) -> dict[str, int]:
        return {"sum_offset": 0, "output_offset": 0, "multiplier": 0, "shift": 0}
