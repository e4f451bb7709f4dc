"""Compile a generated library for the host and call it through cffi.

Two bindings, the same library objects (compiled with the caller's flags):

- ``abi`` (default, what ``verify`` uses): the library linked into a shared object and
  loaded with ``ffi.dlopen``. Quick to build; a call goes through libffi (~0.2 us).
- ``api``: cffi's out-of-line API mode, a CPython extension module with a direct C
  wrapper per function, built here with the C compiler and the interpreter's headers
  (``Python.h``, from the python3-dev package on Debian). About 0.1 us less per call,
  about 0.3 s more to build; used where per-call cost matters (bench/speed.py).
  ``binding="auto"`` tries ``api`` and falls back to ``abi`` when it cannot be built
  (no ``Python.h``); ``self.binding`` says which one is loaded and ``self.fallback``
  why ``api`` was not.

Either way, ``buffer_call`` gives a thinner call still (mcu_codegen.verify.fastcall: the
arrays themselves as arguments, ~0.05 us per call).
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import io
import itertools
import os
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cffi
import numpy as np

from ..errors import VerifyError
from . import fastcall
from .fastcall import python_headers

STRICT_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic")

_module_ids = itertools.count()


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["(no output)"])[0]
        raise VerifyError(f"{what}: {first}")


class HostLibrary:
    """A generated library compiled for the host and loaded with cffi."""

    def __init__(self, src_dir: Path, prefix: str, cc: str | None = None,
                 extra_flags: Sequence[str] = ("-O2",), binding: str = "abi",
                 extra_cdef: str = "") -> None:
        if binding not in ("abi", "api", "auto"):
            raise ValueError(f"binding must be abi, api or auto, not {binding!r}")
        cc = cc or shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise VerifyError("no C compiler found on this machine (install gcc)")
        self._tmp = tempfile.TemporaryDirectory(prefix="mcu-codegen-host-")
        self.prefix = prefix
        self.fallback = ""
        cdef = (
            f"int {prefix}_invoke(const void *const inputs[], void *const outputs[]);\n"
            f"int {prefix}_invoke_with_arena(const void *const inputs[], "
            "void *const outputs[], void *arena);\n"
            f"void {prefix}_reset(void);\n" + extra_cdef
        )
        sources = sorted(str(p) for p in src_dir.glob("*.c"))
        tmp = Path(self._tmp.name)
        if binding == "abi":
            so = tmp / f"lib{prefix}.so"
            _run([cc, *STRICT_FLAGS, *extra_flags, "-shared", "-fPIC", "-o", str(so),
                  *sources, "-lm"], "the generated C does not compile on the host")
            self._load_abi(so, cdef)
            return
        objs = []
        for i, src in enumerate(sources):  # the library exactly as the ABI build compiles it
            objs.append(str(tmp / f"{i}_{Path(src).stem}.o"))
            _run([cc, *STRICT_FLAGS, *extra_flags, "-fPIC", "-c", src, "-o", objs[-1]],
                 "the generated C does not compile on the host")
        try:
            self._load_api(cc, tmp, objs, cdef, src_dir)
        except VerifyError as exc:
            if binding == "api":
                raise
            self.fallback = str(exc)
            so = tmp / f"lib{prefix}.so"
            _run([cc, "-shared", "-o", str(so), *objs, "-lm"], "cannot link the library")
            self._load_abi(so, cdef)

    def _load_abi(self, so: Path, cdef: str) -> None:
        self.ffi = cffi.FFI()
        self.ffi.cdef(cdef)
        self.lib: Any = self.ffi.dlopen(str(so))
        self.binding = "abi"

    def _load_api(self, cc: str, tmp: Path, objs: list[str], cdef: str, src_dir: Path) -> None:
        inc = python_headers()
        if inc is None:
            raise VerifyError(f"no Python.h in {sysconfig.get_paths()['include']} "
                              "(install python3-dev)")
        name = f"_mcu_codegen_host_{os.getpid()}_{next(_module_ids)}"
        ffi = cffi.FFI()
        ffi.cdef(cdef)
        ffi.set_source(name, cdef)  # the declarations; the definitions are in objs
        wrapper = tmp / f"{name}.c"
        with contextlib.redirect_stdout(io.StringIO()):  # cffi prints "generating ..."
            ffi.emit_c_code(str(wrapper))
        ext = tmp / f"{name}{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"
        _run([cc, "-O2", "-fPIC", "-shared", f"-I{inc}", f"-I{src_dir}", "-o", str(ext),
              str(wrapper), *objs, "-lm"], "cannot build the cffi API-mode module")
        spec = importlib.util.spec_from_file_location(
            name, ext, loader=importlib.machinery.ExtensionFileLoader(name, str(ext)))
        if spec is None or spec.loader is None:
            raise VerifyError(f"cannot load {ext}")
        try:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except ImportError as exc:  # e.g. a declared function the library lacks
            raise VerifyError(f"cannot load the cffi API-mode module: {exc}") from exc
        self.ffi = module.ffi
        self.lib = module.lib
        self.binding = "api"

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
        if self.binding == "api":
            fn = self.ffi.addressof(self.lib, f"{self.prefix}_invoke")
        address = int(self.ffi.cast("uintptr_t", fn))
        return fastcall.buffer_caller(address, in_sizes, out_sizes, self.lib)

    def reset(self) -> None:
        """Put the library's state (variable tensors) back to its initial value."""
        getattr(self.lib, f"{self.prefix}_reset")()

    def close(self) -> None:
        self._tmp.cleanup()
