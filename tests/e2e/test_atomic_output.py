"""A failed build leaves OUT exactly as it was, whenever it fails: while reading the
model (tests/e2e/test_cli.py), while writing the files, or while swapping folders;
and it leaves no half-written sibling folder behind."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcu_codegen import api
from mcu_codegen.errors import McuCodegenError
from tests.example_models import kws_tiny

ROOT = Path(__file__).resolve().parents[2]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "lib"
    api.build(kws_tiny(), out, prefix="first")
    return out, _snapshot(out)


def _fail_on_nth_write(monkeypatch: pytest.MonkeyPatch, n: int, exc: BaseException) -> None:
    real = Path.write_bytes
    calls = [0]

    def write_bytes(self: Path, data: bytes) -> int:  # type: ignore[override]
        calls[0] += 1
        if calls[0] == n:
            raise exc
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"),
                                 KeyboardInterrupt()])
def test_failure_while_writing_files(built: tuple[Path, dict[str, bytes]],
                                     monkeypatch: pytest.MonkeyPatch,
                                     exc: BaseException) -> None:
    out, before = built
    _fail_on_nth_write(monkeypatch, 3, exc)
    with pytest.raises((McuCodegenError, KeyboardInterrupt)) as info:
        api.build(kws_tiny(), out, prefix="second")
    if isinstance(exc, OSError):
        assert "No space left on device" in str(info.value)
        assert len(str(info.value).splitlines()) == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["lib"]


def test_failure_while_swapping_folders(built: tuple[Path, dict[str, bytes]],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out, before = built
    real = Path.rename

    def rename(self: Path, target: str | Path) -> Path:  # type: ignore[override]
        if ".new-" in self.name:  # the finished staging folder taking OUT's place
            raise OSError(errno.EIO, "Input/output error")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(McuCodegenError):
        api.build(kws_tiny(), out, prefix="second")
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["lib"]


def test_success_replaces_everything(built: tuple[Path, dict[str, bytes]]) -> None:
    out, before = built
    api.build(kws_tiny(), out, prefix="second")
    after = _snapshot(out)
    assert "second.c" in after and "first.c" not in after
    assert sorted(p.name for p in out.parent.iterdir()) == ["lib"]


def test_unwritable_place_is_a_one_line_error(tmp_path: Path) -> None:
    """(A path under a regular file: unwritable even for root, who runs CI.)"""
    model = tmp_path / "m.tflite"
    model.write_bytes(kws_tiny())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = subprocess.run(
        [sys.executable, "-m", "mcu_codegen", "build", str(model), "-o", str(blocker / "lib")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: cannot write") and proc.stderr.count("\n") == 1
    assert blocker.read_text() == "not a folder"


_KILLED_MID_SWAP = """
import os, signal, sys
from pathlib import Path
from mcu_codegen import api
from tests.example_models import kws_tiny
real = Path.rename
def rename(self, target):
    if ".new-" in self.name:  # OUT has been moved aside; the staging folder is next
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, target)
Path.rename = rename
api.build(kws_tiny(), sys.argv[1], prefix="second")
"""


def _kill_mid_swap(out: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_SWAP, str(out)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=300)
    assert proc.returncode == -9  # SIGKILL: no cleanup ran
    left = sorted(p.name for p in out.parent.iterdir())
    assert "lib" not in left and len(left) == 2, left  # moved aside + staging


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process ids: POSIX")
def test_next_build_tidies_after_a_build_killed_mid_swap(
        built: tuple[Path, dict[str, bytes]]) -> None:
    out, _ = built
    _kill_mid_swap(out)
    api.build(kws_tiny(), out, prefix="third")
    assert "third.c" in _snapshot(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["lib"]


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process ids: POSIX")
def test_a_library_moved_aside_by_a_killed_build_comes_back(
        built: tuple[Path, dict[str, bytes]]) -> None:
    from mcu_codegen.codegen.output import recover_leftovers

    out, before = built
    _kill_mid_swap(out)
    recover_leftovers(out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["lib"]


def test_a_running_build_s_folders_are_left_alone(built: tuple[Path, dict[str, bytes]]) -> None:
    out, _ = built
    running = out.parent / f".lib.new-{os.getppid()}-abc"  # a live process's staging
    running.mkdir()
    api.build(kws_tiny(), out, prefix="second")
    assert sorted(p.name for p in out.parent.iterdir()) == [running.name, "lib"]
