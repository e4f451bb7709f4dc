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
