"""Small pure helpers that passes build new graphs with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..ir import Graph, Op, Tensor


def replace_uses(g: Graph, old: int, new: int) -> Graph:
    """Every op input and graph output reading ``old`` reads ``new`` instead."""
    ops = tuple(
        replace(op, inputs=tuple(new if t == old else t for t in op.inputs))
        if old in op.inputs else op
        for op in g.ops
    )
    outputs = tuple(new if t == old else t for t in g.outputs)
    return replace(g, ops=ops, outputs=outputs)


def drop_ops(g: Graph, positions: Iterable[int]) -> Graph:
    gone = set(positions)
    return replace(g, ops=tuple(op for pos, op in enumerate(g.ops) if pos not in gone))


def replace_op(g: Graph, position: int, op: Op) -> Graph:
    ops = list(g.ops)
    ops[position] = op
    return replace(g, ops=tuple(ops))


def replace_tensor(g: Graph, tensor: Tensor) -> Graph:
    tensors = list(g.tensors)
    tensors[tensor.index] = tensor
    return replace(g, tensors=tuple(tensors))


def readers(g: Graph, tensor: int) -> list[int]:
    """Positions of the ops reading ``tensor``."""
    return [pos for pos, op in enumerate(g.ops) if tensor in op.inputs]


def is_private(g: Graph, tensor: int, reader: int) -> bool:
    """True when ``tensor`` is read by the op at ``reader`` only and is not a graph
    output (so it may disappear when that op is rewritten)."""
    return readers(g, tensor) == [reader] and tensor not in g.outputs and tensor not in g.inputs
