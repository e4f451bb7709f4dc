"""arm_kws_basic_lstm_s against tflite-runtime's reference kernels: TFLite Micro cannot run
it (FILL with a non-constant dims tensor; our compiler folds that constant subgraph), so its
oracle is tflite-runtime 2.14 with OpResolverType.BUILTIN_REF, run in its own Python (numpy
< 2, ``make setup-tflite-runtime``). That oracle is cross-checked: on other shared models it
gives the same bytes as TFLite Micro and as our library."""

from __future__ import annotations

import gc
import subprocess

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.errors import OracleError
from mcu_codegen.verify import reference
from mcu_codegen.verify.inputs import make_inputs
from mcu_codegen.verify.reference import TfliteRuntime, make_runner, tflite_runtime_python
from tests.conftest import IN_CI, shared_model

BASIC_LSTM = "arm_kws_basic_lstm_s"
#: Stateless models that TFLite Micro, tflite-runtime and our library all run: FULLY_CONNECTED
#: chains, CONV/DEPTHWISE/AVERAGE_POOL/SOFTMAX, and the FC autoencoder whose bytes LiteRT's
#: floating-point FC requantization gets wrong (tflite-runtime 2.14 must not).
CROSS_CHECKED = ["arm_kws_dnn_s", "mlperf_tiny_kws_dscnn", "mlperf_tiny_ad_fc_autoencoder"]


@pytest.fixture(scope="module")
def tflite_runtime() -> str:
    """The Python that runs tflite-runtime; CI must have it (.ci/run installs it)."""
    try:
        return tflite_runtime_python()
    except OracleError as exc:
        if IN_CI:
            pytest.fail(f"CI must have the tflite-runtime reference: {exc}")
        pytest.skip(str(exc))


def _details(result: api.VerifyResult) -> str:
    return "\n".join(f"{label}: {m.describe()}" for label, ms in result.failures for m in ms)


def test_the_reference_is_tflite_runtime_2_14_with_reference_kernels(tflite_runtime: str) -> None:
    ref = TfliteRuntime(shared_model(f"{BASIC_LSTM}_int8.tflite").read_bytes())
    assert ref.version.startswith("tflite-runtime 2.14.0 numpy 1.")
    assert ref.version.endswith("BUILTIN_REF")


def test_tflm_cannot_run_basic_lstm() -> None:
    """Why this model needs another oracle (REFERENCE.md): if TFLite Micro learns to run
    it, it should join tests/models/test_shared_models.py."""
    model = shared_model(f"{BASIC_LSTM}_int8.tflite").read_bytes()
    with pytest.raises(OracleError):
        make_runner("tflm", model, 1)


@pytest.mark.slow
def test_basic_lstm_is_bit_exact_with_tflite_runtime_reference_kernels(
        tflite_runtime: str, monkeypatch: pytest.MonkeyPatch) -> None:
    children: list[object] = []
    popen = subprocess.Popen

    def counting_popen(args: list[str], **kwargs: object) -> object:
        if any(str(a).endswith("tflite_worker.py") for a in args):
            children.append(args)
        return popen(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(reference.subprocess, "Popen", counting_popen)
    path = shared_model(f"{BASIC_LSTM}_int8.tflite")
    result = api.verify(path, board="host", inputs=20, seed=1, reference="tflite-runtime")
    assert result.cases == 23  # 20 random + all -128, all 127, all at the zero point
    assert result.ok, _details(result)
    assert len(children) == 1  # one interpreter process for the whole run, not one per input


@pytest.mark.slow
@pytest.mark.parametrize("name", CROSS_CHECKED)
def test_tflite_runtime_agrees_with_tflm_and_with_us(name: str, tflite_runtime: str) -> None:
    path = shared_model(f"{name}_int8.tflite")
    result = api.verify(path, board="host", inputs=5, seed=3, reference="tflite-runtime")
    assert result.cases == 8
    assert result.ok, _details(result)
    compiled = api.compile_model(path)
    n_out = len(compiled.graph.outputs)
    tflm = make_runner("tflm", compiled.model, n_out)
    tfrt = make_runner("tflite-runtime", compiled.model, n_out)
    for label, arrays in make_inputs(compiled.graph, 5, 3):
        ours_ref, theirs = tflm(arrays), tfrt(arrays)
        for a, b in zip(ours_ref, theirs, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape, label
            assert a.tobytes() == b.tobytes(), f"{name} {label}: TFLite Micro != tflite-runtime"


def test_stateful_model_resets_in_the_child(tflite_runtime: str) -> None:
    """tflm_mnist_lstm keeps its LSTM state between invocations: after a reset the first
    answer comes again, and the state really carried over before it."""
    ref = TfliteRuntime(shared_model("tflm_mnist_lstm_int8.tflite").read_bytes())
    x = np.full((1, 28, 28), 77, np.int8)
    first = ref.invoke([x])
    later = [ref.invoke([x])[0] for _ in range(3)]
    assert any(y.tobytes() != first[0].tobytes() for y in later)
    ref.reset()
    assert ref.invoke([x])[0].tobytes() == first[0].tobytes()


def test_the_child_ends_with_its_runner(tflite_runtime: str) -> None:
    ref = TfliteRuntime(shared_model("tflm_hello_world_int8.tflite").read_bytes())
    proc = ref._proc
    del ref
    gc.collect()
    assert proc.returncode is not None


def test_intermediate_tensors_for_debugging(tflite_runtime: str) -> None:
    """``all_tensors`` returns every tensor by index (kept with ``keep_all_tensors``), the
    way to find the first op where our library and the interpreter part."""
    compiled = api.compile_model(shared_model("tflm_hello_world_int8.tflite"))
    ref = TfliteRuntime(compiled.model, keep_all_tensors=True)
    x = [np.full((1, 1), 5, np.int8)]
    tensors = ref.all_tensors(x)
    out = ref.invoke(x)[0]
    assert len(tensors) >= len(compiled.graph.ops) + 1
    assert any(t.shape == out.shape and t.tobytes() == out.tobytes() for t in tensors)
