"""FULLY_CONNECTED (int8 activations, int8 weights per tensor or per channel)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import mat_mult, quant, rules
from .base import MAX_ACCUMULATION, CArray, Emission, EmitContext, OpDef, inp, out
from .common import SUPPORTED_ACTIVATIONS, activation, opt_int


@dataclass(frozen=True)
class FullyConnectedAttrs(OpAttrs):
    activation: str
    keep_num_dims: bool
    weights_format: int


def _attrs(op: Op) -> FullyConnectedAttrs:
    assert isinstance(op.attrs, FullyConnectedAttrs)
    return op.attrs


def _dims(g: Graph, op: Op) -> tuple[int, int, int]:
    """(batches, depth, out_features)."""
    x, w = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]]
    depth = w.shape[1] if len(w.shape) == 2 else 0
    batches = x.size // depth if depth else 0
    return batches, depth, w.shape[0] if w.shape else 0


def _options_rule(g: Graph, op: Op) -> str | None:
    """weights are in the default format; the fused activation is NONE, RELU, RELU6 or
    RELU_N1_TO_1"""
    a = _attrs(op)
    if a.weights_format != 0:
        return "shuffled weights format is not supported"
    if a.activation not in SUPPORTED_ACTIVATIONS:
        return f"fused activation {a.activation}"
    return None


def _shape_rule(g: Graph, op: Op) -> str | None:
    """filter is [OUT, DEPTH]; the input's size is a multiple of DEPTH; the output has
    batches x OUT elements; bias has OUT values; DEPTH is at most 65,793 (int32 sums)"""
    x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
    if len(w.shape) != 2:
        return f"filter has rank {len(w.shape)}, expected 2"
    batches, depth, n_out = _dims(g, op)
    if depth == 0 or x.size % depth:
        return f"input size {x.size} is not a multiple of the filter depth {depth}"
    if depth > MAX_ACCUMULATION:
        return (f"each output sums {depth} products, more than the {MAX_ACCUMULATION} "
                "an int32 accumulator holds")
    if o.size != batches * n_out or (o.shape and o.shape[-1] != n_out):
        return f"output shape {list(o.shape)} does not hold {batches} x {n_out} values"
    b = inp(g, op, 2)
    if b is not None and b.size != n_out:
        return f"bias has {b.size} values for {n_out} outputs"
    return None


def _filter_quant_rule(g: Graph, op: Op) -> str | None:
    """filter is symmetric int8, per tensor or per output channel (quantized dimension 0)"""
    w, o = g.tensors[op.inputs[1]], out(g, op)
    q = w.quant
    if q is None:
        return "filter has no quantization parameters"
    if any(zp != 0 for zp in q.zero_points):
        return "filter zero points must be 0"
    if q.per_channel and (q.axis != 0 or len(q.scales) != w.shape[0]):
        return "per-channel filter scales must run along the output dimension"
    if any(s <= 0 for s in q.scales) or o.quant is None or o.quant.scale <= 0:
        return "scales must be positive"
    return None


class FullyConnected(OpDef):
    kind = OpKind.FULLY_CONNECTED
    takes_fused_activation = True
    summary = "fully connected layer, any batch size, weights per tensor or per channel"
    rules = (
        rules.n_inputs(2, 3),
        rules.io_dtype("input", 0, DType.INT8),
        rules.const_input(1, DType.INT8),
        rules.const_input(2, DType.INT32, optional=True),
        rules.io_dtype("output", 0, DType.INT8),
        _options_rule,
        _shape_rule,
        _filter_quant_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return FullyConnectedAttrs(
            activation=activation(options),
            keep_num_dims=bool(options.get("keep_num_dims", False)),
            weights_format=opt_int(options, "weights_format"),
        )

    def macs(self, g: Graph, op: Op) -> int:
        batches, depth, n_out = _dims(g, op)
        return batches * depth * n_out

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert x.quant and w.quant and o.quant
        batches, depth, n_out = _dims(g, op)
        if w.quant.per_channel:
            mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, n_out)
        else:
            m, s = quant.fc_per_tensor_multiplier(x.quant, w.quant, o.quant)
            mults, shifts = [m], [s]
        act_min, act_max = quant.activation_range(_attrs(op).activation, o.quant)
        fields = {
            "batches": batches,
            "depth": depth,
            "out_features": n_out,
            "input_offset": -x.quant.zero_point,
            "filter_offset": -w.quant.zero_point,
            "output_offset": o.quant.zero_point,
            "act_min": act_min,
            "act_max": act_max,
            "per_channel": int(w.quant.per_channel),
        }
        mult, shift, params = (ctx.symbol(op, s) for s in ("mult", "shift", "params"))
        bias_ptr = ctx.cptr(op.inputs[2]) if inp(g, op, 2) is not None else "NULL"
        call = (
            f"mcu_fully_connected_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
            f"{ctx.cptr(op.inputs[1])}, {bias_ptr}, {mult}, {shift}, {ctx.ptr(op.outputs[0])});"
        )
        return Emission(
            kernels=("fully_connected_s8", mat_mult.KERNEL),
            call=call,
            params_type="mcu_fc_params_t",
            params_name=params,
            params=tuple(fields.items()),
            arrays=(CArray(mult, "int32_t", tuple(mults)), CArray(shift, "int32_t", tuple(shifts))),
        )
