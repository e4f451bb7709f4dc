"""CONV_2D with a short dot product on the DSP extension (runtime_c/dsp_conv_smallk_s8.h):
pointwise over 8 or 16 input channels (DspConvSmallK) and 3x3 over 3 input channels, an
RGB first layer (DspConvRgb). Each output pixel's inputs are widened once into registers
and every output channel's record (bias, doubled weights, m, R, e) is streamed past
them. Tried before the general DSP matrix core (dsp_conv.py): with so few terms per
output the per-output tail dominates, and this one is four instructions.

They apply only where that tail is exact: output zero point -128 with the whole int8
activation range (the sign correction of RoundingDivideByPOT is then never visible, see
the header), every channel exact in the fast epilogue of dsp_mat_mult.py (its
conditions re-checked here) or constant, and the number of output channels a multiple
of four. Otherwise the next variant (dsp_conv.py) runs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, inp, out
from ..conv import ConvAttrs, geometry
from . import dsp_mat_mult, register

#: Input channels (dot product lengths) with an assembly kernel.
IN_CHANNELS = (8, 16)
#: The kernel stores the output zero point in R; only -128 needs no sign correction.
OUTPUT_ZP = -128
#: Largest right shift e (R = 2^(e-1) - 128 * 2^e stays far from overflow).
MAX_SHIFT = 21
#: Bit 8 of a record's last word: the last output channel.
LAST_FLAG = 256
KERNEL = "dsp_conv_smallk_s8"


def _unroll(n_out: int) -> int:
    """Channels per flag test of the run function: 8, or 4 (n_out % 8 == 4)."""
    return 8 if n_out % 8 == 0 else 4


def _wrap32(v: np.ndarray) -> np.ndarray:
    return ((v.astype(np.int64) + 2**31) % 2**32 - 2**31).astype(np.int64)


def _quant(g: Graph, op: Op) -> tuple[list[int], list[int], tuple[int, int]] | None:
    x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
    if not (x.quant and w.quant and o.quant) or not isinstance(op.attrs, ConvAttrs):
        return None
    mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, w.shape[0])
    return mults, shifts, quant.activation_range(op.attrs.activation, o.quant)


def _rows_bias(g: Graph, op: Op) -> tuple[np.ndarray, np.ndarray]:
    w = g.tensors[op.inputs[1]]
    assert w.data is not None
    rows = np.asarray(w.data).reshape(w.shape[0], -1).astype(np.int64)
    bias = inp(g, op, 2)
    b = (np.zeros(rows.shape[0], np.int64) if bias is None
         else np.asarray(bias.data, dtype=np.int64))
    return rows, b


def _fast_channels(rows: np.ndarray, bias: np.ndarray, input_zp: int, mults: list[int],
                   shifts: list[int], act: tuple[int, int]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per channel: the x2 start, the doubled weights and (m, R, e); constant channels
    get zero weights and start, and (2^30, 2c + 1, 1)."""
    kinds = dsp_mat_mult.row_kinds(rows, bias, input_zp, mults, shifts, OUTPUT_ZP, act)
    w = 2 * rows.astype(np.int64)
    x2 = _wrap32(2 * _wrap32(bias - input_zp * rows.sum(axis=1)))
    trailer = np.zeros((rows.shape[0], 3), np.int64)
    for r, kind in enumerate(kinds):
        if kind == "fast":
            e = -shifts[r]
            trailer[r] = (mults[r], 2 ** (e - 1) + OUTPUT_ZP * 2**e, e)
        else:
            assert isinstance(kind, int), "applies() checked every channel"
            w[r] = 0
            x2[r] = 0
            trailer[r] = (2**30, 2 * kind + 1, 1)
    return x2, w, trailer


def _exact_fast(g: Graph, op: Op, geometry_ok: Callable[[dict[str, int]], bool]) -> bool:
    """Whether the op has the geometry a kernel takes and the exact fast tail:
    output zero point -128, the whole int8 range, every channel fast or constant."""
    x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
    if w.data is None or len(w.shape) != 4 or len(x.shape) != 4:
        return False
    if not isinstance(op.attrs, ConvAttrs) or x.quant is None or o.quant is None:
        return False
    if not geometry_ok(geometry(g, op, False)):
        return False
    q = _quant(g, op)
    if q is None or o.quant.zero_point != OUTPUT_ZP or q[2] != (-128, 127):
        return False
    rows, b = _rows_bias(g, op)
    kinds = dsp_mat_mult.row_kinds(rows, b, x.quant.zero_point, q[0], q[1], OUTPUT_ZP, q[2])
    bound = _acc_bound(rows, b, x.quant.zero_point)
    # the conditions the tail's proof needs, checked here too (dsp_conv_smallk_s8.h)
    return all(isinstance(k, int) or (k == "fast" and 1 <= -q[1][r] <= MAX_SHIFT
                                      and q[0][r] >= 2**30 and bound[r] < 2**30)
               for r, k in enumerate(kinds))


