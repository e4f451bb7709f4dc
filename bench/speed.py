"""Host speed of the generated library next to TFLite Micro's Python interpreter.

For every model in ../shared/models that builds, in one run and on the same
inputs: the generated library compiled as a user would (-O2, and -O3), called
through mcu_codegen.verify (one thin CPython call on the arrays), against one inference of
tflite_micro.runtime.Interpreter (set_input, invoke, get_output: the same work; TFLite
Micro's reference kernels), and against its invoke() alone.
Batches of the candidates are interleaved, each batch is timed in CPU time of
the calling thread (robust on a shared machine), and the median of the
repetitions is reported per inference.

Also counts instructions per inference on M3, M4, M7, M33 and M55 under QEMU, with the
portable kernels and with the board's own kernel set (DSP / MVE).

Writes bench/results/speed.md (each part rewrites only its own section).
Run: python bench/speed.py [--part host|cores|all] [--reps 15] [--batch-ms 10]
     [--call fast|cffi] [--only SUBSTRING ...] [--update] [--no-write]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcu_codegen import api  # noqa: E402
from mcu_codegen.errors import McuCodegenError  # noqa: E402
from mcu_codegen.verify import fastcall  # noqa: E402
from mcu_codegen.verify.host import HostLibrary  # noqa: E402
from mcu_codegen.verify.inputs import make_inputs  # noqa: E402
from tests.conftest import SHARED_MODELS  # noqa: E402

PREFIX = "model"

#: One extra C file compiled into the library for the benchmark only: calls the
#: library's invoke n times, so the per-inference cost can also be read without
#: the Python -> C call (which is the larger part for the smallest models).
LOOP_C = f"""#include "{PREFIX}.h"
long {PREFIX}_bench_loop(const void *const inputs[], void *const outputs[], long n);
long {PREFIX}_bench_loop(const void *const inputs[], void *const outputs[], long n)
{{
    long i, failures = 0;
    for (i = 0; i < n; ++i) {{
        failures += {PREFIX}_invoke(inputs, outputs) != 0;
    }}
    return failures;
}}
"""

Call = Callable[[], object]

#: --call choices: how Python calls our library per inference.
CALLS = ("fast", "cffi")


class Ours:
    """The generated library compiled with ``flags``, called on fixed arrays."""

    def __init__(self, files: dict[str, bytes], flags: tuple[str, ...],
                 inputs: list[np.ndarray], outputs: list[np.ndarray],
                 call: str = "fast") -> None:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            for name, data in files.items():
                (d / name).write_bytes(data)
            (d / "zz_bench_loop.c").write_text(LOOP_C)
            self.host = HostLibrary(
                d, PREFIX, extra_flags=flags,
                extra_cdef=f"long {PREFIX}_bench_loop(const void *const inputs[], "
                           "void *const outputs[], long n);")
        ffi = self.host.ffi
        self._keep = (inputs, outputs)
        self.in_ptrs = ffi.new("void *[]", [ffi.from_buffer(x) for x in inputs])
        self.out_ptrs = ffi.new("void *[]", [ffi.from_buffer(y) for y in outputs])
        self.loop = getattr(self.host.lib, f"{PREFIX}_bench_loop")
        self.path = "cffi"
        self.call: Call = functools.partial(getattr(self.host.lib, f"{PREFIX}_invoke"),
                                            self.in_ptrs, self.out_ptrs)
        if call == "fast" and not fastcall.why_unavailable():
            fast = self.host.buffer_call([x.nbytes for x in inputs],
                                         [y.nbytes for y in outputs])
            self.call = functools.partial(fast, *inputs, *outputs)
            self.path = "fast"

    def in_c_loop(self, n: int) -> Call:
        return functools.partial(self.loop, self.in_ptrs, self.out_ptrs, n)


def tflm_round_trip(interp: Any, inputs: list[np.ndarray], n_out: int) -> Call:
    """One TFLite Micro inference as a user makes it: give the input bytes
    (``set_input``), run (``invoke``), take the output bytes (``get_output``), the
    same work as one call of our ``<prefix>_invoke(inputs, outputs)``, which reads the
    caller's input arrays and writes its output arrays."""
    set_input, invoke, get_output = interp.set_input, interp.invoke, interp.get_output
    if len(inputs) == 1 and n_out == 1:
        x = inputs[0]

        def one() -> object:
            set_input(x, 0)
            invoke()
            return get_output(0)
        return one

    def many() -> object:
        for i, x in enumerate(inputs):
            set_input(x, i)
        invoke()
        return [get_output(i) for i in range(n_out)]
    return many


