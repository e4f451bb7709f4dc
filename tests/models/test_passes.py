"""Every rewriting pass, before and after: the pass fires on a model built for it,
and the rewritten library's bytes still equal TFLite Micro running the original
file. Also the cases a pass must leave alone."""

from __future__ import annotations

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.ir import OpKind
from tests.tflite_writer import ModelBuilder, QParams

Q_IN = QParams([0.05], [3])


def _conv(mb: ModelBuilder, rng: np.random.Generator, x: int, in_q: QParams, in_shape: list[int],
          out_shape: list[int], out_q: QParams, kernel: int = 3, padding: str = "SAME",
          depthwise: bool = False, activation: str = "NONE") -> int:
    c_in, c_out = in_shape[-1], out_shape[-1]
    if depthwise:
        w = rng.integers(-127, 128, (1, kernel, kernel, c_out)).astype(np.int8)
        scales, axis = [float(s) for s in rng.uniform(0.005, 0.02, c_out)], 3
    else:
        w = rng.integers(-127, 128, (c_out, kernel, kernel, c_in)).astype(np.int8)
        scales, axis = [float(s) for s in rng.uniform(0.005, 0.02, c_out)], 0
    wt = mb.add_tensor("w", list(w.shape), "int8", QParams(scales, [0] * c_out, axis), data=w)
    b = rng.integers(-300, 300, c_out).astype(np.int32)
    bt = mb.add_tensor("b", [c_out], "int32",
                       QParams([in_q.scale[0] * s for s in scales], [0] * c_out), data=b)
    y = mb.add_tensor("conv_out", out_shape, "int8", out_q)
    opts: dict[str, object] = {"padding": padding, "fused_activation_function": activation}
    if depthwise:
        opts["depth_multiplier"] = c_out // c_in
    mb.add_op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bt], [y], opts)
    return y


def _check(model: bytes, gone: set[OpKind], kept: dict[OpKind, int]) -> None:
    compiled = api.compile_model(model)
    kinds = [op.kind for op in compiled.graph.ops]
    for k in gone:
        assert k not in kinds, kinds
    for k, n in kept.items():
        assert kinds.count(k) == n, kinds
    result = api.verify(model, inputs=6, seed=5)
    assert result.ok, [m.describe() for _, ms in result.failures for m in ms]


@pytest.mark.parametrize("act", ["RELU", "RELU6"])
def test_standalone_activation_is_fused_into_the_conv(act: str) -> None:
    rng = np.random.default_rng(1)
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 6, 6, 4], "int8", Q_IN)
    q = QParams([0.04], [-20])
    y = _conv(mb, rng, x, Q_IN, [1, 6, 6, 4], [1, 6, 6, 8], q)
    z = mb.add_tensor("act", [1, 6, 6, 8], "int8", q)
    mb.add_op(act, [y], [z])
    mb.set_io([x], [z])
    _check(mb.build(), {OpKind[act]}, {OpKind.CONV_2D: 1})


def test_relu_with_new_quantization_runs_standalone() -> None:
    """Different output quantization: not fusable, the RELU kernel requantizes."""
    rng = np.random.default_rng(2)
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 6, 6, 4], "int8", Q_IN)
    y = _conv(mb, rng, x, Q_IN, [1, 6, 6, 4], [1, 6, 6, 8], QParams([0.04], [-20]))
    z = mb.add_tensor("relu", [1, 6, 6, 8], "int8", QParams([0.03], [-128]))
    mb.add_op("RELU", [y], [z])
    mb.set_io([x], [z])
    _check(mb.build(), set(), {OpKind.CONV_2D: 1, OpKind.RELU: 1})


def test_relu6_on_a_graph_input_runs_standalone() -> None:
    mb = ModelBuilder()
    q = QParams([0.03], [-10])
    x = mb.add_tensor("x", [2, 50], "int8", q)
    z = mb.add_tensor("relu6", [2, 50], "int8", q)
    mb.add_op("RELU6", [x], [z])
    mb.set_io([x], [z])
    _check(mb.build(), set(), {OpKind.RELU6: 1})


