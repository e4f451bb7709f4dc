"""Find and call the cross tools: arm-none-eabi-gcc (with newlib) and qemu-system-arm."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from ..boards import Board
from ..errors import BoardError, VerifyError

INSTALL_HINT = (
    "install it with: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi "
    "binutils-arm-none-eabi qemu-system-arm (or run `make setup-arm`)"
)

GCC = "arm-none-eabi-gcc"
QEMU = "qemu-system-arm"


class ToolMissing(VerifyError):
    """A cross tool is not installed."""


def tool(name: str) -> str:
    """The path of ``name`` (arm-none-eabi-gcc, qemu-system-arm, ...) or ToolMissing."""
    path = shutil.which(name)
    if path is None:
        raise ToolMissing(f"{name} not found: {INSTALL_HINT}")
    return path


def missing_tools() -> list[str]:
    """The cross tools this machine lacks (empty when everything is installed)."""
    names = [GCC, "arm-none-eabi-size", QEMU]
    return [n for n in names if shutil.which(n) is None]


@cache
def gcc_version() -> str:
    out = subprocess.run([tool(GCC), "-dumpfullversion"], capture_output=True, text=True)
    return f"{GCC} {out.stdout.strip()}"


@cache
def qemu_version() -> str:
    out = subprocess.run([tool(QEMU), "--version"], capture_output=True, text=True)
    first = (out.stdout.splitlines() or [""])[0]
    m = re.search(r"version (\S+)", first)
    return f"{QEMU} {m.group(1) if m else first}"


def _first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if "error" in line.lower() or "warning" in line.lower():
            return line.strip()
    lines = stderr.strip().splitlines()
    return lines[0] if lines else "(no output)"


def compile_all(sources: Sequence[Path], flags: Sequence[str], out_dir: Path,
                what: str) -> list[Path]:
    """Compile each source to ``out_dir/<stem>.o`` (in parallel); raise VerifyError with
    the compiler's first error or warning (warnings are errors) on failure."""
    gcc = tool(GCC)
    out_dir.mkdir(parents=True, exist_ok=True)

    def one(src: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
        obj = out_dir / f"{src.stem}.o"
        cmd = [gcc, *flags, "-c", str(src), "-o", str(obj)]
        return obj, subprocess.run(cmd, capture_output=True, text=True)

    workers = max(1, min(len(sources), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, sources))
    for _obj, proc in results:
        if proc.returncode != 0:
            raise VerifyError(f"{what} does not compile with {GCC}: {_first_error(proc.stderr)}")
    return [obj for obj, _ in results]


_OVERFLOW = re.compile(r"region `(\w+)' overflowed by (\d+) bytes")


def link(objects: Sequence[Path], script: Path, board: Board, elf: Path,
         map_file: Path, libs: Sequence[str] = ("-lm", "-lc", "-lgcc")) -> None:
    """Link a bare-metal firmware; a region overflow becomes a BoardError with numbers."""
    cpu = [f for f in board.cflags if not f.startswith("-O")]
    cmd = [tool(GCC), *cpu, "-nostartfiles", "-Wl,--gc-sections", f"-Wl,-Map={map_file}",
           "-T", str(script), *map(str, objects), *libs, "-o", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 0:
        return
    overflows = _OVERFLOW.findall(proc.stderr)
    if overflows:
        sizes = {r.name.upper(): r.length for r in board.regions}
        what = {"FLASH": "code, constants and weights",
                "RAM": f"data, arena, buffers and a {board.stack_bytes or 8192:,}-byte stack"}
        parts = [f"its {what.get(region, region)} need {sizes.get(region, 0) + int(n):,} "
                 f"bytes of {region}, the board has {sizes.get(region, 0):,}"
                 for region, n in overflows]
        raise BoardError(f"the model does not fit {board.name} (in the test firmware): "
                         + "; ".join(parts))
    raise VerifyError(f"the firmware does not link: {_first_error(proc.stderr)}")


def symbol_at(elf: Path, address: int) -> str:
    """The function containing ``address`` (for fault reports), or '?'."""
    path = shutil.which("arm-none-eabi-addr2line")
    if path is None:
        return "?"
    proc = subprocess.run([path, "-f", "-e", str(elf), hex(address & ~1)],
                          capture_output=True, text=True)
    name = (proc.stdout.splitlines() or ["?"])[0]
    return name if name and name != "??" else "?"
