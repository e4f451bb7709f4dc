"""MVE (Helium) variant of DEPTHWISE_CONV_2D with depth multiplier 1: 16 channels per
vector, int16 products of two taps summed before widening, the input zero point folded
into the bias (runtime_c/mve_depthwise_conv_s8.h)."""

from __future__ import annotations

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, inp, out
from ..conv import ConvAttrs, geometry
from . import mve_mm, register

#: MCU_MVE_DW_MAX_TAPS in runtime_c/mve_depthwise_conv_s8.h.
MAX_TAPS = 32
#: Runtime files of the kernel (the C driver, its assembly inner loop, requantization).
KERNELS = ("mve_depthwise_conv_s8", "mve_dw_blocks_s8", "mve_requant")
#: The kernel's lane order of the four int32 sums of 16 channels.
LANES = np.array([0, 4, 8, 12, 2, 6, 10, 14, 1, 5, 9, 13, 3, 7, 11, 15])


def group(geo: dict[str, int]) -> int:
    """Pixels per vector: with fewer channels than 16 (a divisor of 16) and stride 1
    along x, a vector holds 16 // c neighbouring pixels (lane l is channel l % c)."""
    c = geo["out_c"]
    return 16 // c if c < 16 and 16 % c == 0 and geo["stride_w"] == 1 else 1


def band_bytes(geo: dict[str, int]) -> int:
    """Scratch for the kernel's band (a padded copy of the input rows a run of output
    pixels reads) for pixel groups (group > 1) when some taps fall outside the image,
    else 0. The band is optional: without it a border pixel of a group goes alone
    through the C path, which costs several times more."""
    if group(geo) == 1:
        return 0
    eff_h = (geo["k_h"] - 1) * geo["dil_h"] + 1
    eff_w = (geo["k_w"] - 1) * geo["dil_w"] + 1
    width = (geo["out_w"] - 1) * geo["stride_w"] + eff_w
    inside = (geo["pad_top"] == 0 and geo["pad_left"] == 0
              and (geo["out_h"] - 1) * geo["stride_h"] + eff_h <= geo["in_h"]
              and width <= geo["in_w"])
    # the taps' int32 offsets in the band, then the band
    return 0 if inside else 4 * geo["k_h"] * geo["k_w"] + geo["k_h"] * width * geo["out_c"]


class MveDepthwiseConv2D:
    kind = OpKind.DEPTHWISE_CONV_2D
    isa = "mve"

    def applies(self, g: Graph, op: Op) -> bool:
        """Depth multiplier 1, at most 32 taps, and no filter value -128 (two taps'
        products must add up exactly in int16)."""
        w = g.tensors[op.inputs[1]]
        if not isinstance(op.attrs, ConvAttrs) or w.data is None:
            return False
        geo = geometry(g, op, True)
        return (geo["depth_multiplier"] == 1 and geo["k_h"] * geo["k_w"] <= MAX_TAPS
                and int(np.asarray(w.data).min(initial=0)) > -128)

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return band_bytes(geometry(g, op, True))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert x.quant and w.quant and o.quant and isinstance(op.attrs, ConvAttrs)
        geo = geometry(g, op, True)
        c = geo["out_c"]
        per = group(geo)
        c16 = mve_mm.round_up(c * per, 16)
        lanes = np.arange(c16) % c if per > 1 else np.arange(c16)
        valid = lanes < c
        mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, c)
        act_min, act_max = quant.activation_range(op.attrs.activation, o.quant)
        taps = np.asarray(w.data).reshape(-1, c)
        padded = np.where(valid, taps[:, np.minimum(lanes, c - 1)], 0).astype(np.int8)
        filt = padded.reshape(-1, c16 // 16, 16).transpose(1, 0, 2)
        b = inp(g, op, 2)
        bias = None if b is None else np.asarray(b.data)
        folded = mve_mm.folded_bias(bias, taps.astype(np.int64).sum(axis=0),
                                    x.quant.zero_point, c)
        mult, left, neg_right = mve_mm.requant_arrays(mults, shifts, c)
        per_lane = np.stack([folded, mult, neg_right, left])[:, np.minimum(lanes, c - 1)]
        per_lane = np.where(valid, per_lane, 0)
        q = per_lane.reshape(4, c16 // 16, 16)[:, :, LANES].transpose(1, 0, 2)
        keys = ("batches", "in_h", "in_w", "out_h", "out_w", "k_h", "k_w", "stride_h",
                "stride_w", "dil_h", "dil_w", "pad_top", "pad_left")
        fields: dict[str, int | str] = {key: geo[key] for key in keys}
        fields.update(
            channels=c, output_offset=o.quant.zero_point, act_min=act_min, act_max=act_max,
            general=mve_mm.general_requant(shifts), group=per,
            filter=ctx.const_array(op, "mve_filter", "int8_t", filt),
            quant=ctx.const_array(op, "mve_quant", "int32_t", q),
            pad=ctx.const_array(op, "mve_pad", "int8_t",
                                np.full(c16, x.quant.zero_point, dtype=np.int8)),
        )
        params = ctx.symbol(op, "params")
        need = band_bytes(geo)
        granted = need > 0 and ctx.scratch_size(op) >= need
        scratch = f"(int8_t *){ctx.scratch(op)}" if granted else "NULL"
        call = (f"mcu_mve_depthwise_conv_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])}, {scratch});")
        return Emission(kernels=KERNELS, call=call, params_type="mcu_mve_dw_params_t",
                        params_name=params, params=tuple(fields.items()))


register(MveDepthwiseConv2D())
