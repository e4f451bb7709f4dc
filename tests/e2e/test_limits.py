"""Limits: absurd claims fail fast, without allocating what they claim; a model too
big for a board is refused with both numbers (what it needs, what the board has)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import flatbuffers
import numpy as np
import pytest
import tflite

from mcu_codegen import api
from mcu_codegen.boards import board
from mcu_codegen.errors import BoardError, McuCodegenError, ModelError
from mcu_codegen.tflite import reader
from tests.tflite_writer import ModelBuilder, QParams, fully_connected_model

Q = QParams([0.05], [0])


def _fails_fast(model: bytes | Callable[[], bytes], kind: type[McuCodegenError] = ModelError,
                seconds: float = 2.0, peak_bytes: int = 64 << 20) -> str:
    data = model() if callable(model) else model
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(kind) as info:
            api.compile_model(data)
        took = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert took < seconds, f"{took:.2f} s"
    assert peak < peak_bytes, f"{peak} bytes allocated before the error"
    text = str(info.value)
    assert len(text.splitlines()) == 1
    return text


def _one_op(shape: list[int], const: bool = False) -> bytes:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4], "int8", Q)
    y = mb.add_tensor("y", [1, 4], "int8", Q)
    mb.add_op("QUANTIZE", [x], [y])
    mb.set_io([x], [y])
    mb._tensors[1].shape = shape
    if const:  # a constant claiming the shape, with 4 bytes of data
        mb._tensors[1].data = b"\x01\x02\x03\x04"
    return mb.build()


@pytest.mark.parametrize("shape", [[(1 << 31) - 1, (1 << 31) - 1], [65536, 32768],
                                   [1 << 30, 2], [0, 1 << 16, 1 << 16], [2] * 31])
def test_a_gigabyte_tensor_is_refused_before_anything_is_allocated(shape: list[int]) -> None:
    text = _fails_fast(_one_op(shape))
    assert "1 GiB" in text or "rank" in text


def test_a_gigabyte_constant_is_refused_before_its_data_is_read() -> None:
    assert "1 GiB" in _fails_fast(_one_op([1 << 20, 1 << 11], const=True))


def test_the_largest_accepted_tensor_is_one_gibibyte() -> None:
    assert reader.MAX_TENSOR_BYTES == 1 << 30
    _fails_fast(_one_op([(1 << 30) + 16]))  # int8: one GiB and a little


def _repeated_op_model(n_ops: int, n_tensors: int = 2) -> bytes:
    """A real flatbuffer whose operator vector holds ``n_ops`` references to one
    QUANTIZE table (a few bytes per op, so the file stays small)."""
    b = flatbuffers.Builder(1024)
    tflite.BufferStart(b)
    buffers = [tflite.BufferEnd(b)]
    tensors = []
    for i in range(n_tensors):
        scale = b.CreateNumpyVector(np.array([0.05], "<f4"))
        zp = b.CreateNumpyVector(np.array([0], "<i8"))
        tflite.QuantizationParametersStart(b)
        tflite.QuantizationParametersAddScale(b, scale)
        tflite.QuantizationParametersAddZeroPoint(b, zp)
        q = tflite.QuantizationParametersEnd(b)
        shape = b.CreateNumpyVector(np.array([1, 4], "<i4"))
        name = b.CreateString(f"t{i}")
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape)
        tflite.TensorAddType(b, tflite.TensorType.INT8)
        tflite.TensorAddName(b, name)
        tflite.TensorAddQuantization(b, q)
        tensors.append(tflite.TensorEnd(b))
    ins = b.CreateNumpyVector(np.array([0], "<i4"))
    outs = b.CreateNumpyVector(np.array([1], "<i4"))
    tflite.OperatorStart(b)
    tflite.OperatorAddInputs(b, ins)
    tflite.OperatorAddOutputs(b, outs)
    op = tflite.OperatorEnd(b)

    def vector(offsets: list[int]) -> int:
        b.StartVector(4, len(offsets), 4)
        for off in reversed(offsets):
            b.PrependUOffsetTRelative(off)
        return b.EndVector()

    ops = vector([op] * n_ops)
    tensor_vec = vector(tensors)
    g_in = b.CreateNumpyVector(np.array([0], "<i4"))
    g_out = b.CreateNumpyVector(np.array([1], "<i4"))
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, tensor_vec)
    tflite.SubGraphAddInputs(b, g_in)
    tflite.SubGraphAddOutputs(b, g_out)
    tflite.SubGraphAddOperators(b, ops)
    sg = tflite.SubGraphEnd(b)
    tflite.OperatorCodeStart(b)
    tflite.OperatorCodeAddDeprecatedBuiltinCode(b, 114)
    tflite.OperatorCodeAddBuiltinCode(b, tflite.BuiltinOperator.QUANTIZE)
    code = tflite.OperatorCodeEnd(b)
    sgs, codes, bufs = vector([sg]), vector([code]), vector(buffers)
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, codes)
    tflite.ModelAddSubgraphs(b, sgs)
    tflite.ModelAddBuffers(b, bufs)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_the_repeated_op_model_is_read_as_written() -> None:
    g, _ = reader.read_graph(_repeated_op_model(3))
    assert [op.kind.value for op in g.ops] == ["QUANTIZE"] * 3


def test_a_hundred_thousand_ops_are_refused_quickly() -> None:
    model = _repeated_op_model(100_000)
    assert len(model) < 1 << 20
    text = _fails_fast(model)
    assert "100000 ops" in text and "over the limit" in text


def test_the_op_limit() -> None:
    assert reader.MAX_OPS == 50_000
    assert "50001 ops" in _fails_fast(_repeated_op_model(50_001))


def test_a_buffer_claiming_to_lie_past_the_end_of_the_file() -> None:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4], "int8", Q)
    w = mb.add_tensor("w", [1 << 14, 4], "int8", Q, data=np.ones((1 << 14, 4), np.int8))
    y = mb.add_tensor("y", [1, 1 << 14], "int8", Q)
    mb.add_op("FULLY_CONNECTED", [x, w], [y])
    mb.set_io([x], [y])
    data = bytearray(mb.build())
    # the data vector's length field sits right before the 64 KiB of ones
    pos = bytes(data).find(b"\x01" * 1024) - 4
    assert int.from_bytes(data[pos : pos + 4], "little") == 1 << 16
    data[pos : pos + 4] = (0x7FFFFFFF).to_bytes(4, "little")
    _fails_fast(bytes(data))


# ---- boards ----------------------------------------------------------------------------


def test_too_big_for_flash_reports_both_numbers() -> None:
    model = fully_connected_model(np.random.default_rng(0), [1, 600], 512)
    weights = int(str(api.compile_model(model).library.report["weights_bytes"]))
    flash = board("microbit").flash_bytes
    assert weights > flash
    with pytest.raises(BoardError) as info:
        api.compile_model(model, board="microbit")
    text = str(info.value)
    assert f"{weights} bytes of flash" in text and str(flash) in text


def test_too_big_for_ram_reports_both_numbers() -> None:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 64, 64, 4], "int8", Q)
    y = mb.add_tensor("y", [1, 64, 64, 4], "int8", Q)
    z = mb.add_tensor("z", [1, 64, 64, 4], "int8", Q)
    mb.add_op("MAX_POOL_2D", [x], [y], {"padding": "SAME"})
    mb.add_op("MAX_POOL_2D", [y], [z], {"padding": "SAME"})
    mb.set_io([x], [z])
    model = mb.build()
    compiled = api.compile_model(model)
    g = compiled.graph
    need = compiled.plan.arena_bytes + sum(g.tensors[i].nbytes for i in (*g.inputs, *g.outputs))
    ram = board("microbit").ram_bytes
    assert need > ram
    with pytest.raises(BoardError) as info:
        api.compile_model(model, board="microbit")
    text = str(info.value)
    assert f"need {need} bytes of RAM" in text and str(ram) in text
