"""Reference interpreters: TFLite Micro (default), tflite-runtime and LiteRT with
their reference kernels (never the optimized defaults, which differ by +-1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..errors import OracleError

Runner = Callable[[Sequence[np.ndarray]], list[np.ndarray]]

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


def _tflm(model: bytes, num_outputs: int) -> Runner:
    try:
        from tflite_micro import runtime
    except ImportError:
        raise OracleError(
            "the TFLite Micro reference is not installed: pip install tflite-micro"
        ) from None
    # TFLite Micro may crash instead of failing on a too-small arena: be generous.
    arena = max(16 << 20, 12 * len(model))
    try:
        interp = runtime.Interpreter.from_bytes(model, arena_size=arena)
    except Exception as exc:  # the package raises plain RuntimeError/ValueError
        raise OracleError(f"TFLite Micro refused the model: {str(exc).splitlines()[0]}") from None

    def run(inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        for i, x in enumerate(inputs):
            interp.set_input(x, i)
        interp.invoke()
        return [np.array(interp.get_output(i)) for i in range(num_outputs)]

    return run


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

    return run
