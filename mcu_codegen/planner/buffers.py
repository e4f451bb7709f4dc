"""Buffers and their lifetimes: which bytes must exist during which ops.

A *buffer* is a set of tensors that share storage: a tensor on its own, or a
tensor together with the RESHAPE-like outputs that reinterpret it. Each buffer
lives either in the caller's input or output memory (graph inputs and outputs
are read from and written to the caller's buffers, never copied) or in the
arena. Kernel scratch memory is a buffer that lives for one op.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..ir import Graph
from ..ops import OPS


class Place(enum.Enum):
    ARENA = "arena"
    INPUT = "input"
    OUTPUT = "output"
    CONST = "const"


@dataclass(frozen=True)
class Buffer:
    """Bytes needed from op position ``first`` to ``last`` (inclusive)."""

    id: int
    tensors: tuple[int, ...]
    nbytes: int
    first: int
    last: int
    place: Place
    io_index: int = -1  # which graph input/output, for INPUT/OUTPUT places
    scratch_for: int = -1  # op position, for kernel scratch buffers


def _find(parent: dict[int, int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def alias_groups(g: Graph) -> dict[int, int]:
    """Map every non-constant tensor to its group's root tensor.

    A RESHAPE-like op joins its output to its input's group unless the group
    would then contain two caller buffers (an input and an output, or two
    outputs): there the op copies instead.
    """
    parent = {t.index: t.index for t in g.tensors if not t.is_const}
    external: dict[int, set[tuple[str, int]]] = {i: set() for i in parent}
    for pos, idx in enumerate(g.inputs):
        external[idx].add(("input", pos))
    for pos, idx in enumerate(g.outputs):
        external[idx].add(("output", pos))
    for op in g.ops:
        if not OPS[op.kind].aliases_input():
            continue
        src, dst = op.inputs[0], op.outputs[0]
        if src not in parent:
            continue  # a constant reshaped: the output is copied from flash
        a, b = _find(parent, src), _find(parent, dst)
        merged = external[a] | external[b]
        if len(merged) > 1:
            continue
        parent[b] = a
        external[a] = merged
    return {t: _find(parent, t) for t in parent}


def buffers(g: Graph, order: tuple[int, ...]) -> list[Buffer]:
    """All buffers of the graph for the given op execution order."""
    pos_of = {op_pos: step for step, op_pos in enumerate(order)}
    roots = alias_groups(g)
    members: dict[int, list[int]] = {}
    for t, root in sorted(roots.items()):
        members.setdefault(root, []).append(t)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for op_pos, op in enumerate(g.ops):
        step = pos_of[op_pos]
        for t in (*op.inputs, *op.outputs):
            if t in roots:
                r = roots[t]
                first[r] = min(first.get(r, step), step)
                last[r] = max(last.get(r, step), step)
    inputs = {t: i for i, t in enumerate(g.inputs)}
    outputs = {t: i for i, t in enumerate(g.outputs)}
    result: list[Buffer] = []
    for root, tensors in sorted(members.items()):
        place, io_index = Place.ARENA, -1
        for t in tensors:
            if t in inputs:
                place, io_index = Place.INPUT, inputs[t]
            elif t in outputs and place is Place.ARENA:
                place, io_index = Place.OUTPUT, outputs[t]
        if root not in first and place is Place.ARENA:
            continue  # an unused tensor
        nbytes = max(g.tensors[t].nbytes for t in tensors)
        result.append(
            Buffer(len(result), tuple(tensors), nbytes, first.get(root, 0), last.get(root, 0),
                   place, io_index)
        )
    for op_pos, op in enumerate(g.ops):
        scratch = OPS[op.kind].scratch_bytes(g, op)
        if scratch > 0:
            step = pos_of[op_pos]
            result.append(Buffer(len(result), (), scratch, step, step, Place.ARENA,
                                 scratch_for=op_pos))
    return result
