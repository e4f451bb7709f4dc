"""report.json: what was built, for people and for tools."""

from __future__ import annotations

from .. import __version__
from ..ir import DType, Graph, Tensor
from ..planner import ArenaPlan, Place


def _io(t: Tensor) -> dict[str, object]:
    quantized = t.quant is not None and t.dtype is not DType.FLOAT32
    return {
        "name": t.name,
        "shape": list(t.shape),
        "dtype": t.dtype.label,
        "bytes": t.nbytes,
        "scale": t.quant.scale if quantized and t.quant else 0.0,
        "zero_point": t.quant.zero_point if quantized and t.quant else 0,
    }


def tensor_rows(g: Graph, plan: ArenaPlan) -> list[dict[str, object]]:
    """One row per planned tensor: where it lives and the ops (model op indices) that
    first and last touch it, in execution order."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for op_pos in plan.order:
        op = g.ops[op_pos]
        for t in (*op.inputs, *op.outputs):
            if t >= 0 and not g.tensors[t].is_const:
                first.setdefault(t, op.index)
                last[t] = op.index
    rows = []
    for b in plan.buffers:
        for t in b.tensors:
            if t not in first:
                continue
            rows.append({
                "index": t,
                "name": g.tensors[t].name,
                "bytes": g.tensors[t].nbytes,
                "place": f"{b.place.value}[{b.io_index}]"
                if b.place in (Place.INPUT, Place.OUTPUT) else b.place.value,
                "offset": plan.offsets.get(b.id) if b.place is Place.ARENA
                else plan.state_offsets.get(b.id) if b.place is Place.STATE else None,
                "first_op": first[t],
                "last_op": last[t],
            })
    return sorted(rows, key=lambda r: int(str(r["index"])))


def build_report(
    g: Graph,
    plan: ArenaPlan,
    *,
    prefix: str,
    board: str,
    model_sha256: str,
    isa: str,
    weights_bytes: int,
    kernels: list[str],
    macs: list[int],
) -> dict[str, object]:
    return {
        "generator": f"mcu-codegen {__version__}",
        "model_sha256": model_sha256,
        "prefix": prefix,
        "board": board,
        "kernel_set": isa,
        "arena_bytes": plan.arena_bytes,
        "arena_lower_bound_bytes": plan.lower_bound_bytes,
        "arena_greedy_bytes": plan.greedy_bytes,
        "arena_strategy": plan.strategy,
        "arena_inplace": plan.inplace,
        "state_bytes": plan.state_bytes,
        "scratch_bytes": plan.scratch_bytes,
        "io_in_caller_buffers": True,
        "weights_bytes": weights_bytes,
        "macs": sum(macs),
        "kernels": kernels,
        "execution_order": [g.ops[pos].index for pos in plan.order],
        "ops": [
            {
                "index": op.index,
                "type": op.kind.value,
                "inputs": list(op.inputs),
                "outputs": list(op.outputs),
                "macs": m,
            }
            for op, m in zip(g.ops, macs, strict=True)
        ],
        "inputs": [_io(g.tensors[i]) for i in g.inputs],
        "outputs": [_io(g.tensors[i]) for i in g.outputs],
        "tensors": tensor_rows(g, plan),
    }
