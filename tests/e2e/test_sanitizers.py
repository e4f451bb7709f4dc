"""The generated C of every shared model, compiled with AddressSanitizer and
UndefinedBehaviorSanitizer, run on the verify inputs and compared byte for byte with
TFLite Micro; and run under valgrind memcheck.

The library is linked with a small driver (tests/native_driver.py) that gives it
heap buffers of exactly the announced sizes, so a read or write past any input,
output or arena byte is caught, as is any signed overflow, shift out of range or
misaligned access in a kernel (-fno-sanitize-recover=all: the first report ends the
run). Valgrind additionally sees reads of arena bytes never written (the caller's
arena is not initialised) and leaks.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.verify.inputs import make_inputs
from mcu_codegen.verify.reference import make_runner
from tests.conftest import IN_CI, SHARED_MODELS, shared_model
from tests.native_driver import PLAIN_DEBUG, SANITIZE, VALGRIND, build_program, compiler

#: Every model in ../shared/models (test_the_list_is_every_shared_model keeps it so).
SHARED = [
    "arm_kws_basic_lstm_s", "arm_kws_cnn_s", "arm_kws_dnn_s", "arm_kws_ds_cnn_s",
    "mlperf_tiny_ad_fc_autoencoder", "mlperf_tiny_ic_resnet8", "mlperf_tiny_ic_resnet_large",
    "mlperf_tiny_kws_dscnn", "mlperf_tiny_sww_dscnn", "mlperf_tiny_vww_mobilenetv1_025_96",
    "tflm_dtln_noise_suppression", "tflm_hello_world", "tflm_micro_speech", "tflm_mnist_lstm",
    "tflm_person_detect", "tflm_simple_add", "tflm_xtensa_mobilenet_v2_224_nchw",
]
#: TFLite Micro cannot run it (FILL with non-constant dims, see REFERENCE.md): its
#: bytes are compared with tflite-runtime's reference kernels instead.
NOT_IN_TFLM = {"arm_kws_basic_lstm_s"}
#: Models whose convolutions, depthwise, fully connected, pooling and ADD ops run the DSP
#: kernels when built with kernels="dsp" (intrinsics emulated in C on the host).
DSP_MODELS = [
    "arm_kws_cnn_s", "mlperf_tiny_ad_fc_autoencoder", "mlperf_tiny_ic_resnet8",
    "mlperf_tiny_kws_dscnn", "mlperf_tiny_vww_mobilenetv1_025_96", "tflm_person_detect",
    "tflm_simple_add",
]
RANDOM_SETS = 5  # plus the three edge sets (all -128, all 127, all at the zero point)
VALGRIND_SETS = 2  # one random set and one edge set: valgrind runs ~30x slower


def test_the_list_is_every_shared_model() -> None:
    if not SHARED_MODELS.is_dir():
        _need(False, str(SHARED_MODELS))
    present = sorted(p.name.removesuffix("_int8.tflite") for p in SHARED_MODELS.glob("*.tflite"))
    assert present == SHARED


def _need(ok: bool, what: str) -> None:
    """Skip locally when a tool is missing; in CI a missing tool is a failure."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing: CI must run the sanitizer job (see .ci/run)")
    pytest.skip(f"{what} is not installed on this machine")


@cache
def _sanitizers_work() -> bool:
    cc = compiler()
    if cc is None:
        return False
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "t.c"
        src.write_text("int main(void) { return 0; }\n")
        proc = subprocess.run([cc, *SANITIZE, str(src), "-o", str(Path(tmp) / "t")],
                              capture_output=True)
        return proc.returncode == 0


def _library(name: str, kernels: str = "auto") -> tuple[api.Compiled, list[list[np.ndarray]]]:
    compiled = api.compile_model(shared_model(f"{name}_int8.tflite"), prefix="model",
                                 kernels=kernels)
    sets = [arrays for _, arrays in make_inputs(compiled.graph, RANDOM_SETS, seed=3)]
    return compiled, sets


def _io_bytes(compiled: api.Compiled) -> tuple[list[int], list[int]]:
    g = compiled.graph
    return ([g.tensors[i].nbytes for i in g.inputs], [g.tensors[i].nbytes for i in g.outputs])


