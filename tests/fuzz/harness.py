"""Run fuzz cases through the whole pipeline and classify every outcome.

Each case runs ``api.compile_model`` in a worker process that has a soft
address-space limit (default 2 GiB) and a per-case timer (default 10 s of CPU
time; a worker silent for 3x that plus a minute of wall-clock time is killed).
An outcome is one of

* ``ok``: the library was generated (and, for a sample, its C compiles with
  the strict flags; for a smaller sample, it runs clean under AddressSanitizer
  and UndefinedBehaviorSanitizer);
* ``error``: a McuCodegenError whose message is one non-empty line;
* ``FAILURE``: anything else: another exception (a traceback), an error message
  on several lines or empty, an internal PlanError, a hang, a memory blow-up,
  a crashed worker, C that does not compile or that the sanitizers reject.

The workers are plain processes fed through pipes; a worker that dies or hangs
is replaced, and the case is recorded as a failure.
"""

from __future__ import annotations

import contextlib
import faulthandler
import hashlib
import multiprocessing as mp
import os
import resource
import signal
import subprocess
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .mutate import Case, make_case

CASE_SECONDS = 10.0
MEMORY_BYTES = 2 << 30
#: Successful builds whose generated C is compiled (share of distinct libraries).
COMPILE_SHARE = 0.25
#: Successful builds also run under ASan + UBSan (share of distinct libraries).
SANITIZE_SHARE = 0.0
#: Libraries bigger than this are not run under the sanitizers (time, not safety).
SANITIZE_MAX_BYTES = 16 << 20


@dataclass(frozen=True)
class Settings:
    seed: int = 1
    include_shared: bool = True
    case_seconds: float = CASE_SECONDS
    memory_bytes: int = MEMORY_BYTES
    compile_share: float = COMPILE_SHARE
    sanitize_share: float = SANITIZE_SHARE


@dataclass
class Outcome:
    index: int
    label: str
    status: str  # "ok", "error" or "FAILURE"
    kind: str  # "build", the error class, or what failed ("traceback", "hang", ...)
    message: str = ""
    seconds: float = 0.0
    c_checked: str = ""  # "", "compiled", "sanitized"


@dataclass
class Summary:
    settings: Settings
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "FAILURE"]

    def figures(self) -> str:
        n = len(self.outcomes)
        ok = [o for o in self.outcomes if o.status == "ok"]
        errors = Counter(o.kind for o in self.outcomes if o.status == "error")
        compiled = sum(1 for o in ok if o.c_checked in ("compiled", "sanitized"))
        sanitized = sum(1 for o in ok if o.c_checked == "sanitized")
        slowest = max(self.outcomes, key=lambda o: o.seconds, default=None)
        lines = [
            f"cases: {n} (seed {self.settings.seed})",
            f"builds OK: {len(ok)} (generated C compiled with the strict flags: {compiled}; "
            f"run under ASan+UBSan: {sanitized})",
            f"clean one-line errors: {sum(errors.values())} ("
            + ", ".join(f"{k} {v}" for k, v in errors.most_common()) + ")",
            f"failures: {len(self.failures)}",
            f"time: {self.seconds:.1f} s ({self.seconds / max(n, 1) * 1000:.1f} ms per case"
            + (f"; slowest case {slowest.seconds:.2f} s, #{slowest.index}" if slowest else "")
            + ")",
        ]
        for o in self.failures[:20]:
            lines.append(f"  FAILURE #{o.index} [{o.kind}] {o.label}: {o.message}")
        return "\n".join(lines)


