"""Compile a generated library for the host and call it through cffi (ABI mode: the
library linked into a shared object and loaded with ``ffi.dlopen``).

``buffer_call`` gives a thinner call for timing (mcu_codegen.verify.fastcall: the arrays
themselves as arguments, ~0.05 us per call against ~0.2 us through libffi).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cffi
import numpy as np

from ..errors import VerifyError
from . import fastcall

STRICT_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic")


class HostLibrary:
    """A generated library compiled into a shared object and loaded with cffi."""

    def __init__(self, src_dir: Path, prefix: str, cc: str | None = None,
                 extra_flags: Sequence[str] = ("-O2",), extra_cdef: str = "") -> None:
        cc = cc or shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise VerifyError("no C compiler found on this machine (install gcc)")
        self._tmp = tempfile.TemporaryDirectory(prefix="mcu-codegen-host-")
        so = Path(self._tmp.name) / f"lib{prefix}.so"
        sources = sorted(str(p) for p in src_dir.glob("*.c"))
        cmd = [cc, *STRICT_FLAGS, *extra_flags, "-shared", "-fPIC", "-o", str(so), *sources, "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["(no output)"])[0]
            raise VerifyError(f"the generated C does not compile on the host: {first}")
        self.ffi = cffi.FFI()
        self.ffi.cdef(
            f"int {prefix}_invoke(const void *const inputs[], void *const outputs[]);\n"
            f"int {prefix}_invoke_with_arena(const void *const inputs[], "
            "void *const outputs[], void *arena);\n"
            f"void {prefix}_reset(void);\n" + extra_cdef
        )
        self.lib: Any = self.ffi.dlopen(str(so))
        self.prefix = prefix

    def invoke(self, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray],
               arena: np.ndarray | None = None) -> int:
        """Run one inference; ``outputs`` are filled in place."""
        ins = [np.ascontiguousarray(x) for x in inputs]
        in_ptrs = self.ffi.new("void *[]", [self.ffi.from_buffer(x) for x in ins])
        out_ptrs = self.ffi.new("void *[]", [self.ffi.from_buffer(y) for y in outputs])
        if arena is None:
            fn = getattr(self.lib, f"{self.prefix}_invoke")
            return int(fn(in_ptrs, out_ptrs))
        fn = getattr(self.lib, f"{self.prefix}_invoke_with_arena")
        return int(fn(in_ptrs, out_ptrs, self.ffi.from_buffer(arena)))

    def buffer_call(self, in_sizes: Sequence[int],
                    out_sizes: Sequence[int]) -> Callable[..., int]:
        """``f(*inputs, *outputs) -> status``: ``<prefix>_invoke`` on the caller's arrays
        (C-contiguous, of these byte sizes) in one thin CPython call
        (:mod:`.fastcall`); raises VerifyError where that cannot be built."""
        fn = getattr(self.lib, f"{self.prefix}_invoke")
        address = int(self.ffi.cast("uintptr_t", fn))
        return fastcall.buffer_caller(address, in_sizes, out_sizes, self.lib)

    def reset(self) -> None:
        """Put the library's state (variable tensors) back to its initial value."""
        getattr(self.lib, f"{self.prefix}_reset")()

    def close(self) -> None:
        self._tmp.cleanup()
