"""python -m tests.fuzz: run N mutated/generated models through the whole build."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from .harness import CASE_SECONDS, COMPILE_SHARE, MEMORY_BYTES, Outcome, Settings, run_cases
from .mutate import corpus, make_case


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    ap.add_argument("--cases", type=int, default=1000, help="number of cases (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="run seed (default 1)")
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--case", type=int, help="run only this case, in this process, verbosely")
    ap.add_argument("--jobs", type=int, default=0, help="worker processes (default: CPUs)")
    ap.add_argument("--no-shared", action="store_true",
                    help="only the writer-made seeds (no ../shared/models)")
    ap.add_argument("--compile-share", type=float, default=COMPILE_SHARE,
                    help="share of distinct successful builds whose C is compiled strictly")
    ap.add_argument("--sanitize-share", type=float, default=0.05,
                    help="share of distinct successful builds run under ASan+UBSan")
    ap.add_argument("--case-seconds", type=float, default=CASE_SECONDS)
    ap.add_argument("--memory-gib", type=float, default=MEMORY_BYTES / (1 << 30))
    ap.add_argument("--save", type=Path, help="write each failing model into this folder")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    settings = Settings(
        seed=args.seed, include_shared=not args.no_shared, case_seconds=args.case_seconds,
        memory_bytes=int(args.memory_gib * (1 << 30)), compile_share=args.compile_share,
        sanitize_share=args.sanitize_share,
    )
    if args.case is not None:
        return _one(args.case, settings)
    print(f"seeds: {', '.join(corpus(settings.include_shared))}", flush=True)
    done = [0]
    start = time.perf_counter()

    def progress(o: Outcome) -> None:
        done[0] += 1
        if o.status == "FAILURE":
            print(f"FAILURE #{o.index} [{o.kind}] {o.label}: {o.message}", flush=True)
        elif args.verbose:
            print(f"#{o.index} {o.status} {o.kind} {o.seconds:.2f}s {o.label}: {o.message[:120]}")
        if done[0] % 500 == 0:
            print(f"... {done[0]} cases, {time.perf_counter() - start:.0f} s", flush=True)

    summary = run_cases(range(args.start, args.start + args.cases), settings,
                        jobs=args.jobs or None, progress=progress)
    print(summary.figures())
    if args.save and summary.failures:
        args.save.mkdir(parents=True, exist_ok=True)
        for o in summary.failures:
            data = make_case(settings.seed, o.index, settings.include_shared).data
            (args.save / f"seed{settings.seed}_case{o.index}.tflite").write_bytes(data)
    return 1 if summary.failures else 0


def _one(index: int, settings: Settings) -> int:
    from mcu_codegen import api

    case = make_case(settings.seed, index, settings.include_shared)
    print(f"case {index}: {case.label} ({len(case.data)} bytes, board {case.board})")
    try:
        compiled = api.compile_model(case.data, board=case.board)
    except Exception as exc:
        if type(exc).__module__.startswith("mcu_codegen.errors"):
            print(f"error: {exc}")
        else:
            traceback.print_exc()
        from .harness import run_case

        o = run_case(case, settings)
        print(f"outcome: {o.status} {o.kind} {o.message}")
        return 1 if o.status == "FAILURE" else 0
    print(f"built: {len(compiled.graph.ops)} ops, arena {compiled.plan.arena_bytes} B")
    from .harness import run_case

    o = run_case(case, settings)
    print(f"outcome: {o.status} {o.kind} {o.message} {o.c_checked}")
    return 1 if o.status == "FAILURE" else 0


if __name__ == "__main__":
    sys.exit(main())
