"""What a firmware project needs to include a generated library: ``<prefix>.mk`` (a
Makefile fragment: sources, include path, CFLAGS) and ``CMakeLists.txt``."""

from __future__ import annotations

import shlex

from .. import __version__
from ..boards import Board
from .render import render

#: The C dialect and warnings every build of a generated library uses.
STD_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-pedantic")
#: Section flags so that the linker can drop what the firmware does not use.
SECTION_FLAGS = ("-ffunction-sections", "-fdata-sections")


def needs_libm(files: dict[str, bytes]) -> bool:
    """True when a generated C file uses <math.h> (roundf for float inputs)."""
    return any(b"<math.h>" in body for name, body in files.items() if name.endswith((".c", ".h")))


def integration_files(files: dict[str, bytes], board: Board, *, prefix: str,
                      model_sha256: str) -> dict[str, bytes]:
    """``<prefix>.mk`` and ``CMakeLists.txt`` for the library ``files`` on ``board``."""
    sources = sorted(n for n in files if n.endswith(".c"))
    headers = sorted(n for n in files if n.endswith(".h"))
    cpu = [f for f in board.cflags if f not in board.opt_flags and not f.startswith("-O")]
    opt = [*board.opt_flags, *SECTION_FLAGS]
    ldlibs = ["-lm"] if needs_libm(files) else []
    ctx = {
        "prefix": prefix,
        "PREFIX": prefix.upper(),
        "board": board.name,
        "version": __version__,
        "model_sha256": model_sha256,
        "sources": sources,
        "headers": headers,
        "cpu_flags": shlex.join(cpu),
        "opt_flags": shlex.join(opt),
        "std_flags": shlex.join(STD_FLAGS),
        "ldlibs": shlex.join(ldlibs),
        "ldlibs_cmake": " ".join(f[2:] for f in ldlibs),
    }
    return {
        f"{prefix}.mk": render("library.mk.j2", **ctx).encode(),
        "CMakeLists.txt": render("library_cmake.txt.j2", **ctx).encode(),
    }
