"""The command line as a firmware engineer's Makefile uses it: exit codes, one-line
errors, atomic output, deterministic folders, and a working wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.example_models import kws_tiny
from tests.tflite_writer import QParams, TensorSpec, conv2d_model, single_op_model

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MCU_CODEGEN_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "mcu_codegen", *args], capture_output=True, text=True,
        cwd=cwd or ROOT, env=env, timeout=300,
    )


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "kws_tiny_int8.tflite"
    path.write_bytes(kws_tiny())
    return path


def _float_model() -> bytes:
    w = np.ones((2, 1, 1, 3), np.float32)
    return single_op_model(
        "CONV_2D",
        [TensorSpec([1, 4, 4, 3], "float32"), TensorSpec([2, 1, 1, 3], "float32", data=w)],
        TensorSpec([1, 4, 4, 2], "float32"),
        {"padding": "SAME"},
    )


def _unsupported_model() -> bytes:
    from tests.tflite_writer import ModelBuilder

    mb = ModelBuilder()
    q = QParams([0.05], [0])
    x = mb.add_tensor("x", [1, 8], "int8", q)
    y = mb.add_tensor("y", [1, 8], "int8", QParams([1 / 128], [0]))
    z = mb.add_tensor("z", [1, 8], "int8", QParams([1 / 256], [-128]))
    mb.add_op("CUMSUM", [x, mb.add_tensor("axis", [], "int32", data=np.array(1, np.int32))],
              [y])
    mb.add_op("SEGMENT_SUM", [y, mb.add_tensor("ids", [1], "int32",
                                               data=np.array([0], np.int32))], [z])
    mb.set_io([x], [z])
    return mb.build()


BAD_MODELS = {
    "empty": (b"", "empty"),
    "truncated": (None, "truncated"),
    "random bytes": (bytes(np.random.default_rng(3).integers(0, 256, 4000, np.uint8)),
                     "not a TFLite model"),
    "float32 model": (_float_model(), "float32 model"),
    "unsupported ops": (_unsupported_model(), "2 unsupported operators: CUMSUM (op 0)"),
}


@pytest.mark.parametrize("case", sorted(BAD_MODELS))
def test_bad_model_gives_one_line_error_and_writes_nothing(
    case: str, tmp_path: Path, example: Path
) -> None:
    data, expected = BAD_MODELS[case]
    if data is None:
        data = example.read_bytes()[:1000]
    model = tmp_path / "bad.tflite"
    model.write_bytes(data)
    out = tmp_path / "out"
    proc = run_cli("build", str(model), "--board", "host", "-o", str(out))
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tflite"]


def test_unsupported_ops_are_all_listed(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(_unsupported_model())
    proc = run_cli("inspect", str(model))
    assert proc.returncode != 0
    assert "CUMSUM (op 0)" in proc.stderr and "SEGMENT_SUM (op 1)" in proc.stderr


@pytest.mark.parametrize("prefix", ["1abc", "my-model", "int", "a b", ""])
def test_bad_prefix_is_refused(prefix: str, tmp_path: Path, example: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("build", str(example), "-o", str(out), "--prefix", prefix)
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: --prefix") and proc.stderr.count("\n") == 1
    assert not out.exists()


def test_unknown_board_is_refused(tmp_path: Path, example: Path) -> None:
    proc = run_cli("build", str(example), "-o", str(tmp_path / "o"), "--board", "nope")
    assert proc.returncode != 0 and "unknown board 'nope'" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_model_too_big_for_board_reports_both_numbers(tmp_path: Path) -> None:
    model = tmp_path / "big.tflite"
    model.write_bytes(conv2d_model(np.random.default_rng(0), [1, 96, 96, 8], 16))
    proc = run_cli("build", str(model), "-o", str(tmp_path / "o"), "--board", "microbit")
    assert proc.returncode != 0
    assert "does not fit microbit" in proc.stderr and "16384" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_build_writes_a_library_that_compiles_strictly(tmp_path: Path, example: Path) -> None:
    out = tmp_path / "lib"
    proc = run_cli("build", str(example), "--board", "host", "-o", str(out), "--prefix", "kws")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert {"kws.h", "kws.c", "kws_weights.c", "kws_weights.h", "report.json"} <= set(names)
    assert "add_s8.c" not in names  # only the kernels the model uses
    report = json.loads((out / "report.json").read_text())
    for key in ("model_sha256", "prefix", "board", "arena_bytes", "weights_bytes", "macs",
                "ops", "inputs", "outputs"):
        assert key in report
    assert report["prefix"] == "kws" and report["macs"] == 488_384
    header = (out / "kws.h").read_text()
    for macro in ("KWS_ARENA_SIZE", "KWS_NUM_INPUTS 1", "KWS_INPUT0_BYTES 490",
                  "KWS_OUTPUT0_BYTES 12", "KWS_INPUT0_SHAPE {1, 49, 10, 1}",
                  "KWS_INPUT0_ZERO_POINT 83", "KWS_OUTPUT0_SCALE 0.00390625f"):
        assert macro in header
    cc = subprocess.run(
        ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c",
         *sorted(p.name for p in out.glob("*.c"))],
        cwd=out, capture_output=True, text=True,
    )
    assert cc.returncode == 0, cc.stderr
    weights = (out / "kws_weights.c").read_text()
    assert "\nconst int8_t kws_w" in weights and "malloc" not in weights


def test_build_refuses_a_foreign_folder_unless_forced(tmp_path: Path, example: Path) -> None:
    out = tmp_path / "lib"
    out.mkdir()
    (out / "main.c").write_text("int main(void) { return 0; }\n")
    proc = run_cli("build", str(example), "-o", str(out))
    assert proc.returncode != 0 and "--force" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["main.c"]
    proc = run_cli("build", str(example), "-o", str(out), "--force")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "main.c").exists() and (out / "model.c").exists()
    # A folder we wrote ourselves is replaced without --force.
    proc = run_cli("build", str(example), "-o", str(out), "--prefix", "again")
    assert proc.returncode == 0, proc.stderr
    assert (out / "again.c").exists() and not (out / "model.c").exists()


def test_failed_build_leaves_the_previous_output_untouched(tmp_path: Path, example: Path) -> None:
    out = tmp_path / "lib"
    assert run_cli("build", str(example), "-o", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(example.read_bytes()[:500])
    assert run_cli("build", str(bad), "-o", str(out)).returncode != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tflite", "lib"]


def test_same_model_gives_byte_identical_folders(tmp_path: Path, example: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("build", str(example), "-o", str(a)).returncode == 0
    assert run_cli("build", str(example), "-o", str(b)).returncode == 0
    files_a = {p.name: p.read_bytes() for p in a.iterdir()}
    files_b = {p.name: p.read_bytes() for p in b.iterdir()}
    assert files_a == files_b


def test_verify_passes_and_reports(example: Path) -> None:
    proc = run_cli("verify", str(example), "--board", "host", "--inputs", "5", "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("bit-exact: 8 input sets")


def test_inspect_table_and_json(example: Path) -> None:
    proc = run_cli("inspect", str(example))
    assert proc.returncode == 0, proc.stderr
    assert "CONV_2D" in proc.stdout and "total: 488,384 MACs" in proc.stdout
    proc = run_cli("inspect", str(example), "--json")
    info = json.loads(proc.stdout)
    assert info["macs"] == 488_384
    assert [op["type"] for op in info["ops"]][:2] == ["CONV_2D", "DEPTHWISE_CONV_2D"]
    assert info["ops"][0]["macs"] == 25 * 5 * 32 * 10 * 4


def test_boards_lists_limits() -> None:
    proc = run_cli("boards")
    assert proc.returncode == 0
    assert "microbit" in proc.stdout and "16 KB" in proc.stdout and "host" in proc.stdout


@pytest.mark.slow
def test_wheel_installs_and_runs_from_another_folder(tmp_path: Path, example: Path) -> None:
    """A non-editable install carries templates/, runtime_c/ and boards/."""
    wheels = tmp_path / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)], capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    py = venv / "bin" / "python"
    wheel = next(wheels.glob("mcu_codegen-*.whl"))
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                    str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [str(py), "-c", "import mcu_codegen, sys; print(mcu_codegen.__file__)"],
        cwd=elsewhere, capture_output=True, text=True, env=env,
    )
    assert str(venv) in proc.stdout, proc.stdout + proc.stderr
    proc = subprocess.run(
        [str(venv / "bin" / "mcu-codegen"), "build", str(example), "-o", "lib"],
        cwd=elsewhere, capture_output=True, text=True, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert (elsewhere / "lib" / "conv_s8.c").is_file()
