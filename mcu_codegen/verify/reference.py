"""Reference interpreters: TFLite Micro (default), tflite-runtime and LiteRT with
their reference kernels (never the optimized defaults, which differ by +-1).

TFLite Micro runs in a forked child process (it may abort or crash). tflite-runtime 2.14
needs numpy < 2, so it runs in a child process of a *separate* Python interpreter (a venv
with tflite-runtime==2.14.0 and numpy<2: ``make setup-tflite-runtime``), found through
``MCU_CODEGEN_TFLITE_RUNTIME_PYTHON`` or at :data:`TFLITE_RUNTIME_VENV`; arrays cross the
pipe as ``.npz`` bytes (tflite_worker.py). LiteRT runs in this process."""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import io
import multiprocessing
import multiprocessing.process
import os
import signal
import subprocess
import tempfile
import weakref
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import OracleError
from . import tflite_worker

Run = Callable[[Sequence[np.ndarray]], list[np.ndarray]]


class Runner:
    """One reference interpreter instance: ``runner(inputs)`` runs one inference
    (state carries over between calls, as in firmware); ``reset()`` puts variable
    tensors back to their initial value. It starts from a reset state."""

    def __init__(self, run: Run, reset: Callable[[], None]) -> None:
        self._run, self.reset = run, reset
        reset()

    def __call__(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        return self._run(inputs)


REFERENCES = ("tflm", "tflite-runtime", "litert")

#: What each reference is known to do differently from TFLite Micro.
KNOWN_DIFFERENCES = {
    "litert": (
        "LiteRT's reference FULLY_CONNECTED requantizes in floating point, while TFLite "
        "Micro (and this library) use the integer multiplier-and-shift path: off-by-one "
        "outputs after FULLY_CONNECTED are expected; use --reference tflm"
    ),
    "tflite-runtime": (
        "tflite-runtime's UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's lstm_eval.cc) differs "
        "from TFLite Micro's (and this library's) by design: its gate sigmoids and tanhs "
        "and the tanh of the cell state use gemmlowp's int16 fixed-point logistic and tanh "
        "instead of the table-based Logistic and Tanh(int16), and it adds the recurrent "
        "FC to the saturated input FC before saturating it, where TFLite Micro saturates "
        "both first; use --reference tflm"
    ),
}


def make_runner(name: str, model: bytes, num_outputs: int) -> Runner:
    if name == "tflm":
        return _tflm(model, num_outputs)
    if name == "tflite-runtime":
        return TfliteRuntime(model).runner(num_outputs)
    if name == "litert":
        return _tflite_like("ai_edge_litert.interpreter", "ai-edge-litert", model, num_outputs)
    raise OracleError(f"unknown reference {name!r} (choose from {', '.join(REFERENCES)})")


class ReferenceCrash(OracleError):
    """The reference interpreter's process died (TFLite Micro aborts or segfaults
    on some inputs instead of returning an error)."""


def _die_with_parent() -> None:
    """Ask Linux to end this process when its parent dies, so a killed test run
    leaves no interpreter behind (forked siblings hold each other's pipe ends, so
    end-of-file alone does not reach them)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        os._exit(0)


def _tflm_worker(conn: Connection, parent_end: Connection, model: bytes, num_outputs: int,
                 arena: int) -> None:
    """Runs in a child process: one TFLite Micro interpreter serving requests."""
    parent_end.close()  # the fork's copy: without this the child never sees EOF
    _die_with_parent()
    try:
        from tflite_micro import runtime

        interp = runtime.Interpreter.from_bytes(model, arena_size=arena)
    except Exception as exc:  # the package raises plain RuntimeError/ValueError
        conn.send(("error", f"TFLite Micro refused the model: {str(exc).splitlines()[0]}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            request, payload = conn.recv()
        except EOFError:
            return
        try:
            if request == "reset":
                interp.reset()
                conn.send(("ok", None))
            else:
                for i, x in enumerate(payload):
                    interp.set_input(x, i)
                interp.invoke()
                conn.send(("ok", [np.array(interp.get_output(i)) for i in range(num_outputs)]))
        except Exception as exc:
            conn.send(("error", f"TFLite Micro failed: {str(exc).splitlines()[0]}"))


def _tflm(model: bytes, num_outputs: int) -> Runner:
    """TFLite Micro in a child process, so that an abort inside it (its softmax
    asserts on rows whose exponentials sum to 512 or more) or a crash is reported
    as a failure instead of killing the caller."""
    if importlib.util.find_spec("tflite_micro") is None:
        raise OracleError("the TFLite Micro reference is not installed: pip install tflite-micro")
    # TFLite Micro may crash instead of failing on a too-small arena: be generous.
    arena = max(16 << 20, 12 * len(model))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_tflm_worker, args=(child, parent, model, num_outputs, arena),
                       daemon=True)
    proc.start()
    child.close()

    def ask(request: str, payload: object) -> object:
        try:
            if request != "start":
                parent.send((request, payload))
            status, answer = parent.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            proc.join(timeout=5)
            raise ReferenceCrash(
                f"TFLite Micro crashed (exit status {proc.exitcode}) instead of returning "
                "a result"
            ) from None
        if status == "error":
            raise OracleError(str(answer))
        return answer

    ask("start", None)

    def run(inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        result = ask("run", [np.array(x, order="C") for x in inputs])
        assert isinstance(result, list)
        return result

    def reset() -> None:
        ask("reset", None)

    runner = Runner(run, reset)
    weakref.finalize(runner, _stop, proc, parent)
    return runner


def _stop(proc: multiprocessing.process.BaseProcess, conn: Connection) -> None:
    conn.close()
    proc.join(timeout=2)
    if proc.is_alive():
        proc.kill()


def _tflite_like(module: str, package: str, model: bytes, num_outputs: int) -> Runner:
    try:
        mod = __import__(module, fromlist=["Interpreter"])
    except ImportError:
        raise OracleError(f"the {package} reference is not installed: pip install {package}") \
            from None
    try:
        interp = mod.Interpreter(
            model_content=model,
            experimental_op_resolver_type=mod.OpResolverType.BUILTIN_REF,
        )
        interp.allocate_tensors()
    except Exception as exc:
        raise OracleError(f"{package} refused the model: {str(exc).splitlines()[0]}") from None
    in_details = interp.get_input_details()
    out_details = interp.get_output_details()

    def run(inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        for d, x in zip(in_details, inputs, strict=True):
            interp.set_tensor(d["index"], x)
        interp.invoke()
        return [np.array(interp.get_tensor(d["index"])) for d in out_details[:num_outputs]]

    return Runner(run, interp.reset_all_variables)


#: The environment variable naming the Python that has tflite-runtime 2.14 and numpy < 2.
TFLITE_RUNTIME_PYTHON = "MCU_CODEGEN_TFLITE_RUNTIME_PYTHON"
#: Where ``make setup-tflite-runtime`` puts that Python's venv (used when the variable is unset).
TFLITE_RUNTIME_VENV = (Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                       / "mcu-codegen" / "tflite-runtime")
SETUP_HINT = (
    "run `make setup-tflite-runtime` (a venv with tflite-runtime==2.14.0 and numpy<2 in "
    f"{TFLITE_RUNTIME_VENV}) or set {TFLITE_RUNTIME_PYTHON} to such a Python"
)


def tflite_runtime_python() -> str:
    """The Python interpreter that runs tflite-runtime (it needs numpy < 2)."""
    named = os.environ.get(TFLITE_RUNTIME_PYTHON)
    if named:
        if not os.access(named, os.X_OK) or os.path.isdir(named):
            raise OracleError(f"{TFLITE_RUNTIME_PYTHON}={named} is not an executable Python: "
                              f"{SETUP_HINT}")
        return named
    default = TFLITE_RUNTIME_VENV / "bin" / "python"
    if os.access(default, os.X_OK):
        return str(default)
    raise OracleError(f"the tflite-runtime reference needs its own Python: {SETUP_HINT}")


class TfliteRuntime:
    """tflite-runtime with its reference kernels (BUILTIN_REF), served by one child
    process of :func:`tflite_runtime_python` for as long as this object lives."""

    def __init__(self, model: bytes, *, keep_all_tensors: bool = False) -> None:
        self._python = tflite_runtime_python()
        # The child's stderr, read only to explain a crash; closed with the child.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                [self._python, "-I", tflite_worker.__file__],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as exc:
            self._stderr.close()
            raise OracleError(f"cannot start {self._python} ({exc.strerror}): "
                              f"{SETUP_HINT}") from None
        weakref.finalize(self, _stop_child, self._proc, self._stderr)
        self.version = self._ask(bytes([keep_all_tensors]) + model).decode()

    def _ask(self, request: bytes) -> bytes:
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            tflite_worker.write_frame(proc.stdin, request)
            answer = tflite_worker.read_frame(proc.stdout)
        except (BrokenPipeError, ConnectionResetError):
            answer = None
        if answer is None:
            try:
                status = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                status = None
            self._stderr.seek(0)
            lines = self._stderr.read().decode(errors="replace").strip().splitlines()
            last = f": {lines[-1]}" if lines else ""
            raise ReferenceCrash(f"tflite-runtime ({self._python}) stopped (exit status "
                                 f"{status}) instead of returning a result{last}")
        if answer[:1] == b"E":
            message = answer[1:].decode(errors="replace")
            if "not installed" in message or "numpy<2" in message:
                message += f"; {SETUP_HINT}"
            raise OracleError(message)
        return answer[1:]

    def invoke(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """One inference; the outputs in order."""
        return _unpack(self._ask(b"I" + _pack(inputs)))

    def all_tensors(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """One inference; every tensor of the model by index (the intermediates only
        with ``keep_all_tensors=True``). For finding where two runtimes part."""
        return _unpack(self._ask(b"T" + _pack(inputs)))

    def reset(self) -> None:
        """Put the variable tensors back to their initial value."""
        self._ask(b"R")

    def runner(self, num_outputs: int | None = None) -> Runner:
        """A Runner over the first ``num_outputs`` outputs (all by default); it keeps
        this object, and so the child process, alive."""
        return Runner(lambda inputs: self.invoke(inputs)[:num_outputs], self.reset)


def _pack(inputs: Sequence[np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, *[np.ascontiguousarray(x) for x in inputs])  # arr_0, arr_1, ...
    return buf.getvalue()


def _unpack(body: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(body), allow_pickle=False) as z:
        return [z[f"arr_{i}"] for i in range(len(z.files))]


def _stop_child(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
    if proc.stdin is not None:
        with contextlib.suppress(OSError):  # the child is gone, a frame left in the buffer
            proc.stdin.close()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    stderr.close()
