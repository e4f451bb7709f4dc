"""FULLY_CONNECTED's widened single row (runtime_c/fully_connected_s8.c, MCU_FC_X16: off a
Cortex-M, one input row of 64 to 256 values feeding at least 8 outputs is widened to int16
once, then mcu_mat_mult_s16): its bounds and their neighbours, both weight
quantizations, with and without bias, odd depths and output counts, bit-exact with
TFLite Micro."""

from __future__ import annotations

import pytest

from tests.kernels._sweep import Case, assert_bit_exact
from tests.kernels.test_fully_connected import _case, build

CASES: list[Case] = [
    _case((1, 63), 8, in_zp=-128),  # just under the depth bound: the int8 path
    _case((1, 64), 7, pc=True),  # too few outputs: the int8 path
    _case((1, 64), 9, act="RELU", in_zp=127, out_zp=-128),
    _case((1, 250), 13, pc=True, bias=False, in_zp=-101),  # arm_kws_dnn_s's first layer
    _case((1, 256), 8, act="RELU6", in_s=0.003, in_zp=127, out_f=0.1),
    _case((1, 1, 1, 129), 11, pc=True, act="RELU_N1_TO_1", out_zp=17, out_f=10.0),
    _case((1, 257), 10, in_zp=-128),  # just over the buffer: the int8 path
]


@pytest.mark.parametrize("case", CASES)
def test_widened_row_bit_exact(case: Case) -> None:
    assert_bit_exact(build(case), case)
