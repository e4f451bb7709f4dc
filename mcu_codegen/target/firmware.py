"""The test firmware: its sources (templates/firmware_*.j2) and its cross build.

A firmware is the generated library plus a start-up file (vector table, reset and fault
handlers, semihosting, SysTick instruction counter), a main program that reads input
sets from a host file and writes the outputs back, and a linker script made from the
board's memory regions. No CMSIS and no vendor SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..boards import Board
from ..errors import BoardError
from .render import render
from .toolchain import compile_all, link

#: Flags for the generated library: strict, warnings are errors.
LIBRARY_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
                 "-ffunction-sections", "-fdata-sections")
#: Flags for the firmware's own files: freestanding, so that GCC calls no libc function
#: (everything the link pulls from libc, libm and libgcc is then the library's).
FIRMWARE_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-ffreestanding",
                  "-masm-syntax-unified",
                  "-fno-builtin", "-fno-tree-loop-distribute-patterns",
                  "-ffunction-sections", "-fdata-sections")
#: Names of the firmware's own source files (the rest of the firmware is the library).
FIRMWARE_SOURCES = ("firmware_startup.c", "firmware_main.c")


@dataclass(frozen=True)
class Firmware:
    elf: Path
    map_file: Path
    library_objects: tuple[Path, ...]
    profile: bool


def _io(report: dict[str, object], kind: str) -> list[dict[str, int]]:
    items = report[kind]
    assert isinstance(items, list)
    return [{"index": i} for i in range(len(items))]


def firmware_sources(board: Board, prefix: str, report: dict[str, object]) -> dict[str, str]:
    """The firmware's own files for ``board`` around the library ``prefix``."""
    if not board.regions or board.region("flash") is None or board.region("ram") is None:
        raise BoardError(f"boards/{board.name}.toml has no [regions.flash] and [regions.ram]")
    ops = report.get("ops", [])
    assert isinstance(ops, list)
    regions = []
    for r in board.regions:
        attrs = "rwx" if r.name == "ram" else "rx"
        regions.append({"name": r.name, "origin": f"0x{r.origin:08X}",
                        "length": f"0x{r.length:08X}", "attrs": attrs})
    ctx = {
        "board": board.name,
        "core": board.core,
        "version": __version__,
        "prefix": prefix,
        "PREFIX": prefix.upper(),
        "inputs": _io(report, "inputs"),
        "outputs": _io(report, "outputs"),
        "max_ops": len(ops) + 2,
        "enable_fpu": "fpu" in board.features or "mve" in board.features,
        "mve": "mve" in board.features,
        "has_cfsr": board.core not in ("cortex-m0", "cortex-m0plus", "cortex-m23"),
        "regions": regions,
        "vectors_region": "VECTORS" if board.region("vectors") else "FLASH",
        "stack_bytes": board.stack_bytes or 8192,
    }
    return {
        "fw_support.h": render("firmware_support.h.j2", banner_name="fw_support.h", **ctx),
        "firmware_startup.c": render("firmware_startup.c.j2",
                                     banner_name="firmware_startup.c", **ctx),
        "firmware_main.c": render("firmware_main.c.j2", banner_name="firmware_main.c", **ctx),
        "link.ld": render("firmware_link.ld.j2", banner_name="link.ld", **ctx),
    }


def library_flags(board: Board) -> list[str]:
    cpu = [f for f in board.cflags if not f.startswith("-O")]
    return [*LIBRARY_FLAGS, *board.opt_flags, *cpu]


def build_firmware(files: dict[str, bytes], report: dict[str, object], board: Board,
                   workdir: Path, *, prefix: str, profile: bool = False) -> Firmware:
    """Write, cross-compile and link the test firmware in ``workdir``."""
    tag = "profile" if profile else "plain"
    lib_dir = workdir / "lib"
    lib_dir.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (lib_dir / name).write_bytes(body)
    fw_dir = workdir / f"fw-{tag}"
    fw_dir.mkdir(parents=True, exist_ok=True)
    for name, text in firmware_sources(board, prefix, report).items():
        (fw_dir / name).write_text(text)
    cpu = [f for f in board.cflags if not f.startswith("-O")]
    define = [f"-D{prefix.upper()}_PROFILE"] if profile else []
    lib_objs = compile_all(sorted(lib_dir.glob("*.c")), [*library_flags(board), *define],
                           workdir / f"obj-{tag}" / "lib", "the generated library")
    fw_objs = compile_all([fw_dir / n for n in FIRMWARE_SOURCES],
                          [*FIRMWARE_FLAGS, *cpu, *define, f"-I{lib_dir}"],
                          workdir / f"obj-{tag}" / "fw", "the test firmware")
    elf = workdir / f"firmware-{tag}.elf"
    map_file = workdir / f"firmware-{tag}.map"
    link([*fw_objs, *lib_objs], fw_dir / "link.ld", board, elf, map_file)
    return Firmware(elf, map_file, tuple(lib_objs), profile)
