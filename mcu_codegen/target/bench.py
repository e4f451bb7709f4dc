"""Measure a generated library on a board: flash and RAM from a cross build, and on
boards with a QEMU machine the instructions per inference (total and per op) and the
stack, on one seeded random input run three times: the first inference may include
one-time initialization; the second and third must count the same."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..boards import Board
from ..errors import BoardError, VerifyError
from ..ir import Graph
from ..verify.inputs import make_inputs
from .firmware import build_firmware
from .report import target_section
from .runner import run_on_board
from .sizes import footprint


def measure(files: dict[str, bytes], report: dict[str, object], g: Graph, board: Board, *,
            prefix: str = "model", per_op: bool = True, seed: int = 0,
            timeout: float | None = None) -> dict[str, Any]:
    """The report.json ``target`` section for the library ``files`` on ``board``."""
    if not board.qemu_machine:
        with tempfile.TemporaryDirectory(prefix="mcu-codegen-size-") as tmp:
            fw = build_firmware(files, report, board, Path(tmp), prefix=prefix)
            return target_section(board, report, footprint(fw.map_file, fw.library_objects),
                                  None)
    arrays = make_inputs(g, 1, seed)[0][1]
    # Runs 2 and 3 start from a reset state, so a stateful model (LSTM) computes the
    # same thing twice; the reset itself happens outside the counted window.
    run = run_on_board(files, report, g, board, [arrays] * 3, prefix=prefix, timeout=timeout,
                       resets=[False, True, True])
    if run.instructions[1] != run.instructions[2]:
        raise VerifyError(f"instruction counts differ between two runs of the same input on "
                          f"{board.name}: {run.instructions[1]:,} and {run.instructions[2]:,}")
    if per_op:
        profiled = run_on_board(files, report, g, board, [arrays] * 2, prefix=prefix,
                                profile=True, timeout=timeout, resets=[False, True])
        run.per_op = profiled.per_op
    assert run.footprint is not None
    return target_section(board, report, run.footprint, run)


def check_measured_fit(board: Board, section: dict[str, Any]) -> None:
    """Refuse a library whose measured flash or RAM exceeds the board's."""
    flash, ram = section["flash"], section["ram"]
    if board.flash_bytes and section["flash_bytes"] > board.flash_bytes:
        raise BoardError(
            f"the model does not fit {board.name}: it needs {section['flash_bytes']:,} bytes "
            f"of flash (code {flash['text']:,}, constants {flash['rodata']:,}, data "
            f"{flash['data']:,}), the board has {board.flash_bytes:,}"
        )
    if board.ram_bytes and section["ram_bytes"] > board.ram_bytes:
        stack = "not measured" if ram["stack"] is None else f"{ram['stack']:,}"
        raise BoardError(
            f"the model does not fit {board.name}: it needs {section['ram_bytes']:,} bytes "
            f"of RAM (data and arena {ram['data'] + ram['bss']:,}, stack {stack}, inputs and "
            f"outputs {ram['io']:,}), the board has {board.ram_bytes:,}"
        )