class _Timeout(BaseException):
    """Raised by the per-case timer (a BaseException so no `except Exception` eats it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def _limit_memory(nbytes: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and hard < nbytes:
        nbytes = hard
    resource.setrlimit(resource.RLIMIT_AS, (nbytes, hard))


def _share(key: bytes, salt: str) -> float:
    return int(hashlib.sha256(salt.encode() + key).hexdigest()[:8], 16) / 2**32


def run_case(case: Case, settings: Settings, checked: dict[str, str] | None = None) -> Outcome:
    """Compile one case in this process and classify the result."""
    from mcu_codegen import api
    from mcu_codegen.errors import McuCodegenError
    from mcu_codegen.planner.verify import PlanError

    start = time.perf_counter()
    # CPU time (user + system), so that a busy machine does not fake a hang; the
    # parent's wall-clock limit catches a process that blocks without computing.
    signal.signal(signal.SIGPROF, _on_alarm)
    signal.setitimer(signal.ITIMER_PROF, settings.case_seconds)
    try:
        try:
            with warnings.catch_warnings():
                # A warning would reach the user's terminal beside the one-line error.
                warnings.simplefilter("error")
                compiled = api.compile_model(case.data, board=case.board)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _Timeout:
        where = traceback.extract_tb(__import__("sys").exc_info()[2])[-1]
        return Outcome(case.index, case.label, "FAILURE", "hang",
                       f"over {settings.case_seconds:.0f} s, in {where.name} "
                       f"({Path(where.filename).name}:{where.lineno})",
                       time.perf_counter() - start)
    except MemoryError:
        return Outcome(case.index, case.label, "FAILURE", "memory", "MemoryError",
                       time.perf_counter() - start)
    except PlanError as exc:
        return Outcome(case.index, case.label, "FAILURE", "PlanError", str(exc),
                       time.perf_counter() - start)
    except McuCodegenError as exc:
        text = str(exc)
        seconds = time.perf_counter() - start
        if not text.strip() or any(ord(c) < 0x20 for c in text):
            return Outcome(case.index, case.label, "FAILURE", "not one line", repr(text[:300]),
                           seconds)
        return Outcome(case.index, case.label, "error", type(exc).__name__, text[:300], seconds)
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome(case.index, case.label, "FAILURE", "traceback",
                       f"{type(exc).__name__}: {str(exc)[:200]} at {Path(tb.filename).name}:"
                       f"{tb.lineno} ({tb.name})", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    outcome = Outcome(case.index, case.label, "ok", "build", "", seconds)
    files = compiled.library.files
    key = hashlib.sha256(b"".join(files[n] for n in sorted(files) if n != "report.json")
                         ).digest()
    sanitize = (settings.sanitize_share > 0 and compiled.board.is_host
                and _share(key, "sanitize") < settings.sanitize_share)
    if sanitize or _share(key, "compile") < settings.compile_share:
        cache_key = key.hex() + ("s" if sanitize else "c")
        if checked is not None and cache_key in checked:
            verdict = checked[cache_key]
        else:
            verdict = (_sanitize(compiled, case.index) if sanitize
                       else _compile_strict(files, compiled.board))
            if checked is not None:
                checked[cache_key] = verdict
        if verdict:
            return Outcome(case.index, case.label, "FAILURE", "C rejected", verdict, seconds)
        outcome.c_checked = "sanitized" if sanitize else "compiled"
    return outcome


def _compile_strict(files: dict[str, bytes], board: Any = None) -> str:
    """'' when the library compiles with the strict flags, else the first error line.

    A library built for a Cortex-M board is compiled by arm-none-eabi-gcc with the
    board's CPU flags (its kernel set may be Arm-only: MVE); a host library by the
    host compiler."""
    import shutil

    from tests.native_driver import STRICT, compiler

    flags = list(STRICT)
    if board is not None and not board.is_host:
        cc = shutil.which("arm-none-eabi-gcc")
        flags += [*board.opt_flags, *board.cflags]
    else:
        cc = compiler()
    if cc is None:
        return ""
    with tempfile.TemporaryDirectory(prefix="mcu-fuzz-cc-") as tmp:
        for name, body in files.items():
            (Path(tmp) / name).write_bytes(body)
        sources = sorted(n for n in files if n.endswith(".c"))
        try:
            proc = subprocess.run([cc, *flags, "-c", *sources], cwd=tmp, capture_output=True,
                                  text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return "the C compiler took over 120 s"
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if "error" in ln] or ["?"]
            return "does not compile: " + lines[0][:300]
    return ""


def _sanitize(compiled: Any, index: int) -> str:
    """'' when the library runs clean under ASan + UBSan on a few input sets."""
    from mcu_codegen.verify.inputs import make_inputs
    from tests.native_driver import SANITIZE, build_program

    g = compiled.graph
    in_bytes = [g.tensors[i].nbytes for i in g.inputs]
    out_bytes = [g.tensors[i].nbytes for i in g.outputs]
    if compiled.plan.arena_bytes + sum(in_bytes) + sum(out_bytes) > SANITIZE_MAX_BYTES:
        return _compile_strict(compiled.library.files)
    with tempfile.TemporaryDirectory(prefix="mcu-fuzz-asan-") as tmp:
        try:
            prog = build_program(compiled.library.files, "model", in_bytes, out_bytes,
                                 Path(tmp), SANITIZE)
        except RuntimeError as exc:
            return str(exc).splitlines()[0][:300] + " " + " ".join(
                ln for ln in str(exc).splitlines() if "error" in ln)[:300]
        except subprocess.TimeoutExpired:
            return "the C compiler took over its time limit"
        sets = [arrays for _, arrays in make_inputs(g, 1, index)]
        try:
            rc, err, _ = prog.run(sets, timeout=60)
        except subprocess.TimeoutExpired:
            return "the sanitized program ran over 60 s"
        if rc != 0:
            first = next((ln for ln in err.splitlines() if "runtime error" in ln
                          or "ERROR" in ln or "driver:" in ln), err[:200])
            return f"sanitized run exit {rc}: {first.strip()[:300]}"
    return ""


# ---- the worker pool -------------------------------------------------------------------


def _worker(conn: Connection, settings: Settings) -> None:
    import mcu_codegen.api  # noqa: F401  (an import error here is not a case's fault)

    faulthandler.disable()  # a crash is reported by the parent, in one line
    _limit_memory(settings.memory_bytes)
    checked: dict[str, str] = {}
    while True:
        try:
            index = conn.recv()
        except EOFError:
            return
        if index is None:
            return
        try:
            case = make_case(settings.seed, index, settings.include_shared)
        except Exception as exc:  # a bug in the fuzzer itself: report it, keep going
            conn.send(Outcome(index, "?", "FAILURE", "fuzzer bug", repr(exc)[:300]))
            continue
        conn.send(run_case(case, settings, checked))


def _label(settings: Settings, index: int) -> str:
    try:
        return make_case(settings.seed, index, settings.include_shared).label
    except Exception as exc:
        return f"(the fuzzer cannot make this case: {exc!r})"


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    index: int | None = None
    started: float = 0.0


def run_cases(indices: Iterable[int], settings: Settings, jobs: int | None = None,
              progress: Callable[[Outcome], None] | None = None) -> Summary:
    """Run the cases on ``jobs`` worker processes; never raises for a bad case."""
    # Build the seed corpus once, before forking, so every worker shares it.
    import mcu_codegen.api  # noqa: F401  (fail here, once, if the package is broken)

    from .mutate import corpus

    corpus(settings.include_shared)
    ctx = mp.get_context("fork")
    jobs = jobs or max(1, (os.cpu_count() or 2))
    todo = list(indices)
    todo.reverse()
    summary = Summary(settings)
    start = time.perf_counter()
    hard_limit = settings.case_seconds * 3 + 60  # the compile/sanitize steps come on top

    def spawn() -> _Slot:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, settings), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def feed(slot: _Slot) -> None:
        if todo:
            slot.index = todo.pop()
            slot.started = time.perf_counter()
            slot.conn.send(slot.index)
        else:
            slot.index = None

    def record(o: Outcome) -> None:
        summary.outcomes.append(o)
        if progress:
            progress(o)

    slots = [spawn() for _ in range(min(jobs, max(len(todo), 1)))]
    for s in slots:
        feed(s)
    try:
        while any(s.index is not None for s in slots):
            busy = [s for s in slots if s.index is not None]
            ready = wait([s.conn for s in busy], timeout=1.0)
            now = time.perf_counter()
            for i, s in enumerate(slots):
                if s.index is None:
                    continue
                if s.conn in ready:
                    try:
                        record(s.conn.recv())
                        feed(s)
                        continue
                    except (EOFError, OSError):
                        s.proc.join(5)
                        code = s.proc.exitcode
                        what = (f"killed by signal {-code}" if code is not None and code < 0
                                else f"exit code {code}")
                        record(Outcome(s.index, _label(settings, s.index), "FAILURE", "crash",
                                       f"the worker died ({what})", now - s.started))
                elif now - s.started > hard_limit:
                    s.proc.kill()
                    s.proc.join(5)
                    record(Outcome(s.index, _label(settings, s.index), "FAILURE", "hang",
                                   f"no answer in {hard_limit:.0f} s (worker killed)",
                                   now - s.started))
                else:
                    continue
                s.conn.close()
                slots[i] = spawn()
                feed(slots[i])
    finally:
        for s in slots:
            with contextlib.suppress(OSError):
                s.conn.send(None)
        for s in slots:
            s.proc.join(5)
            if s.proc.is_alive():
                s.proc.kill()
    summary.seconds = time.perf_counter() - start
    summary.outcomes.sort(key=lambda o: o.index)
    return summary
