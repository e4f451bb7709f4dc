"""Run a generated library on an emulated board: verify its outputs and count its
instructions, flash and RAM.

One firmware per model and board serves every input set: the sets go into one file and
one QEMU launch runs them all. Instructions are counted exactly (see ``count``).
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..boards import Board
from ..errors import VerifyError
from ..ir import Graph
from . import qemu
from .firmware import build_firmware
from .sizes import Footprint, footprint

#: Instructions of the firmware's SysTick wrap handler (five, written in assembly).
WRAP_HANDLER_INSTRUCTIONS = 5


@dataclass
class TargetRun:
    """What one QEMU launch measured (instructions per input set, in order).

    The first inference of a launch may include one-time work (the library initializes
    its state on the first call), so the steady state is the second inference's count.
    """

    board: Board
    outputs: list[list[np.ndarray]] = field(default_factory=list)
    instructions: list[int] = field(default_factory=list)
    stack_bytes: int = 0
    per_op: list[list[tuple[int, int]]] = field(default_factory=list)  # per set: (op, n)
    footprint: Footprint | None = None
    seconds: float = 0.0

    @property
    def steady(self) -> int:
        """The index of the input set whose figures are reported."""
        return 1 if len(self.instructions) > 1 else 0


def ticks_per_instruction(board: Board) -> Fraction:
    """SysTick ticks per instruction under ``-icount shift=ICOUNT_SHIFT``."""
    if not board.qemu_systick_hz:
        raise VerifyError(f"boards/{board.name}.toml has no qemu_systick_hz")
    return Fraction(board.qemu_systick_hz * 2 ** qemu.ICOUNT_SHIFT, 10 ** 9)


def count(a: Sequence[int], b: Sequence[int], ratio: Fraction) -> int:
    """Instructions executed between two stamps (ticks_hi, ticks_lo, wraps handled).

    One instruction lasts ``ratio`` > 16 ticks, so rounding the tick difference is exact;
    the wrap handler's own instructions are taken off.
    """
    ticks = ((b[0] << 32) | b[1]) - ((a[0] << 32) | a[1])
    return round(Fraction(ticks) / ratio) - WRAP_HANDLER_INSTRUCTIONS * (b[2] - a[2])


def pack_inputs(sets: Sequence[Sequence[np.ndarray]],
                resets: Sequence[bool] = ()) -> bytes:
    """inputs.bin: "MCUI", the count, then per set a flags word (bit 0: reset the
    library's state first) and the inputs (templates/firmware_main.c.j2)."""
    parts = [b"MCUI", struct.pack("<I", len(sets))]
    for k, arrays in enumerate(sets):
        parts.append(struct.pack("<I", 1 if k < len(resets) and resets[k] else 0))
        parts += [np.ascontiguousarray(x).astype(x.dtype.newbyteorder("<")).tobytes()
                  for x in arrays]
    return b"".join(parts)


def unpack_outputs(data: bytes, g: Graph, n_sets: int) -> list[list[np.ndarray]]:
    tensors = [g.tensors[i] for i in g.outputs]
    per_set = sum(t.nbytes for t in tensors)
    if len(data) != per_set * n_sets:
        raise VerifyError(f"the firmware wrote {len(data)} output bytes, expected "
                          f"{per_set * n_sets} ({n_sets} sets of {per_set})")
    result, pos = [], 0
    for _ in range(n_sets):
        outs = []
        for t in tensors:
            dtype = np.dtype(t.dtype.numpy).newbyteorder("<")
            outs.append(np.frombuffer(data[pos:pos + t.nbytes], dtype).reshape(t.shape)
                        .astype(t.dtype.numpy))
            pos += t.nbytes
        result.append(outs)
    return result


def default_timeout(macs: int, n_sets: int) -> float:
    """Generous: QEMU runs 100-400 M instructions/s and no core needs 100 per MAC."""
    return 60.0 + n_sets * macs * 100 / 50e6


def run_on_board(files: dict[str, bytes], report: dict[str, object], g: Graph, board: Board,
                 input_sets: Sequence[Sequence[np.ndarray]], *, prefix: str = "model",
                 profile: bool = False, timeout: float | None = None,
                 workdir: Path | None = None, resets: Sequence[bool] = ()) -> TargetRun:
    """Build the test firmware for ``files`` and run every input set in one QEMU launch
    (``resets[k]``: reset the library's state before set k)."""
    if not board.qemu_machine:
        raise VerifyError(f"{board.name} cannot be run: it has no QEMU machine")
    macs = int(str(report.get("macs", 0)))
    limit = timeout if timeout is not None else default_timeout(macs, len(input_sets))
    with tempfile.TemporaryDirectory(prefix="mcu-codegen-target-") as tmp:
        work = workdir or Path(tmp)
        fw = build_firmware(files, report, board, work, prefix=prefix, profile=profile)
        result = qemu.run(board, fw.elf, work / "run", pack_inputs(input_sets, resets),
                           timeout=limit)
        run = TargetRun(board, seconds=result.seconds)
        run.footprint = fp = footprint(fw.map_file, fw.library_objects)
        run.outputs = unpack_outputs(result.outputs, g, len(input_sets))
        ratio = ticks_per_instruction(board)
        calib = result.tagged("calibrate")[0]
        overhead = count(calib[0:3], calib[3:6], ratio)
        runs = result.tagged("run")
        if len(runs) != len(input_sets):
            raise VerifyError(f"the firmware ran {len(runs)} of {len(input_sets)} input sets")
        stack_limit = calib[6]
        for v in runs:
            run.instructions.append(count(v[0:3], v[3:6], ratio) - overhead)
            sp, deepest = v[8], v[9]
            if deepest <= stack_limit:
                raise VerifyError(
                    f"the inference overflowed the test firmware's stack on {board.name} "
                    f"({fp.stack_reserved:,} bytes, stack_bytes in "
                    f"boards/{board.name}.toml)")
            run.stack_bytes = max(run.stack_bytes, sp - deepest)
        if profile:
            first_op = (result.tagged("op") or [[0] * 7])[0][6]
            cal_op = result.tagged("calibrate-op")[0]
            op_overhead = count(cal_op[0:3], cal_op[3:6], ratio)
            for v in result.tagged("op"):
                if v[6] == first_op or not run.per_op:
                    run.per_op.append([])
                run.per_op[-1].append((v[6], count(v[0:3], v[3:6], ratio) - op_overhead))
        return run
