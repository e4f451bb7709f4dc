"""Shared fixtures: where the real models live, and CI's no-skip rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_MODELS = Path(os.environ.get("MCU_CODEGEN_MODELS", ROOT.parent / "shared" / "models"))
IN_CI = bool(os.environ.get("CI"))


def shared_model(name: str) -> Path:
    """Path of a model in ../shared/models; skip locally if absent, fail in CI."""
    path = SHARED_MODELS / name
    if not path.is_file():
        if IN_CI:
            pytest.fail(f"{path} is missing: CI must have ../shared/models")
        pytest.skip(f"{path} not available on this machine")
    return path
