"""The ``target`` section of report.json, and the same figures as a printed table."""

from __future__ import annotations

from typing import Any

from ..boards import Board
from .firmware import library_flags
from .qemu import ICOUNT_SHIFT
from .runner import TargetRun
from .sizes import Footprint
from .toolchain import gcc_version, qemu_version


def target_section(board: Board, report: dict[str, object], fp: Footprint,
                   run: TargetRun | None) -> dict[str, Any]:
    """Flash (text, rodata, data), RAM (data, bss, stack, io) and instructions per
    inference of the library on ``board``; ``run`` is None for boards without QEMU."""
    lib, rt = fp.library, fp.runtime
    macs = int(str(report.get("macs", 0)))
    stack = run.stack_bytes if run else None
    flash = {"text": lib.text + rt.text, "rodata": lib.rodata + rt.rodata,
             "data": lib.data + rt.data}
    ram: dict[str, int | None] = {"data": lib.data + rt.data, "bss": lib.bss + rt.bss,
                                  "stack": stack, "io": fp.io_bytes}
    section: dict[str, Any] = {
        "board": board.name,
        "core": board.core,
        "compiler": gcc_version(),
        "cflags": library_flags(board),
        "flash_bytes": sum(flash.values()),
        "flash": flash,
        "ram_bytes": sum(v or 0 for v in ram.values()),
        "ram": ram,
        "runtime_members": fp.runtime_members,
        "test_firmware": {**fp.as_dict()["firmware"],  # type: ignore[dict-item]
                          "stack_reserved": fp.stack_reserved},
        "macs": macs,
        "instructions_per_inference": None,
        "instructions_per_mac": None,
    }
    if run is not None and run.instructions:
        n = run.instructions[run.steady]
        section.update({
            "qemu_machine": board.qemu_machine,
            "instructions_per_inference": n,
            "instructions_per_mac": round(n / macs, 3) if macs else None,
            "first_inference_instructions": run.instructions[0],
            "instructions_range": [min(run.instructions), max(run.instructions)],
            "counting": (f"{qemu_version()} -icount shift={ICOUNT_SHIFT}: SysTick at "
                         f"{board.qemu_systick_hz / 1e6:g} MHz read around the invoke call, "
                         "exact to the instruction; the second inference of the run (the "
                         "first may include one-time initialization)"),
        })
    if run is not None and run.per_op:
        listed = report.get("ops", [])
        assert isinstance(listed, list)
        ops = {int(str(o["index"])): o for o in listed}
        section["ops"] = [
            {"index": i, "type": ops[i]["type"] if i in ops else "?",
             "macs": ops[i]["macs"] if i in ops else 0, "instructions": n}
            for i, n in run.per_op[min(run.steady, len(run.per_op) - 1)]
        ]
    return section


def _kb(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def format_table(section: dict[str, Any], title: str = "") -> str:
    """The figures as a small text table, for people."""
    f, r = section["flash"], section["ram"]
    lines = []
    if title:
        lines.append(f"{title} on {section['board']} ({section['core']}, {section['compiler']})")
    lines.append(f"  flash {section['flash_bytes']:>11,} B   text {f['text']:,}, "
                 f"rodata {f['rodata']:,}, data {f['data']:,}")
    lines.append(f"  RAM   {section['ram_bytes']:>11,} B   data {r['data']:,}, bss {r['bss']:,}, "
                 f"stack {_kb(r['stack'])}, inputs and outputs {r['io']:,}")
    n = section.get("instructions_per_inference")
    if n is not None:
        per_mac = section.get("instructions_per_mac")
        tail = f" ({per_mac:.2f} per MAC, {section['macs']:,} MACs)" if per_mac else ""
        lines.append(f"  instructions per inference {n:,}{tail}")
    else:
        lines.append("  instructions per inference: not measured (no QEMU machine)")
    ops = section.get("ops")
    if ops:
        lines.append(f"  {'op':>4}  {'type':<20} {'MACs':>12} {'instructions':>14} {'per MAC':>8}")
        for o in ops:
            pm = f"{o['instructions'] / o['macs']:.2f}" if o["macs"] else "-"
            lines.append(f"  {o['index']:>4}  {o['type']:<20} {o['macs']:>12,} "
                         f"{o['instructions']:>14,} {pm:>8}")
    return "\n".join(lines)
