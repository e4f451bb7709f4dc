"""Nothing a model says about itself can break or inject into the generated C.

Tensor names and the model description reach the generated files only as comment
text (c_comment_text) and as JSON strings in report.json. C identifiers come from
the prefix and from indices, never from the model. The tests build one model twice,
once with plain names and once with hostile ones, and require the same C once
comments are removed.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcu_codegen import api
from mcu_codegen.codegen.cformat import c_comment_text
from mcu_codegen.errors import McuCodegenError
from tests.native_driver import STRICT, compiler
from tests.tflite_writer import ModelBuilder, QParams

HOSTILE: list[str | bytes] = [
    'say "hi"', "back\\slash\\", "new\nline", "cr\rlf\r\n", "close */ comment",
    "open /* comment", "??/", "?????/", "??=define X", "nul\x00byte", "ünïcödé ☃ 模型",
    "*/ int injected(void) { return 1; } /*", "#include <stdio.h>", "tab\tvtab\vff\f",
    "\u2028\u2029\x85", "\x1b[31mred\x1b[0m", "end*", "/start", "x" * 500,
    b"\xff\xfe invalid utf-8 \xc3", b"\xed\xa0\x80 surrogate", "", "\\\n#define model_invoke 0",
]


def _model(names: list[str | bytes], description: str | bytes) -> bytes:
    """conv -> depthwise -> average pool -> reshape -> fully connected -> softmax,
    with each tensor named from ``names`` in turn."""
    rng = np.random.default_rng(5)
    mb = ModelBuilder("plain")
    q = QParams([0.05], [-3])
    x = mb.add_tensor("t", [1, 5, 5, 2], "int8", q)
    w = mb.add_tensor("t", [3, 3, 3, 2], "int8", QParams([0.01, 0.02, 0.03], [0] * 3, 0),
                      data=rng.integers(-127, 128, (3, 3, 3, 2)).astype(np.int8))
    b = mb.add_tensor("t", [3], "int32", data=np.array([5, -5, 9], np.int32))
    c = mb.add_tensor("t", [1, 5, 5, 3], "int8", QParams([0.1], [-128]))
    mb.add_op("CONV_2D", [x, w, b], [c], {"padding": "SAME", "fused_activation_function": "RELU"})
    dw = mb.add_tensor("t", [1, 3, 3, 3], "int8", QParams([0.02] * 3, [0] * 3, 3),
                       data=rng.integers(-127, 128, (1, 3, 3, 3)).astype(np.int8))
    d = mb.add_tensor("t", [1, 5, 5, 3], "int8", QParams([0.08], [-128]))
    mb.add_op("DEPTHWISE_CONV_2D", [c, dw, -1], [d], {"padding": "SAME", "depth_multiplier": 1})
    p = mb.add_tensor("t", [1, 1, 1, 3], "int8", QParams([0.08], [-128]))
    mb.add_op("AVERAGE_POOL_2D", [d], [p], {"padding": "VALID", "filter_height": 5,
                                            "filter_width": 5, "stride_h": 5, "stride_w": 5})
    s = mb.add_tensor("t", [2], "int32", data=np.array([1, 3], np.int32))
    r = mb.add_tensor("t", [1, 3], "int8", QParams([0.08], [-128]))
    mb.add_op("RESHAPE", [p, s], [r], {"new_shape": [1, 3]})
    fw = mb.add_tensor("t", [4, 3], "int8", QParams([0.01], [0]),
                       data=rng.integers(-127, 128, (4, 3)).astype(np.int8))
    f = mb.add_tensor("t", [1, 4], "int8", QParams([0.05], [0]))
    mb.add_op("FULLY_CONNECTED", [r, fw, -1], [f])
    y = mb.add_tensor("t", [1, 4], "int8", QParams([1 / 256], [-128]))
    mb.add_op("SOFTMAX", [f], [y], {"beta": 1.0})
    mb.set_io([x], [y])
    for i, t in enumerate(mb._tensors):
        t.name = names[i % len(names)]  # type: ignore[assignment]  # bytes: invalid UTF-8
    mb.description = description  # type: ignore[assignment]
    return mb.build()


def _strip_comments(text: str) -> str:
    """C source without its /* */ comments (string literals respected)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            assert end >= 0, "an unterminated comment"
            i = end + 2
            out.append(" ")
        elif text[i] == '"':
            end = i + 1
            while text[end] != '"':
                assert text[end] not in "\n\\", "a string literal with a newline or escape"
                end += 1
            out.append(text[i : end + 1])
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@pytest.fixture(scope="module")
def libraries() -> tuple[dict[str, bytes], dict[str, bytes]]:
    plain = api.compile_model(_model(["plain"], "plain"), prefix="net").library.files
    hostile = api.compile_model(_model(HOSTILE, "*/ #error injected /* \n??/"),
                                prefix="net").library.files
    return plain, hostile


