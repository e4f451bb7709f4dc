"""Arena memory of every shared model against TFLite Micro, measured in one run.

For each model in ../shared/models: our arena, the lower bound for the model's
own op order, a TFLite-Micro-style greedy plan of the same tensors, and the
smallest arena TFLite Micro's interpreter (the tflite-micro package) accepts,
found by bisection with each probe in its own process (TFLite Micro may crash
instead of failing on a too-small arena). Writes bench/results/memory.md.

Run: python bench/memory.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcu_codegen import api  # noqa: E402
from mcu_codegen.errors import McuCodegenError  # noqa: E402
from tests.conftest import SHARED_MODELS  # noqa: E402

PROBE = """
import sys, numpy as np
from tflite_micro import runtime
it = runtime.Interpreter.from_file(sys.argv[1], arena_size=int(sys.argv[2]))
for i in range(int(sys.argv[3])):
    d = it.get_input_details(i)
    it.set_input(np.zeros(d["shape"], d["dtype"]), i)
it.invoke()
"""


def tflm_accepts(path: Path, arena: int, n_inputs: int) -> bool:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(path), str(arena), str(n_inputs)],
                          capture_output=True, timeout=120)
    return proc.returncode == 0


def tflm_min_arena(path: Path, n_inputs: int) -> int | None:
    hi = max(1 << 16, 16 * path.stat().st_size)
    if not tflm_accepts(path, hi, n_inputs):
        return None
    lo = 0  # lo fails (or is 0), hi succeeds; TFLite Micro aligns to 16 bytes
    while hi - lo > 16:
        mid = (lo + hi) // 2
        if tflm_accepts(path, mid, n_inputs):
            hi = mid
        else:
            lo = mid
    return hi


def main() -> None:
    rows = []
    for path in sorted(SHARED_MODELS.glob("*.tflite")):
        try:
            compiled = api.compile_model(path)
        except McuCodegenError as exc:
            rows.append(f"| {path.stem} | not built: {str(exc)[:70]}... | | | | | | |")
            continue
        p, r = compiled.plan, compiled.library.report
        io = sum(t["bytes"] for t in (*r["inputs"], *r["outputs"]))  # type: ignore[misc]
        tflm = tflm_min_arena(path, len(compiled.graph.inputs))
        tflm_text = f"{tflm:,}" if tflm else "fails"
        ratio = f"{tflm / (p.arena_bytes + io):.2f}x" if tflm else "-"
        rows.append(
            f"| {path.stem} | {p.arena_bytes:,} | {p.lower_bound_bytes:,} | {p.greedy_bytes:,} | "
            f"{io:,} | {p.arena_bytes + io:,} | {tflm_text} | {ratio} |"
        )
        print(rows[-1], flush=True)
    out = ROOT / "bench" / "results" / "memory.md"
    out.write_text(
        "# Arena memory against TFLite Micro\n\n"
        "`python bench/memory.py`, one run on this machine. Bytes.\n\n"
        "- **arena**: `<PREFIX>_ARENA_SIZE` of the generated library (activations and "
        "scratch; graph inputs and outputs stay in the caller's buffers).\n"
        "- **lower bound**: the largest sum of live tensors (16-byte aligned) at any op "
        "in the model's own order, without in-place reuse.\n"
        "- **greedy**: TFLite Micro's greedy-by-size placement of the same tensors.\n"
        "- **I/O**: the input and output buffers the caller provides.\n"
        "- **TFLM min arena**: the smallest `arena_size` with which the tflite-micro "
        "interpreter runs the model (bisection, 16-byte steps); it holds inputs, outputs, "
        "activations and the interpreter's own data. Compare it with arena + I/O.\n\n"
        "| model | arena | lower bound | greedy | I/O | arena + I/O | TFLM min arena | "
        "TFLM / ours |\n|---|---:|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n"
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
