"""What the new element-wise ops refuse, and why (one line naming the rule): the
cases TFLite Micro itself rejects, and those whose arithmetic would be undefined."""

from __future__ import annotations

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._elementwise import binary_model, unary_model
from tests.tflite_writer import QParams, TensorSpec, single_op_model


def _refused(model: bytes, *words: str) -> None:
    with pytest.raises(UnsupportedError) as err:
        api.compile_model(model)
    text = str(err.value)
    for w in words:
        assert w in text, text


def _bin(op: str, s1=(2, 3), s2=(2, 3), q1=(0.1, 0), q2=(0.1, 0), qo=(0.1, 0)) -> dict:
    return {"s1": s1, "s2": s2, "q1": q1, "q2": q2, "qo": qo}


def test_unsupported_fused_activation() -> None:
    _refused(binary_model("MUL", _bin("MUL"), {"fused_activation_function": "TANH"}),
             "MUL", "fused activation TANH")
    _refused(binary_model("SUB", _bin("SUB"), {"fused_activation_function": "SIGN_BIT"}),
             "SUB", "fused activation SIGN_BIT")


def test_shapes_that_do_not_broadcast() -> None:
    model = single_op_model(
        "MAXIMUM",
        [TensorSpec([2, 3], "int8", QParams(0.1, 0)), TensorSpec([4, 3], "int8", QParams(0.1, 0))],
        TensorSpec([4, 3], "int8", QParams(0.1, 0)))
    _refused(model, "MAXIMUM", "do not broadcast")


def test_per_channel_second_operand() -> None:
    model = single_op_model(
        "MUL",
        [TensorSpec([1, 2, 3], "int8", QParams(0.1, 0)),
         TensorSpec([3], "int8", QParams([0.1, 0.2, 0.3], [0, 0, 0]),
                    data=np.array([1, 2, 3], np.int8))],
        TensorSpec([1, 2, 3], "int8", QParams(0.1, 0)))
    _refused(model, "MUL", "per-channel")


def test_output_multiplier_too_large() -> None:
    """s1 * s2 / s_out = 2^30.5 needs the shift 31 (TFLite shifts by 1 << 31)."""
    _refused(binary_model("MUL", _bin("MUL", q1=(1.0, 0), q2=(1.0, 0), qo=(2.0**-30.5, 0))),
             "MUL", "outside [-31, 30]")


def test_logistic_output_zero_point() -> None:
    _refused(unary_model("LOGISTIC", [8], (0.1, 0), (1.0 / 256, 0)), "zero point must be -128")


def test_hard_swish_output_scale_too_small() -> None:
    _refused(unary_model("HARD_SWISH", [8], (0.5, 0), (0.5 / 256, 0)),
             "HARD_SWISH", "output_multiplier_exponent <= 0")


@pytest.mark.parametrize("qo, shape, why", [
    ((1.0 / 256, -128), (1, 8), "16/256"),
    ((16.0 / 256, 0), (1, 8), "16/256"),
    ((16.0 / 256, 127), (1, 4096), "at most 4095"),
])
def test_log_softmax_refusals(qo: tuple[float, int], shape: tuple[int, ...], why: str) -> None:
    _refused(unary_model("LOG_SOFTMAX", shape, (0.1, 0), qo), "LOG_SOFTMAX", why)


def test_log_softmax_input_scale_too_small() -> None:
    """TFLite Micro aborts (QuantizeMultiplierGreaterThanOne) when scale * 2^26 <= 1."""
    _refused(unary_model("LOG_SOFTMAX", (1, 8), (2.0**-27, 0), (16.0 / 256, 127)),
             "LOG_SOFTMAX", "too small")
