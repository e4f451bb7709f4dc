"""HostLibrary's two cffi bindings (mcu_codegen/verify/host.py): cffi API mode, which
bench/speed.py uses for the per-call cost, and the ABI mode that verify uses, run the
same library and give the same bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.errors import VerifyError
from mcu_codegen.verify import fastcall, host
from mcu_codegen.verify.host import HostLibrary, python_headers
from mcu_codegen.verify.inputs import make_inputs
from tests.example_models import kws_tiny


def test_api_and_abi_bindings_agree(tmp_path: Path) -> None:
    model = tmp_path / "kws_tiny_int8.tflite"
    model.write_bytes(kws_tiny())
    compiled = api.compile_model(model)
    src = tmp_path / "lib"
    src.mkdir()
    for name, data in compiled.library.files.items():
        (src / name).write_bytes(data)
    g = compiled.graph
    results = {}
    for binding in ("abi", "api"):
        lib = HostLibrary(src, "model", binding=binding)
        assert lib.binding == binding
        runs = []
        for _, inputs in make_inputs(g, 3, 0):
            outs = [np.zeros(g.tensors[t].shape, g.tensors[t].dtype.numpy) for t in g.outputs]
            assert lib.invoke(inputs, outs) == 0
            runs.append([o.tobytes() for o in outs])
        lib.close()
        results[binding] = runs
    assert results["api"] == results["abi"]
    assert len({r[0] for r in results["api"]}) > 1, "different inputs, different outputs"


def test_auto_binding_is_api_where_python_headers_exist(tmp_path: Path) -> None:
    """CI installs python3-dev (.ci/run), so bench/speed.py's `auto` gets API mode; a
    fallback to ABI mode is reported, never silent."""
    (tmp_path / "one.c").write_text(
        '#include "model.h"\n'
        "int model_invoke(const void *const inputs[], void *const outputs[])\n"
        "{ ((signed char *)outputs[0])[0] = (signed char)(((const signed char *)inputs[0])[0] + 1);"
        " return 0; }\n"
        "int model_invoke_with_arena(const void *const inputs[], void *const outputs[], "
        "void *arena) { (void)arena; return model_invoke(inputs, outputs); }\n"
        "void model_reset(void) { }\n")
    (tmp_path / "model.h").write_text(
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n"
        "int model_invoke_with_arena(const void *const inputs[], void *const outputs[], "
        "void *arena);\nvoid model_reset(void);\n")
    assert python_headers() is not None, "no Python.h: install python3-dev"
    lib = HostLibrary(tmp_path, "model", binding="auto")
    assert (lib.binding, lib.fallback) == ("api", "")
    out = np.zeros(1, np.int8)
    assert lib.invoke([np.array([41], np.int8)], [out]) == 0 and out[0] == 42
    lib.close()
    with pytest.raises(ValueError):
        HostLibrary(tmp_path, "model", binding="ctypes")


def test_auto_binding_falls_back_to_abi_and_says_why(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "one.c").write_text(
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n"
        "int model_invoke(const void *const inputs[], void *const outputs[])\n"
        "{ (void)inputs; (void)outputs; return 7; }\n")
    monkeypatch.setattr(host, "python_headers", lambda: None)
    lib = HostLibrary(tmp_path, "model", binding="auto")
    assert lib.binding == "abi" and "Python.h" in lib.fallback
    assert int(lib.lib.model_invoke(lib.ffi.NULL, lib.ffi.NULL)) == 7
    lib.close()
    with pytest.raises(VerifyError, match="Python.h"):
        HostLibrary(tmp_path, "model", binding="api")


def test_buffer_call_hands_the_arrays_to_invoke(tmp_path: Path) -> None:
    """HostLibrary.buffer_call (mcu_codegen/verify/fastcall.py), bench/speed.py's per-call
    path: inputs then outputs, in order, sizes and writability checked, on either binding."""
    (tmp_path / "two.c").write_text(
        "#include <stdint.h>\n"
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n"
        "int model_invoke(const void *const inputs[], void *const outputs[])\n"
        "{\n"
        "    const int8_t *a = (const int8_t *)inputs[0];\n"
        "    const int16_t *b = (const int16_t *)inputs[1];\n"
        "    ((int8_t *)outputs[0])[0] = (int8_t)(a[0] - a[1]);\n"
        "    ((int16_t *)outputs[1])[0] = (int16_t)(b[0] * 3);\n"
        "    return 5;\n"
        "}\n"
        "int model_invoke_with_arena(const void *const inputs[], void *const outputs[], "
        "void *arena);\n"
        "int model_invoke_with_arena(const void *const inputs[], void *const outputs[], "
        "void *arena) { (void)arena; return model_invoke(inputs, outputs); }\n"
        "void model_reset(void);\nvoid model_reset(void) { }\n")
    assert fastcall.why_unavailable() == "", fastcall.why_unavailable()
    for binding in ("abi", "api"):
        lib = HostLibrary(tmp_path, "model", binding=binding)
        f = lib.buffer_call([2, 2], [1, 2])
        a, b = np.array([9, 4], np.int8), np.array([-7], np.int16)
        y0, y1 = np.zeros(1, np.int8), np.zeros(1, np.int16)
        assert f(a, b, y0, y1) == 5
        assert (int(y0[0]), int(y1[0])) == (5, -21)
        frozen = np.zeros(1, np.int16)
        frozen.flags.writeable = False
        for bad in [(a, b, y0), (a, b, y0, np.zeros(2, np.int16)), (a, b, y0, frozen),
                    (np.zeros(4, np.int8)[::2], b, y0, y1)]:
            with pytest.raises((TypeError, ValueError, BufferError)):
                f(*bad)
        del lib  # the function keeps the library loaded
        assert f(a, b, y0, y1) == 5