def test_generated_c_is_the_same_code_whatever_the_names(
    libraries: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    plain, hostile = libraries
    assert sorted(plain) == sorted(hostile)
    for name in plain:
        if not name.endswith((".c", ".h")):
            continue
        text = hostile[name].decode("ascii")  # raises on any non-ASCII byte
        assert "\x00" not in text and "??" not in text and "\\" not in _comments(text), name
        assert _strip_comments(text) == _strip_comments(plain[name].decode()), name


def _comments(text: str) -> str:
    return "".join(re.findall(r"/\*.*?\*/", text, flags=re.S))


def test_hostile_text_is_never_copied_raw(
    libraries: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    _, hostile = libraries
    code = b"".join(body for n, body in hostile.items() if n.endswith((".c", ".h")))
    dangerous = (b"\n", b"\r", b"\x00", b"*/", b"/*", b"??", b"\\", b"\t", b"\x1b")
    for name in HOSTILE:
        raw = name if isinstance(name, bytes) else name.encode()
        if any(d in raw for d in dangerous) or not raw.isascii():
            assert raw not in code, raw  # (quotes alone are inert inside a comment)
    for needle in (b"#error", b"\r", b"\x1b", b"\t", b"\x00", b"\xef\xbf\xbd"):
        assert needle not in code


def test_hostile_library_compiles_with_the_strict_flags(
    libraries: tuple[dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    cc = compiler()
    assert cc is not None, "no C compiler"
    _, hostile = libraries
    for name, body in hostile.items():
        (tmp_path / name).write_bytes(body)
    sources = sorted(n for n in hostile if n.endswith(".c"))
    # -Wcomment and -Wtrigraphs (in -Wall) turn a '/*' inside a comment or a '??/'
    # into an error under -Werror.
    proc = subprocess.run([cc, *STRICT, "-Wcomment", "-Wtrigraphs", "-c", *sources],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_report_keeps_the_names_as_json_strings(
    libraries: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    _, hostile = libraries
    report = json.loads(hostile["report.json"])
    assert report["tensors"]
    for t in report["tensors"]:
        raw = HOSTILE[t["index"] % len(HOSTILE)]
        want = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        assert t["name"] == want
    assert hostile["report.json"].isascii()


def test_errors_quote_hostile_names_on_one_line() -> None:
    mb = ModelBuilder()
    q = QParams([0.05], [0])
    x = mb.add_tensor("x", [1, 4], "int8", q)
    y = mb.add_tensor("y", [1, 4], "int8", q)
    mb.add_op("QUANTIZE", [x], [y])
    mb.set_io([x], [y])
    mb._tensors[0].name = "evil\nname\u2028*/" + "z" * 400
    mb._tensors[0].shape = [1, -4]
    with pytest.raises(McuCodegenError) as info:
        api.compile_model(mb.build())
    text = str(info.value)
    assert len(text.splitlines()) == 1 and "\n" not in text and len(text) < 300, text
    assert "evil\\nname" in text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=120)
       | st.text(alphabet="?/*\\\n\"'", max_size=40))
def test_comment_text_is_always_safe(text: str) -> None:
    c = c_comment_text(text)
    assert all(0x20 <= ord(ch) < 0x7F for ch in c)
    assert "*/" not in c and "/*" not in c and "??" not in c and "\\" not in c
    assert not c.startswith(("*", "/")) and not c.endswith(("*", "/"))
    assert len(c) <= 80
    # also safe next to the comment's own delimiters
    assert "*/" not in f"/* {c} */"[2:-2] and "*/" not in f"/*{c}*/"[2:-2]
