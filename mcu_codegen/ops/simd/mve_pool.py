"""MVE (Helium) variants of AVERAGE_POOL_2D and MAX_POOL_2D: 16 channels per vector, the
portable kernels' parameters (runtime_c/mve_pooling_s8.h)."""

from __future__ import annotations

from ...ir import Graph, Op, OpKind
from ..base import Emission, EmitContext
from ..pool import PoolAttrs
from . import register

#: Average windows the int16 sums hold exactly (|sum| <= 128 * 256).
MAX_AVG_TAPS = 256


class _MvePool:
    isa = "mve"
    fn = ""

    def applies(self, g: Graph, op: Op) -> bool:
        return isinstance(op.attrs, PoolAttrs)

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        from .. import OPS

        # the portable emission's parameters (mcu_pool_params_t), this kernel's call
        e = OPS[op.kind].emit(g, op, ctx)
        assert e.params_type == "mcu_pool_params_t"
        call = f"{self.fn}(&{e.params_name}, {ctx.cptr(op.inputs[0])}, {ctx.ptr(op.outputs[0])});"
        return Emission(kernels=("mve_pooling_s8", "mve_requant", "mcu_conv_taps"), call=call,
                        params_type=e.params_type, params_name=e.params_name, params=e.params)


class MveAveragePool2D(_MvePool):
    kind = OpKind.AVERAGE_POOL_2D
    fn = "mcu_mve_avg_pool_s8"

    def applies(self, g: Graph, op: Op) -> bool:
        """Windows of at most 256 taps (the sums are int16)."""
        a = op.attrs
        return isinstance(a, PoolAttrs) and a.filter_h * a.filter_w <= MAX_AVG_TAPS


class MveMaxPool2D(_MvePool):
    kind = OpKind.MAX_POOL_2D
    fn = "mcu_mve_max_pool_s8"


register(MveAveragePool2D())
register(MveMaxPool2D())