def per_call_ns(fn: Call, calls: int) -> float:
    start = time.thread_time_ns()
    for _ in range(calls):
        fn()
    return (time.thread_time_ns() - start) / calls


def calls_for(fn: Call, batch_ns: float) -> int:
    """Calls of ``fn`` that take about ``batch_ns`` of CPU time (at least one)."""
    fn()
    one = max(per_call_ns(fn, 3), 1.0)
    return max(1, int(batch_ns / one))


def measure(candidates: dict[str, Call], reps: int, batch_ms: float) -> dict[str, float]:
    """Median nanoseconds per call of each candidate, batches interleaved."""
    sizes = {k: calls_for(fn, batch_ms * 1e6) for k, fn in candidates.items()}
    samples: dict[str, list[float]] = {k: [] for k in candidates}
    for _ in range(reps):
        for k, fn in candidates.items():
            samples[k].append(per_call_ns(fn, sizes[k]))
    return {k: statistics.median(v) for k, v in samples.items()}


def fmt_us(ns: float) -> str:
    us = ns / 1e3
    return f"{us:,.1f}" if us >= 10 else f"{us:,.2f}"


def row(*cells: str) -> str:
    """A host table row, empty cells up to the table's 11 columns."""
    padded = [*cells, *[""] * (11 - len(cells))]
    return "| " + " | ".join(padded) + " |"


def bench_model(path: Path, reps: int, batch_ms: float, call: str = "fast") -> str:
    from tflite_micro import runtime

    try:
        compiled = api.compile_model(path)
    except McuCodegenError as exc:
        return row(path.stem, f"not built: {str(exc).splitlines()[0][:80]}")
    g = compiled.graph
    inputs = [np.ascontiguousarray(x) for x in make_inputs(g, 1, 0)[0][1]]
    outs = {f: [np.zeros(g.tensors[t].shape, g.tensors[t].dtype.numpy) for t in g.outputs]
            for f in ("-O2", "-O3")}
    ours = {f: Ours(compiled.library.files, (f,), inputs, outs[f], call) for f in outs}
    macs = int(compiled.library.report["macs"])  # type: ignore[call-overload]
    try:
        interp = runtime.Interpreter.from_bytes(
            compiled.model, arena_size=max(16 << 20, 12 * len(compiled.model)))
        for i, x in enumerate(inputs):
            interp.set_input(x, i)
        interp.invoke()
    except Exception as exc:  # the package raises plain RuntimeError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return row(path.stem, f"{macs:,}", f"TFLite Micro refuses it ({first[:60]})")
    ours["-O2"].call()
    same = all(np.array_equal(np.asarray(interp.get_output(i)), y)
               for i, y in enumerate(outs["-O2"]))
    loop_n = max(1, calls_for(ours["-O2"].call, 1e6))
    t = measure({
        "tflm": tflm_round_trip(interp, inputs, len(g.outputs)),
        "tflm_invoke": interp.invoke,
        "O2": ours["-O2"].call,
        "O3": ours["-O3"].call,
        "loop": ours["-O2"].in_c_loop(loop_n),
    }, reps, batch_ms)
    loop_ns = t["loop"] / loop_n
    paths = sorted({o.path for o in ours.values()} - {call})
    note = f" ({', '.join(paths)})" if paths else ""
    for o in ours.values():
        o.host.close()
    return (
        f"| {path.stem} | {macs:,} | {fmt_us(t['tflm'])} | {fmt_us(t['tflm_invoke'])} | "
        f"{fmt_us(t['O2'])}{note} | **{t['tflm'] / t['O2']:.1f}x** | "
        f"{t['tflm_invoke'] / t['O2']:.1f}x | {fmt_us(t['O3'])}{note} | "
        f"{t['tflm'] / t['O3']:.1f}x | {fmt_us(loop_ns)} ({t['tflm'] / loop_ns:.1f}x) | "
        f"{'yes' if same else 'NO'} |"
    )


