"""The same model always gives the same folder, byte for byte: across processes,
across Python hash seeds (set and dict order of strings), and between the API and
the command line. Nothing in the output depends on time, paths or the machine."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from mcu_codegen import api
from tests.conftest import shared_model
from tests.example_models import kws_tiny

ROOT = Path(__file__).resolve().parents[2]


def _cli_build(model: Path, out: Path, hash_seed: str) -> dict[str, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "MCU_CODEGEN_DEBUG"}
    env.update(PYTHONPATH=str(ROOT), PYTHONHASHSEED=hash_seed, TZ="Pacific/Kiritimati",
               SOURCE_DATE_EPOCH="0")
    proc = subprocess.run(
        [sys.executable, "-m", "mcu_codegen", "build", str(model), "-o", str(out),
         "--prefix", "net"],
        capture_output=True, text=True, env=env, timeout=300, cwd=out.parent,
    )
    assert proc.returncode == 0, proc.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.parametrize("which", ["kws_tiny", "mlperf_tiny_ic_resnet8", "tflm_person_detect"])
def test_builds_are_identical_across_processes_and_hash_seeds(which: str,
                                                               tmp_path: Path) -> None:
    if which == "kws_tiny":
        model = tmp_path / "kws_tiny.tflite"
        model.write_bytes(kws_tiny())
    else:
        model = shared_model(f"{which}_int8.tflite")
    folders = [_cli_build(model, tmp_path / f"out{seed}", seed) for seed in ("0", "1", "4242")]
    assert folders[0] == folders[1] == folders[2]
    # in-process, through the API, into a folder at another path
    out = tmp_path / "elsewhere" / "lib"
    api.build(model, out, prefix="net")
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == folders[0]


def test_output_carries_no_time_path_or_host() -> None:
    compiled = api.compile_model(kws_tiny(), prefix="net")
    report = json.loads(compiled.library.files["report.json"])
    keys = json.dumps(report).lower()
    for word in ("time", "date", str(Path.home()).lower(), str(ROOT).lower()):
        assert word not in keys, word
    text = b"".join(compiled.library.files.values()).decode()
    assert str(ROOT) not in text
    node = platform.node()
    assert len(node) < 4 or node not in text
