"""Formatting values as C99 source text, safely."""

from __future__ import annotations

import re

import numpy as np

INT32_MIN = -(1 << 31)


def c_int(v: int) -> str:
    """An integer literal; INT32_MIN is written so no compiler warns about it."""
    if v == INT32_MIN:
        return "(-2147483647 - 1)"
    return str(v)


def c_float_decimal(x: float) -> str:
    """A float32 value as a decimal literal that round-trips exactly (for headers)."""
    v = np.float32(x)
    text = np.format_float_positional(v, unique=True, trim="-") if abs(v) >= 1e-4 or v == 0 \
        else np.format_float_scientific(v, unique=True, trim="-")
    if "." not in text and "e" not in text:
        text += ".0"
    return text + "f"


def c_array_body(values: np.ndarray | list[int] | tuple[int, ...]) -> str:
    """Comma-separated values, a few to a line, for an array initializer.

    Converted a block at a time: megabytes of weights must not become a Python
    object per value (the text is ~5 bytes per value, the objects ~80)."""
    flat = np.asarray(values).reshape(-1)
    if flat.size == 0:
        return ""
    if flat.dtype.kind == "f":
        raise TypeError("float arrays are not emitted")
    if flat.dtype.kind == "b":
        flat = flat.astype(np.uint8)
    per_line = 8 if flat.dtype.itemsize >= 4 else 16
    fmt = c_int if flat.dtype.itemsize >= 4 else str
    block = per_line * 4096
    lines: list[str] = []
    for start in range(0, flat.size, block):
        part = flat[start : start + block].tolist()
        lines.extend(", ".join(map(fmt, part[i : i + per_line]))
                     for i in range(0, len(part), per_line))
    return ",\n    ".join(lines)


_UNSAFE = re.compile(r"[^\x20-\x7e]|\*/|/\*|\\|\?\?")


def c_comment_text(text: str, limit: int = 80) -> str:
    """Model-supplied text made safe inside a /* */ comment: printable ASCII only, no
    comment delimiters, no backslashes (line splices) and no trigraphs (never two
    question marks in a row); nor a '*' or '/' at either end, which could pair with
    the comment's own delimiters."""
    cleaned = _UNSAFE.sub("?", text)
    cleaned = re.sub(r"^[*/]|[*/]$", "?", cleaned)
    cleaned = re.sub(r"\?{2,}", "?", cleaned)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


def c_identifier_ok(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None
