"""TRANSPOSE_CONV (int8 activations, int8 per-channel weights, optional int32 bias).

Inputs, in TFLite's order: 0 the output shape (constant int32), 1 the filter
[OC, KH, KW, IC], 2 the input [N, H, W, IC], 3 the bias (optional).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import (
    MAX_ACCUMULATION,
    CArray,
    Emission,
    EmitContext,
    OpDef,
    inp,
    out,
    padding_and_output,
)
from .common import SUPPORTED_ACTIVATIONS, activation, opt_int, padding


@dataclass(frozen=True)
class TransposeConvAttrs(OpAttrs):
    padding: str
    stride_h: int
    stride_w: int
    activation: str


def _attrs(op: Op) -> TransposeConvAttrs:
    assert isinstance(op.attrs, TransposeConvAttrs)
    return op.attrs


def geometry(g: Graph, op: Op) -> dict[str, int]:
    """The kernel's mcu_conv_params_t geometry. The padding is TFLite's for a
    convolution from the output back to the input (ComputePaddingHeightWidth on the
    output size, dilation 1)."""
    a = _attrs(op)
    w, x, o = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]], out(g, op)
    n, ih, iw, ic = x.shape
    oc, kh, kw, _ = w.shape
    _, oh, ow, _ = o.shape
    _, pad_top = padding_and_output(oh, kh, a.stride_h, 1, a.padding)
    _, pad_left = padding_and_output(ow, kw, a.stride_w, 1, a.padding)
    return {
        "batches": n, "in_h": ih, "in_w": iw, "in_c": ic,
        "out_h": oh, "out_w": ow, "out_c": oc, "k_h": kh, "k_w": kw,
        "stride_h": a.stride_h, "stride_w": a.stride_w, "dil_h": 1, "dil_w": 1,
        "pad_top": pad_top, "pad_left": pad_left, "depth_multiplier": 1,
    }


def _options_rule(g: Graph, op: Op) -> str | None:
    """padding is SAME or VALID; strides are 1..65535; the fused activation is NONE,
    RELU, RELU6 or RELU_N1_TO_1"""
    a = _attrs(op)
    if a.padding not in ("SAME", "VALID"):
        return f"padding {a.padding}"
    if not (1 <= a.stride_h <= 65535 and 1 <= a.stride_w <= 65535):
        return "strides must be 1..65535"
    if a.activation not in SUPPORTED_ACTIVATIONS:
        return f"fused activation {a.activation}"
    return None


def _shape_rule(g: Graph, op: Op) -> str | None:
    """input 0 holds the output's shape; the filter is [OC, KH, KW, IC] with IC the
    input's channels and OC the output's; input and output have the same batch; bias
    has one value per output channel; each output sums at most 65,793 products"""
    shape_t, w, x, o = inp(g, op, 0), inp(g, op, 1), inp(g, op, 2), out(g, op)
    if shape_t is None or w is None or x is None:
        return None  # reported by the other rules
    if len(x.shape) != 4 or len(w.shape) != 4 or len(o.shape) != 4 or x.size == 0:
        return "input, filter and output must be 4-D and not empty"
    if (shape_t.data is None or shape_t.dtype is not DType.INT32
            or [int(v) for v in np.asarray(shape_t.data).reshape(-1)] != list(o.shape)):
        return f"input 0 must be a constant int32 tensor equal to the output shape {list(o.shape)}"
    if w.shape[3] != x.shape[3] or w.shape[0] != o.shape[3] or x.shape[0] != o.shape[0]:
        return (f"filter {list(w.shape)}, input {list(x.shape)} and output {list(o.shape)} "
                "do not fit")
    b = inp(g, op, 3)
    if b is not None and b.size != w.shape[0]:
        return f"bias has {b.size} values for {w.shape[0]} channels"
    a = _attrs(op)
    terms = -(-w.shape[1] // a.stride_h) * -(-w.shape[2] // a.stride_w) * w.shape[3]
    if terms > MAX_ACCUMULATION:
        return f"each output sums up to {terms} products, more than {MAX_ACCUMULATION}"
    return None


def _filter_quant_rule(g: Graph, op: Op) -> str | None:
    """filter is symmetric int8, per tensor or per output channel (quantized dimension 0)"""
    w, o = g.tensors[op.inputs[1]], out(g, op)
    q = w.quant
    if q is None:
        return "filter has no quantization parameters"
    if any(zp != 0 for zp in q.zero_points):
        return "filter zero points must be 0 (symmetric int8 weights)"
    if q.per_channel and (q.axis != 0 or len(q.scales) != w.shape[0]):
        return f"filter has {len(q.scales)} scales, expected one per output channel on axis 0"
    if any(s <= 0 for s in q.scales) or o.quant is None or o.quant.scale <= 0:
        return "scales must be positive"
    return None


class TransposeConv(OpDef):
    kind = OpKind.TRANSPOSE_CONV
    takes_fused_activation = True
    summary = ("transposed 2-D convolution, NHWC, SAME/VALID, strides, int8 per-channel "
               "weights, optional int32 bias")
    rules = (
        rules.n_inputs(3, 4),
        rules.const_input(1, DType.INT8),
        rules.io_dtype("input", 2, DType.INT8),
        rules.const_input(3, DType.INT32, optional=True),
        rules.io_dtype("output", 0, DType.INT8),
        _options_rule,
        _filter_quant_rule,
        _shape_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return TransposeConvAttrs(
            padding=padding(options),
            stride_h=opt_int(options, "stride_h", 1),
            stride_w=opt_int(options, "stride_w", 1),
            activation=activation(options),
        )

    def macs(self, g: Graph, op: Op) -> int:
        w, x = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]]
        return x.size * w.shape[0] * w.shape[1] * w.shape[2]

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        w, x, o = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]], out(g, op)
        assert x.quant and w.quant and o.quant
        geo = geometry(g, op)
        mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, geo["out_c"])
        act_min, act_max = quant.activation_range(_attrs(op).activation, o.quant)
        fields = {**geo, "input_offset": -x.quant.zero_point,
                  "output_offset": o.quant.zero_point, "act_min": act_min, "act_max": act_max}
        mult, shift, params = (ctx.symbol(op, s) for s in ("mult", "shift", "params"))
        bias_ptr = ctx.cptr(op.inputs[3]) if inp(g, op, 3) is not None else "NULL"
        call = (
            f"mcu_transpose_conv_s8(&{params}, {ctx.cptr(op.inputs[2])}, "
            f"{ctx.cptr(op.inputs[1])}, {bias_ptr}, {mult}, {shift}, {ctx.ptr(op.outputs[0])});"
        )
        return Emission(
            kernels=("transpose_conv_s8",),
            call=call,
            params_type="mcu_conv_params_t",
            params_name=params,
            params=tuple(fields.items()),
            arrays=(CArray(mult, "int32_t", tuple(mults)), CArray(shift, "int32_t", tuple(shifts))),
        )
