"""AVERAGE_POOL_2D and MAX_POOL_2D (int8, input and output share quantization)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, out, padding_and_output
from .common import SUPPORTED_ACTIVATIONS, activation, opt_int, padding


@dataclass(frozen=True)
class PoolAttrs(OpAttrs):
    padding: str
    stride_h: int
    stride_w: int
    filter_h: int
    filter_w: int
    activation: str


def _attrs(op: Op) -> PoolAttrs:
    assert isinstance(op.attrs, PoolAttrs)
    return op.attrs


def geometry(g: Graph, op: Op) -> dict[str, int]:
    a = _attrs(op)
    n, ih, iw, c = g.tensors[op.inputs[0]].shape
    oh, pt = padding_and_output(ih, a.filter_h, a.stride_h, 1, a.padding)
    ow, pl = padding_and_output(iw, a.filter_w, a.stride_w, 1, a.padding)
    return {
        "batches": n, "in_h": ih, "in_w": iw, "channels": c, "out_h": oh, "out_w": ow,
        "k_h": a.filter_h, "k_w": a.filter_w, "stride_h": a.stride_h, "stride_w": a.stride_w,
        "pad_top": pt, "pad_left": pl,
    }


def _options_rule(g: Graph, op: Op) -> str | None:
    """padding is SAME or VALID; filter and strides are >= 1; the fused activation is NONE,
    RELU, RELU6 or RELU_N1_TO_1; the output shape follows TFLite's padding rules; an
    average covers at most 2^24 values (int32 sums)"""
    a = _attrs(op)
    if a.padding not in ("SAME", "VALID"):
        return f"padding {a.padding}"
    if min(a.stride_h, a.stride_w, a.filter_h, a.filter_w) < 1:
        return "filter size and strides must be >= 1"
    if a.activation not in SUPPORTED_ACTIVATIONS:
        return f"fused activation {a.activation}"
    x, o = g.tensors[op.inputs[0]], out(g, op)
    if len(x.shape) == 4 and len(o.shape) == 4:
        geo = geometry(g, op)
        want = (geo["batches"], geo["out_h"], geo["out_w"], geo["channels"])
        if tuple(o.shape) != want:
            return f"output shape {list(o.shape)} differs from the computed {list(want)}"
        window = min(a.filter_h, x.shape[1]) * min(a.filter_w, x.shape[2])
        if op.kind is OpKind.AVERAGE_POOL_2D and window > 1 << 24:
            return f"the window holds {window} values, more than an int32 sum of int8 holds"
    return None


class _Pool(OpDef):
    takes_fused_activation = True
    fn = ""
    rules = (
        rules.n_inputs(1, 1),
        rules.io_dtype("input", 0, DType.INT8),
        rules.rank("input", 0, 4),
        rules.io_dtype("output", 0, DType.INT8),
        rules.rank("output", 0, 4),
        rules.same_quant(),
        _options_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return PoolAttrs(
            padding=padding(options),
            stride_h=opt_int(options, "stride_h", 1),
            stride_w=opt_int(options, "stride_w", 1),
            filter_h=opt_int(options, "filter_height", 1),
            filter_w=opt_int(options, "filter_width", 1),
            activation=activation(options),
        )

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        act_min, act_max = quant.activation_range(_attrs(op).activation, out(g, op).quant)
        fields = {**geometry(g, op), "act_min": act_min, "act_max": act_max}
        params = ctx.symbol(op, "params")
        call = f"{self.fn}(&{params}, {ctx.cptr(op.inputs[0])}, {ctx.ptr(op.outputs[0])});"
        return Emission(
            kernels=("pooling_s8", "mcu_conv_taps"),
            call=call,
            params_type="mcu_pool_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


class AveragePool2D(_Pool):
    kind = OpKind.AVERAGE_POOL_2D
    summary = "average pooling, window clipped at the borders"
    fn = "mcu_avg_pool_s8"


class MaxPool2D(_Pool):
    kind = OpKind.MAX_POOL_2D
    summary = "max pooling"
    fn = "mcu_max_pool_s8"
