"""``verify`` on an emulated board: every output byte of every input set, compared with
the reference interpreter, from one firmware build and one QEMU launch."""

from __future__ import annotations

from typing import Any

from ..boards import Board, all_boards
from ..errors import VerifyError
from ..ir import Graph
from ..verify.compare import Mismatch, compare
from ..verify.inputs import make_inputs
from ..verify.reference import make_runner
from .report import target_section
from .runner import run_on_board

AFTER_RESET = "first set again after reset"


def not_runnable(board: Board) -> VerifyError:
    twins = [b.name for b in all_boards() if b.core == board.core and b.qemu_machine]
    hint = f"; verify on {' or '.join(twins)} (the same core) instead" if twins else ""
    return VerifyError(
        f"{board.name} has no QEMU machine: its library can be built "
        f"(mcu-codegen build --board {board.name}) but not run here{hint}"
    )


def verify_on_board(files: dict[str, bytes], report: dict[str, object], g: Graph,
                    board: Board, model: bytes, *, inputs: int, seed: int, reference: str,
                    prefix: str = "model", timeout: float | None = None,
                    ) -> tuple[int, list[tuple[str, list[Mismatch]]], dict[str, Any]]:
    """(input sets run, failures as (label, mismatches), the target section)."""
    if not board.qemu_machine:
        raise not_runnable(board)
    sets = make_inputs(g, inputs, seed)
    if sets and any(t.is_variable for t in g.tensors):
        # Stateful (as on the host): the sets run in a row with the state carried over,
        # then both sides reset and the first set must give its first answer again.
        sets = [*sets, (AFTER_RESET, sets[0][1])]
    resets = [label == AFTER_RESET for label, _ in sets]
    run = run_on_board(files, report, g, board, [arrays for _, arrays in sets],
                       prefix=prefix, timeout=timeout, resets=resets)
    # The reference (a child process for TFLite Micro) only once the firmware has run, so
    # that a firmware failure does not keep it alive in the traceback.
    runner = make_runner(reference, model, len(g.outputs))
    failures = []
    for (label, arrays), ours in zip(sets, run.outputs, strict=True):
        if label == AFTER_RESET:
            runner.reset()
        mismatches = compare(ours, runner(arrays))
        if mismatches:
            failures.append((label, mismatches))
    del runner
    assert run.footprint is not None
    return len(sets), failures, target_section(board, report, run.footprint, run)
