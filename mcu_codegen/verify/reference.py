"""Reference interpreters: TFLite Micro (default), tflite-runtime and LiteRT with
their reference kernels (never the optimized defaults, which differ by +-1)."""

from __future__ import annotations

import ctypes
import importlib.util
import multiprocessing
import multiprocessing.process
import os
import signal
import weakref
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

import numpy as np

from ..errors import OracleError

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
        "tflite-runtime's reference kernels match TFLite Micro on every shared int8 model "
        "except LSTMs; it needs numpy < 2"
    ),
}


def make_runner(name: str, model: bytes, num_outputs: int) -> Runner:
    if name == "tflm":
        return _tflm(model, num_outputs)
    if name == "tflite-runtime":
        return _tflite_like("tflite_runtime.interpreter", "tflite-runtime", model, num_outputs)
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
