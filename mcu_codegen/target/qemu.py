"""Run a test firmware under qemu-system-arm and read back what it reported.

The firmware talks over semihosting: it reads ``inputs.bin`` and writes ``outputs.bin``
in the run folder, prints ``@mcu <tag> <hex values>`` lines (on QEMU's stderr) and exits
with SYS_EXIT_EXTENDED, which becomes QEMU's exit status. A hang (timeout), a fault
(exit 99 with an ``@mcu fault`` line) and a lockup (QEMU's "Lockup", status 134) are
each turned into one clear VerifyError.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..boards import Board
from ..errors import VerifyError
from .toolchain import QEMU, symbol_at, tool

#: -icount shift: each instruction advances the virtual clock by 2**ICOUNT_SHIFT ns, so
#: SysTick ticks many times per instruction and the count is exact (TOOLCHAIN.md).
ICOUNT_SHIFT = 10

EXIT_MEANING = {
    1: "the library's invoke returned an error",
    2: "a semihosting file operation failed",
    3: "the input file was malformed",
}
EXCEPTIONS = {2: "NMI", 3: "HardFault", 4: "MemManage fault", 5: "BusFault",
              6: "UsageFault", 7: "SecureFault"}


@dataclass
class QemuRun:
    records: list[tuple[str, list[int]]] = field(default_factory=list)
    outputs: bytes = b""
    seconds: float = 0.0

    def tagged(self, tag: str) -> list[list[int]]:
        return [v for t, v in self.records if t == tag]


def parse_records(text: str) -> list[tuple[str, list[int]]]:
    records = []
    for line in text.splitlines():
        if line.startswith("@mcu "):
            parts = line.split()
            try:
                records.append((parts[1], [int(p, 16) for p in parts[2:]]))
            except ValueError:
                records.append((parts[1], []))
    return records


def command(board: Board, elf: Path, *, icount: bool) -> list[str]:
    cmd = [tool(QEMU), "-M", board.qemu_machine, "-nographic", "-monitor", "none",
           "-serial", "null", "-semihosting-config", "enable=on,target=native"]
    if icount:
        cmd += ["-icount", f"shift={ICOUNT_SHIFT}"]
    return [*cmd, "-kernel", str(elf)]


def run(board: Board, elf: Path, rundir: Path, inputs_bin: bytes, *, timeout: float,
        icount: bool = True) -> QemuRun:
    """Run ``elf`` on ``board``'s QEMU machine with ``inputs_bin`` as inputs.bin."""
    import time

    if not board.qemu_machine:
        raise VerifyError(f"{board.name} has no QEMU machine")
    rundir.mkdir(parents=True, exist_ok=True)
    (rundir / "inputs.bin").write_bytes(inputs_bin)
    out_path = rundir / "outputs.bin"
    out_path.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        proc = subprocess.run(command(board, elf, icount=icount), cwd=rundir,
                              capture_output=True, text=True, timeout=timeout,
                              errors="replace")
    except subprocess.TimeoutExpired:
        raise VerifyError(
            f"the firmware on {board.name} did not finish within {timeout:.0f} s "
            "(a hang, or a model too slow for the time limit)"
        ) from None
    result = QemuRun(parse_records(proc.stderr), seconds=time.perf_counter() - start)
    if out_path.is_file():
        result.outputs = out_path.read_bytes()
    if proc.returncode != 0:
        raise VerifyError(_failure(board, elf, proc, result))
    if not result.tagged("done"):
        raise VerifyError(f"the firmware on {board.name} exited without finishing: "
                          f"{_tail(proc.stderr)}")
    return result


def _tail(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"


def _failure(board: Board, elf: Path, proc: subprocess.CompletedProcess[str],
             result: QemuRun) -> str:
    where = f"on {board.name} ({board.qemu_machine})"
    runs = len(result.tagged("run"))
    faults = result.tagged("fault")
    if faults and len(faults[0]) >= 5:
        exc, pc, lr, _exc_return, cfsr = faults[0][:5]
        name = EXCEPTIONS.get(exc, f"exception {exc}")
        return (f"the firmware faulted {where} during input set {runs}: {name} at pc 0x{pc:08x} "
                f"in {symbol_at(elf, pc)} (lr 0x{lr:08x}, CFSR 0x{cfsr:08x})")
    unexpected = result.tagged("unexpected-interrupt")
    if unexpected:
        return f"the firmware took an unexpected interrupt {where}: exception {unexpected[0]}"
    if "Lockup" in proc.stderr:
        return (f"the core locked up {where} during input set {runs} "
                "(a fault while handling a fault, or a bad vector table)")
    meaning = EXIT_MEANING.get(proc.returncode)
    if meaning:
        return f"the firmware failed {where} (exit {proc.returncode}): {meaning}: " \
               f"{_tail(proc.stderr)}"
    return f"qemu-system-arm failed {where} with status {proc.returncode}: {_tail(proc.stderr)}"
