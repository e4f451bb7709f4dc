"""FULLY_CONNECTED with the DSP extension (runtime_c/dsp_fully_connected_s8.h), over
filter rows widened to int16 at generation time (dsp_mat_mult.py): with scratch, each
input row widened once to an int16 column; without, each row read in place (widened on
the stack, or in registers for long ones; depth % 4 == 0, else the portable kernel
runs)."""

from __future__ import annotations

import numpy as np

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, inp, out
from ..fully_connected import FullyConnectedAttrs
from . import dsp_mat_mult, register


class DspFullyConnected:
    kind = OpKind.FULLY_CONNECTED
    isa = "dsp"

    def applies(self, g: Graph, op: Op) -> bool:
        w = g.tensors[op.inputs[1]]
        return w.data is not None and len(w.shape) == 2

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        """One int16 input column and one zero-padded int8 row; without
        them only a depth that is a multiple of 4 runs (widened in registers)."""
        return dsp_mat_mult.scratch_bytes(g.tensors[op.inputs[1]].shape[1])

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        x, w, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert x.quant and w.quant and o.quant and w.data is not None
        assert isinstance(op.attrs, FullyConnectedAttrs)
        n_out, depth = w.shape
        if ctx.scratch_size(op) >= self.scratch_bytes(g, op):
            scratch = ctx.scratch(op)
        elif depth % 4 == 0:
            scratch = "NULL"
        else:
            return None
        if w.quant.per_channel:
            mults, shifts = quant.conv_multipliers(x.quant, w.quant, o.quant, n_out)
        else:
            m, s = quant.fc_per_tensor_multiplier(x.quant, w.quant, o.quant)
            mults, shifts = [m] * n_out, [s] * n_out
        act = quant.activation_range(op.attrs.activation, o.quant)
        bias = inp(g, op, 2)
        stream = dsp_mat_mult.build(
            np.asarray(w.data).reshape(n_out, depth),
            None if bias is None else np.asarray(bias.data), x.quant.zero_point,
            o.quant.zero_point, mults, shifts, act)
        fields = {"batches": x.size // depth, "depth": depth,
                  **dsp_mat_mult.mm_fields(
                      stream, n_out, o.quant.zero_point, act,
                      paths=dsp_mat_mult.asm_paths(stream.groups, n_out, depth % 4 == 0,
                                                   scratch != "NULL"))}
        params = ctx.symbol(op, "params")
        name = ctx.const_array(op, "dsp", "int32_t", stream.words)
        call = (f"mcu_dsp_fully_connected_s8(&{params}, {ctx.cptr(op.inputs[0])}, {name}, "
                f"{ctx.ptr(op.outputs[0])}, {scratch});")
        return Emission(
            kernels=("dsp_fully_connected_s8", *dsp_mat_mult.KERNELS),
            call=call,
            params_type="mcu_dsp_fc_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )


register(DspFullyConnected())
