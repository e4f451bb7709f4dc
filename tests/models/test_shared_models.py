"""Whole real models: every output byte equals TFLite Micro's, on 20 random inputs
plus the edge inputs (all -128, all 127, all at the zero point)."""

from __future__ import annotations

import pytest

from mcu_codegen import api
from tests.conftest import shared_model

#: The models issue #2 names; each must verify bit-exact on the host.
CORE_MODELS = [
    "mlperf_tiny_kws_dscnn",
    "mlperf_tiny_vww_mobilenetv1_025_96",
    "mlperf_tiny_ic_resnet8",
    "mlperf_tiny_ic_resnet_large",
    "mlperf_tiny_ad_fc_autoencoder",
    "mlperf_tiny_sww_dscnn",
    "tflm_hello_world",
    "tflm_micro_speech",
    "tflm_person_detect",
    "tflm_simple_add",
    "arm_kws_ds_cnn_s",
    "arm_kws_cnn_s",
    "arm_kws_dnn_s",
]

#: Supported since issue #5 (TRANSPOSE, MEAN, UNPACK, SPLIT, LOGISTIC, ...).
#: TFLite Micro cannot run arm_kws_basic_lstm_s (FILL with a non-constant dims
#: tensor, see REFERENCE.md): test_basic_lstm_reference.py verifies it against
#: tflite-runtime's reference kernels instead.
MORE_MODELS = ["tflm_xtensa_mobilenet_v2_224_nchw"]


@pytest.mark.slow
@pytest.mark.parametrize("name", CORE_MODELS + MORE_MODELS)
def test_model_is_bit_exact_with_tflm(name: str) -> None:
    path = shared_model(f"{name}_int8.tflite")
    result = api.verify(path, board="host", inputs=20, seed=1)
    details = [f"{label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.cases == 23
    assert result.ok, "\n".join(details[:10])
