"""The checks can fail, and the C API's arena and NULL-pointer contract.

* A library whose generated ``model.c`` has one requantization multiplier
  flipped must differ from TFLite Micro (and only in that channel), while the
  untouched library matches: the byte comparison is not vacuous.
* ``model_invoke_with_arena`` on a caller arena (16-byte aligned, filled with
  garbage) gives the same bytes as ``model_invoke`` on the static arena.
* A NULL ``inputs``/``outputs`` array, a NULL entry in either, or a NULL arena
  makes both entry points return -1 without writing the outputs.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.verify.compare import compare
from mcu_codegen.verify.inputs import make_inputs
from tests.kernels._sweep import BuiltLibrary, tflm_runner
from tests.tflite_writer import ModelBuilder, QParams, conv2d_model

OUT_CHANNELS = 4


def _conv_model() -> bytes:
    return conv2d_model(np.random.default_rng(1234), [1, 8, 8, 3], OUT_CHANNELS, kernel=3,
                        stride=1, padding="SAME", per_channel=True)


def _flip_first_multiplier(model_c: bytes) -> tuple[bytes, int, int]:
    """Flip bit 27 of the first entry of op 0's multiplier array (channel 0)."""
    text = model_c.decode()
    m = re.search(r"(static const int32_t op0_mult\[\d+\] = \{\s*)(\d+)", text)
    assert m, "no op0_mult array in the generated model.c"
    old = int(m.group(2))
    new = old ^ (1 << 27)
    assert (1 << 30) <= old < (1 << 31) and (1 << 30) <= new < (1 << 31)
    patched = text[: m.start(2)] + str(new) + text[m.end(2):]
    return patched.encode(), old, new


def test_flipped_multiplier_is_detected() -> None:
    compiled = api.compile_model(_conv_model())
    files = dict(compiled.library.files)
    patched, old, new = _flip_first_multiplier(files["model.c"])
    assert patched != files["model.c"]
    reference = tflm_runner(compiled)
    sets = make_inputs(compiled.graph, 4, seed=7)

    # Positive control: the library as generated is bit-exact on every set.
    with BuiltLibrary(compiled) as lib:
        for label, arrays in sets:
            assert not compare(lib.run(arrays), reference(arrays)), label

    files["model.c"] = patched
    detected = 0
    with BuiltLibrary(compiled, files) as lib:
        for label, arrays in sets:
            ours = lib.run(arrays)
            mismatches = compare(ours, reference(arrays))
            ref = reference(arrays)[0].reshape(-1)
            diff = np.nonzero(ours[0].reshape(-1) != ref)[0]
            # Only channel 0 (NHWC: flat index % OUT_CHANNELS == 0) may change.
            assert np.all(diff % OUT_CHANNELS == 0), f"{label}: other channels changed"
            if label.startswith("random"):
                assert mismatches, (
                    f"{label}: multiplier {old} -> {new} in channel 0 went unnoticed"
                )
                assert mismatches[0].differing == diff.size > 0
            detected += bool(mismatches)
    assert detected >= 4


# ----------------------------------------------------------------------------
# Caller arena and NULL pointers
# ----------------------------------------------------------------------------


def _arena_model() -> bytes:
    """x[1,8,8,3] -> CONV_2D 3x3 -> [1,8,8,6] -> MAX_POOL 2x2/2 -> [1,4,4,6]
    -> RESHAPE [1,96] -> FULLY_CONNECTED -> y[1,10]: three arena tensors."""
    rng = np.random.default_rng(99)
    mb = ModelBuilder("arena-chain")
    q_in, q_a, q_out = QParams(0.02, 5), QParams(0.05, -10), QParams(0.1, 3)
    x = mb.add_tensor("x", [1, 8, 8, 3], "int8", q_in)
    w_scales = [0.004 * 10 ** (e / 10) for e in range(6)]
    w = mb.add_tensor("conv_w", [6, 3, 3, 3], "int8", QParams(w_scales, [0], 0),
                      data=rng.integers(-127, 128, (6, 3, 3, 3)))
    b = mb.add_tensor("conv_b", [6], "int32", QParams([0.02 * s for s in w_scales], [0], 0),
                      data=rng.integers(-2000, 2000, 6))
    t1 = mb.add_tensor("conv_out", [1, 8, 8, 6], "int8", q_a)
    mb.add_op("CONV_2D", [x, w, b], [t1], {"padding": "SAME", "fused_activation_function": "RELU"})
    t2 = mb.add_tensor("pool_out", [1, 4, 4, 6], "int8", q_a)
    mb.add_op("MAX_POOL_2D", [t1], [t2], {"padding": "VALID", "stride_w": 2, "stride_h": 2,
                                          "filter_width": 2, "filter_height": 2})
    shape = mb.add_tensor("shape", [2], "int32", data=np.array([1, 96]))
    t3 = mb.add_tensor("flat", [1, 96], "int8", q_a)
    mb.add_op("RESHAPE", [t2, shape], [t3], {"new_shape": [1, 96]})
    fw = mb.add_tensor("fc_w", [10, 96], "int8", QParams(0.003, 0),
                       data=rng.integers(-127, 128, (10, 96)))
    fb = mb.add_tensor("fc_b", [10], "int32", QParams(0.05 * 0.003, 0),
                       data=rng.integers(-500, 500, 10))
    y = mb.add_tensor("y", [1, 10], "int8", q_out)
    mb.add_op("FULLY_CONNECTED", [t3, fw, fb], [y])
    mb.set_io([x], [y])
    return mb.build()


