"""The new element-wise ops inside small graphs: a RELU after MUL / SUB folds into
their fused activation, and ops whose output may take their input's bytes are
planned in place, both still bit-exact with TFLite Micro."""

from __future__ import annotations

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.ir import OpKind
from tests.kernels._sweep import assert_bit_exact
from tests.tflite_writer import ModelBuilder, QParams


@pytest.mark.parametrize("op", ["MUL", "SUB"])
def test_relu_folds_into_mul_and_sub(op: str) -> None:
    mb = ModelBuilder(f"{op.lower()}-relu")
    q = QParams(0.05, -10)
    a = mb.add_tensor("a", [1, 6, 6, 4], "int8", QParams(0.04, 3))
    b = mb.add_tensor("b", [4], "int8", QParams(0.03, -2),
                      data=np.array([-100, -3, 50, 127], np.int8))
    t = mb.add_tensor("t", [1, 6, 6, 4], "int8", q)
    y = mb.add_tensor("y", [1, 6, 6, 4], "int8", q)
    mb.add_op(op, [a, b], [t], {"fused_activation_function": "NONE"})
    mb.add_op("RELU", [t], [y])
    mb.set_io([a], [y])
    model = mb.build()
    compiled = api.compile_model(model)
    kinds = [o.kind for o in compiled.graph.ops]
    assert kinds == [OpKind(op)], kinds
    assert getattr(compiled.graph.ops[0].attrs, "activation", None) == "RELU"
    assert_bit_exact(model, {"chain": f"{op}+RELU"})


def test_chain_planned_in_place() -> None:
    """x -> QUANTIZE -> LOGISTIC -> MUL(const) -> SUB(t1) -> HARD_SWISH -> LOG_SOFTMAX ->
    QUANTIZE -> y: every intermediate lives in the arena; at least one of the new ops
    writes over its input."""
    mb = ModelBuilder("elementwise-chain")
    shape = [2, 8, 8, 16]
    x = mb.add_tensor("x", shape, "int8", QParams(0.1, 4))
    t1 = mb.add_tensor("t1", shape, "int8", QParams(0.08, -3))
    t2 = mb.add_tensor("t2", shape, "int8", QParams(1.0 / 256, -128))
    w = mb.add_tensor("w", [16], "int8", QParams(0.01, 0),
                      data=np.arange(-64, 64, 8, dtype=np.int8))
    t3 = mb.add_tensor("t3", shape, "int8", QParams(0.002, 5))
    t4 = mb.add_tensor("t4", shape, "int8", QParams(0.1, -7))
    t5 = mb.add_tensor("t5", shape, "int8", QParams(0.05, -100))
    t6 = mb.add_tensor("t6", shape, "int8", QParams(16.0 / 256, 127))
    y = mb.add_tensor("y", shape, "int8", QParams(0.07, 20))
    mb.add_op("QUANTIZE", [x], [t1])
    mb.add_op("LOGISTIC", [t1], [t2])
    mb.add_op("MUL", [t2, w], [t3], {"fused_activation_function": "NONE"})
    mb.add_op("SUB", [t3, t1], [t4], {"fused_activation_function": "RELU6"})
    mb.add_op("HARD_SWISH", [t4], [t5])
    mb.add_op("LOG_SOFTMAX", [t5], [t6])
    mb.add_op("QUANTIZE", [t6], [y])
    mb.set_io([x], [y])
    model = mb.build()
    compiled = api.compile_model(model)
    g = compiled.graph
    new_kinds = {OpKind.LOGISTIC, OpKind.MUL, OpKind.SUB, OpKind.HARD_SWISH,
                 OpKind.LOG_SOFTMAX}
    written_in_place = {
        op.kind for op in g.ops
        if op.kind in new_kinds and (op.inputs[0], op.outputs[0]) in compiled.plan.shared_pairs
    }
    assert compiled.plan.inplace and written_in_place, compiled.plan.shared_pairs
    assert_bit_exact(model, {"chain": "elementwise"})