@pytest.mark.parametrize("depthwise", [False, True])
@pytest.mark.parametrize("kind", ["PAD", "PADV2"])
def test_pad_with_zero_point_is_folded_into_a_valid_conv(kind: str, depthwise: bool) -> None:
    rng = np.random.default_rng(3)
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 7, 9, 4], "int8", Q_IN)
    pads = mb.add_tensor("pads", [4, 2], "int32",
                         data=np.array([[0, 0], [1, 2], [2, 1], [0, 0]], np.int32))
    padded = mb.add_tensor("padded", [1, 10, 12, 4], "int8", Q_IN)
    inputs = [x, pads]
    if kind == "PADV2":
        inputs.append(mb.add_tensor("value", [1], "int8", Q_IN,
                                    data=np.array([Q_IN.zero_point[0]], np.int8)))
    mb.add_op(kind, inputs, [padded])
    c_out = 8
    y = _conv(mb, rng, padded, Q_IN, [1, 10, 12, 4], [1, 8, 10, c_out], QParams([0.05], [0]),
              padding="VALID", depthwise=depthwise)
    mb.set_io([x], [y])
    conv = OpKind.DEPTHWISE_CONV_2D if depthwise else OpKind.CONV_2D
    _check(mb.build(), {OpKind[kind]}, {conv: 1})


def test_pad_with_another_value_is_not_folded() -> None:
    rng = np.random.default_rng(4)
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 5, 5, 2], "int8", Q_IN)
    pads = mb.add_tensor("pads", [4, 2], "int32",
                         data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))
    value = mb.add_tensor("value", [1], "int8", Q_IN, data=np.array([50], np.int8))
    padded = mb.add_tensor("padded", [1, 7, 7, 2], "int8", Q_IN)
    mb.add_op("PADV2", [x, pads, value], [padded])
    y = _conv(mb, rng, padded, Q_IN, [1, 7, 7, 2], [1, 5, 5, 4], QParams([0.05], [0]),
              padding="VALID")
    mb.set_io([x], [y])
    # not folded: the PADV2 runs on its own (fill, then copy), still bit-exact
    _check(mb.build(), set(), {OpKind.PADV2: 1, OpKind.CONV_2D: 1})


def test_dequantize_quantize_pair_with_equal_parameters_cancels() -> None:
    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 16], "int8", Q_IN)
    f = mb.add_tensor("f", [1, 16], "float32")
    q = mb.add_tensor("q", [1, 16], "int8", Q_IN)
    mb.add_op("DEQUANTIZE", [x], [f])
    mb.add_op("QUANTIZE", [f], [q])
    z = mb.add_tensor("relu", [1, 16], "int8", QParams([0.02], [-128]))
    mb.add_op("RELU", [q], [z])
    mb.set_io([x], [z])
    _check(mb.build(), {OpKind.DEQUANTIZE, OpKind.QUANTIZE}, {OpKind.RELU: 1})


@pytest.mark.parametrize("same", [True, False])
def test_int8_requantize(same: bool) -> None:
    """Equal parameters: the QUANTIZE is an identity and disappears; otherwise the
    requantize kernel runs."""
    mb = ModelBuilder()
    x = mb.add_tensor("x", [3, 40], "int8", Q_IN)
    q = mb.add_tensor("q", [3, 40], "int8", Q_IN if same else QParams([0.011], [-7]))
    mb.add_op("QUANTIZE", [x], [q])
    z = mb.add_tensor("relu", [3, 40], "int8", QParams([0.02], [-128]))
    mb.add_op("RELU", [q], [z])
    mb.set_io([x], [z])
    if same:
        _check(mb.build(), {OpKind.QUANTIZE}, {OpKind.RELU: 1})
    else:
        _check(mb.build(), set(), {OpKind.QUANTIZE: 1, OpKind.RELU: 1})


