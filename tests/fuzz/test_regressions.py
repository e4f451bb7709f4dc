"""Every crash the fuzzer found, as a small model that must now end in one clear line.

Each test names the failure it guards against (what happened before the fix).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.errors import McuCodegenError, ModelError, UnsupportedError
from tests.tflite_writer import (
    ModelBuilder,
    QParams,
    TensorSpec,
    conv2d_model,
    fully_connected_model,
    single_op_model,
)

Q = QParams([0.05], [0])


def _error(model: bytes, kind: type[McuCodegenError] = McuCodegenError) -> str:
    """The one-line error ``model`` gives, within 2 s and without any warning."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(kind) as info:
            api.compile_model(model)
    assert time.perf_counter() - start < 2.0
    text = str(info.value)
    assert text and len(text.splitlines()) == 1, text
    return text


def _chain(first_q: QParams, op: str = "QUANTIZE", out_q: QParams = Q,
           options: dict | None = None) -> bytes:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 8], "int8", first_q)
    y = mb.add_tensor("y", [1, 8], "int8", out_q)
    mb.add_op(op, [x], [y], options)
    mb.set_io([x], [y])
    return mb.build()


def test_constant_graph_output() -> None:
    """Was: KeyError in the planner (a constant has no storage to plan)."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 8], "int8", Q)
    y = mb.add_tensor("y", [1, 8], "int8", Q)
    c = mb.add_tensor("c", [1, 8], "int8", Q, data=np.ones((1, 8), np.int8))
    mb.add_op("RESHAPE", [x], [y], {"new_shape": [1, 8]})
    mb.set_io([x], [y, c])
    assert "is a constant" in _error(mb.build(), ModelError)


@pytest.mark.parametrize("scale", [math.nan, math.inf, -0.5])
def test_non_finite_or_negative_scale(scale: float) -> None:
    """Was: ValueError/OverflowError deep in the multiplier arithmetic."""
    assert "quantization scale" in _error(_chain(QParams([scale], [0])), ModelError)


def test_zero_scale_on_an_activation() -> None:
    assert "scale of 0" in _error(_chain(QParams([0.0], [0])), UnsupportedError)


@pytest.mark.parametrize("zp", [128, -129, 1 << 40])
def test_zero_point_outside_the_type(zp: int) -> None:
    """Was: a C initializer that overflows int32_t, or a silently wrapped offset."""
    assert "zero point" in _error(_chain(QParams([0.05], [zp])), ModelError)


def test_op_without_inputs() -> None:
    """Was: IndexError in the quantize-pair pass (passes run before the rules)."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 8], "int8", Q)
    y = mb.add_tensor("y", [1, 8], "int8", Q)
    mb.add_op("QUANTIZE", [], [y])
    mb.set_io([x], [y])
    assert "no first input" in _error(mb.build(), ModelError)


def test_add_whose_output_multiplier_is_not_below_one() -> None:
    """Was: ValueError from QuantizeMultiplierSmallerThanOneExp while emitting C."""
    model = single_op_model(
        "ADD", [TensorSpec([1, 4], "int8", QParams([10.0], [0])),
                TensorSpec([1, 4], "int8", QParams([10.0], [0]))],
        TensorSpec([1, 4], "int8", QParams([1e-9], [0])))
    assert "ADD (op 0): its quantization parameters" in _error(model, UnsupportedError)


def test_multiplier_of_2_to_the_31_or_more() -> None:
    """Was: a generated shift of 33, undefined behaviour in the kernel's left shift."""
    model = fully_connected_model(np.random.default_rng(0), [1, 4], 2,
                                  input_qp=QParams([1.0], [0]), output_qp=QParams([1e-12], [0]))
    assert "2^31 or more" in _error(model, UnsupportedError)


def test_requantization_ratio_past_float32() -> None:
    """Was: a numpy overflow warning on stderr beside the error (RELU's ratio)."""
    model = _chain(QParams([3e38], [0]), "RELU", QParams([1e-30], [0]))
    assert "RELU (op 0)" in _error(model, UnsupportedError)


def test_non_finite_option() -> None:
    """Was: NaN beta reaching the softmax multiplier arithmetic."""
    model = _chain(Q, "SOFTMAX", QParams([1 / 256], [-128]), {"beta": math.nan})
    assert "option beta" in _error(model, ModelError)


@pytest.mark.parametrize("stride, dilation", [(1, 2**31 - 1), (70000, 1)])
def test_huge_stride_or_dilation(stride: int, dilation: int) -> None:
    """Was: int32 overflow in the kernel's tap arithmetic ((room + dil - 1) / dil)."""
    model = conv2d_model(np.random.default_rng(0), [1, 4, 4, 1], 1, kernel=2, stride=stride,
                         dilation=1, padding="SAME")
    model = model if dilation == 1 else conv2d_model(
        np.random.default_rng(0), [1, 4, 4, 1], 1, kernel=1, dilation=dilation)
    assert "at most 65535" in _error(model, UnsupportedError)


