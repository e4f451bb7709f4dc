"""Generated libraries on emulated Cortex-M cores (QEMU): bit-exact outputs, exact
instruction counts, flash and RAM figures, clear failures, and the example firmware."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.boards import board as get_board
from mcu_codegen.errors import BoardError, VerifyError
from mcu_codegen.target.runner import run_on_board
from mcu_codegen.verify.inputs import make_inputs
from tests.conftest import shared_model
from tests.e2e.cross import QEMU_BOARDS, require_cross_tools, require_tool
from tests.e2e.test_cli import run_cli
from tests.example_models import kws_tiny
from tests.models.test_shared_models import CORE_MODELS, MORE_MODELS
from tests.models.test_stateful_models import STATEFUL_MODELS

pytestmark = pytest.mark.qemu

ROOT = Path(__file__).resolve().parents[2]
N_INPUTS = 5  # random input sets per model and board; the 3 edge sets come on top


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "kws_tiny_int8.tflite"
    path.write_bytes(kws_tiny())
    return path


#: Every model that verifies on the host (tests/models/).
HOST_VERIFIED = CORE_MODELS + MORE_MODELS + STATEFUL_MODELS


def _verified(path: Path, board: str, seed: int = 1) -> api.VerifyResult:
    result = api.verify(path, board=board, inputs=N_INPUTS, seed=seed)
    details = [f"{label}: {m.describe()}" for label, ms in result.failures for m in ms]
    stateful = any(path.name == f"{m}_int8.tflite" for m in STATEFUL_MODELS)
    assert result.cases == N_INPUTS + 3 + stateful  # stateful: the first set after reset
    assert result.ok, "\n".join(details[:10])
    return result


@pytest.mark.parametrize("board", [*QEMU_BOARDS, "microbit"])
def test_example_model_is_bit_exact_and_measured(board: str, example: Path) -> None:
    require_cross_tools()
    target = _verified(example, board).target
    assert target is not None and target["board"] == board
    assert target["macs"] == 488_384
    n = target["instructions_per_inference"]
    # no core does more than 16 int8 MACs per instruction (MVE); 50 per MAC is far too slow
    assert isinstance(n, int) and 488_384 // 16 < n < 50 * 488_384
    flash, ram = target["flash"], target["ram"]
    assert isinstance(flash, dict) and isinstance(ram, dict)
    assert flash["rodata"] >= 4976  # the weights live in flash
    assert ram["bss"] >= 8000  # the arena
    assert 0 < ram["stack"] < 2048 and ram["io"] == 490 + 12


@pytest.mark.slow
@pytest.mark.parametrize("board", QEMU_BOARDS)
@pytest.mark.parametrize("name", HOST_VERIFIED)
def test_shared_model_is_bit_exact_on_board(name: str, board: str) -> None:
    """Bit-exact wherever the model fits the board; where it does not (computed from
    the model and the board, never listed), verify must refuse it with the numbers."""
    path = shared_model(f"{name}_int8.tflite")
    require_cross_tools()
    try:
        api.compile_model(path, board=board)
    except BoardError as exc:
        assert f"does not fit {board}" in str(exc) and "bytes" in str(exc)
        with pytest.raises(BoardError, match=f"does not fit {board}"):
            api.verify(path, board=board, inputs=1)
        return
    _verified(path, board)


def test_microbit_runs_hello_world_bit_exact() -> None:
    path = shared_model("tflm_hello_world_int8.tflite")
    require_cross_tools()
    target = _verified(path, "microbit").target
    assert target is not None and target["ram_bytes"] < 16384  # type: ignore[operator]


def test_microbit_refuses_a_model_that_does_not_fit_with_the_numbers(tmp_path: Path) -> None:
    path = shared_model("mlperf_tiny_kws_dscnn_int8.tflite")
    plan = api.compile_model(path).library.report
    arena, io = int(str(plan["arena_bytes"])), 490 + 12
    for cmd in (["build", str(path), "-o", str(tmp_path / "lib")], ["verify", str(path)]):
        proc = run_cli(*cmd, "--board", "microbit")
        assert proc.returncode != 0
        line = proc.stderr.strip()
        assert line.count("\n") == 0 and line.startswith("error: the model does not fit microbit")
        for number in (arena, io, arena + io, 16384):
            assert str(number) in line
    assert not (tmp_path / "lib").exists()


def _inject(files: dict[str, bytes], statement: str) -> dict[str, bytes]:
    """The library with ``statement`` run at the start of every inference (before any
    branch: Cortex-M0 conditional branches reach only 256 bytes)."""
    text = files["model.c"].decode()
    marker = "(uint8_t *)arena_ptr;\n"
    assert marker in text
    return {**files, "model.c": text.replace(marker, f"{marker}    {statement}\n", 1).encode()}


def _run(example: Path, board: str, files_edit: str | None = None, *, sets: int = 2,
         timeout: float | None = None) -> list[int]:
    compiled = api.compile_model(example, board=board)
    files = compiled.library.files
    if files_edit:
        files = _inject(files, files_edit)
    arrays = make_inputs(compiled.graph, 1, 0)[0][1]
    run = run_on_board(files, compiled.library.report, compiled.graph, get_board(board),
                       [arrays] * sets, timeout=timeout)
    return run.instructions


@pytest.mark.parametrize(("board", "nops"), [
    ("mps2-an386", 1000), ("mps2-an505", 1000), ("mps3-an547", 1000),
    ("microbit", 1000),
])
def test_instruction_counts_are_exact_and_repeatable(board: str, nops: int,
                                                     example: Path) -> None:
    """N NOPs more in the inference count exactly N instructions more, on boards whose
    SysTick runs at 25, 20, 32 and 16 MHz; the same input counts the same twice."""
    require_cross_tools()
    plain = _run(example, board)
    padded = _run(example, board, f'__asm__ volatile(".rept {nops}\\n\\tnop\\n\\t.endr");')
    assert padded[1] - plain[1] == nops
    assert _run(example, board) == plain  # a second launch counts the same


def test_a_fault_is_one_clear_line(example: Path) -> None:
    require_cross_tools()
    with pytest.raises(VerifyError) as info:
        _run(example, "mps2-an386", '__asm__ volatile("udf #0");')
    text = str(info.value)
    assert "faulted on mps2-an386" in text and "HardFault" in text
    assert "model_invoke_with_arena" in text and "\n" not in text


def test_a_hang_is_a_timeout(example: Path) -> None:
    require_cross_tools()
    with pytest.raises(VerifyError, match=r"did not finish within 3 s"):
        _run(example, "mps2-an385", "for (;;) { __asm__ volatile(\"\"); }", timeout=3)


def test_bench_prints_a_table_and_json(example: Path) -> None:
    require_cross_tools()
    proc = run_cli("bench", str(example), "--board", "mps2-an386", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    for key in ("flash_bytes", "ram_bytes", "instructions_per_inference", "macs",
                "instructions_per_mac", "flash", "ram", "ops"):
        assert key in info
    assert info["macs"] == 488_384
    assert sum(o["instructions"] for o in info["ops"]) == pytest.approx(
        info["instructions_per_inference"], rel=0.01)
    proc = run_cli("bench", str(example), "--board", "mps3-an547", "--no-per-op")
    assert proc.returncode == 0, proc.stderr
    assert "instructions per inference" in proc.stdout and "per MAC" in proc.stdout


def test_build_measure_writes_the_target_section(tmp_path: Path, example: Path) -> None:
    require_cross_tools()
    out = tmp_path / "lib"
    proc = run_cli("build", str(example), "--board", "mps2-an500", "-o", str(out), "--measure")
    assert proc.returncode == 0, proc.stderr
    target = json.loads((out / "report.json").read_text())["target"]
    assert target["board"] == "mps2-an500" and target["instructions_per_inference"] > 0
    assert target["flash_bytes"] == sum(target["flash"].values())


def test_real_board_is_built_and_measured_but_not_run(tmp_path: Path, example: Path) -> None:
    require_cross_tools()
    out = tmp_path / "lib"
    proc = run_cli("build", str(example), "--board", "nucleo-l4r5zi", "-o", str(out),
                   "--measure")
    assert proc.returncode == 0, proc.stderr
    target = json.loads((out / "report.json").read_text())["target"]
    assert target["flash_bytes"] > 4976 and target["instructions_per_inference"] is None
    proc = run_cli("verify", str(example), "--board", "nucleo-l4r5zi")
    assert proc.returncode != 0
    assert "no QEMU machine" in proc.stderr and "mps2-an386" in proc.stderr


def test_measured_needs_beyond_the_board_are_refused(tmp_path: Path) -> None:
    """A model under the static limits whose measured RAM (with the stack) is over."""
    require_cross_tools()
    from tests.tflite_writer import conv2d_model

    for channels in range(40, 4, -1):  # the largest model the static check lets through
        model = conv2d_model(np.random.default_rng(0), [1, 16, 16, channels], channels)
        try:
            api.compile_model(model, board="microbit")
            break
        except BoardError:
            continue
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    proc = run_cli("build", str(path), "--board", "microbit", "-o", str(tmp_path / "o"),
                   "--measure")
    assert proc.returncode != 0, "the largest model the static check passes fit after all"
    assert "does not fit microbit" in proc.stderr and "16,384" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_mk_fragment_cross_compiles_a_firmware_file(tmp_path: Path, example: Path) -> None:
    require_cross_tools()
    proc = run_cli("build", str(example), "--board", "mps2-an386", "-o", str(tmp_path / "lib"),
                   "--prefix", "kws")
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "app.c").write_text(
        '#include "kws.h"\nint app(const void *const *in, void *const *out);\n'
        "int app(const void *const *in, void *const *out) { return kws_invoke(in, out); }\n")
    (tmp_path / "Makefile").write_text(
        "include lib/kws.mk\n"
        "OBJS := app.o $(notdir $(KWS_SRCS:.c=.o))\n"
        "vpath %.c lib\n"
        "all: app.a\n"
        "app.a: $(OBJS)\n\tarm-none-eabi-ar rcs $@ $^\n"
        "%.o: %.c\n\tarm-none-eabi-gcc $(KWS_CFLAGS) -Werror -c $< -o $@\n")
    proc = subprocess.run(["make", "-s"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "app.a").is_file() and (tmp_path / "kws.o").is_file()


@pytest.mark.slow
def test_example_firmware_runs_in_qemu(tmp_path: Path) -> None:
    """`make -C examples/kws_firmware run`: generate the model, build the library from a
    Makefile rule, link the firmware, run it in QEMU."""
    require_cross_tools()
    require_tool("make")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        ["make", "-C", str(ROOT / "examples" / "kws_firmware"), "run",
         f"BUILD={tmp_path / 'build'}", f"PYTHON={sys.executable}"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "top class: " in proc.stderr
    assert (tmp_path / "build" / "kws" / "kws.mk").is_file()


def test_bench_of_a_stateful_model_is_repeatable() -> None:
    """The measured inferences start from a reset state, so an LSTM model (whose
    state changes every call) is counted the same way twice."""
    require_cross_tools()
    path = shared_model("tflm_mnist_lstm_int8.tflite")
    first = api.bench(path, board="mps2-an386", per_op=False)
    second = api.bench(path, board="mps2-an386", per_op=False)
    n = first["instructions_per_inference"]
    assert isinstance(n, int) and n > 113_120  # more than one instruction per MAC
    assert n == second["instructions_per_inference"]
