"""The tflite-runtime reference's plumbing, without tflite-runtime: finding its Python, the
one-line setup hint, the frames on the pipe, and a child that refuses or dies."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from mcu_codegen import api
from mcu_codegen.errors import OracleError
from mcu_codegen.verify import reference, tflite_worker
from mcu_codegen.verify.reference import (
    TFLITE_RUNTIME_PYTHON,
    ReferenceCrash,
    TfliteRuntime,
    tflite_runtime_python,
)
from tests.example_models import kws_tiny

HINT = "make setup-tflite-runtime"


def _fake_python(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "python"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def test_the_variable_names_the_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = _fake_python(tmp_path, "exit 0")
    monkeypatch.setenv(TFLITE_RUNTIME_PYTHON, str(python))
    assert tflite_runtime_python() == str(python)


def test_a_missing_python_gets_a_one_line_setup_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TFLITE_RUNTIME_PYTHON, str(tmp_path / "nowhere" / "python"))
    with pytest.raises(OracleError, match=HINT) as info:
        tflite_runtime_python()
    assert "\n" not in str(info.value)
    monkeypatch.delenv(TFLITE_RUNTIME_PYTHON)
    monkeypatch.setattr(reference, "TFLITE_RUNTIME_VENV", tmp_path / "no-venv")
    with pytest.raises(OracleError, match=HINT):
        api.verify(kws_tiny(), inputs=0, reference="tflite-runtime")


def test_the_default_venv_is_used_when_the_variable_is_unset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bin").mkdir()
    python = _fake_python(tmp_path / "bin", "exit 0")
    monkeypatch.delenv(TFLITE_RUNTIME_PYTHON, raising=False)
    monkeypatch.setattr(reference, "TFLITE_RUNTIME_VENV", tmp_path)
    assert tflite_runtime_python() == str(python)


def test_frames_round_trip() -> None:
    pipe = io.BytesIO()
    for body in (b"", b"K", bytes(range(256)) * 300):
        tflite_worker.write_frame(pipe, body)
    pipe.seek(0)
    assert tflite_worker.read_frame(pipe) == b""
    assert tflite_worker.read_frame(pipe) == b"K"
    assert tflite_worker.read_frame(pipe) == bytes(range(256)) * 300
    assert tflite_worker.read_frame(pipe) is None  # end of file
    assert tflite_worker.read_frame(io.BytesIO(b"\0\0\0\x09abc")) is None  # cut short


def test_a_numpy_2_python_is_refused_with_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """This project's own Python has numpy 2: the worker says so instead of letting
    tflite-runtime fail on import."""
    monkeypatch.setenv(TFLITE_RUNTIME_PYTHON, sys.executable)
    with pytest.raises(OracleError, match=r"numpy<2.*" + HINT):
        TfliteRuntime(kws_tiny())


def test_a_dying_child_is_a_reference_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = _fake_python(tmp_path, "echo 'Fatal Python error: boom' >&2; exit 3")
    monkeypatch.setenv(TFLITE_RUNTIME_PYTHON, str(python))
    with pytest.raises(ReferenceCrash, match=r"exit status 3.*boom"):
        TfliteRuntime(kws_tiny())


def test_a_python_that_cannot_start_is_an_oracle_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = tmp_path / "python"
    python.write_bytes(b"\x7fELF not really")
    python.chmod(0o755)
    monkeypatch.setenv(TFLITE_RUNTIME_PYTHON, str(python))
    with pytest.raises(OracleError, match=HINT):
        TfliteRuntime(kws_tiny())
