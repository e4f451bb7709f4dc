"""CONV_2D and DEPTHWISE_CONV_2D (int8 activations, int8 per-channel weights)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, OpKind, Tensor
from ..ir.graph import OpAttrs
from . import mat_mult, quant, rules
from .base import (
    MAX_ACCUMULATION,
    CArray,
    Emission,
    EmitContext,
    OpDef,
    Rule,
    inp,
    out,
    padding_and_output,
)
from .common import SUPPORTED_ACTIVATIONS, activation, opt_int, padding


@dataclass(frozen=True)
class ConvAttrs(OpAttrs):
    padding: str
    stride_h: int
    stride_w: int
    dilation_h: int
    dilation_w: int
    activation: str
    #: (top, bottom, left, right) from a folded PAD; then ``padding`` is VALID.
    explicit_pads: tuple[int, int, int, int] | None = None


def parse_conv(options: Mapping[str, object]) -> ConvAttrs:
    return ConvAttrs(
        padding=padding(options),
        stride_h=opt_int(options, "stride_h", 1),
        stride_w=opt_int(options, "stride_w", 1),
        dilation_h=opt_int(options, "dilation_h_factor", 1),
        dilation_w=opt_int(options, "dilation_w_factor", 1),
        activation=activation(options),
    )


def _attrs(op: Op) -> ConvAttrs:
    assert isinstance(op.attrs, ConvAttrs)
    return op.attrs


def geometry(g: Graph, op: Op, depthwise: bool) -> dict[str, int]:
    """The kernel's geometry fields (mcu_conv_params_t), from the shapes and options."""
    a = _attrs(op)
    x, w = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]]
    n, ih, iw, ic = x.shape
    kh, kw = (w.shape[1], w.shape[2])
    oc = w.shape[3] if depthwise else w.shape[0]
    if a.explicit_pads is not None:
        pt, pb, pl, pr = a.explicit_pads
        oh = (ih + pt + pb - ((kh - 1) * a.dilation_h + 1)) // a.stride_h + 1
        ow = (iw + pl + pr - ((kw - 1) * a.dilation_w + 1)) // a.stride_w + 1
    else:
        oh, pt = padding_and_output(ih, kh, a.stride_h, a.dilation_h, a.padding)
        ow, pl = padding_and_output(iw, kw, a.stride_w, a.dilation_w, a.padding)
    return {
        "batches": n, "in_h": ih, "in_w": iw, "in_c": ic,
        "out_h": oh, "out_w": ow, "out_c": oc, "k_h": kh, "k_w": kw,
        "stride_h": a.stride_h, "stride_w": a.stride_w,
        "dil_h": a.dilation_h, "dil_w": a.dilation_w, "pad_top": pt, "pad_left": pl,
        "depth_multiplier": (oc // ic) if depthwise and ic else 1,
    }


def _options_rule(g: Graph, op: Op) -> str | None:
    """padding is SAME or VALID; strides and dilations are 1..65535; the fused activation
    is NONE, RELU, RELU6 or RELU_N1_TO_1"""
    a = _attrs(op)
    if a.padding not in ("SAME", "VALID"):
        return f"padding {a.padding}"
    if min(a.stride_h, a.stride_w, a.dilation_h, a.dilation_w) < 1:
        return "strides and dilations must be >= 1"
    if max(a.stride_h, a.stride_w, a.dilation_h, a.dilation_w) > 65535:
        return "strides and dilations must be at most 65535"
    if a.activation not in SUPPORTED_ACTIVATIONS:
        return f"fused activation {a.activation}"
    return None


def _shape_rule(depthwise: bool) -> Rule:
    def rule(g: Graph, op: Op) -> str | None:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        if len(x.shape) != 4 or len(w.shape) != 4 or len(o.shape) != 4:
            return None  # reported by the rank rules
        geo = geometry(g, op, depthwise)
        if depthwise:
            if w.shape[0] != 1:
                return f"depthwise filter shape {list(w.shape)} must start with 1"
            if geo["in_c"] == 0 or geo["out_c"] % geo["in_c"]:
                return "output channels are not a multiple of input channels"
        elif w.shape[3] != geo["in_c"]:
            return f"filter depth {w.shape[3]} differs from input channels {geo['in_c']}"
        want = (geo["batches"], geo["out_h"], geo["out_w"], geo["out_c"])
        if tuple(o.shape) != want:
            return f"output shape {list(o.shape)} differs from the computed {list(want)}"
        b = inp(g, op, 2)
        if b is not None and b.size != geo["out_c"]:
            return f"bias has {b.size} values for {geo['out_c']} channels"
        terms = geo["k_h"] * geo["k_w"] * (1 if depthwise else geo["in_c"])
        if terms > MAX_ACCUMULATION:
            return (f"each output sums {terms} products, more than the {MAX_ACCUMULATION} "
                    "an int32 accumulator holds")
        return None

    rule.__doc__ = (
        "output shape follows TFLite's SAME/VALID rules; "
        + ("filter is [1, KH, KW, C*M]" if depthwise else "filter is [OC, KH, KW, IC]")
        + "; bias has one value per output channel; "
        + ("KH x KW" if depthwise else "KH x KW x IC") + " is at most 65,793 (int32 sums)"
    )
    return rule


def _filter_quant_rule(axis: int) -> Rule:
    def rule(g: Graph, op: Op) -> str | None:
        w, o = g.tensors[op.inputs[1]], out(g, op)
        q = w.quant
        if q is None:
            return "filter has no quantization parameters"
        if any(zp != 0 for zp in q.zero_points):
            return "filter zero points must be 0 (symmetric int8 weights)"
        if q.per_channel and (len(w.shape) <= axis or len(q.scales) != w.shape[axis]):
            return f"filter has {len(q.scales)} scales, expected one per output channel"
        if q.per_channel and q.axis != axis:
            return f"filter is quantized along axis {q.axis}, expected {axis}"
        if any(s <= 0 for s in q.scales) or o.quant is None or o.quant.scale <= 0:
            return "scales must be positive"
        return None

    rule.__doc__ = (
        "filter is symmetric int8, per tensor or per output channel "
        f"(quantized dimension {axis})"
    )
    return rule


class _ConvBase(OpDef):
    takes_fused_activation = True
    depthwise = False

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return parse_conv(options)

    def macs(self, g: Graph, op: Op) -> int:
        geo = geometry(g, op, self.depthwise)
        per_out = geo["k_h"] * geo["k_w"] * (1 if self.depthwise else geo["in_c"])
        return geo["batches"] * geo["out_h"] * geo["out_w"] * geo["out_c"] * per_out

    def _k(self, g: Graph, op: Op) -> int:
        """Length of one filter row of the CONV_2D kernel: KH x KW x IC."""
        w = g.tensors[op.inputs[1]]
        return w.shape[1] * w.shape[2] * w.shape[3]

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        """The CONV_2D kernel asks for two int16 patch columns
        (MCU_CONV_S8_SCRATCH_BYTES): each input value is then widened once for all
        output channels and each output is one dot product over the whole patch. When
        the planner has no room it reads the input directly, one run of contiguous taps
        at a time. The depthwise kernel needs none."""
        return 0 if self.depthwise else 4 * mat_mult.padded_len(self._k(g, op))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        bias: Tensor | None = inp(g, op, 2)
        assert x.quant and w.quant and o.quant
        geo = geometry(g, op, self.depthwise)
        mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, geo["out_c"])
        act_min, act_max = quant.activation_range(_attrs(op).activation, o.quant)
        # with patch columns, rows padded for the fixed-length loop; else the plain rows
        need = self.scratch_bytes(g, op)
        im2col = need > 0 and ctx.scratch_size(op) >= need
        k_pad = mat_mult.padded_len(self._k(g, op)) if im2col else self._k(g, op)
        fields = {
            **geo,
            "input_offset": -x.quant.zero_point,
            "output_offset": o.quant.zero_point,
            "act_min": act_min,
            "act_max": act_max,
            "k_pad": 0 if self.depthwise else k_pad,
        }
        mult, shift, params = (ctx.symbol(op, s) for s in ("mult", "shift", "params"))
        bias_ptr = ctx.cptr(op.inputs[2]) if bias is not None else "NULL"
        if self.depthwise:
            call = (
                f"mcu_depthwise_conv_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.cptr(op.inputs[1])}, {bias_ptr}, {mult}, {shift}, "
                f"{ctx.ptr(op.outputs[0])});"
            )
            kernels: tuple[str, ...] = ("depthwise_conv_s8", "mcu_conv_taps")
        else:
            assert w.data is not None
            rows = np.asarray(w.data).reshape(w.shape[0], -1)
            scratch = f"(int16_t *){ctx.scratch(op)}" if im2col else "NULL"
            call = (
                f"mcu_conv_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{mat_mult.filter_rows(ctx, op, rows, k_pad, op.inputs[1])}, {bias_ptr}, "
                f"{mult}, {shift}, {ctx.ptr(op.outputs[0])}, {scratch});"
            )
            kernels = ("conv_s8", "mcu_conv_taps", mat_mult.KERNEL)
        return Emission(
            kernels=kernels,
            call=call,
            params_type="mcu_conv_params_t",
            params_name=params,
            params=tuple(fields.items()),
            arrays=(
                CArray(mult, "int32_t", tuple(mults)),
                CArray(shift, "int32_t", tuple(shifts)),
            ),
        )


_COMMON_RULES: tuple[Rule, ...] = (
    rules.n_inputs(2, 3),
    rules.io_dtype("input", 0, DType.INT8),
    rules.rank("input", 0, 4),
    rules.const_input(1, DType.INT8),
    rules.rank("input", 1, 4),
    rules.const_input(2, DType.INT32, optional=True),
    rules.io_dtype("output", 0, DType.INT8),
    rules.rank("output", 0, 4),
    _options_rule,
)


class Conv2D(_ConvBase):
    kind = OpKind.CONV_2D
    summary = "2-D convolution, NHWC, int8 per-channel weights, int32 bias"
    rules = (*_COMMON_RULES, _filter_quant_rule(0), _shape_rule(False))


class DepthwiseConv2D(_ConvBase):
    kind = OpKind.DEPTHWISE_CONV_2D
    summary = "depthwise 2-D convolution, any depth multiplier, int8 per-channel weights"
    depthwise = True
    rules = (*_COMMON_RULES, _filter_quant_rule(3), _shape_rule(True))
