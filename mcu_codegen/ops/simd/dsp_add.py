"""ADD of two same-shape int8 tensors with the DSP instructions (runtime_c/dsp_add_s8.c).

Each input's scaled value (the first half of TFLite's AddFunc) comes from a 256-entry
table built here with the portable op's own arithmetic (ops/add.py), doubled so that
SMMLAR gives the output's SaturatingRoundingDoublingHighMul; the output zero point is
folded into the rounding constant. Applies from ``add.TABLE_MIN_ELEMENTS`` elements
(the tables cost 2 KB of flash, as the portable kernel's do), without broadcasting, when
the output shift is a right shift and every sum provably stays in int32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import add, quant
from ..base import Emission, EmitContext, out
from . import register

KERNEL = "dsp_add_s8"
LIMIT = 1 << 31


@dataclass(frozen=True)
class _Plan:
    tables: np.ndarray  # int32 [2][256], indexed by the input byte as uint8
    fields: dict[str, int]


def _uint8_order(t: np.ndarray) -> np.ndarray:
    """A table indexed by v + 128 (v = -128..127) reindexed by v as uint8."""
    return np.concatenate([t[128:], t[:128]])


def _plan(g: Graph, op: Op) -> _Plan | None:
    t1, t2, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
    if not isinstance(op.attrs, add.AddAttrs) or not (t1.quant and t2.quant and o.quant):
        return None
    if t1.shape != t2.shape or t1.shape != o.shape or o.size < add.TABLE_MIN_ELEMENTS:
        return None
    q = quant.add_params(t1.quant, t2.quant, o.quant)
    if not all(-31 <= q[k] <= 0 for k in ("input1_shift", "input2_shift")):
        return None
    e = -q["output_shift"]
    if not 1 <= e <= 31:
        return None
    tabs = [add.scaled_table(q[f"input{k}_offset"], q["left_shift"], q[f"input{k}_multiplier"],
                              q[f"input{k}_shift"]).astype(np.int64) for k in (1, 2)]
    raw_bound = int(np.abs(tabs[0]).max()) + int(np.abs(tabs[1]).max())
    rnd = (1 << (e - 1)) + q["output_offset"] * (1 << e)
    if 2 * raw_bound >= LIMIT or raw_bound + abs(rnd) + 2 >= LIMIT:
        return None
    act_min, act_max = quant.activation_range(op.attrs.activation, o.quant)
    fields = {
        "size": o.size, "output_multiplier": q["output_multiplier"], "round": rnd,
        "shift": e, "full_range": int((act_min, act_max) == (-128, 127)),
        "act_min": act_min, "act_max": act_max,
    }
    tables = np.stack([_uint8_order(2 * t) for t in tabs]).astype(np.int32)
    return _Plan(tables=tables, fields=fields)


class DspAdd:
    kind = OpKind.ADD
    isa = "dsp"

    def applies(self, g: Graph, op: Op) -> bool:
        return _plan(g, op) is not None

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        p = _plan(g, op)
        if p is None:
            return None
        params = ctx.symbol(op, "params")
        tables = ctx.const_array(op, "dsp_scaled", "int32_t", p.tables)
        call = (f"mcu_dsp_add_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.cptr(op.inputs[1])}, {ctx.ptr(op.outputs[0])}, {tables});")
        return Emission(kernels=(KERNEL, "mcu_arm_dsp"), call=call,
                        params_type="mcu_dsp_add_params_t", params_name=params,
                        params=tuple(p.fields.items()))


register(DspAdd())
