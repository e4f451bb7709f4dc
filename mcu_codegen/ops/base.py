"""The shape of an op definition: attributes, support rules, costs and emitter.

Each supported TFLite operator has exactly one :class:`OpDef` subclass in this
package. The reader uses ``parse`` and ``rules``; the planner uses
``aliases_input`` and ``scratch_bytes``; the code generator uses ``emit``.
Support rules are plain functions whose docstring is the user-facing rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from ..ir import Graph, Op, OpKind, Tensor
from ..ir.graph import OpAttrs

#: A support rule: returns None when the op satisfies it, else the reason.
Rule = Callable[[Graph, Op], "str | None"]

Scalar = int | float | str


@dataclass(frozen=True)
class CArray:
    """A small const array emitted beside an op (multipliers, shifts...)."""

    name: str
    ctype: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Emission:
    """Everything the templates need to run one op.

    ``call`` is one C statement; ``params`` the initializer of a const struct
    of type ``params_type`` named ``params_name`` (both empty when unused).
    """

    kernels: tuple[str, ...]
    call: str
    params_type: str = ""
    params_name: str = ""
    params: tuple[tuple[str, Scalar], ...] = ()
    arrays: tuple[CArray, ...] = ()


class EmitContext(Protocol):
    """What an emitter may ask of the code generator."""

    def ptr(self, tensor: int) -> str:
        """A C expression for the tensor's data, typed as a pointer to its element type."""
        ...

    def cptr(self, tensor: int) -> str:
        """Like ``ptr`` but pointer-to-const."""
        ...

    def symbol(self, op: Op, what: str) -> str:
        """A unique C identifier for something belonging to ``op``."""
        ...

    def same_storage(self, a: int, b: int) -> bool:
        """True when the two tensors were planned into the same bytes."""
        ...

    def scratch(self, op: Op) -> str:
        """A C expression (``uint8_t *``, 16-byte aligned) for the op's kernel scratch
        memory: ``OpDef.scratch_bytes`` bytes the planner placed in the arena."""
        ...

    def scratch_size(self, op: Op) -> int:
        """Bytes of scratch the planner granted the op (0: none)."""
        ...

    def has_scratch(self, op: Op) -> bool:
        """True when the planner granted the op's ``scratch_bytes`` (it grants scratch
        only where it does not grow the arena); else the op must run without."""
        ...

    def const_array(self, op: Op, what: str, ctype: str, values: np.ndarray) -> str:
        """The C name of a const array of ``ctype`` in the weights file (flash) holding
        ``values``: weights reordered or padded for a kernel. Equal arrays are shared."""
        ...


class OpDef:
    """Base class; subclasses set ``kind``, ``summary`` and ``rules`` and override hooks."""

    kind: ClassVar[OpKind]
    summary: ClassVar[str] = ""
    rules: ClassVar[Sequence[Rule]] = ()
    #: True when the attributes carry a fused ``activation`` a pass may set.
    takes_fused_activation: ClassVar[bool] = False

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        """Typed attributes from the flatbuffer's builtin options (snake_case keys)."""
        raise NotImplementedError

    def check(self, g: Graph, op: Op) -> list[str]:
        """Every broken support rule for this op, as reasons (empty when supported)."""
        reasons = []
        for position, rule in enumerate(self.rules):
            try:
                why = rule(g, op)
            except (IndexError, ValueError, TypeError, ZeroDivisionError, AssertionError):
                why = "malformed operator (its tensors do not fit its type)"
            if why:
                reasons.append(why)
                if position == 0:  # the arity rule: the others would index missing tensors
                    break
        if not reasons and any(g.tensors[t].size == 0 for t in op.outputs):
            reasons.append("its output has no elements (a dimension is 0)")
        if not reasons:
            why = emission_problem(self, g, op)
            if why:
                reasons.append(why)
        return reasons

    def macs(self, g: Graph, op: Op) -> int:
        """Multiply-accumulates of one inference (0 for data movement)."""
        return 0

    def aliases_input(self) -> bool:
        """True when the output is the input's bytes reinterpreted (no copy needed)."""
        return False

    def inplace_inputs(self, g: Graph, op: Op) -> tuple[int, ...]:
        """Input positions whose bytes the kernel may overwrite with its output.

        Only for kernels that read each input element before writing the output
        element in the same place (element-wise, same size, no broadcasting).
        """
        return ()

    def evaluate(self, g: Graph, op: Op) -> list[np.ndarray] | None:
        """The op's outputs computed at build time when its inputs allow it, else None."""
        return None

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        """Kernel scratch memory needed while the op runs (planned in the arena)."""
        return 0

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        raise NotImplementedError


INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
#: Products one int32 accumulator may sum without overflowing (undefined behaviour in
#: C): |weight| <= 128 and |input - zero point| <= 255, so each product is at most
#: 32,640 in magnitude, and 65,793 of them stay below 2^31.
MAX_ACCUMULATION = (INT32_MAX) // (128 * 255)


class _DryRun:
    """An EmitContext that names no real storage, for ``emission_problem``."""

    def ptr(self, tensor: int) -> str:
        return "p"

    def cptr(self, tensor: int) -> str:
        return "p"

    def symbol(self, op: Op, what: str) -> str:
        return what

    def same_storage(self, a: int, b: int) -> bool:
        return False

    def scratch(self, op: Op) -> str:
        return "p"

    def has_scratch(self, op: Op) -> bool:
        return True

    def scratch_size(self, op: Op) -> int:
        return 1 << 30

    def const_array(self, op: Op, what: str, ctype: str, values: np.ndarray) -> str:
        return what


def emission_problem(d: OpDef, g: Graph, op: Op) -> str | None:
    """Run the emitter once on an op that passed its rules: every per-op constant
    (multipliers, shifts, paddings, sizes) can be computed and fits the kernel's
    int32 fields, or the reason why not. Keeps hostile scales and geometry out of
    the generated C."""
    try:
        e = d.emit(g, op, _DryRun())
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        why = (str(exc).splitlines() or [type(exc).__name__])[0]
        return f"its quantization parameters cannot be used ({why})"
    values = [(k, v) for k, v in e.params if isinstance(v, int)]
    values += [(a.name, v) for a in e.arrays for v in a.values]
    for name, v in values:
        if not INT32_MIN <= v <= INT32_MAX:
            return f"{name} = {v} does not fit the kernel's 32-bit parameters"
    return None


# ---- helpers shared by op definitions -------------------------------------------------


def inp(g: Graph, op: Op, i: int) -> Tensor | None:
    """The op's i-th input tensor, or None when absent (-1) or out of range."""
    if i >= len(op.inputs) or op.inputs[i] < 0:
        return None
    return g.tensors[op.inputs[i]]


def out(g: Graph, op: Op, i: int = 0) -> Tensor:
    return g.tensors[op.outputs[i]]


def padding_and_output(
    in_size: int, filter_size: int, stride: int, dilation: int, padding: str
) -> tuple[int, int]:
    """TFLite's ComputePaddingHeightWidth for one axis: (output size, leading pad)."""
    eff = (filter_size - 1) * dilation + 1
    if padding == "SAME":
        out_size = (in_size + stride - 1) // stride
    else:
        out_size = (in_size - eff + stride) // stride
    total = max(0, (out_size - 1) * stride + eff - in_size)
    return out_size, total // 2


def struct_fields(values: Mapping[str, Scalar]) -> tuple[tuple[str, Scalar], ...]:
    return tuple(values.items())
