"""HostLibrary.buffer_call (mcu_codegen/verify/host.py, fastcall.py): the thin per-call
path bench/speed.py times the library through."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mcu_codegen.verify import fastcall
from mcu_codegen.verify.host import HostLibrary


def test_buffer_call_hands_the_arrays_to_invoke(tmp_path: Path) -> None:
    """HostLibrary.buffer_call (mcu_codegen/verify/fastcall.py), bench/speed.py's per-call
    path: inputs then outputs, in order, sizes and writability checked. CI installs the
    Python headers it needs (.ci/run), so there it is never unavailable."""
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
    lib = HostLibrary(tmp_path, "model")
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
