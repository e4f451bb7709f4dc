"""Real models with state (UNIDIRECTIONAL_SEQUENCE_LSTM): every output byte equals
TFLite Micro's on 20 random inputs and the 3 edge inputs run in a row, the LSTM
state carrying over from one to the next, then on the first input again after
both sides reset (it must give its first answer again)."""

from __future__ import annotations

import pytest

from mcu_codegen import api
from mcu_codegen.ops import OPS
from mcu_codegen.planner import Place
from tests.conftest import shared_model

STATEFUL_MODELS = [
    "tflm_mnist_lstm",  # one LSTM over 28 time steps, then FC and softmax
    "tflm_dtln_noise_suppression",  # two stacked one-step LSTMs, FC, LOGISTIC
]


@pytest.mark.slow
@pytest.mark.parametrize("name", STATEFUL_MODELS)
def test_stateful_model_is_bit_exact_with_tflm(name: str) -> None:
    path = shared_model(f"{name}_int8.tflite")
    result = api.verify(path, board="host", inputs=20, seed=1)
    details = [f"{label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.cases == 24  # 20 random + 3 edge + the first set again after reset
    assert result.ok, "\n".join(details[:10])


@pytest.mark.parametrize("name", STATEFUL_MODELS)
def test_lstm_state_lives_outside_the_arena(name: str) -> None:
    """Each LSTM's int8 hidden state and int16 cell state get their own bytes in the
    state area (kept across invocations), and the LSTM needs no scratch memory."""
    compiled = api.compile_model(shared_model(f"{name}_int8.tflite"))
    g, p = compiled.graph, compiled.plan
    lstms = [op for op in g.ops if op.kind.value == "UNIDIRECTIONAL_SEQUENCE_LSTM"]
    state = [b for b in p.buffers if b.place is Place.STATE]
    assert len(state) == 2 * len(lstms)
    expected = sum((g.tensors[op.inputs[i]].nbytes + 15) // 16 * 16
                   for op in lstms for i in (18, 19))
    assert p.state_bytes == expected
    assert all(OPS[op.kind].scratch_bytes(g, op) == 0 for op in lstms)