def _acc_bound(rows: np.ndarray, bias: np.ndarray, input_zp: int) -> np.ndarray:
    """Per channel, the largest |bias + sum w * (x - zx)| over int8 inputs."""
    max_dx = max(128 + input_zp, 127 - input_zp)
    return np.abs(bias) + np.abs(rows).sum(axis=1) * max_dx


def _pointwise_geometry_ok(geo: dict[str, int]) -> bool:
    return (geo["k_h"] == geo["k_w"] == 1 and geo["in_c"] in IN_CHANNELS
            and geo["out_c"] % 4 == 0 and geo["pad_top"] == geo["pad_left"] == 0
            and (geo["out_h"] - 1) * geo["stride_h"] < geo["in_h"]
            and (geo["out_w"] - 1) * geo["stride_w"] < geo["in_w"])


class _ShortConv:
    """What both variants share: the exactness check (_exact_fast) and the emission's
    frame (records array, params, the kernel call naming its run function)."""

    kind = OpKind.CONV_2D
    isa = "dsp"
    what = ""                       # the records array's name part
    params_type = ""
    geo_fields: tuple[str, ...] = ()  # the params fields copied from the geometry

    def geometry_ok(self, geo: dict[str, int]) -> bool:
        raise NotImplementedError

    def words(self, rows: np.ndarray, bias: np.ndarray, input_zp: int,
              q: tuple[list[int], list[int], tuple[int, int]]) -> np.ndarray:
        raise NotImplementedError

    def more_fields(self, geo: dict[str, int], input_zp: int) -> dict[str, int]:
        raise NotImplementedError

    def functions(self, geo: dict[str, int]) -> tuple[str, str]:
        """The kernel and the run function it is handed."""
        raise NotImplementedError

    def applies(self, g: Graph, op: Op) -> bool:
        return _exact_fast(g, op, self.geometry_ok)

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        if not self.applies(g, op):
            return None
        x = g.tensors[op.inputs[0]]
        assert x.quant is not None
        geo = geometry(g, op, False)
        q = _quant(g, op)
        assert q is not None
        rows, b = _rows_bias(g, op)
        name = ctx.const_array(op, self.what, "int32_t",
                               self.words(rows, b, x.quant.zero_point, q))
        fields = {k: geo[k] for k in self.geo_fields}
        fields.update(self.more_fields(geo, x.quant.zero_point))
        params = ctx.symbol(op, "params")
        kernel, run = self.functions(geo)
        call = (f"{kernel}(&{params}, {ctx.cptr(op.inputs[0])}, {name}, "
                f"{ctx.ptr(op.outputs[0])}, {run});")
        return Emission(kernels=(KERNEL, "mcu_arm_dsp"), call=call,
                        params_type=self.params_type, params_name=params,
                        params=tuple(fields.items()))


