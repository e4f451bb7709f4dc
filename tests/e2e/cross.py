"""Helpers for tests that need the Cortex-M cross tools: a missing tool skips the test
on a developer's machine and fails it in CI (env CI set), where .ci/run installs them."""

from __future__ import annotations

import shutil

import pytest

from mcu_codegen.target.toolchain import INSTALL_HINT, missing_tools
from tests.conftest import IN_CI

#: The QEMU boards every model must verify on, one per core (M3, M4F, M7, M33, M55).
QEMU_BOARDS = ["mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505", "mps3-an547"]


def require_cross_tools() -> None:
    missing = missing_tools()
    if missing:
        message = f"missing {', '.join(missing)}: {INSTALL_HINT}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is missing in CI")
        pytest.skip(f"{name} is not installed")
    return path
