"""MVE (Helium) variants of CONV_2D and FULLY_CONNECTED: int8 x int8 dot products with
VMLADAVA.S8 on raw inputs, the input zero point folded into the bias at build time
(runtime_c/mve_conv_s8.h, mve_mat_mult_s8.h)."""

from __future__ import annotations

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, inp, out
from ..conv import ConvAttrs, geometry
from ..fully_connected import FullyConnectedAttrs
from . import mve_mm, register

#: MCU_MVE_CONV_STACK_K in runtime_c/mve_conv_s8.h: the longest patch row the kernel
#: keeps on its stack when the planner grants no scratch.
STACK_K = 512


def _direct(geo: dict[str, int]) -> bool:
    """A 1x1 filter whose every tap is inside the image: rows are input pixels."""
    return (geo["k_h"] == 1 and geo["k_w"] == 1 and geo["pad_top"] == 0
            and geo["pad_left"] == 0
            and (geo["out_h"] - 1) * geo["stride_h"] < geo["in_h"]
            and (geo["out_w"] - 1) * geo["stride_w"] < geo["in_w"])


def _row_len(geo: dict[str, int]) -> int:
    """Length of a patch row: the filter's k_h * k_w * in_c for a direct 1x1 filter (the
    rows are input pixels), else that rounded up to a multiple of 16 (the im2col rows
    end with pad values under zero weights: no tail-predicated block)."""
    k = geo["k_h"] * geo["k_w"] * geo["in_c"]
    return k if _direct(geo) else mve_mm.round_up(k, 16)


def _rows(k: int) -> int:
    """Patch rows the kernel asks scratch for: about 2 KB of them, 2 to 32, even."""
    return max(2, min(32, 2048 // k)) // 2 * 2


def _bias(g: Graph, op: Op) -> np.ndarray | None:
    b = inp(g, op, 2)
    return None if b is None else np.asarray(b.data)


class MveConv2D:
    """CONV_2D: patches (im2col rows in the scratch, or on the stack when the planner
    grants none and they are short, or input pixels for a 1x1 filter without padding)
    times the filter, 2 pixels x 4 channels per pass."""

    kind = OpKind.CONV_2D
    isa = "mve"

    def applies(self, g: Graph, op: Op) -> bool:
        return isinstance(op.attrs, ConvAttrs) and g.tensors[op.inputs[1]].data is not None

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        geo = geometry(g, op, False)
        k = _row_len(geo)
        return 0 if _direct(geo) else _rows(k) * k + 16  # 16 spare: whole-vector copies

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert x.quant and w.quant and o.quant and isinstance(op.attrs, ConvAttrs)
        geo = geometry(g, op, False)
        need = self.scratch_bytes(g, op)
        granted = need > 0 and ctx.scratch_size(op) >= need
        k = _row_len(geo)
        if need and not granted and k > STACK_K:
            return None  # no room for the patch rows: the next kernel set runs it
        mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, geo["out_c"])
        act_min, act_max = quant.activation_range(op.attrs.activation, o.quant)
        filt = np.asarray(w.data).reshape(w.shape[0], -1)
        rows = np.zeros((filt.shape[0], k), dtype=np.int8)
        rows[:, : filt.shape[1]] = filt  # patch rows padded to k: zero weights there
        mm = mve_mm.mm_struct(ctx, op, rows, _bias(g, op), x.quant.zero_point, mults,
                              shifts, o.quant.zero_point, act_min, act_max)
        keys = ("batches", "in_h", "in_w", "in_c", "out_h", "out_w", "k_h", "k_w",
                "stride_h", "stride_w", "dil_h", "dil_w", "pad_top", "pad_left")
        fields: dict[str, int | str] = {key: geo[key] for key in keys}
        fields.update(pad_value=x.quant.zero_point, direct=int(_direct(geo)),
                      rows=_rows(k) if granted else 2, mm=mm)
        params = ctx.symbol(op, "params")
        scratch = f"(int8_t *){ctx.scratch(op)}" if granted else "NULL"
        call = (f"mcu_mve_conv_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])}, {scratch});")
        return Emission(kernels=("mve_conv_s8", "mcu_conv_taps", *mve_mm.KERNELS), call=call,
                        params_type="mcu_mve_conv_params_t", params_name=params,
                        params=tuple(fields.items()))


class MveFullyConnected:
    """FULLY_CONNECTED: input rows times the filter, 2 rows x 4 outputs per pass; a
    per-tensor multiplier (TFLM's float32 product of scales) is repeated per output."""

    kind = OpKind.FULLY_CONNECTED
    isa = "mve"

    def applies(self, g: Graph, op: Op) -> bool:
        return (isinstance(op.attrs, FullyConnectedAttrs)
                and g.tensors[op.inputs[1]].data is not None)

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert x.quant and w.quant and o.quant and isinstance(op.attrs, FullyConnectedAttrs)
        n_out, depth = w.shape
        if w.quant.per_channel:
            mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, n_out)
        else:
            m, s = quant.fc_per_tensor_multiplier(x.quant, w.quant, o.quant)
            mults, shifts = [m] * n_out, [s] * n_out
        act_min, act_max = quant.activation_range(op.attrs.activation, o.quant)
        rows = np.asarray(w.data).reshape(n_out, depth)
        mm = mve_mm.mm_struct(ctx, op, rows, _bias(g, op), x.quant.zero_point, mults,
                              shifts, o.quant.zero_point, act_min, act_max)
        params = ctx.symbol(op, "params")
        call = (f"mcu_mve_fully_connected_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])});")
        return Emission(kernels=mve_mm.KERNELS, call=call,
                        params_type="mcu_mve_fc_params_t", params_name=params,
                        params=(("batches", x.size // depth), ("mm", mm)))


register(MveConv2D())
register(MveFullyConnected())
