"""AVERAGE_POOL_2D and MAX_POOL_2D with the DSP instructions (runtime_c/dsp_pooling_s8.c):
four channels per 32-bit word, the same parameters as the portable kernels.

The average pool applies when the window holds at most 256 values (the sums of four
channels then fit int16 lanes); both need at least four channels to gain anything.
"""

from __future__ import annotations

from ...ir import Graph, Op, OpKind
from .. import quant
from ..base import Emission, EmitContext, out
from ..pool import PoolAttrs, geometry
from . import register

KERNEL = "dsp_pooling_s8"
#: Values one int16 lane sums exactly: 256 * 128.
MAX_WINDOW = 256


class _DspPool:
    kind = OpKind.AVERAGE_POOL_2D
    isa = "dsp"
    fn = ""
    max_window: int | None = None

    def applies(self, g: Graph, op: Op) -> bool:
        if not isinstance(op.attrs, PoolAttrs) or len(g.tensors[op.inputs[0]].shape) != 4:
            return False
        if g.tensors[op.inputs[0]].shape[3] < 4:
            return False
        return self.max_window is None or op.attrs.filter_h * op.attrs.filter_w <= self.max_window

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        assert isinstance(op.attrs, PoolAttrs)
        act_min, act_max = quant.activation_range(op.attrs.activation, out(g, op).quant)
        fields = {**geometry(g, op), "act_min": act_min, "act_max": act_max}
        params = ctx.symbol(op, "params")
        call = f"{self.fn}(&{params}, {ctx.cptr(op.inputs[0])}, {ctx.ptr(op.outputs[0])});"
        return Emission(kernels=(KERNEL, "mcu_arm_dsp", "mcu_conv_taps"), call=call,
                        params_type="mcu_pool_params_t", params_name=params,
                        params=tuple(fields.items()))


class DspAveragePool(_DspPool):
    kind = OpKind.AVERAGE_POOL_2D
    fn = "mcu_dsp_avg_pool_s8"
    max_window = MAX_WINDOW


class DspMaxPool(_DspPool):
    kind = OpKind.MAX_POOL_2D
    fn = "mcu_dsp_max_pool_s8"


register(DspAveragePool())
register(DspMaxPool())
