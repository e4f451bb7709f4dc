"""MVE (Helium) variant of ADD for two inputs of the output's shape (no broadcasting):
four elements per vector, TFLM's rescaling (runtime_c/mve_add_s8.h)."""

from __future__ import annotations

from ...ir import Graph, Op, OpKind
from .. import quant
from ..add import AddAttrs
from ..base import Emission, EmitContext, out
from . import register


class MveAdd:
    kind = OpKind.ADD
    isa = "mve"

    def applies(self, g: Graph, op: Op) -> bool:
        """Both inputs have the output's shape, and every rescaling shift is in
        [-31, 0] (TFLM's multipliers smaller than one)."""
        t1, t2, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        if not isinstance(op.attrs, AddAttrs) or not (t1.shape == t2.shape == o.shape):
            return False
        if t1.quant is None or t2.quant is None or o.quant is None:
            return False
        try:
            q = quant.add_params(t1.quant, t2.quant, o.quant)
        except (ValueError, ZeroDivisionError, OverflowError):
            return False
        shifts = (q["input1_shift"], q["input2_shift"], q["output_shift"])
        return all(-31 <= s <= 0 for s in shifts)

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        t1, t2, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert t1.quant and t2.quant and o.quant and isinstance(op.attrs, AddAttrs)
        q = quant.add_params(t1.quant, t2.quant, o.quant)
        act_min, act_max = quant.activation_range(op.attrs.activation, o.quant)
        # mcu_add_params_t: the fields this kernel reads (the others stay zero)
        fields: dict[str, int | str] = {"size": o.size, **q, "act_min": act_min,
                                        "act_max": act_max}
        params = ctx.symbol(op, "params")
        call = (f"mcu_mve_add_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.cptr(op.inputs[1])}, {ctx.ptr(op.outputs[0])});")
        return Emission(kernels=("mve_add_s8", "mve_requant"), call=call,
                        params_type="mcu_add_params_t", params_name=params,
                        params=tuple(fields.items()))


register(MveAdd())
