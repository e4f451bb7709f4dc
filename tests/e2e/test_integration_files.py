"""The Makefile fragment and CMakeLists.txt that come with every library: a firmware (or
host) project includes the library with them and nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.cross import require_tool
from tests.e2e.test_cli import run_cli
from tests.example_models import kws_tiny

MAIN_C = """\
#include <stdio.h>
#include "kws.h"

int main(void)
{
    static int8_t in[KWS_INPUT0_BYTES];
    static int8_t out[KWS_OUTPUT0_BYTES];
    const void *inputs[KWS_NUM_INPUTS] = {in};
    void *outputs[KWS_NUM_OUTPUTS] = {out};
    int rc = kws_invoke(inputs, outputs);
    printf("rc %d first %d\\n", rc, out[0]);
    return rc;
}
"""


@pytest.fixture(scope="module")
def host_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("proj")
    model = root / "kws_tiny_int8.tflite"
    model.write_bytes(kws_tiny())
    proc = run_cli("build", str(model), "--board", "host", "-o", str(root / "lib"),
                   "--prefix", "kws")
    assert proc.returncode == 0, proc.stderr
    (root / "main.c").write_text(MAIN_C)
    return root


def test_build_writes_mk_and_cmakelists(host_lib: Path) -> None:
    lib = host_lib / "lib"
    mk = (lib / "kws.mk").read_text()
    for name in sorted(p.name for p in lib.glob("*.c")):
        assert f"$(KWS_DIR)/{name}" in mk
    assert "KWS_CFLAGS :=" in mk and "-std=c99" in mk
    cmake = (lib / "CMakeLists.txt").read_text()
    assert "add_library(kws STATIC" in cmake and "kws_weights.c" in cmake


def test_mk_fragment_builds_and_runs_a_host_program(host_lib: Path) -> None:
    require_tool("make")
    (host_lib / "Makefile").write_text(
        "include lib/kws.mk\n"
        "app: main.c $(KWS_SRCS) $(KWS_HDRS)\n"
        "\tcc $(KWS_CFLAGS) -Werror main.c $(KWS_SRCS) $(KWS_LDLIBS) -o $@\n")
    proc = subprocess.run(["make", "-s", "app"], cwd=host_lib, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run([str(host_lib / "app")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("rc 0 first ")


def test_cmakelists_builds_and_runs_a_host_program(host_lib: Path, tmp_path: Path) -> None:
    cmake = require_tool("cmake")
    (host_lib / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\nproject(app C)\n"
        "add_subdirectory(lib)\nadd_executable(app main.c)\n"
        "target_link_libraries(app PRIVATE kws)\n")
    build = tmp_path / "build"
    for cmd in ([cmake, "-S", str(host_lib), "-B", str(build)],
                [cmake, "--build", str(build)]):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    run = subprocess.run([str(build / "app")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("rc 0 first ")
