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


def build_report(
    g: Graph,
    plan: ArenaPlan,
    *,
    prefix: str,
    board: str,
    model_sha256: str,
    weights_bytes: int,
    kernels: list[str],
    macs: list[int],
) -> dict[str, object]:
    tensors = []
    for b in plan.buffers:
        for t in b.tensors:
            tensors.append({
                "index": t,
                "name": g.tensors[t].name,
                "bytes": g.tensors[t].nbytes,
                "place": b.place.value,
                "offset": plan.offsets.get(b.id) if b.place is Place.ARENA else None,
                "first_op": b.first,
                "last_op": b.last,
            })
    return {
        "generator": f"mcu-codegen {__version__}",
        "model_sha256": model_sha256,
        "prefix": prefix,
        "board": board,
        "arena_bytes": plan.arena_bytes,
        "arena_lower_bound_bytes": plan.lower_bound_bytes,
        "arena_greedy_bytes": plan.greedy_bytes,
        "arena_strategy": plan.strategy,
        "scratch_bytes": sum(b.nbytes for b in plan.buffers if b.scratch_for >= 0),
        "io_in_caller_buffers": True,
        "weights_bytes": weights_bytes,
        "macs": sum(macs),
        "kernels": kernels,
        "execution_order": list(plan.order),
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
        "tensors": sorted(tensors, key=lambda r: int(str(r["index"]))),
    }
