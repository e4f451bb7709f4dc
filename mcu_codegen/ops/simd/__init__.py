"""Kernel variants for instruction-set extensions, chosen from the board at build time.

A board's ``features`` decide its kernel set (``isa``): ``"mve"`` (Helium, Cortex-M55),
``"dsp"`` (the Armv7E-M DSP extension: M4, M7, M33, M55) or ``"portable"`` (plain C99).
Each op keeps its one definition in ``mcu_codegen.ops``; a variant adds a faster
emitter for one (op kind, isa) pair and says for which ops it applies. The code
generator and the planner ask this module, never a variant directly:

- ``chain(isa)``: the kernel sets tried in order (mve -> dsp -> portable);
- ``scratch_bytes``: the scratch the first applicable variant asks for;
- ``emit``: the first applicable variant's emission, else the portable one.

A variant's ``emit`` may return None (for instance when the planner had no room for
its scratch); the next kernel set in the chain is tried then. The DSP variants call
intrinsics through runtime_c/mcu_arm_dsp.h, which emulates them in C off Arm, so a
"dsp" build also runs (bit-exact, slowly) on the host for tests.
"""

from __future__ import annotations

from typing import Protocol

from ...errors import OptionError
from ...ir import Graph, Op, OpKind
from ..base import Emission, EmitContext

#: Kernel sets, from the most portable.
ISAS = ("portable", "dsp", "mve")
#: What ``--kernels`` accepts: a kernel set, or ``auto`` (the board's best).
KERNEL_CHOICES = ("auto", *ISAS)


class Variant(Protocol):
    """A faster emitter for one op kind on one kernel set."""

    kind: OpKind
    isa: str

    def applies(self, g: Graph, op: Op) -> bool:
        """Whether this variant handles ``op`` (shapes, parameters, ranges)."""
        ...

    def scratch_bytes(self, g: Graph, op: Op) -> int:
        """Scratch the variant asks the planner for (0: none)."""
        ...

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission | None:
        """The emission, or None to leave the op to the next kernel set."""
        ...


_VARIANTS: dict[tuple[OpKind, str], list[Variant]] = {}


def register(v: Variant) -> Variant:
    assert v.isa in ISAS[1:], v.isa
    _VARIANTS.setdefault((v.kind, v.isa), []).append(v)
    return v


def board_isa(features: tuple[str, ...] | frozenset[str], core: str) -> str:
    """The best kernel set a board's features allow."""
    if "mve" in features:
        return "mve"
    if "dsp" in features:
        return "dsp"
    return "portable"


def resolve(choice: str, features: tuple[str, ...] | frozenset[str], core: str,
            board_name: str) -> str:
    """The kernel set for ``--kernels choice`` on a board; refuses what the core lacks.

    The host may use ``dsp`` (its intrinsics are emulated in C): that is how the
    DSP kernels are tested quickly; MVE kernels need an MVE core."""
    if choice not in KERNEL_CHOICES:
        raise OptionError(f"unknown kernel set {choice!r} (choose from "
                          f"{', '.join(KERNEL_CHOICES)})")
    best = board_isa(features, core)
    if choice == "auto":
        return best
    allowed = ("portable", "dsp") if core == "host" else ISAS[: ISAS.index(best) + 1]
    if choice not in allowed:
        raise OptionError(f"board {board_name} has no {choice.upper()} extension "
                          f"(its kernel sets: {', '.join(allowed)})")
    return choice


def chain(isa: str) -> tuple[str, ...]:
    """Kernel sets tried for an op, best first, ending before ``portable``."""
    return tuple(reversed(ISAS[1: ISAS.index(isa) + 1]))


def variants(g: Graph, op: Op, isa: str) -> list[Variant]:
    """The variants that apply to ``op``, in the order they are tried.

    None applies to an op whose constant input (weights) other ops read too: the
    variants lay constants out per op (reordered, widened, with the op's bias and
    requantization folded in), so a weight tensor shared by many ops (an unrolled
    LSTM) would be stored once per op; the portable kernels read the one copy."""
    if _shares_constants(g, op):
        return []
    return [v for s in chain(isa) for v in _VARIANTS.get((op.kind, s), ())
            if v.applies(g, op)]


#: Graph.consumers() of the last graph asked about: the planner asks for every op of
#: every candidate order, so it is computed once per graph, not once per op.
_consumers: tuple[Graph, dict[int, list[int]]] | None = None


def _shares_constants(g: Graph, op: Op) -> bool:
    global _consumers
    if _consumers is None or _consumers[0] is not g:
        _consumers = (g, g.consumers())
    readers = _consumers[1]
    return any(t >= 0 and g.tensors[t].data is not None and len(set(readers.get(t, ()))) > 1
               for t in set(op.inputs))


def scratch_bytes(g: Graph, op: Op, isa: str) -> int:
    from .. import OPS

    for v in variants(g, op, isa):
        return v.scratch_bytes(g, op)
    return OPS[op.kind].scratch_bytes(g, op)


def emit(g: Graph, op: Op, ctx: EmitContext, isa: str) -> Emission:
    from .. import OPS

    for v in variants(g, op, isa):
        e = v.emit(g, op, ctx)
        if e is not None:
            return e
    return OPS[op.kind].emit(g, op, ctx)


def _load() -> None:
    """Import the variant modules (each registers itself)."""
    from importlib import import_module

    for name in _MODULES:
        import_module(f"{__name__}.{name}")


#: Variant modules of this package, each registering its variants on import.
_MODULES: tuple[str, ...] = (
    "dsp_conv_smallk", "dsp_conv", "dsp_fully_connected", "dsp_depthwise", "dsp_pool", "dsp_add",
    "mve_conv", "mve_depthwise", "mve_pool", "mve_add",
)

_load()
