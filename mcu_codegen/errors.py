"""Errors that reach the user as one line.

Every failure the user can cause (bad model, unsupported op, bad option, model
too big for the board) raises a subclass of :class:`McuCodegenError`. The CLI
prints ``error: <message>`` and exits non-zero; anything else is a bug.
"""

import re


class McuCodegenError(Exception):
    """Base class: a problem with the user's input, reported as one line."""

    exit_code = 2


class ModelError(McuCodegenError):
    """The file is not a usable .tflite model (empty, truncated, corrupt, float...)."""


class UnsupportedError(McuCodegenError):
    """The model is valid but uses something mcu-codegen does not support.

    Problems of the form ``"TYPE (op N): reason"`` that share type and reason are
    reported once with all their op indices, so a model with hundreds of the same
    missing op still gets one readable line.
    """

    def __init__(self, problems: list[str], what: str = "operator") -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} unsupported {what}{'s' if n != 1 else ''}: "
        super().__init__(head + "; ".join(_grouped(self.problems)))


def _grouped(problems: list[str]) -> list[str]:
    groups: dict[tuple[str, str], list[int]] = {}
    others: list[str] = []
    for p in problems:
        m = re.fullmatch(r"(.+?) \(op (\d+)\): (.*)", p, flags=re.S)
        if m:
            groups.setdefault((m.group(1), m.group(3)), []).append(int(m.group(2)))
        else:
            others.append(p)
    lines = []
    for (kind, reason), idx in groups.items():
        label = f"op {idx[0]}" if len(idx) == 1 else f"{len(idx)} ops: {_ranges(idx)}"
        lines.append(f"{kind} ({label}): {reason}")
    return lines + others


def _ranges(indices: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    parts, start, prev = [], indices[0], indices[0]
    for i in [*indices[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    return ", ".join(parts)


class OptionError(McuCodegenError):
    """A command-line or API option is invalid."""


class BoardError(McuCodegenError):
    """The model does not fit the board, or the board is unknown."""


class OracleError(McuCodegenError):
    """The reference interpreter is missing or refused the model."""


class VerifyError(McuCodegenError):
    """The generated code could not be compiled or run for verification."""

    exit_code = 3
