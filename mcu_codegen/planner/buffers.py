"""Buffers and their lifetimes: which bytes must exist during which ops.

A *buffer* is a set of tensors that share storage:
- a tensor on its own;
- a tensor and the RESHAPE-like outputs that reinterpret it (always shared);
- with in-place planning, an element-wise op's output and the input it may
  overwrite (the input's last use is that op, the kernel declares it safe).

Each buffer lives either in the caller's input or output memory (graph inputs
and outputs are read from and written to the caller's buffers, never copied) or
in the arena. Kernel scratch memory is a buffer that lives for one op.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from ..ir import Graph
from ..ops import OPS, simd


class Place(enum.Enum):
    ARENA = "arena"
    INPUT = "input"
    OUTPUT = "output"
    STATE = "state"  # variable tensors (e.g. LSTM state): kept across invocations


@dataclass(frozen=True)
class Buffer:
    """Bytes needed from step ``first`` to step ``last`` (inclusive) of the order."""

    id: int
    tensors: tuple[int, ...]
    nbytes: int
    first: int
    last: int
    place: Place
    io_index: int = -1  # which graph input/output, for INPUT/OUTPUT places
    scratch_for: int = -1  # op position, for kernel scratch buffers


class _Groups:
    """Union-find over tensors, remembering which caller buffers each group holds."""

    def __init__(self, g: Graph) -> None:
        self.parent = {t.index: t.index for t in g.tensors if not t.is_const}
        self.external: dict[int, set[tuple[str, int]]] = {i: set() for i in self.parent}
        for t in g.tensors:
            if t.is_variable and not t.is_const:
                self.external[t.index].add(("state", t.index))
        for pos, idx in enumerate(g.inputs):
            self.external[idx].add(("input", pos))
        for pos, idx in enumerate(g.outputs):
            self.external[idx].add(("output", pos))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def can_join(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        return ra == rb or len(self.external[ra] | self.external[rb]) <= 1

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.external[ra] |= self.external[rb]

    def must_keep(self, t: int) -> bool:
        """True for groups holding a caller's input (read-only) or a variable tensor
        (kept across invocations): nothing may be written over them in place."""
        return any(kind in ("input", "state") for kind, _ in self.external[self.find(t)])


def _last_use(g: Graph, order: Sequence[int], groups: _Groups) -> dict[int, int]:
    """Last step at which any member of each group is read or written."""
    last: dict[int, int] = {}
    for step, op_pos in enumerate(order):
        op = g.ops[op_pos]
        for t in (*op.inputs, *op.outputs):
            if t in groups.parent:
                r = groups.find(t)
                last[r] = max(last.get(r, step), step)
    for t in g.outputs:
        if t in groups.parent:
            last[groups.find(t)] = len(order)
    return last


def alias_groups(g: Graph, order: Sequence[int], inplace: bool) -> tuple[dict[int, int],
                                                                         list[tuple[int, int]]]:
    """Map every non-constant tensor to its group's root, and list the declared
    tensor pairs that share bytes (for the plan verifier).

    RESHAPE-like ops join their output to their input unless the group would hold
    two caller buffers (an input and an output, or two outputs): there the op
    copies. With ``inplace``, an op's output joins an input the kernel may
    overwrite when that input's group is in the arena or the output buffer (never
    the caller's read-only input), is used for the last time by this op, has the
    output's size, and is not read by the op through another tensor.
    """
    groups = _Groups(g)
    pairs: list[tuple[int, int]] = []
    for op in g.ops:
        if OPS[op.kind].aliases_input() and op.inputs[0] in groups.parent:
            src, dst = op.inputs[0], op.outputs[0]
            if groups.can_join(src, dst):
                groups.join(src, dst)
                pairs.append((src, dst))
    if inplace:
        last = _last_use(g, order, groups)
        for step, op_pos in enumerate(order):
            op = g.ops[op_pos]
            dst = op.outputs[0]
            for i in OPS[op.kind].inplace_inputs(g, op):
                src = op.inputs[i]
                if src not in groups.parent or dst not in groups.parent:
                    continue
                root = groups.find(src)
                others = [t for j, t in enumerate(op.inputs)
                          if j != i and t != src and t in groups.parent]
                if (groups.must_keep(src)
                        or g.tensors[src].nbytes != g.tensors[dst].nbytes
                        or last.get(root) != step
                        or any(groups.find(t) == root for t in others)
                        or not groups.can_join(src, dst)):
                    continue
                dst_last = last.get(groups.find(dst), step)
                groups.join(src, dst)
                last[groups.find(src)] = max(dst_last, step)
                pairs.append((src, dst))
                break
    return {t: groups.find(t) for t in groups.parent}, pairs


def buffers(g: Graph, order: Sequence[int], inplace: bool = False, isa: str = "portable"
            ) -> tuple[list[Buffer], list[tuple[int, int]]]:
    """All buffers of the graph for the given op execution order, and the declared
    sharing pairs behind them. Kernel scratch is what the kernel set ``isa`` asks."""
    step_of = {op_pos: step for step, op_pos in enumerate(order)}
    roots, pairs = alias_groups(g, order, inplace)
    members: dict[int, list[int]] = {}
    for t, root in sorted(roots.items()):
        members.setdefault(root, []).append(t)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for op_pos, op in enumerate(g.ops):
        step = step_of[op_pos]
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
            if g.tensors[t].is_variable:
                place = Place.STATE
            elif t in inputs:
                place, io_index = Place.INPUT, inputs[t]
            elif t in outputs and place is Place.ARENA:
                place, io_index = Place.OUTPUT, outputs[t]
        if root not in first and place is Place.ARENA:
            continue  # an unused tensor
        nbytes = max(g.tensors[t].nbytes for t in tensors)
        result.append(Buffer(len(result), tuple(tensors), nbytes, first.get(root, 0),
                             last.get(root, 0), place, io_index))
    for op_pos, op in enumerate(g.ops):
        scratch = simd.scratch_bytes(g, op, isa)
        if scratch > 0:
            step = step_of[op_pos]
            result.append(Buffer(len(result), (), scratch, step, step, Place.ARENA,
                                 scratch_for=op_pos))
    return result, pairs