def _aligned_arena(size: int, fill: int) -> tuple[np.ndarray, np.ndarray]:
    """(backing buffer, 16-byte aligned view of ``size`` bytes) filled with ``fill``."""
    backing = np.full(size + 32, fill, dtype=np.uint8)
    off = (-backing.ctypes.data) % 16
    arena = backing[off: off + size]
    assert arena.ctypes.data % 16 == 0 and arena.size == size
    return backing, arena


@pytest.fixture(scope="module")
def arena_lib():
    compiled = api.compile_model(_arena_model())
    assert compiled.plan.arena_bytes > 0
    with BuiltLibrary(compiled) as lib:
        yield compiled, lib


def test_arena_size_is_in_the_header(arena_lib) -> None:
    compiled, _ = arena_lib
    header = compiled.library.files["model.h"].decode()
    assert f"#define MODEL_ARENA_SIZE {compiled.plan.arena_bytes}\n" in header


@pytest.mark.parametrize("fill", [0x00, 0xFF, 0xA5])
def test_caller_arena_gives_same_bytes(arena_lib, fill: int) -> None:
    compiled, lib = arena_lib
    size = compiled.plan.arena_bytes
    reference = tflm_runner(compiled)
    for label, arrays in make_inputs(compiled.graph, 3, seed=fill):
        static = lib.run(arrays)
        backing, arena = _aligned_arena(size, fill)
        before = backing.copy()
        with_arena = lib.run(arrays, arena=arena)
        assert not compare(with_arena, static), f"{label}: caller arena differs from static"
        assert not compare(static, reference(arrays)), f"{label}: differs from TFLite Micro"
        # Only the ARENA bytes may be touched, never the bytes around them.
        off = arena.ctypes.data - backing.ctypes.data
        assert np.array_equal(backing[:off], before[:off])
        assert np.array_equal(backing[off + size:], before[off + size:])
        # The caller arena was really used (the conv output is not all `fill`).
        assert not np.all(arena == fill)


def _null_calls(lib: BuiltLibrary, arena: np.ndarray):
    """(description, callable returning the rc) for every NULL-pointer variant."""
    ffi, c = lib.lib.ffi, lib.lib.lib
    g = lib.graph
    x = np.zeros(g.tensors[g.inputs[0]].shape, np.int8)
    out = lib.new_outputs()[0]
    keep = [x, out]
    in_ok = ffi.new("void *[]", [ffi.from_buffer(x)])
    out_ok = ffi.new("void *[]", [ffi.from_buffer(out)])
    in_null = ffi.new("void *[]", [ffi.NULL])
    out_null = ffi.new("void *[]", [ffi.NULL])
    ar = ffi.from_buffer(arena)
    variants = {
        "inputs[0] NULL": (in_null, out_ok),
        "outputs[0] NULL": (in_ok, out_null),
        "inputs NULL": (ffi.NULL, out_ok),
        "outputs NULL": (in_ok, ffi.NULL),
    }
    calls = []
    for what, (i, o) in variants.items():
        calls.append((f"model_invoke, {what}", lambda i=i, o=o: c.model_invoke(i, o)))
        calls.append((f"model_invoke_with_arena, {what}",
                      lambda i=i, o=o: c.model_invoke_with_arena(i, o, ar)))
    calls.append(("model_invoke_with_arena, arena NULL",
                  lambda: c.model_invoke_with_arena(in_ok, out_ok, ffi.NULL)))
    return calls, out, keep


def test_null_pointers_return_minus_one(arena_lib) -> None:
    compiled, lib = arena_lib
    _, arena = _aligned_arena(compiled.plan.arena_bytes, 0)
    calls, out, _keep = _null_calls(lib, arena)
    for what, call in calls:
        out[...] = 77
        assert call() == -1, what
        assert np.all(out == 77), f"{what}: output written despite the error"


def test_null_input_pointer_on_single_op_model() -> None:
    """The same on a single-op library (no arena): a NULL input pointer is refused."""
    compiled = api.compile_model(_conv_model())
    with BuiltLibrary(compiled) as lib:
        ffi, c = lib.lib.ffi, lib.lib.lib
        out = lib.new_outputs()[0]
        out[...] = 77
        in_null = ffi.new("void *[]", [ffi.NULL])
        out_ptrs = ffi.new("void *[]", [ffi.from_buffer(out)])
        assert c.model_invoke(in_null, out_ptrs) == -1
        assert np.all(out == 77)