def test_accumulation_deeper_than_int32_holds() -> None:
    """Was: signed int32 overflow (undefined behaviour) in the FULLY_CONNECTED sum."""
    model = fully_connected_model(np.random.default_rng(0), [1, 65794], 1)
    assert "int32 accumulator" in _error(model, UnsupportedError)


def test_zero_size_tensor_with_huge_other_dimensions() -> None:
    """Was: accepted; strides computed from the other dimensions overflow int32 in C."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [0, 1 << 20, 1 << 20], "int8", Q)
    y = mb.add_tensor("y", [0, 1 << 20, 1 << 20], "int8", Q)
    mb.add_op("QUANTIZE", [x], [y])
    mb.set_io([x], [y])
    model = mb.build()
    assert "claims more than 1 GiB" in _error(model, ModelError)


def test_rank_over_eight() -> None:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1] * 40, "int8", Q)
    y = mb.add_tensor("y", [1] * 40, "int8", Q)
    mb.add_op("QUANTIZE", [x], [y])
    mb.set_io([x], [y])
    assert "rank 40" in _error(mb.build(), ModelError)


def _zero_state(dims: list[int]) -> bytes:
    mb = ModelBuilder()
    x = mb.add_tensor("x", dims, "int8", Q)
    d = mb.add_tensor("dims", [len(dims)], "int32", data=np.array(dims, np.int32))
    zero = mb.add_tensor("zero", [], "int8", Q, data=np.array(0, np.int8))
    z = mb.add_tensor("z", dims, "int8", Q)
    mb.add_op("FILL", [d, zero], [z])
    y = mb.add_tensor("y", dims, "int8", Q)
    mb.add_op("ADD", [x, z], [y])
    mb.set_io([x], [y])
    return mb.build()


def test_fill_cannot_turn_a_few_bytes_into_gigabytes_of_c() -> None:
    """Was: a 1 KB model folding FILL into a 1 GiB constant (minutes, gigabytes)."""
    text = _error(_zero_state([1 << 15, 1 << 15]), UnsupportedError)
    assert "FILL (op 0): it would compute more than" in text


def test_pack_of_one_constant_many_times() -> None:
    """2000 copies of one 16 KiB constant are not folded into 32 MiB of C constants
    (PACK then runs as a copy at run time, or is refused)."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4], "int8", Q)
    c = mb.add_tensor("c", [1 << 14], "int8", Q, data=np.ones(1 << 14, np.int8))
    p = mb.add_tensor("p", [2000, 1 << 14], "int8", Q)
    mb.add_op("PACK", [c] * 2000, [p], {"values_count": 2000, "axis": 0})
    y = mb.add_tensor("y", [1, 4], "int8", Q)
    mb.add_op("ADD", [x, x], [y])
    mb.set_io([x], [y, p])
    start = time.perf_counter()
    try:
        compiled = api.compile_model(mb.build())
    except UnsupportedError as exc:
        assert "PACK (op 0)" in str(exc)
    else:
        assert int(str(compiled.library.report["weights_bytes"])) < 1 << 20
    assert time.perf_counter() - start < 5.0


def test_reshape_of_a_constant_with_another_size() -> None:
    """Was: ValueError from numpy in the constant-folding pass."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4], "int8", Q)
    c = mb.add_tensor("c", [3], "int8", Q, data=np.ones(3, np.int8))
    r = mb.add_tensor("r", [1, 4], "int8", Q)
    mb.add_op("RESHAPE", [c], [r], {"new_shape": [1, 4]})
    y = mb.add_tensor("y", [1, 4], "int8", Q)
    mb.add_op("ADD", [x, r], [y])
    mb.set_io([x], [y])
    assert "RESHAPE (op 0)" in _error(mb.build(), UnsupportedError)


def test_op_with_an_empty_output() -> None:
    """Was: TypeError in c_array_body (an empty multiplier array; C has no 0-size
    arrays either)."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4], "int8", Q)
    w = mb.add_tensor("w", [0, 4], "int8", Q, data=np.zeros((0, 4), np.int8))
    y = mb.add_tensor("y", [1, 0], "int8", Q)
    mb.add_op("FULLY_CONNECTED", [x, w], [y])
    mb.set_io([x], [y])
    assert "no elements" in _error(mb.build(), UnsupportedError)


def test_a_pass_failing_on_a_malformed_op_gives_the_op_s_rule(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passes run before the support rules; when one trips over a malformed op,
    the rules say what is wrong. On a well-formed model the pass's bug still shows."""
    def broken_pass(g: object, validate: bool = True) -> object:
        raise IndexError("tuple index out of range")

    monkeypatch.setattr(api, "run_passes", broken_pass)
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4], "int8", Q)
    y = mb.add_tensor("y", [1, 5], "int8", Q)
    mb.add_op("ADD", [x, x], [y])
    mb.set_io([x], [y])
    assert "ADD (op 0)" in _error(mb.build(), UnsupportedError)
    with pytest.raises(IndexError):
        api.compile_model(_chain(Q))