class DspConvSmallK(_ShortConv):
    """1x1 over 8 or 16 input channels (mcu_dsp_conv_smallk_s8)."""

    what = "smallk"
    params_type = "mcu_dsp_conv_smallk_params_t"
    geo_fields = ("batches", "in_h", "in_w", "out_h", "out_w", "stride_h", "stride_w")

    def geometry_ok(self, geo: dict[str, int]) -> bool:
        return _pointwise_geometry_ok(geo)

    def words(self, rows: np.ndarray, bias: np.ndarray, input_zp: int,
              q: tuple[list[int], list[int], tuple[int, int]]) -> np.ndarray:
        return records(rows, bias, input_zp, *q)

    def more_fields(self, geo: dict[str, int], input_zp: int) -> dict[str, int]:
        return {"groups": geo["in_c"] // 4, "n_out": geo["out_c"]}

    def functions(self, geo: dict[str, int]) -> tuple[str, str]:
        return ("mcu_dsp_conv_smallk_s8",
                f"mcu_dsp_smallk_k{geo['in_c']}x{_unroll(geo['out_c'])}")


def records(rows: np.ndarray, bias: np.ndarray, input_zp: int, mults: list[int],
            shifts: list[int], act: tuple[int, int]) -> np.ndarray:
    """One record per output channel (dsp_conv_smallk_s8.h): x2 start, the doubled
    weights as (w0, w2), (w1, w3) int16 pairs per group of four, then m, R, e (the last
    channel's e with LAST_FLAG). Constant channels get zero weights and (2^30, 2c + 1, 1)."""
    n, k = rows.shape
    assert k % 4 == 0
    x2, w, trailer = _fast_channels(rows, bias, input_zp, mults, shifts, act)
    trailer[n - 1, 2] |= LAST_FLAG
    lanes = w.reshape(n, k // 4, 4) & 0xFFFF
    pairs = np.stack([lanes[:, :, 0] | (lanes[:, :, 2] << 16),
                      lanes[:, :, 1] | (lanes[:, :, 3] << 16)], axis=2).reshape(n, -1)
    rec = np.concatenate([x2[:, None], _wrap32(pairs), trailer], axis=1)
    return rec.reshape(-1).astype(np.int32)


#: Input position (filter row r, index j of its 9 values) of each lane of the words
#: A0..A7, B0..B5 (dsp_conv_smallk_s8.h); None: a lane with input 0.
RGB_WORDS: tuple[tuple[tuple[int, int], tuple[int, int] | None], ...] = (
    ((0, 0), (0, 2)), ((0, 1), (0, 3)), ((0, 4), (0, 6)), ((0, 5), (0, 7)),
    ((1, 0), (1, 2)), ((1, 1), (1, 3)), ((0, 8), (1, 8)), ((2, 8), None),
    ((1, 4), (1, 6)), ((1, 5), (1, 7)), ((2, 0), (2, 2)), ((2, 1), (2, 3)),
    ((2, 4), (2, 6)), ((2, 5), (2, 7)),
)
#: Largest channel count of the RGB kernel (its partial sums live on the stack).
RGB_MAX_OUT = 64


def _rgb_geometry_ok(geo: dict[str, int]) -> bool:
    return (geo["k_h"] == geo["k_w"] == 3 and geo["in_c"] == 3 and geo["dil_w"] == 1
            and geo["out_c"] % 4 == 0 and geo["out_c"] <= RGB_MAX_OUT)


class DspConvRgb(_ShortConv):
    """3x3 filter over 3 input channels (mcu_dsp_conv_rgb_s8)."""

    what = "rgb"
    params_type = "mcu_dsp_conv_rgb_params_t"
    geo_fields = ("batches", "in_h", "in_w", "out_h", "out_w", "stride_h", "stride_w",
                  "dil_h", "pad_top", "pad_left")

    def geometry_ok(self, geo: dict[str, int]) -> bool:
        return _rgb_geometry_ok(geo)

    def words(self, rows: np.ndarray, bias: np.ndarray, input_zp: int,
              q: tuple[list[int], list[int], tuple[int, int]]) -> np.ndarray:
        return rgb_records(rows, bias, input_zp, *q)

    def more_fields(self, geo: dict[str, int], input_zp: int) -> dict[str, int]:
        return {"pad_value": input_zp, "n_out": geo["out_c"]}

    def functions(self, geo: dict[str, int]) -> tuple[str, str]:
        return "mcu_dsp_conv_rgb_s8", f"mcu_dsp_rgb_x{_unroll(geo['out_c'])}"


def rgb_records(rows: np.ndarray, bias: np.ndarray, input_zp: int, mults: list[int],
                shifts: list[int], act: tuple[int, int]) -> np.ndarray:
    """The RGB kernel's words (dsp_conv_smallk_s8.h): A records of channels n-1 .. 0,
    4 * n, B records of channels 0 .. n-1; rows [n, 27] in filter (OHWI) order."""
    n = rows.shape[0]
    assert rows.shape[1] == 27
    x2, w, trailer = _fast_channels(rows, bias, input_zp, mults, shifts, act)
    wr = w.reshape(n, 3, 9)

    def word(r: int, i: int) -> int:
        lo, hi = RGB_WORDS[i]
        hv = 0 if hi is None else int(wr[r, hi[0], hi[1]])
        return (int(wr[r, lo[0], lo[1]]) & 0xFFFF) | ((hv & 0xFFFF) << 16)

    a = np.zeros((n, 9), np.int64)
    bw = np.zeros((n, 9), np.int64)
    for r in range(n):
        a[r] = [x2[r], *(word(r, i) for i in range(8))]
        bw[r] = [*(word(r, i) for i in range(8, 14)), *trailer[r]]
    a[0, 8] |= 1 << 16  # channel 0 closes the first half (its input lane is 0)
    bw[n - 1, 8] |= LAST_FLAG
    words = np.concatenate([a[::-1].reshape(-1), [4 * n], bw.reshape(-1)])
    return _wrap32(words).astype(np.int32)


register(DspConvSmallK())
register(DspConvRgb())
