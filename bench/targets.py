"""Flash, RAM and instructions per inference of every shared model on every Cortex-M board.

Writes bench/results/targets.md. Run: python bench/targets.py [--boards a,b] [--models x,y]
Needs arm-none-eabi-gcc (with newlib) and qemu-system-arm (`make setup-arm`). Boards with
a QEMU machine are run (instructions counted exactly, see mcu_codegen/target/runner.py);
the others are cross-built for their flash and RAM figures only.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcu_codegen import api  # noqa: E402
from mcu_codegen.boards import all_boards  # noqa: E402
from mcu_codegen.errors import BoardError  # noqa: E402
from mcu_codegen.target.toolchain import gcc_version, qemu_version  # noqa: E402
from tests.conftest import SHARED_MODELS  # noqa: E402
from tests.models.test_shared_models import CORE_MODELS  # noqa: E402

#: TFLite Micro on the same QEMU and compiler (../shared/ANCHORS.md), instructions per
#: inference: (M4 reference kernels, M4 CMSIS-NN, M55 CMSIS-NN with MVE).
TFLM = {
    "mlperf_tiny_kws_dscnn": (43_042_473, 7_699_894, 1_815_810),
    "mlperf_tiny_vww_mobilenetv1_025_96": (100_250_555, 24_101_964, 6_558_338),
    "mlperf_tiny_ic_resnet8": (107_404_889, 29_863_354, 4_911_697),
    "mlperf_tiny_ad_fc_autoencoder": (1_952_294, 582_946, 149_997),
}


NOT_FIT = r"^the (model|firmware) does not fit [\w-]+( \(in the test firmware\))?: "


def measure(model: str, board: str) -> dict[str, Any] | str:
    try:
        return api.bench(SHARED_MODELS / f"{model}_int8.tflite", board=board, per_op=False)
    except BoardError as exc:
        return "does not fit: " + re.sub(NOT_FIT, "", str(exc))


def _n(v: object) -> str:
    return "-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--boards", default="")
    ap.add_argument("--models", default="")
    args = ap.parse_args()
    boards = [b for b in all_boards() if not b.is_host]
    if args.boards:
        boards = [b for b in boards if b.name in args.boards.split(",")]
    models = args.models.split(",") if args.models else CORE_MODELS
    start = time.perf_counter()
    results: dict[tuple[str, str], dict[str, Any] | str] = {}
    for model in models:
        for b in boards:
            t = time.perf_counter()
            results[model, b.name] = r = measure(model, b.name)
            summary = r if isinstance(r, str) else (
                f"flash {r['flash_bytes']:,} RAM {r['ram_bytes']:,} "
                f"instructions {_n(r['instructions_per_inference'])}")
            print(f"{model} {b.name}: {summary} ({time.perf_counter() - t:.1f} s)", flush=True)
    run_boards = [b for b in boards if b.qemu_machine]
    built_boards = [b for b in boards if not b.qemu_machine]
    lines = [
        "# Flash, RAM and instructions per inference on Cortex-M",
        "",
        "`python bench/targets.py` (about "
        f"{(time.perf_counter() - start) / 60:.0f} minutes): each model's library cross-built "
        f"with {gcc_version()} (`-O2`, the board's CPU flags, `-ffunction-sections "
        "-fdata-sections`, `--gc-sections`) into the test firmware.",
        "",
        "- **flash** = text + rodata + data of the library (kernels, per-op constants, "
        "weights) and of the C runtime members it pulls in (memcpy, roundf, libgcc "
        "arithmetic on M0); the test firmware's own vector table, start-up and I/O are not "
        "counted.",
        "- **RAM** = data + bss (the arena) + the stack high-water mark of one inference + "
        "the caller's input and output buffers.",
        f"- **instructions** per inference, counted exactly under {qemu_version()} "
        "`-icount shift=10` (SysTick read around the invoke call; the second inference of "
        "the same seeded random input, which the third repeats exactly). Instructions are "
        "not cycles: compare ratios on one core, never across cores.",
        "- Boards without a QEMU machine are built, not run: flash and RAM without the stack.",
        "",
        "## Boards with QEMU",
        "",
        "| model | MACs | board | flash B | RAM B | stack B | instructions | per MAC |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for model in models:
        for b in run_boards:
            r = results[model, b.name]
            if isinstance(r, str):
                lines.append(f"| {model} | | {b.name} | {r} | | | | |")
                continue
            lines.append(
                f"| {model} | {r['macs']:,} | {b.name} ({b.core}) | {r['flash_bytes']:,} | "
                f"{r['ram_bytes']:,} | {_n(r['ram']['stack'])} | "
                f"{_n(r['instructions_per_inference'])} | {_n(r['instructions_per_mac'])} |")
    if built_boards:
        lines += ["", "## Boards built, not run", "",
                  "| model | " + " | ".join(f"{b.name} ({b.core})" for b in built_boards) + " |",
                  "|---|" + "---:|" * len(built_boards)]
        for model in models:
            cells = []
            for b in built_boards:
                r = results[model, b.name]
                cells.append("does not fit" if isinstance(r, str)
                             else f"{r['flash_bytes']:,} / {r['ram_bytes']:,}")
            lines.append(f"| {model} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append("Cells: flash bytes / RAM bytes (stack not included).")
    anchors = [m for m in TFLM if m in models]
    by_core = {b.core: b.name for b in run_boards}
    if anchors and "cortex-m4" in by_core:
        m4, m55 = by_core["cortex-m4"], by_core.get("cortex-m55")
        lines += ["", "## Against TensorFlow Lite Micro (../shared/ANCHORS.md)", "",
                  "Instructions per inference; TFLite Micro measured on the same QEMU and "
                  "compiler.", "",
                  "| model | ours M4 | TFLM M4 reference | TFLM M4 CMSIS-NN | ours M55 | "
                  "TFLM M55 CMSIS-NN |", "|---|---:|---:|---:|---:|---:|"]
        for model in anchors:
            ref, cmsis, mve = TFLM[model]
            ours4 = results[model, m4]
            ours55 = results.get((model, m55)) if m55 else None
            o4 = "-" if isinstance(ours4, str) else _n(ours4["instructions_per_inference"])
            o55 = "-" if ours55 is None or isinstance(ours55, str) else \
                _n(ours55["instructions_per_inference"])
            lines.append(f"| {model} | {o4} | {ref:,} | {cmsis:,} | {o55} | {mve:,} |")
    out = ROOT / "bench" / "results" / "targets.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
