"""BATCH_MATMUL (int8 x int8 -> int8, adj_x / adj_y, broadcast batch dimensions).

Either operand may be constant (then it is a weight array in flash) or an
activation. TFLite Micro transposes operands into buffers of its own before
multiplying; here the transposition is only a choice of strides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..ir import DType, Graph, Op, OpKind, Tensor
from ..ir.graph import OpAttrs
from . import quant, rules
from .base import Emission, EmitContext, OpDef, inp, out

#: Products one output may sum: (int8 - zero point) products are at most 255^2.
MAX_DEPTH = ((1 << 31) - 1) // (255 * 255)


@dataclass(frozen=True)
class BatchMatMulAttrs(OpAttrs):
    adj_x: bool
    adj_y: bool


def _ext5(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (1,) * (5 - len(shape)) + shape


def _batch_strides(ext: tuple[int, ...]) -> list[int]:
    """Element stride of each of the 3 batch dimensions; 0 where the size is 1
    (broadcast), as TFLite's batch_matmul::extent."""
    strides = []
    for i in range(3):
        step = 1
        for d in ext[i + 1:]:
            step *= d
        strides.append(0 if ext[i] == 1 else step)
    return strides


def geometry(g: Graph, op: Op) -> dict[str, int | str]:
    """The kernel's shape fields (mcu_batch_matmul_params_t); raises ValueError when
    the operands do not multiply."""
    a = op.attrs
    assert isinstance(a, BatchMatMulAttrs)
    lhs, rhs = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]]
    le, re_ = _ext5(lhs.shape), _ext5(rhs.shape)
    batch = []
    for i in range(3):
        if le[i] != re_[i] and 1 not in (le[i], re_[i]):
            raise ValueError(f"batch dimensions {list(lhs.shape[:-2])} and "
                             f"{list(rhs.shape[:-2])} do not broadcast")
        batch.append(re_[i] if le[i] == 1 else le[i])
    if a.adj_x:
        depth, rows, lhs_row, lhs_depth = le[3], le[4], 1, le[4]
    else:
        rows, depth, lhs_row, lhs_depth = le[3], le[4], le[4], 1
    if a.adj_y:
        cols, rhs_depth_n, rhs_col, rhs_depth = re_[3], re_[4], re_[4], 1
    else:
        rhs_depth_n, cols, rhs_col, rhs_depth = re_[3], re_[4], 1, re_[4]
    if depth != rhs_depth_n:
        raise ValueError(f"inner dimensions differ: {depth} and {rhs_depth_n}")

    def c3(v: Sequence[int]) -> str:
        return "{" + ", ".join(str(x) for x in v) + "}"

    return {
        "batch_dims": c3(batch),
        "lhs_batch_strides": c3(_batch_strides(le)),
        "rhs_batch_strides": c3(_batch_strides(re_)),
        "rows": rows, "cols": cols, "depth": depth,
        "lhs_row_stride": lhs_row, "lhs_depth_stride": lhs_depth,
        "rhs_depth_stride": rhs_depth, "rhs_col_stride": rhs_col,
        "out_size": batch[0] * batch[1] * batch[2] * rows * cols,
    }


def _shape_rule(g: Graph, op: Op) -> str | None:
    """both operands have 2 to 5 dimensions, none empty; batch dimensions broadcast;
    the inner dimensions (after adj_x / adj_y) agree and are at most 33,025; the output
    has at least as many dimensions as the larger operand and holds the product"""
    lhs, rhs, o = inp(g, op, 0), inp(g, op, 1), out(g, op)
    if lhs is None or rhs is None:
        return None  # reported by the dtype rules
    for name, t in (("lhs", lhs), ("rhs", rhs)):
        if not 2 <= len(t.shape) <= 5 or t.size == 0:
            return f"{name} shape {list(t.shape)} is not supported (2 to 5 dimensions, none empty)"
    try:
        geo = geometry(g, op)
    except ValueError as exc:
        return str(exc)
    depth = geo["depth"]
    assert isinstance(depth, int)
    if depth > MAX_DEPTH:
        return f"inner dimension {depth} exceeds {MAX_DEPTH} (int32 sums)"
    if len(o.shape) < max(len(lhs.shape), len(rhs.shape)) or o.size != geo["out_size"]:
        return f"output shape {list(o.shape)} does not hold the {geo['out_size']} products"
    return None


def _per_tensor(t: Tensor | None) -> bool:
    return t is None or t.quant is None or not t.quant.per_channel


def _quant_rule(g: Graph, op: Op) -> str | None:
    """both operands and the output are quantized per tensor"""
    if not _per_tensor(inp(g, op, 1)):
        return "input 1 has per-channel quantization"
    return None


class BatchMatMul(OpDef):
    kind = OpKind.BATCH_MATMUL
    summary = ("batched matrix product with adj_x / adj_y and broadcast batch dimensions; "
               "either operand may be constant")
    rules = (
        rules.n_inputs(2, 2),
        rules.io_dtype("input", 0, DType.INT8),
        rules.io_dtype("input", 1, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _quant_rule,
        _shape_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return BatchMatMulAttrs(adj_x=bool(options.get("adj_x", False)),
                                adj_y=bool(options.get("adj_y", False)))

    def macs(self, g: Graph, op: Op) -> int:
        geo = geometry(g, op)
        size, depth = geo["out_size"], geo["depth"]
        assert isinstance(size, int) and isinstance(depth, int)
        return size * depth

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        lhs, rhs, o = g.tensors[op.inputs[0]], g.tensors[op.inputs[1]], out(g, op)
        assert lhs.quant and rhs.quant and o.quant
        fields = geometry(g, op)
        del fields["out_size"]
        mult, shift = quant.fc_per_tensor_multiplier(lhs.quant, rhs.quant, o.quant)
        fields.update({
            "lhs_offset": -lhs.quant.zero_point,
            "rhs_offset": -rhs.quant.zero_point,
            "output_offset": o.quant.zero_point,
            "multiplier": mult,
            "shift": shift,
        })
        params = ctx.symbol(op, "params")
        return Emission(
            kernels=("batch_matmul_s8",),
            call=f"mcu_batch_matmul_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                 f"{ctx.cptr(op.inputs[1])}, {ctx.ptr(op.outputs[0])});",
            params_type="mcu_batch_matmul_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
