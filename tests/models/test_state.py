"""Variable tensors live in the library's own state area, start from TFLite Micro's
reset value (the zero point for int8) and are restored by <prefix>_reset()."""

from __future__ import annotations

from mcu_codegen import api
from mcu_codegen.planner import Place
from tests.tflite_writer import ModelBuilder, QParams


def _model_with_variable() -> bytes:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 8], "int8", QParams([0.05], [3]))
    state = mb.add_tensor("state", [1, 8], "int8", QParams([0.07], [-9]), is_variable=True)
    y = mb.add_tensor("y", [1, 8], "int8", QParams([0.1], [0]))
    mb.add_op("ADD", [x, state], [y])
    mb.set_io([x], [y])
    return mb.build()


def test_variable_tensor_is_kept_out_of_the_arena_and_reset_exactly() -> None:
    model = _model_with_variable()
    compiled = api.compile_model(model)
    p = compiled.plan
    state = [b for b in p.buffers if b.place is Place.STATE]
    assert len(state) == 1 and p.state_bytes == 16
    header = compiled.library.files["model.h"].decode()
    assert "#define MODEL_STATE_SIZE 16" in header and "void model_reset(void);" in header
    source = compiled.library.files["model.c"].decode()
    assert "memset(model_state + 0, -9, 8);" in source
    result = api.verify(model, inputs=4, seed=1)
    assert result.ok and result.cases == 8  # 4 random + 3 edge + the set after reset