def test_reshape_chain_collapses_to_one() -> None:
    mb = ModelBuilder()
    q = QParams([0.05], [0])
    x = mb.add_tensor("x", [1, 4, 4, 2], "int8", q)
    a = mb.add_tensor("a", [1, 32], "int8", q)
    b = mb.add_tensor("b", [2, 16], "int8", q)
    c = mb.add_tensor("c", [1, 2, 16], "int8", q)
    mb.add_op("RESHAPE", [x], [a], {"new_shape": [1, 32]})
    mb.add_op("RESHAPE", [a], [b], {"new_shape": [2, 16]})
    mb.add_op("RESHAPE", [b], [c], {"new_shape": [1, 2, 16]})
    z = mb.add_tensor("relu", [1, 2, 16], "int8", QParams([0.02], [-128]))
    mb.add_op("RELU", [c], [z])
    mb.set_io([x], [z])
    _check(mb.build(), set(), {OpKind.RESHAPE: 1, OpKind.RELU: 1})


def test_shape_chain_is_evaluated_at_build_time() -> None:
    """SHAPE -> STRIDED_SLICE -> PACK computes a RESHAPE's shape from the input."""
    mb = ModelBuilder()
    q = QParams([0.05], [1])
    x = mb.add_tensor("x", [2, 3, 8], "int8", q)
    shape = mb.add_tensor("shape", [3], "int32")
    mb.add_op("SHAPE", [x], [shape], {"out_type": "INT32"})
    begin = mb.add_tensor("begin", [1], "int32", data=np.array([0], np.int32))
    end = mb.add_tensor("end", [1], "int32", data=np.array([1], np.int32))
    stride = mb.add_tensor("stride", [1], "int32", data=np.array([1], np.int32))
    batch = mb.add_tensor("batch", [], "int32")
    mb.add_op("STRIDED_SLICE", [shape, begin, end, stride], [batch], {"shrink_axis_mask": 1})
    rest = mb.add_tensor("rest", [], "int32", data=np.array(24, np.int32))
    new_shape = mb.add_tensor("new_shape", [2], "int32")
    mb.add_op("PACK", [batch, rest], [new_shape], {"axis": 0, "values_count": 2})
    y = mb.add_tensor("y", [2, 24], "int8", q)
    mb.add_op("RESHAPE", [x, new_shape], [y])
    z = mb.add_tensor("relu", [2, 24], "int8", QParams([0.02], [-128]))
    mb.add_op("RELU", [y], [z])
    mb.set_io([x], [z])
    _check(mb.build(), {OpKind.SHAPE, OpKind.STRIDED_SLICE, OpKind.PACK},
           {OpKind.RESHAPE: 1, OpKind.RELU: 1})


def test_fill_with_constant_dims_becomes_a_constant() -> None:
    mb = ModelBuilder()
    q = QParams([0.05], [1])
    x = mb.add_tensor("x", [1, 12], "int8", q)
    dims = mb.add_tensor("dims", [2], "int32", data=np.array([1, 12], np.int32))
    value = mb.add_tensor("value", [], "int8", q, data=np.array(9, np.int8))
    filled = mb.add_tensor("filled", [1, 12], "int8", q)
    mb.add_op("FILL", [dims, value], [filled])
    z = mb.add_tensor("sum", [1, 12], "int8", QParams([0.07], [-3]))
    mb.add_op("ADD", [x, filled], [z])
    mb.set_io([x], [z])
    _check(mb.build(), {OpKind.FILL}, {OpKind.ADD: 1})


def test_dead_ops_are_removed() -> None:
    """An op whose result nobody reads costs nothing."""
    mb = ModelBuilder()
    q = QParams([0.05], [1])
    x = mb.add_tensor("x", [1, 12], "int8", q)
    unused = mb.add_tensor("unused", [1, 12], "int8", QParams([0.02], [-128]))
    mb.add_op("RELU", [x], [unused])
    z = mb.add_tensor("relu6", [1, 12], "int8", q)
    mb.add_op("RELU6", [x], [z])
    mb.set_io([x], [z])
    _check(mb.build(), {OpKind.RELU}, {OpKind.RELU6: 1})