@pytest.mark.slow
@pytest.mark.parametrize("name", SHARED)
def test_asan_ubsan_clean_and_bit_exact(name: str, tmp_path: Path) -> None:
    _asan_ubsan_bit_exact(name, "auto", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", DSP_MODELS)
def test_dsp_kernels_asan_ubsan_clean_and_bit_exact(name: str, tmp_path: Path) -> None:
    """The DSP kernels' C (the same code the Cortex-M build runs, with the instructions
    emulated) under the sanitizers: every kernel's reads and writes stay in bounds."""
    compiled = _asan_ubsan_bit_exact(name, "dsp", tmp_path)
    assert any(k.startswith("dsp_") for k in compiled.library.report["kernels"])  # type: ignore[union-attr]


def _asan_ubsan_bit_exact(name: str, kernels: str, tmp_path: Path) -> api.Compiled:
    _need(compiler() is not None, "a C compiler")
    _need(_sanitizers_work(), "gcc's AddressSanitizer/UndefinedBehaviorSanitizer runtime")
    compiled, sets = _library(name, kernels)
    in_bytes, out_bytes = _io_bytes(compiled)
    prog = build_program(compiled.library.files, "model", in_bytes, out_bytes, tmp_path,
                         SANITIZE)
    rc, err, outputs = prog.run(sets)
    assert rc == 0, f"exit {rc}:\n{err[-3000:]}"
    assert "runtime error" not in err and "ERROR: AddressSanitizer" not in err, err[-3000:]
    # (stateful models: the driver and the reference both carry state from set to set)
    reference = "tflite-runtime" if name in NOT_IN_TFLM else "tflm"
    runner = make_runner(reference, compiled.model, len(out_bytes))
    for k, arrays in enumerate(sets):
        ref = runner(arrays)
        for j, (ours, theirs) in enumerate(zip(outputs[k], ref, strict=True)):
            assert ours == np.ascontiguousarray(theirs).tobytes(), \
                f"{name}: input set {k}, output {j} differs from {reference}"
    return compiled


@pytest.mark.slow
@pytest.mark.parametrize("name", SHARED)
def test_valgrind_memcheck_clean(name: str, tmp_path: Path) -> None:
    _need(compiler() is not None, "a C compiler")
    _need(shutil.which("valgrind") is not None, "valgrind")
    compiled, sets = _library(name)
    in_bytes, out_bytes = _io_bytes(compiled)
    prog = build_program(compiled.library.files, "model", in_bytes, out_bytes, tmp_path,
                         PLAIN_DEBUG)
    chosen = [sets[0], sets[-1]][:VALGRIND_SETS]
    rc, err, outputs = prog.run(chosen, wrapper=VALGRIND, timeout=600)
    assert rc == 0, f"valgrind exit {rc}:\n{err[-3000:]}"
    reference = "tflite-runtime" if name in NOT_IN_TFLM else "tflm"
    runner = make_runner(reference, compiled.model, len(out_bytes))
    for k, arrays in enumerate(chosen):
        ref = [np.ascontiguousarray(r).tobytes() for r in runner(arrays)]
        assert outputs[k] == ref, f"{name}: input set {k} differs from {reference}"


# ---- the job must notice a broken library -----------------------------------------------


def _broken_library(tmp_path: Path) -> tuple[api.Compiled, dict[str, bytes]]:
    """tflm_hello_world with its first kernel call reading one element past the input."""
    compiled = api.compile_model(shared_model("tflm_hello_world_int8.tflite"), prefix="model")
    files = dict(compiled.library.files)
    text = files["model.c"].decode()
    assert "(const int8_t *)inputs[0])" in text
    text = text.replace("(const int8_t *)inputs[0])", "(const int8_t *)inputs[0] + 1)", 1)
    files["model.c"] = text.encode()
    return compiled, files


def test_asan_catches_a_read_past_the_input(tmp_path: Path) -> None:
    _need(compiler() is not None, "a C compiler")
    _need(_sanitizers_work(), "gcc's AddressSanitizer/UndefinedBehaviorSanitizer runtime")
    compiled, files = _broken_library(tmp_path)
    in_bytes, out_bytes = _io_bytes(compiled)
    prog = build_program(files, "model", in_bytes, out_bytes, tmp_path, SANITIZE)
    rc, err, _ = prog.run([[np.zeros(n, np.int8)] for n in in_bytes][:1])
    assert rc != 0 and "heap-buffer-overflow" in err, err[-2000:]


def test_valgrind_catches_a_read_past_the_input(tmp_path: Path) -> None:
    _need(compiler() is not None, "a C compiler")
    _need(shutil.which("valgrind") is not None, "valgrind")
    compiled, files = _broken_library(tmp_path)
    in_bytes, out_bytes = _io_bytes(compiled)
    prog = build_program(files, "model", in_bytes, out_bytes, tmp_path, PLAIN_DEBUG)
    rc, err, _ = prog.run([[np.zeros(n, np.int8)] for n in in_bytes][:1], wrapper=VALGRIND)
    assert rc != 0 and "Invalid read" in err, err[-2000:]


def test_ubsan_catches_signed_overflow(tmp_path: Path) -> None:
    """What the sanitizer flags mean: a kernel relying on int32 wrap-around fails."""
    _need(_sanitizers_work(), "gcc's AddressSanitizer/UndefinedBehaviorSanitizer runtime")
    cc = compiler()
    assert cc is not None
    src = tmp_path / "ovf.c"
    src.write_text("#include <stdint.h>\n#include <stdlib.h>\n"
                   "int main(int argc, char **argv) { int32_t acc = INT32_MAX - 1;\n"
                   "  (void)argv; acc += argc + 1; return acc == 0; }\n")
    subprocess.run([cc, *SANITIZE, str(src), "-o", str(tmp_path / "ovf")], check=True)
    proc = subprocess.run([str(tmp_path / "ovf")], capture_output=True, text=True)
    assert proc.returncode != 0 and "signed integer overflow" in proc.stderr
