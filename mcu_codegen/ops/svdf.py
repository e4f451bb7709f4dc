"""SVDF with int8 input and output, as TFLite Micro runs it: an int8 or int16
activation state (a variable tensor kept across invocations) and time weights of
the same type.

Two quirks of TFLite Micro's integer SVDF are reproduced on purpose: the fused
activation is not applied, and a new state value that leaves the state type's
range once its zero point is added wraps around.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, OpKind, Tensor
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import MAX_ACCUMULATION, Emission, EmitContext, OpDef, inp, out
from .common import activation, opt_int

INPUT, WEIGHTS_FEATURE, WEIGHTS_TIME, BIAS, STATE = range(5)


@dataclass(frozen=True)
class SvdfAttrs(OpAttrs):
    rank: int
    activation: str  # not applied by TFLite Micro's integer kernel (nor here)


def _attrs(op: Op) -> SvdfAttrs:
    assert isinstance(op.attrs, SvdfAttrs)
    return op.attrs


def _t(g: Graph, op: Op, i: int) -> Tensor:
    t = inp(g, op, i)
    if t is None:
        raise ValueError(f"input {i} is missing")
    return t


def _sizes(g: Graph, op: Op) -> tuple[int, int, int, int, int]:
    """(batches, input size, filters, units, memory size)."""
    x, wf, wt = _t(g, op, INPUT), _t(g, op, WEIGHTS_FEATURE), _t(g, op, WEIGHTS_TIME)
    rank = _attrs(op).rank
    filters = wf.shape[0]
    return x.shape[0], x.shape[1], filters, filters // rank if rank > 0 else 0, wt.shape[1]


def _tensors_rule(g: Graph, op: Op) -> str | None:
    """weights_feature (input 1) is constant int8; weights_time (input 2) is constant
    int8 or int16; the bias (input 3) is constant int32 and present (TFLite Micro
    requires it); the state (input 4) is a variable tensor of weights_time's type;
    all of them are quantized per tensor"""
    for i in (WEIGHTS_FEATURE, WEIGHTS_TIME, BIAS, STATE):
        if inp(g, op, i) is None:
            return f"input {i} is missing"
    wf, wt, b, s = (_t(g, op, i) for i in (WEIGHTS_FEATURE, WEIGHTS_TIME, BIAS, STATE))
    if not wf.is_const or wf.dtype is not DType.INT8:
        return "input 1 (weights_feature) must be a constant int8 tensor"
    if not wt.is_const or wt.dtype not in (DType.INT8, DType.INT16):
        return "input 2 (weights_time) must be a constant int8 or int16 tensor"
    if not b.is_const or b.dtype is not DType.INT32:
        return "input 3 (bias) must be a constant int32 tensor"
    if not s.is_variable or s.is_const or s.dtype is not wt.dtype:
        return f"input 4 (state) must be a {wt.dtype.label} variable tensor, like weights_time"
    for name, t in (("weights_feature", wf), ("weights_time", wt), ("bias", b), ("state", s)):
        if t.quant is None or t.quant.per_channel or t.quant.scale <= 0:
            return f"{name} must be quantized per tensor with a positive scale"
    return None


def _shape_rule(g: Graph, op: Op) -> str | None:
    """input is [batches, features], weights_feature [filters, features], weights_time
    [filters, memory], bias [units], state [batches, filters x memory], output
    [batches, units], with filters = units x rank (rank >= 1); features are at most
    65,793 (int32 sums)"""
    x, o = _t(g, op, INPUT), out(g, op)
    wf, wt, b, s = (_t(g, op, i) for i in (WEIGHTS_FEATURE, WEIGHTS_TIME, BIAS, STATE))
    rank = _attrs(op).rank
    if len(x.shape) != 2 or len(wf.shape) != 2 or len(wt.shape) != 2 or len(o.shape) != 2:
        return "input, output and weights must have rank 2"
    if rank < 1 or wf.shape[0] % rank:
        return f"rank {rank} does not divide the {wf.shape[0]} filters"
    batches, n_in, filters, units, memory = _sizes(g, op)
    if wf.shape[1] != n_in or wt.shape[0] != filters:
        return "weights_feature and weights_time shapes do not match the input"
    if len(b.shape) != 1 or b.shape[0] != units:
        return f"bias has shape {list(b.shape)}, expected [{units}]"
    if s.shape != (batches, filters * memory):
        return f"state has shape {list(s.shape)}, expected [{batches}, {filters * memory}]"
    if o.shape != (batches, units):
        return f"output has shape {list(o.shape)}, expected [{batches}, {units}]"
    if n_in > MAX_ACCUMULATION:
        return f"each filter sums {n_in} products, more than {MAX_ACCUMULATION}"
    if x.size == 0 or memory == 0:
        return "empty input or memory"
    return None


def _bias_scale_rule(g: Graph, op: Op) -> str | None:
    """the bias scale equals state scale x weights_time scale within 1e-5 (TFLite
    Micro's check)"""
    wt, b, s = (_t(g, op, i) for i in (WEIGHTS_TIME, BIAS, STATE))
    assert wt.quant and b.quant and s.quant
    product = float(np.float32(s.quant.scale) * np.float32(wt.quant.scale))
    if not abs(quant.f32(b.quant.scale) - product) < 1e-5:
        return (f"bias scale {b.quant.scale:g} is not state scale x weights_time scale "
                f"({product:g})")
    return None


class Svdf(OpDef):
    kind = OpKind.SVDF
    summary = ("SVDF with int8 input and output and an int8 or int16 state that persists "
               "across invocations until `<prefix>_reset()`; as in TFLite Micro's integer "
               "kernel, the fused activation is not applied")
    rules = (
        rules.n_inputs(5, 5),
        rules.io_dtype("input", INPUT, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _tensors_rule,
        _shape_rule,
        _bias_scale_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return SvdfAttrs(rank=opt_int(options, "rank"), activation=activation(options))

    def macs(self, g: Graph, op: Op) -> int:
        batches, n_in, filters, _, memory = _sizes(g, op)
        return batches * filters * (n_in + memory)

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x, wf, wt, s, o = (*(_t(g, op, i) for i in (INPUT, WEIGHTS_FEATURE, WEIGHTS_TIME,
                                                       STATE)), out(g, op))
        assert x.quant and wf.quant and wt.quant and s.quant and o.quant
        batches, n_in, filters, units, memory = _sizes(g, op)
        m1, sh1, m2, sh2 = quant.svdf_multipliers(x.quant.scale, wf.quant.scale, s.quant.scale,
                                                  wt.quant.scale, o.quant.scale)
        fields = {
            "batches": batches, "input_size": n_in, "num_filters": filters,
            "num_units": units, "rank": _attrs(op).rank, "memory_size": memory,
            "input_zero_point": x.quant.zero_point,
            "state_zero_point": s.quant.zero_point,
            "feature_multiplier": m1, "feature_shift": sh1,
            "output_multiplier": m2, "output_shift": sh2,
            "output_zero_point": o.quant.zero_point,
        }
        params = ctx.symbol(op, "params")
        fn = "mcu_svdf_s8" if s.dtype is DType.INT8 else "mcu_svdf_s8_s16"
        call = (
            f"{fn}(&{params}, {ctx.cptr(op.inputs[INPUT])}, "
            f"{ctx.cptr(op.inputs[WEIGHTS_FEATURE])}, {ctx.cptr(op.inputs[WEIGHTS_TIME])}, "
            f"{ctx.cptr(op.inputs[BIAS])}, {ctx.ptr(op.inputs[STATE])}, "
            f"{ctx.ptr(op.outputs[0])});"
        )
        return Emission(
            kernels=("svdf_s8",),
            call=call,
            params_type="mcu_svdf_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
