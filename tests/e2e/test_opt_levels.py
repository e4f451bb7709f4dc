"""The Arm kernels build and stay bit-exact at every optimization level a firmware
engineer uses, not only at the boards' default -O2: debug builds (-O0, -Og), size
builds (-Os) and frame-pointer or position-independent builds. Inline assembly that
asks for more registers than such a build leaves free fails to compile there."""

from __future__ import annotations

import dataclasses
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mcu_codegen import api
from mcu_codegen.boards import board as get_board
from mcu_codegen.target.check import verify_on_board
from mcu_codegen.target.firmware import library_flags
from tests.conftest import shared_model
from tests.e2e.cross import require_cross_tools

pytestmark = pytest.mark.qemu

RUNTIME = Path(__file__).resolve().parents[2] / "runtime_c"

#: Optimization settings seen in firmware builds.
OPT_LEVELS = ["-O0", "-Og", "-O1", "-Os", "-O2", "-O3", "-O2 -fno-omit-frame-pointer",
              "-Os -fno-omit-frame-pointer", "-O1 -fPIC"]

#: One board per architecture with the DSP extension: Armv7E-M (M4; the M7 has the same
#: registers and instructions), Armv8-M mainline (M33) and Armv8.1-M (M55, which also
#: builds the MVE kernels).
BOARDS = ["mps2-an386", "mps2-an505", "mps3-an547"]


def _arm_kernels(mve: bool) -> list[Path]:
    """The runtime files with Arm-specific code (assembly or the DSP/MVE headers)."""
    files = []
    for path in sorted(RUNTIME.glob("*.c")):
        text = path.read_text()
        if path.name.startswith("mve_") and not mve:
            continue
        if "__asm__" in text or "mcu_arm_dsp.h" in text or "arm_mve.h" in text \
                or path.name.startswith(("dsp_", "mve_")):
            files.append(path)
    return files


def _cpu_flags(board_name: str) -> list[str]:
    b = get_board(board_name)
    return [f for f in library_flags(b) if not f.startswith("-O")]


@pytest.mark.parametrize("board", BOARDS)
def test_arm_kernels_compile_at_every_optimization_level(board: str, tmp_path: Path) -> None:
    require_cross_tools()
    b = get_board(board)
    files = _arm_kernels("mve" in b.features)
    assert len(files) >= 8  # the DSP kernels at least
    cpu = _cpu_flags(board)

    def compile_one(job: tuple[str, Path]) -> str | None:
        opt, src = job
        out = tmp_path / f"{src.stem}{abs(hash(opt))}.o"
        cmd = ["arm-none-eabi-gcc", *cpu, *opt.split(), "-std=c99", "-Wall", "-Wextra",
               "-Werror", "-pedantic", f"-I{RUNTIME}", "-c", str(src), "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            errors = [ln for ln in proc.stderr.splitlines() if "error" in ln]
            return f"{src.name} at {opt}: {(errors or [proc.stderr.strip() or '?'])[0]}"
        return None

    jobs = [(opt, f) for opt in OPT_LEVELS for f in files]
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [r for r in pool.map(compile_one, jobs) if r is not None]
    assert not failures, "\n".join(failures)


#: Models whose DSP builds take every kind of Arm kernel path: KWS (convolution with
#: a computed loop entry, pointwise column loop, depthwise, pooling, FC), VWW (the
#: small-K and RGB convolutions) and ResNet-8 (in-place convolutions, ADD).
MODELS = ["mlperf_tiny_kws_dscnn", "mlperf_tiny_vww_mobilenetv1_025_96",
          "mlperf_tiny_ic_resnet8"]
CASES = [("mps2-an386", opt, m) for m in MODELS for opt in ("-O0", "-Og", "-Os")] + [
    ("mps3-an547", opt, MODELS[0]) for opt in ("-O0", "-Os")]


@pytest.mark.parametrize("board,opt,model", CASES)
def test_model_is_bit_exact_when_built_at(board: str, opt: str, model: str) -> None:
    """The paths an unoptimized, debug or size-optimized build takes compute the same
    bytes (a 2-byte function alignment at -Os once moved a computed branch target)."""
    require_cross_tools()
    compiled = api.compile_model(shared_model(f"{model}_int8.tflite"), board=board,
                                 prefix="model")
    b = dataclasses.replace(compiled.board, opt_flags=(opt,))
    cases, failures, target = verify_on_board(
        compiled.library.files, compiled.library.report, compiled.graph, b, compiled.model,
        inputs=2, seed=5, reference="tflm")
    assert cases == 2 + 3
    assert not failures, [(label, [m.describe() for m in ms][:3]) for label, ms in failures]
    assert compiled.library.report["kernel_set"] == ("mve" if board == "mps3-an547" else "dsp")
    assert isinstance(target["instructions_per_inference"], int)


def test_mve_kernel_branches_are_bit_exact_at_o0() -> None:
    """The MVE single-op branches (tests/e2e/test_mve_qemu.py: partial channel groups,
    borders, bands) built at -O0, where the matrix kernel's remainder runs an intrinsics
    loop instead of its inline assembly."""
    from tests.e2e.test_mve_qemu import _model

    require_cross_tools()
    compiled = api.compile_model(_model(), board="mps3-an547", prefix="model", kernels="mve")
    b = dataclasses.replace(compiled.board, opt_flags=("-O0",))
    cases, failures, _ = verify_on_board(
        compiled.library.files, compiled.library.report, compiled.graph, b, compiled.model,
        inputs=2, seed=9, reference="tflm")
    assert cases == 2 + 3
    assert not failures, [(label, [m.describe() for m in ms][:3]) for label, ms in failures]
