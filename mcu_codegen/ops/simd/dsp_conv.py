"""CONV_2D with the DSP extension (runtime_c/dsp_conv_s8.h), over filter rows widened to
int16 at generation time (dsp_mat_mult.py). With scratch, each output pixel's patch is
widened once into an int16 column and SMLAD tiles of six output channels run over it;
without, the patch is read in place (and widened on the stack, or in registers for
long ones) when in_c % 4 == 0 and the filter has at most MAX_SEGMENTS taps; else the
portable kernel runs."""

from __future__ import annotations

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, inp, out
from ..conv import ConvAttrs, geometry
from . import dsp_mat_mult, register

#: MCU_DSP_CONV_S8_MAX_SEGMENTS: the largest k_h * k_w read in place without scratch.
MAX_SEGMENTS = 32


def _k(g: Graph, op: Op) -> int:
    w = g.tensors[op.inputs[1]]
    return w.shape[1] * w.shape[2] * w.shape[3]


def _direct(geo: dict[str, int]) -> bool:
    """1x1 filter, in_c a multiple of 4 and no padding: each column is an input pixel,
    so the kernel also runs without scratch."""
    return (geo["k_h"] == geo["k_w"] == 1 and geo["in_c"] % 4 == 0
            and geo["pad_top"] == geo["pad_left"] == 0
            and (geo["out_h"] - 1) * geo["stride_h"] < geo["in_h"]
            and (geo["out_w"] - 1) * geo["stride_w"] < geo["in_w"])


class DspConv2D:
    kind = OpKind.CONV_2D
    isa = "dsp"

    def applies(self, g: Graph, op: Op) -> bool:
        w = g.tensors[op.inputs[1]]
        return w.data is not None and len(w.shape) == 4

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        """One int16 patch column and one int8 patch; without them the
        patch is read in place and widened in registers, which needs in_c % 4 == 0 and
        at most MAX_SEGMENTS filter taps (else the portable kernel runs)."""
        return dsp_mat_mult.scratch_bytes(_k(g, op))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert x.quant and w.quant and o.quant and w.data is not None
        assert isinstance(op.attrs, ConvAttrs)
        geo = geometry(g, op, False)
        mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, geo["out_c"])
        act = quant.activation_range(op.attrs.activation, o.quant)
        bias = inp(g, op, 2)
        direct = int(_direct(geo))
        pad = "NULL"
        if ctx.scratch_size(op) >= self.scratch_bytes(g, op):
            scratch = ctx.scratch(op)
        elif direct:
            scratch = "NULL"
        elif geo["in_c"] % 4 == 0 and geo["k_h"] * geo["k_w"] <= MAX_SEGMENTS:
            scratch = "NULL"
            pad = ctx.const_array(op, "pad", "int8_t",
                                  np.full(geo["k_w"] * geo["in_c"], x.quant.zero_point))
        else:
            return None
        rows = np.asarray(w.data).reshape(w.shape[0], -1)
        stream = dsp_mat_mult.build(
            rows, None if bias is None else np.asarray(bias.data), x.quant.zero_point,
            o.quant.zero_point, mults, shifts, act)
        fields: dict[str, int | str] = {
            k: geo[k] for k in ("batches", "in_h", "in_w", "in_c", "out_h", "out_w", "k_h",
                                "k_w", "stride_h", "stride_w", "pad_top", "pad_left")
        }
        fields.update(dil_h=geo["dil_h"], dil_w=geo["dil_w"], pad_value=x.quant.zero_point,
                      direct=direct)
        paths = dsp_mat_mult.asm_paths(stream.groups, geo["out_c"], bool(direct),
                                       scratch != "NULL")
        fields.update(dsp_mat_mult.mm_fields(stream, geo["out_c"], o.quant.zero_point, act,
                                             paths=paths))
        params = ctx.symbol(op, "params")
        name = ctx.const_array(op, "dsp", "int32_t", stream.words)
        call = (f"mcu_dsp_conv_s8(&{params}, {ctx.cptr(op.inputs[0])}, {name}, {pad}, "
                f"{ctx.ptr(op.outputs[0])}, {scratch});")
        return Emission(
            kernels=("dsp_conv_s8", *dsp_mat_mult.KERNELS),
            call=call,
            params_type="mcu_dsp_conv_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


register(DspConv2D())
