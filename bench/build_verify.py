"""Build and verify time of every shared model on the host, and its figures.

Writes bench/results/build_verify.md. Run: python bench/build_verify.py
(times are wall-clock seconds on this machine; they vary with load).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcu_codegen import api  # noqa: E402
from mcu_codegen.errors import McuCodegenError  # noqa: E402
from tests.conftest import SHARED_MODELS  # noqa: E402

NOT_IN_TFLM = {"arm_kws_basic_lstm_s_int8"}


def main() -> None:
    rows = []
    for path in sorted(SHARED_MODELS.glob("*.tflite")):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            try:
                compiled = api.build(path, Path(tmp) / "lib")
            except McuCodegenError as exc:
                rows.append(f"| {path.stem} | not built: {str(exc)[:90]} | | | | | |")
                continue
            build_s = time.perf_counter() - start
        start = time.perf_counter()
        # TFLite Micro cannot run the basic LSTM (REFERENCE.md): tflite-runtime's
        # reference kernels check it instead
        reference = "tflite-runtime" if path.stem in NOT_IN_TFLM else "tflm"
        result = api.verify(path, inputs=20, reference=reference)
        verify_s = time.perf_counter() - start
        r = compiled.library.report
        status = ("bit-exact" if result.ok else f"MISMATCH ({len(result.failures)})") + \
            f" vs {reference}"
        rows.append(
            f"| {path.stem} | {status}, {result.cases} input sets | {build_s:.2f} | "
            f"{verify_s:.2f} | {r['arena_bytes']:,} | {r['weights_bytes']:,} | {r['macs']:,} |"
        )
        print(rows[-1], flush=True)
    out = ROOT / "bench" / "results" / "build_verify.md"
    out.write_text(
        "# Build and verify on the host\n\n"
        "`python bench/build_verify.py`: `mcu-codegen build` and `verify --inputs 20` "
        "(20 random + 3 edge input sets against TFLite Micro, or tflite-runtime's reference "
        "kernels for the model TFLite Micro cannot run) per model in ../shared/models.\n"
        "Seconds are wall-clock on a shared 2-core machine.\n\n"
        "| model | verify | build s | verify s | arena B | weights B | MACs |\n"
        "|---|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n"
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
