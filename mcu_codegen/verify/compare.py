"""Byte-for-byte comparison of outputs, with a readable account of any difference."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mismatch:
    output: int
    differing: int
    total: int
    first: list[tuple[int, str, str]]  # (flat index, ours, reference)

    def describe(self) -> str:
        shown = ", ".join(f"[{i}] ours {a} ref {b}" for i, a, b in self.first)
        return (f"output {self.output}: {self.differing} of {self.total} elements differ; "
                f"first: {shown}")


def compare(ours: list[np.ndarray], ref: list[np.ndarray], show: int = 8) -> list[Mismatch]:
    """Compare each output as raw bytes; report elements whose bytes differ."""
    result = []
    for k, (a, b) in enumerate(zip(ours, ref, strict=True)):
        a = np.ascontiguousarray(a).reshape(-1)
        b = np.ascontiguousarray(b).reshape(-1)
        if a.dtype != b.dtype or a.size != b.size:
            result.append(Mismatch(k, max(a.size, b.size), max(a.size, b.size),
                                   [(0, f"{a.dtype}{a.shape}", f"{b.dtype}{b.shape}")]))
            continue
        if a.tobytes() == b.tobytes():
            continue
        diff = np.nonzero(a.view(f"u{a.itemsize}") != b.view(f"u{b.itemsize}"))[0]
        result.append(Mismatch(k, int(diff.size), int(a.size),
                               [(int(i), repr(a[i].item()), repr(b[i].item()))
                                for i in diff[:show]]))
    return result