HOST_NOTES = (
    "`python bench/speed.py --part host` (--reps {reps}, --batch-ms {batch_ms:g}): per model in "
    "../shared/models, microseconds per inference, median of the repetitions; batches of the "
    "candidates interleaved in one run, on the same input (the first seeded random input set "
    "of `verify`), timed in CPU time of the calling thread. Each candidate is one Python "
    "call (or statement sequence) per inference, timed in the same Python loop.\n\n"
    "- **TFLM**: one inference with `tflite_micro.runtime.Interpreter` (reference kernels) as "
    "a user makes it: `set_input(x, i)` for each input, `invoke()`, `get_output(i)` for each "
    "output: give the input bytes, run, take the output bytes. The ratios in bold are over "
    "this time.\n"
    "- **TFLM invoke only**: `Interpreter.invoke()` alone, inputs set beforehand, outputs "
    "not read (less work than ours: shown for reference, with its ratio `vs invoke`).\n"
    "- **-O2 / -O3**: `<prefix>_invoke(inputs, outputs)` of the generated library compiled "
    "with `cc -std=c99 -Wall -Wextra -Werror -pedantic` and that flag, called with --call "
    "{call}: `fast` is one call `f(*input_arrays, *output_arrays)` per inference "
    "(`HostLibrary.buffer_call`, mcu_codegen/verify/fastcall.py: a METH_FASTCALL CPython "
    "function that takes the numpy arrays, checks their sizes, calls invoke on their bytes and "
    "fills the output arrays in place); `cffi` calls invoke through cffi (dlopen) on pointer "
    "arrays built once. A time marked `cffi` fell back to it (`fast` needs Python.h). The "
    "ratios are TFLM's time over ours.\n"
    "- **in a C loop**: the -O2 library's invoke called n times from C in one Python "
    "call: the library's own cost per inference, without the Python -> C call "
    "(which dominates the smallest models on both sides).\n"
    "- **same output**: our -O2 output bytes equal TFLite Micro's on this input.\n\n"
    "| model | MACs | TFLM us | TFLM invoke only us | -O2 us | ratio | vs invoke | -O3 us | "
    "ratio | -O2 in a C loop us (ratio) | same output |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
)

#: The Cortex-M cores of the instruction table, one QEMU board each.
CORE_BOARDS = ("mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505", "mps3-an547")

CORES_NOTES = (
    "`python bench/speed.py --part cores`: instructions per inference of each model that "
    "fits, counted exactly under QEMU (`mcu-codegen bench MODEL --board BOARD --kernels "
    "SET --no-per-op`: the second of three runs of the same seeded input, which the third "
    "repeats exactly), with the portable C kernels and with the board's own kernel set "
    "(`auto`: DSP on M4, M7 and M33, MVE on M55; the M3 has neither). Instructions are not "
    "cycles: compare on one core, not across cores. Per-op profiles: `mcu-codegen bench "
    "MODEL --board BOARD`.\n\n"
    "| model | MACs | core (board) | portable | per MAC | optimized (set) | per MAC | "
    "portable / optimized |\n"
    "|---|---:|---|---:|---:|---:|---:|---:|\n"
)


