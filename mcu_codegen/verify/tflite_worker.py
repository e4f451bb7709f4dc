"""Child-process server for the ``tflite-runtime`` reference.

tflite-runtime 2.14 (its last release) needs numpy < 2, while this project uses numpy 2,
so it runs in a separate Python interpreter (a venv with ``tflite-runtime==2.14.0`` and
``numpy<2``, see ``make setup-tflite-runtime``), one process per verify run. This file is
run there as a script (``python -I tflite_worker.py``): it imports only the standard
library, numpy and tflite_runtime, never mcu_codegen.

Protocol on stdin/stdout, every message a frame: 4-byte big-endian length, then the body.

- parent -> child: one options byte (bit 0: keep every intermediate tensor, for
  ``b"T"``) followed by the model (a flatbuffer), then requests: ``b"I"`` + an ``.npz`` of the
  input arrays (``arr_0``, ``arr_1``, ... in input order) to run one inference, or ``b"R"`` to
  reset the variable tensors (stateful models), or ``b"T"`` + an ``.npz`` of the inputs to
  run one inference and return every tensor by index (debugging; meaningful for the
  intermediates only with option bit 0, ``experimental_preserve_all_tensors``).
- child -> parent: ``b"K"`` + body on success (an ``.npz`` of the outputs ``arr_0``,
  ``arr_1``, ...; a version line for the model frame), or ``b"E"`` + a one-line UTF-8 message.

The interpreter always uses the reference kernels (``OpResolverType.BUILTIN_REF``), never
the optimized default kernels or XNNPACK, which differ from them by +-1 on several ops.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import signal
import struct
import sys
from typing import IO


def _die_with_parent() -> None:
    """End this process when the parent dies (Linux), so no interpreter is left behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame's body, or None at end of file."""
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return body


def write_frame(stream: IO[bytes], body: bytes) -> None:
    stream.write(struct.pack(">I", len(body)) + body)
    stream.flush()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    first = read_frame(requests)
    if not first:
        return
    keep_all, model = bool(first[0] & 1), first[1:]
    try:
        import numpy as np
    except ImportError:
        write_frame(answers, b"E" + f"numpy is not installed in {sys.executable}; "
                    "tflite-runtime 2.14 needs numpy<2".encode())
        return

    def npz(arrays: list) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, *[np.ascontiguousarray(a) for a in arrays])  # arr_0, arr_1, ...
        return buf.getvalue()

    def unnpz(body: bytes) -> list:
        with np.load(io.BytesIO(body), allow_pickle=False) as z:
            return [z[f"arr_{i}"] for i in range(len(z.files))]

    if int(np.__version__.split(".")[0]) >= 2:
        write_frame(answers, b"E" + f"{sys.executable} has numpy {np.__version__}: "
                    "tflite-runtime 2.14 needs numpy<2".encode())
        return
    try:
        import tflite_runtime
        from tflite_runtime.interpreter import Interpreter, OpResolverType
    except ImportError as exc:
        write_frame(answers, b"E" + f"tflite-runtime is not installed in {sys.executable}: "
                    f"{_first_line(exc)}".encode())
        return
    try:
        interp = Interpreter(
            model_content=model,
            experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
            experimental_preserve_all_tensors=keep_all,
        )
        interp.allocate_tensors()
    except Exception as exc:  # the package raises plain RuntimeError/ValueError
        write_frame(answers, b"E" + f"tflite-runtime refused the model: "
                    f"{_first_line(exc)}".encode())
        return
    inputs = interp.get_input_details()
    outputs = interp.get_output_details()
    write_frame(answers, b"K" + f"tflite-runtime {tflite_runtime.__version__} "
                f"numpy {np.__version__} BUILTIN_REF".encode())
    while (request := read_frame(requests)) is not None:
        kind, body = request[:1], request[1:]
        try:
            if kind == b"R":
                interp.reset_all_variables()
                write_frame(answers, b"K")
                continue
            arrays = unnpz(body)
            if len(arrays) != len(inputs):
                raise ValueError(f"{len(arrays)} input arrays for {len(inputs)} inputs")
            for d, x in zip(inputs, arrays):  # noqa: B905 (strict= needs Python 3.10)
                interp.set_tensor(d["index"], x)
            interp.invoke()
            if kind == b"T":
                tensors = []
                for d in interp.get_tensor_details():
                    try:
                        tensors.append(np.array(interp.get_tensor(d["index"])))
                    except ValueError:  # a tensor without data (e.g. optional input)
                        tensors.append(np.zeros(0, np.int8))
                write_frame(answers, b"K" + npz(tensors))
            else:
                write_frame(answers, b"K" + npz([interp.get_tensor(d["index"])
                                                 for d in outputs]))
        except Exception as exc:
            write_frame(answers, b"E" + f"tflite-runtime failed: {_first_line(exc)}".encode())


def main() -> None:
    _die_with_parent()
    # Answers go to a private copy of stdout; anything the C++ runtime prints on fd 1
    # goes to stderr, so it cannot corrupt the frames.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
