"""DEPTHWISE_CONV_2D with the DSP instructions (runtime_c/dsp_depthwise_conv_s8.c).

Everything the kernel needs besides the input is computed here: the input zero point
folded into the bias, the weights widened to int16 (times 2^(1 + left shift), so that
SMMULR of the sum is the reference's SaturatingRoundingDoublingHighMul) and packed per
pair of taps (one word per channel, for SMLAD), the output zero point folded into the
rounding constant, the right shifts (those of channels 2, 3 of a block two to a word,
with the last block's flag), and a row of input zero points read for taps outside the
image. The variant applies when the depth multiplier is 1 and every intermediate sum
provably stays in int32 (checked per channel from the weights, the bias and the int8
input range); otherwise the portable kernel runs. Layout: runtime_c/dsp_depthwise_conv_s8.h."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, inp, out
from ..conv import ConvAttrs, geometry
from . import register

KERNEL = "dsp_depthwise_conv_s8"
MAX_TAPS = 64  # MCU_DSP_DW_MAX_TAPS
LIMIT = 1 << 31
LAST_BLOCK = -(1 << 31)  # bit 31 of the shift word of channels 2, 3 of the last whole block
# A 3x3 kernel's taps in the stream: row-major but the last row as columns 1, 2 (a pair)
# then 0 (the odd tap, which the assembly loads last with a post-increment).
ORDER_3X3 = (0, 1, 2, 3, 4, 5, 7, 8, 6)


@dataclass(frozen=True)
class _Plan:
    geo: dict[str, int]
    stream: np.ndarray  # int32 [blocks][block words], see dsp_depthwise_conv_s8.h
    pad: np.ndarray  # int8 [channels]
    every_shift_right: bool
    act: tuple[int, int]
    zy: int


def _pack(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """int16 lanes (bottom, top) as int32 words."""
    u = (lo.astype(np.int64) & 0xFFFF) | ((hi.astype(np.int64) & 0xFFFF) << 16)
    return u.astype(np.uint32).view(np.int32)


def _plan(g: Graph, op: Op) -> _Plan | None:
    x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
    if not isinstance(op.attrs, ConvAttrs) or w.data is None:
        return None
    if x.quant is None or w.quant is None or o.quant is None:
        return None
    geo = geometry(g, op, True)
    c = geo["in_c"]
    taps = geo["k_h"] * geo["k_w"]
    if geo["depth_multiplier"] != 1 or geo["out_c"] != c or not 1 <= taps <= MAX_TAPS:
        return None
    filt = np.asarray(w.data, dtype=np.int64).reshape(taps, c)
    if geo["k_h"] == 3 and geo["k_w"] == 3:  # the stream's tap order (see ORDER_3X3)
        filt = filt[list(ORDER_3X3)]
    b = inp(g, op, 2)
    bias = (np.asarray(b.data, dtype=np.int64).reshape(c) if b is not None and b.data is not None
            else np.zeros(c, dtype=np.int64))
    mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, c)
    zx, zy = x.quant.zero_point, o.quant.zero_point
    dmax = max(128 + zx, 127 - zx)
    nb = (c + 3) // 4
    wide = np.zeros((nb * 4, taps), dtype=np.int64)
    bias2 = np.zeros(nb * 4, dtype=np.int64)
    es = np.zeros(nb * 4, dtype=np.int64)
    mr = np.zeros((nb * 4, 2), dtype=np.int64)  # (m, R) per channel
    for ch in range(c):
        left, e = max(shifts[ch], 0), max(-shifts[ch], 0)
        if left > 7 or e > 31:
            return None
        scale = 1 << (1 + left)
        col = filt[:, ch]
        wabs = int(np.abs(col).sum())
        folded = int(bias[ch]) - zx * int(col.sum())
        ref_bound = abs(int(bias[ch])) + wabs * dmax  # |acc| of the reference
        if ref_bound * scale >= LIMIT or (abs(folded) + wabs * 128) * scale >= LIMIT:
            return None
        rnd = (1 << (e - 1)) + zy * (1 << e) if e else zy
        if ref_bound * (1 << left) + 2 + abs(rnd) >= LIMIT:
            return None
        wide[ch] = col * scale
        bias2[ch] = folded * scale
        es[ch] = e
        mr[ch] = (mults[ch], rnd)
    blocks = wide.reshape(nb, 4, taps)
    parts = [bias2.reshape(nb, 4)]
    for i in range(taps // 2):  # per pair of taps: one word per channel (tap 2i, 2i + 1)
        parts.append(_pack(blocks[:, :, 2 * i], blocks[:, :, 2 * i + 1]).astype(np.int64))
    if taps % 2:  # an odd last tap: (c, c + 2), (c + 1, c + 3)
        last = blocks[:, :, taps - 1]
        parts.append(np.stack([_pack(last[:, 0], last[:, 2]), _pack(last[:, 1], last[:, 3])],
                              axis=1).astype(np.int64))
    mrb, eb = mr.reshape(nb, 2, 4), es.reshape(nb, 2, 2)  # per pair of channels
    packed = eb[:, 1, 0] | (eb[:, 1, 1] << 8)  # channels 2, 3: e | e' << 8
    if c >= 4:  # the last whole block's flag, read by the assembly's block loop
        packed[c // 4 - 1] |= LAST_BLOCK
    parts.append(np.concatenate([mrb[:, 0], eb[:, 0], mrb[:, 1], packed[:, None]], axis=1))
    act = quant.activation_range(op.attrs.activation, o.quant)
    stream = np.concatenate(parts, axis=1)
    return _Plan(
        geo=geo, stream=stream.astype(np.int32),
        pad=np.full(c, zx, dtype=np.int8),
        every_shift_right=all(-s >= 1 for s in shifts), act=act, zy=zy,
    )


class DspDepthwise:
    kind = OpKind.DEPTHWISE_CONV_2D
    isa = "dsp"

    def applies(self, g: Graph, op: Op) -> bool:
        return _plan(g, op) is not None

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        p = _plan(g, op)
        if p is None:
            return None
        geo = p.geo
        fields = {
            "batches": geo["batches"], "in_h": geo["in_h"], "in_w": geo["in_w"],
            "channels": geo["in_c"], "out_h": geo["out_h"], "out_w": geo["out_w"],
            "k_h": geo["k_h"], "k_w": geo["k_w"], "stride_h": geo["stride_h"],
            "stride_w": geo["stride_w"], "dil_h": geo["dil_h"], "dil_w": geo["dil_w"],
            "pad_top": geo["pad_top"], "pad_left": geo["pad_left"],
            "blocks": geo["in_c"] // 4, "every_shift_right": int(p.every_shift_right),
            "full_range": int(p.act == (-128, 127)), "act_min": p.act[0], "act_max": p.act[1],
            "no_fix": int(p.zy == -128 and p.act == (-128, 127) and p.every_shift_right),
        }
        params = ctx.symbol(op, "params")
        stream = ctx.const_array(op, "dsp_stream", "int32_t", p.stream)
        pad = ctx.const_array(op, "dsp_pad", "int8_t", p.pad)
        call = (f"mcu_dsp_depthwise_conv_s8(&{params}, {ctx.cptr(op.inputs[0])}, {stream}, "
                f"{pad}, {ctx.ptr(op.outputs[0])});")
        return Emission(kernels=(KERNEL, "mcu_arm_dsp"), call=call,
                        params_type="mcu_dsp_dw_params_t", params_name=params,
                        params=tuple(fields.items()))


register(DspDepthwise())