def core_rows(path: Path) -> list[str]:
    """Rows of the instruction table for one model, one per core."""
    from mcu_codegen.boards import board as get_board
    from mcu_codegen.ops import simd

    rows = []
    for name in CORE_BOARDS:
        b = get_board(name)
        best = simd.board_isa(b.features, b.core)
        try:  # what `auto` picks: the best set, or the next one down when it does not fit
            report = api.compile_model(path, board=name).library.report
            best = str(report["kernel_set"])
            fell_back = "; the faster sets' weights do not fit flash" \
                if report.get("kernel_set_fallback") else ""
        except McuCodegenError:
            fell_back = ""
        got: dict[str, dict[str, Any] | str] = {}
        for kernels in dict.fromkeys(("portable", best)):
            try:
                got[kernels] = api.bench(path, board=name, per_op=False, kernels=kernels)
            except McuCodegenError as exc:
                got[kernels] = str(exc).splitlines()[0]
        port, opt = got["portable"], got[best]
        label = f"{b.core.removeprefix('cortex-').upper()} ({name})"
        if isinstance(port, str) or isinstance(opt, str):
            why = port if isinstance(port, str) else opt
            rows.append(f"| {path.stem} | | {label} | {str(why)[:110]} | | | | |")
            continue
        n_p, n_o = int(port["instructions_per_inference"]), int(opt["instructions_per_inference"])
        rows.append(
            f"| {path.stem} | {int(port['macs']):,} | {label} | {n_p:,} | "
            f"{port['instructions_per_mac'] or '-'} | {n_o:,} ({best}{fell_back}) | "
            f"{opt['instructions_per_mac'] or '-'} | {n_p / n_o:.2f}x |")
    return rows


def replace_section(text: str, part: str, body: str) -> str:
    begin, end = f"<!-- begin {part} -->", f"<!-- end {part} -->"
    block = f"{begin}\n{body}{end}"
    if begin in text and end in text:
        return text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def merge_rows(text: str, part: str, rows: list[str]) -> list[str]:
    """The section's table rows with the rows of the models in ``rows`` replaced (for
    ``--only ... --update``), in model order."""
    begin, end = f"<!-- begin {part} -->", f"<!-- end {part} -->"
    old = text[text.index(begin): text.index(end)] if begin in text and end in text else ""
    new_models = {r.split("|")[1].strip() for r in rows}
    kept = [r for r in old.splitlines() if r.startswith("| ") and not r.startswith("| model")
            and r.split("|")[1].strip() not in new_models]
    return sorted(kept + rows, key=lambda r: r.split("|")[1].strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("host", "cores", "all"), default="all",
                    help="host: time against TFLite Micro; cores: QEMU instruction counts")
    ap.add_argument("--reps", type=int, default=15, help="interleaved batches per candidate")
    ap.add_argument("--batch-ms", type=float, default=10.0, help="CPU time of one batch")
    ap.add_argument("--call", choices=tuple(CALLS), default="fast",
                    help="how Python calls our library per inference: fast = "
                         "mcu_codegen.verify.fastcall on the arrays (else cffi), or cffi's "
                         "API / ABI mode on prebuilt pointer arrays")
    ap.add_argument("--only", nargs="*", default=[], help="model name substrings")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--update", action="store_true",
                    help="with --only: replace those models' rows in speed.md, keep the rest")
    args = ap.parse_args()
    paths = [p for p in sorted(SHARED_MODELS.glob("*.tflite"))
             if not args.only or any(s in p.stem for s in args.only)]
    out = ROOT / "bench" / "results" / "speed.md"
    text = out.read_text() if out.is_file() else ""
    if not text.startswith("# "):
        text = ("# Speed: host time against TFLite Micro, and instructions on Cortex-M\n\n"
                "## Host: generated library vs TFLite Micro's Python interpreter\n\n"
                "<!-- begin host -->\n<!-- end host -->\n\n"
                "## Instructions per inference on Cortex-M (QEMU)\n\n"
                "<!-- begin cores -->\n<!-- end cores -->\n")
    write = not args.no_write and (not args.only or args.update)
    if args.part in ("host", "all"):
        rows = []
        for path in paths:
            rows.append(bench_model(path, args.reps, args.batch_ms, args.call))
            print(rows[-1], flush=True)
        notes = HOST_NOTES.format(reps=args.reps, batch_ms=args.batch_ms,
                                  call=args.call)
        if args.update:
            rows = merge_rows(text, "host", rows)
        text = replace_section(text, "host", notes + "\n".join(rows) + "\n")
        if write:
            out.write_text(text)
    if args.part in ("cores", "all"):
        rows = []
        for path in paths:
            for row in core_rows(path):
                rows.append(row)
                print(row, flush=True)
        if args.update:
            rows = merge_rows(text, "cores", rows)
        text = replace_section(text, "cores", CORES_NOTES + "\n".join(rows) + "\n")
        if write:
            out.write_text(text)
    if write:
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
