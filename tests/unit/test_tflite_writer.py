"""Tests for tests/tflite_writer.py: models load and run in TFLM, round-trip
through the ``tflite`` parser, and mean what their parameters say.

The numeric checks here compare TFLite Micro with a *float* model of each op,
rebuilt from the constants read back out of the file; they prove the writer
wrote the weights, scales and options it was asked to (a wrong scale or layout
is off by far more than the one LSB that float and integer arithmetic may
differ by). They are not bit-exactness tests of mcu-codegen: those compare
bytes with no tolerance, in tests/kernels and tests/models."""

from __future__ import annotations

import numpy as np
import pytest
import tflite

from tests.tflite_writer import (
    OP_TABLE,
    ModelBuilder,
    QParams,
    TensorSpec,
    add_model,
    conv2d_model,
    conv_output_size,
    depthwise_conv2d_model,
    dequantize_array,
    dequantize_model,
    describe_io,
    expand_dims_model,
    fully_connected_model,
    pool2d_model,
    quantize_array,
    quantize_model,
    read_tensors,
    reshape_model,
    single_op_model,
    softmax_model,
    squeeze_model,
)

runtime = pytest.importorskip("tflite_micro").runtime

ARENA = 1_000_000


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def run_tflm(model: bytes, *inputs: np.ndarray) -> np.ndarray:
    it = runtime.Interpreter.from_bytes(model, arena_size=ARENA)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    return it.get_output(0)


def rand_int8(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(-128, 128, size=shape, dtype=np.int8)


def tensors_by_name(model: bytes) -> dict:
    return {t.name: t for t in read_tensors(model)}


def act_range(act: str, qp: QParams) -> tuple[int, int]:
    """Quantized clamp range of a fused activation (int8 output)."""
    s, z = qp.scale[0], qp.zero_point[0]
    lo, hi = -128, 127
    if act in ("RELU", "RELU6"):
        lo = max(lo, z)
    if act == "RELU6":
        hi = min(hi, z + round(6.0 / s))
    if act == "RELU_N1_TO_1":
        lo, hi = max(lo, z + round(-1.0 / s)), min(hi, z + round(1.0 / s))
    return lo, hi


def pad_before(in_size: int, k: int, s: int, d: int, padding: str) -> int:
    out = conv_output_size(in_size, k, s, d, padding)
    if padding == "VALID":
        return 0
    return max((out - 1) * s + (k - 1) * d + 1 - in_size, 0) // 2


def conv_ref(x, w, b, stride, dilation, padding, depthwise=False):
    """Float NHWC conv. w: [O, KH, KW, I] or depthwise [1, KH, KW, C*M]."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[1:3]
    o = w.shape[3] if depthwise else w.shape[0]
    (sh, sw), (dh, dw) = stride, dilation
    oh, ow = (conv_output_size(h, kh, sh, dh, padding), conv_output_size(wd, kw, sw, dw, padding))
    pt, pl = pad_before(h, kh, sh, dh, padding), pad_before(wd, kw, sw, dw, padding)
    xp = np.zeros((n, h + pt + (kh - 1) * dh + oh * sh, wd + pl + (kw - 1) * dw + ow * sw, c))
    xp[:, pt : pt + h, pl : pl + wd, :] = x
    out = np.zeros((n, oh, ow, o))
    for i in range(kh):
        for j in range(kw):
            patch = xp[
                :,
                i * dh : i * dh + (oh - 1) * sh + 1 : sh,
                j * dw : j * dw + (ow - 1) * sw + 1 : sw,
            ]
            if depthwise:
                out += np.repeat(patch, o // c, axis=-1) * w[0, i, j, :]
            else:
                out += patch @ w[:, i, j, :].T
    return out + (0.0 if b is None else b)


def assert_close_q(actual: np.ndarray, expected: np.ndarray, max_diff: int = 1, exact_frac=0.9):
    """int8 outputs agree to +-max_diff LSB, and mostly exactly."""
    assert actual.shape == expected.shape
    diff = np.abs(actual.astype(np.int32) - expected.astype(np.int32))
    assert diff.max() <= max_diff, f"max diff {diff.max()}"
    assert np.mean(diff == 0) >= exact_frac, f"only {np.mean(diff == 0):.2%} exact"


def accumulator_reference(model: bytes, x_q: np.ndarray, act: str, kind: str, **conv) -> np.ndarray:
    """Expected int8 output from the dequantized constants read back from the model."""
    t = tensors_by_name(model)
    x = dequantize_array(x_q, t["input"].quant)
    wname = "weights" if kind == "fc" else "filter"
    w = dequantize_array(t[wname].data, t[wname].quant)
    b = dequantize_array(t["bias"].data, t["bias"].quant) if "bias" in t else None
    if kind == "fc":
        real = x.reshape(-1, x.shape[-1]) @ w.T + (0.0 if b is None else b)
        real = real.reshape(t["output"].shape)
    else:
        real = conv_ref(x, w, b, depthwise=kind == "dw", **conv)
    out_qp = t["output"].quant
    lo, hi = act_range(act, out_qp)
    return np.clip(quantize_array(real, out_qp), lo, hi).astype(np.int8)


def options_of(model: bytes, op_index: int, cls):
    m = tflite.Model.GetRootAsModel(model, 0)
    op = m.Subgraphs(0).Operators(op_index)
    tab = op.BuiltinOptions()
    opts = cls()
    opts.Init(tab.Bytes, tab.Pos)
    return op, opts


# ----------------------------------------------------------------------------
# round trip / structure
# ----------------------------------------------------------------------------


def _small_network() -> tuple[bytes, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    mb = ModelBuilder("roundtrip")
    in_qp = QParams([0.05], [-3])
    x = mb.add_tensor("x", [1, 4, 4, 2], "int8", in_qp)
    w_q = rng.integers(-127, 128, size=(3, 3, 3, 2)).astype(np.int8)
    w = mb.add_tensor("w", [3, 3, 3, 2], "int8", QParams([0.01, 0.02, 0.1], [0], 0), data=w_q)
    b_q = np.array([1000, -70000, 123456], dtype=np.int32)
    b = mb.add_tensor("b", [3], "int32", QParams([0.0005, 0.001, 0.005], [0, 0, 0]), data=b_q)
    c = mb.add_tensor("conv", [1, 2, 2, 3], "int8", QParams([0.2], [4]))
    mb.add_op(
        "CONV_2D",
        [x, w, b],
        [c],
        {
            "padding": "VALID",
            "stride_w": 2,
            "stride_h": 1,
            "dilation_h_factor": 2,
            "fused_activation_function": "RELU6",
        },
    )
    r = mb.add_tensor("flat", [1, 12], "int8", QParams([0.2], [4]))
    mb.add_op("RESHAPE", [c], [r], {"new_shape": [1, 12]})
    fw = mb.add_tensor("fc_w", [5, 12], "int8", QParams(0.01, 0), data=np.ones((5, 12)))
    f = mb.add_tensor("fc", [1, 5], "int8", QParams([0.1], [0]))
    mb.add_op("FULLY_CONNECTED", [r, fw, -1], [f], {"keep_num_dims": False})
    s = mb.add_tensor("probs", [1, 5], "int8", QParams([1 / 256], [-128]))
    mb.add_op("SOFTMAX", [f], [s], {"beta": 0.5})
    mb.set_io([x], [s])
    return mb.build(), w_q, b_q


def test_roundtrip_model_structure():
    model, w_q, b_q = _small_network()
    assert model[4:8] == b"TFL3"
    assert tflite.Model.ModelBufferHasIdentifier(model, 0)
    m = tflite.Model.GetRootAsModel(model, 0)
    assert m.Version() == 3
    assert m.Description() == b"roundtrip"
    assert m.SubgraphsLength() == 1

    # opcodes: one per distinct op, both code fields, version 1
    codes = [m.OperatorCodes(i) for i in range(m.OperatorCodesLength())]
    assert [oc.BuiltinCode() for oc in codes] == [
        tflite.BuiltinOperator.CONV_2D,
        tflite.BuiltinOperator.RESHAPE,
        tflite.BuiltinOperator.FULLY_CONNECTED,
        tflite.BuiltinOperator.SOFTMAX,
    ]
    assert all(oc.DeprecatedBuiltinCode() == oc.BuiltinCode() for oc in codes)
    assert all(oc.Version() == 1 for oc in codes)

    # buffers: 0 is the empty sentinel, constants have their own buffer
    sg = m.Subgraphs(0)
    assert m.Buffers(0).DataLength() == 0
    assert m.BuffersLength() == 4
    const = {"w", "b", "fc_w"}
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        if t.Name().decode() in const:
            assert t.Buffer() != 0
            assert m.Buffers(t.Buffer()).DataLength() > 0
        else:
            assert t.Buffer() == 0
    assert list(sg.InputsAsNumpy()) == [0]
    assert list(sg.OutputsAsNumpy()) == [sg.TensorsLength() - 1]
    assert list(sg.Operators(2).InputsAsNumpy()) == [4, 5, -1]  # flat, fc_w, absent bias

    # tensors, quantization and constant data read back
    t = tensors_by_name(model)
    assert t["x"].shape == (1, 4, 4, 2) and t["x"].dtype == "int8"
    assert t["x"].quant.zero_point == [-3]
    assert t["x"].quant.scale == pytest.approx([0.05])
    assert t["w"].quant.scale == pytest.approx([0.01, 0.02, 0.1])
    assert t["w"].quant.zero_point == [0, 0, 0]  # broadcast from [0]
    assert t["w"].quant.quantized_dimension == 0
    np.testing.assert_array_equal(t["w"].data, w_q)
    assert t["b"].dtype == "int32"
    np.testing.assert_array_equal(t["b"].data, b_q)
    np.testing.assert_array_equal(t["fc_w"].data, np.ones((5, 12), np.int8))

    # options
    op, conv = options_of(model, 0, tflite.Conv2DOptions)
    assert op.BuiltinOptionsType() == tflite.BuiltinOptions.Conv2DOptions
    assert conv.Padding() == tflite.Padding.VALID
    assert (conv.StrideW(), conv.StrideH()) == (2, 1)
    assert (conv.DilationWFactor(), conv.DilationHFactor()) == (1, 2)
    assert conv.FusedActivationFunction() == tflite.ActivationFunctionType.RELU6
    _, rs = options_of(model, 1, tflite.ReshapeOptions)
    assert list(rs.NewShapeAsNumpy()) == [1, 12]
    _, fc = options_of(model, 2, tflite.FullyConnectedOptions)
    assert not fc.KeepNumDims()
    _, sm = options_of(model, 3, tflite.SoftmaxOptions)
    assert sm.Beta() == pytest.approx(0.5)


def test_multi_op_model_runs_in_tflm():
    model, _, _ = _small_network()
    rng = np.random.default_rng(0)
    y = run_tflm(model, rand_int8(rng, (1, 4, 4, 2)))
    assert y.shape == (1, 5) and y.dtype == np.int8
    # softmax output: probabilities summing to ~1
    assert dequantize_array(y, QParams([1 / 256], [-128])).sum() == pytest.approx(1.0, abs=0.03)


def test_constant_buffers_are_aligned():
    model, _, _ = _small_network()
    m = tflite.Model.GetRootAsModel(model, 0)
    for i in range(1, m.BuffersLength()):
        buf = m.Buffers(i)
        start = buf._tab.Vector(buf._tab.Offset(4))
        assert start % 16 == 0


def test_large_opcode_writes_placeholder_deprecated_code():
    model = single_op_model(
        "BROADCAST_TO",
        [TensorSpec([1, 3], "float32"), TensorSpec([2], "int32", data=np.array([2, 3]))],
        TensorSpec([2, 3], "float32"),
    )
    oc = tflite.Model.GetRootAsModel(model, 0).OperatorCodes(0)
    assert oc.BuiltinCode() == tflite.BuiltinOperator.BROADCAST_TO == 130
    assert oc.DeprecatedBuiltinCode() == 127
    y = run_tflm(model, np.array([[1, 2, 3]], np.float32))
    np.testing.assert_array_equal(y, [[1, 2, 3], [1, 2, 3]])


@pytest.mark.parametrize("opcode", sorted(OP_TABLE))
def test_every_table_entry_serializes_options(opcode):
    mb = ModelBuilder()
    a = mb.add_tensor("a", [1, 4], "float32")
    y = mb.add_tensor("y", [1, 4], "float32")
    mb.add_op(opcode, [a], [y])
    model = mb.build()
    m = tflite.Model.GetRootAsModel(model, 0)
    op = m.Subgraphs(0).Operators(0)
    assert m.OperatorCodes(0).BuiltinCode() == getattr(tflite.BuiltinOperator, opcode)
    expected = getattr(tflite.BuiltinOptions, OP_TABLE[opcode].options_type)
    assert op.BuiltinOptionsType() == expected
    assert op.BuiltinOptions() is not None


def test_defaults_and_op_without_options():
    mb = ModelBuilder()
    a = mb.add_tensor("a", [1, 4], "int8", QParams(0.1, 0))
    y = mb.add_tensor("y", [1, 4], "int8", QParams(0.1, 0))
    mb.add_op("RELU", [a], [y])  # no options table at all
    z = mb.add_tensor("z", [1, 1, 1, 4], "int8", QParams(0.1, 0))
    mb.add_op("EXPAND_DIMS", [y, mb.add_tensor("ax", [1], "int32", data=[0])], [z])
    model = mb.build()  # set_io not called: inferred
    ins, outs = describe_io(model)
    assert [t.name for t in ins] == ["a"] and [t.name for t in outs] == ["z"]
    assert tflite.Model.GetRootAsModel(model, 0).Subgraphs(0).Operators(0).BuiltinOptionsType() == 0

    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 4, 4, 1], "int8", QParams(0.1, 0))
    w = mb.add_tensor("w", [1, 1, 1, 1], "int8", QParams(0.1, 0), data=[1])
    o = mb.add_tensor("o", [1, 4, 4, 1], "int8", QParams(0.1, 0))
    mb.add_op("CONV_2D", [x, w, -1], [o])  # strides default to 1 (schema default is 0)
    model = mb.build()
    _, conv = options_of(model, 0, tflite.Conv2DOptions)
    assert (conv.StrideW(), conv.StrideH(), conv.DilationWFactor()) == (1, 1, 1)
    y = run_tflm(model, np.full((1, 4, 4, 1), 40, np.int8))
    np.testing.assert_array_equal(y, np.full((1, 4, 4, 1), 4, np.int8))  # 4.0*0.1 / 0.1


def test_builder_rejects_bad_input():
    mb = ModelBuilder()
    a = mb.add_tensor("a", [2], "int8", QParams(0.1, 0))
    with pytest.raises(ValueError, match="unknown builtin operator"):
        mb.add_op("NOT_AN_OP", [a], [a])
    with pytest.raises(ValueError, match="out of range"):
        mb.add_tensor("c", [2], "int8", data=np.array([0, 200]))
    with pytest.raises(ValueError, match="elements"):
        mb.add_tensor("c", [3], "int8", data=np.array([0, 1]))
    with pytest.raises(ValueError, match="scales"):
        mb.add_tensor("c", [2, 3], "int8", QParams([0.1, 0.2, 0.3], [0], 0))
    with pytest.raises(ValueError, match="dtype"):
        mb.add_tensor("c", [2], "complex64")
    with pytest.raises(IndexError):
        mb.add_op("RELU", [a], [5])
    with pytest.raises(ValueError, match="no builtin options"):
        mb.add_op("RELU", [a], [a], {"alpha": 1.0})
    mb.add_op("ADD", [a, a], [a], {"no_such_field": 1})
    with pytest.raises(KeyError, match="no_such_field"):
        mb.build()
    mb = ModelBuilder()
    a = mb.add_tensor("a", [2], "int8", QParams(0.1, 0))
    mb.add_op("ADD", [a, a], [a], {"fused_activation_function": "RELU7"})
    with pytest.raises(ValueError, match="RELU7"):
        mb.build()


def test_conv_output_size_rules():
    assert conv_output_size(9, 3, 1, 1, "SAME") == 9
    assert conv_output_size(9, 3, 2, 1, "SAME") == 5
    assert conv_output_size(9, 3, 2, 1, "VALID") == 4
    assert conv_output_size(10, 3, 1, 2, "VALID") == 6  # effective kernel 5
    assert conv_output_size(11, 3, 2, 2, "VALID") == 4
    assert conv_output_size(10, 3, 3, 4, "SAME") == 4  # dilation irrelevant for SAME
    with pytest.raises(ValueError):
        conv_output_size(3, 3, 1, 2, "VALID")


def test_quantize_array_rounds_half_away_from_zero():
    q = QParams(0.5, 1)
    np.testing.assert_array_equal(
        quantize_array([0.25, -0.25, 0.75, 100.0, -100.0], q), [2, 0, 3, 127, -128]
    )
    pc = QParams([1.0, 0.1], [0, 0], quantized_dimension=1)
    np.testing.assert_array_equal(quantize_array([[1.0, 1.0]], pc), [[1, 10]])
    np.testing.assert_allclose(dequantize_array([[1, 10]], pc), [[1.0, 1.0]])


# ----------------------------------------------------------------------------
# hand-computed cases
# ----------------------------------------------------------------------------
# input scale 0.5 zp 1: x_q = [[3, -1], [5, 9]] -> x = [[1, -1], [2, 4]]
# weights per-channel: oc0 [2, 4] * 0.25 = [0.5, 1.0]; oc1 [-3, 1] * 0.5 = [-1.5, 0.5]
# bias: oc0 8 * (0.5*0.25) = 1.0; oc1 -2 * (0.5*0.5) = -0.5
# out real: p0 = [0.5, -2.5], p1 = [6.0, -1.5]; output scale 0.25 zp -2
#   -> [0, -12], [22, -8]; with RELU clamp at zp: [0, -2], [22, -2]
HAND_X = np.array([3, -1, 5, 9], np.int8)
HAND_W = np.array([[2, 4], [-3, 1]], np.int8)
HAND_KW = dict(
    input_qp=QParams(0.5, 1),
    output_qp=QParams(0.25, -2),
    weight_scales=[0.25, 0.5],
    bias=np.array([8, -2]),
)
HAND_EXPECTED = {"NONE": [0, -12, 22, -8], "RELU": [0, -2, 22, -2]}


@pytest.mark.parametrize("act", ["NONE", "RELU"])
def test_hand_computed_1x1_conv(act):
    model = conv2d_model(
        None,
        [1, 1, 2, 2],
        2,
        kernel=1,
        activation=act,
        weights=HAND_W.reshape(2, 1, 1, 2),
        **HAND_KW,
    )
    y = run_tflm(model, HAND_X.reshape(1, 1, 2, 2))
    assert y.dtype == np.int8 and y.shape == (1, 1, 2, 2)
    np.testing.assert_array_equal(y.ravel(), HAND_EXPECTED[act])


@pytest.mark.parametrize("act", ["NONE", "RELU"])
def test_hand_computed_fully_connected(act):
    model = fully_connected_model(
        None, [2, 2], 2, activation=act, per_channel=True, weights=HAND_W, **HAND_KW
    )
    y = run_tflm(model, HAND_X.reshape(2, 2))
    assert y.dtype == np.int8 and y.shape == (2, 2)
    np.testing.assert_array_equal(y.ravel(), HAND_EXPECTED[act])


def test_hand_computed_depthwise():
    # 2 channels, M=1, 1x1 kernel: out[c] = x[c] * w[c] + b[c]
    model = depthwise_conv2d_model(
        None,
        [1, 1, 2, 2],
        1,
        kernel=1,
        weights=np.array([2, -3]).reshape(1, 1, 1, 2),
        input_qp=QParams(0.5, 1),
        output_qp=QParams(0.25, -2),
        weight_scales=[0.25, 0.5],
        bias=np.array([8, -2]),
    )
    y = run_tflm(model, HAND_X.reshape(1, 1, 2, 2))
    # p0: 1*0.5+1 = 1.5 -> 6-2 = 4 ; -1*-1.5-0.5 = 1.0 -> 4-2 = 2
    # p1: 2*0.5+1 = 2.0 -> 6 ; 4*-1.5-0.5 = -6.5 -> -26-2 = -28
    np.testing.assert_array_equal(y.ravel(), [4, 2, 6, -28])


# ----------------------------------------------------------------------------
# helper models in TFLM vs references
# ----------------------------------------------------------------------------

CONV_CASES = [
    # in_shape, cout, kernel, stride, padding, dilation, act, per_channel, bias, expected shape
    ([1, 9, 9, 3], 4, 3, 1, "SAME", 1, "NONE", True, True, (1, 9, 9, 4)),
    ([1, 9, 9, 3], 5, (3, 2), 2, "VALID", 1, "RELU", True, True, (1, 4, 4, 5)),
    ([2, 10, 8, 2], 3, 3, (2, 1), "SAME", 2, "RELU6", False, True, (2, 5, 8, 3)),
    ([1, 7, 7, 4], 2, 1, 1, "VALID", 1, "RELU_N1_TO_1", True, False, (1, 7, 7, 2)),
    ([1, 11, 11, 2], 3, 3, 2, "VALID", 2, "NONE", True, True, (1, 4, 4, 3)),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_model(case):
    in_shape, cout, k, s, pad, d, act, pc, bias, expected_shape = case
    rng = np.random.default_rng(1)
    model = conv2d_model(rng, in_shape, cout, k, s, pad, d, act, pc, with_bias=bias)
    x = rand_int8(rng, in_shape)
    y = run_tflm(model, x)
    assert y.dtype == np.int8 and y.shape == expected_shape
    out_qp = tensors_by_name(model)["output"].quant
    lo, hi = act_range(act, out_qp)
    assert y.min() >= lo and y.max() <= hi
    if act == "RELU":
        assert y.min() == out_qp.zero_point[0]  # clamping happened
    t = tensors_by_name(model)
    assert ("bias" in t) == bias
    op_inputs = tflite.Model.GetRootAsModel(model, 0).Subgraphs(0).Operators(0).InputsAsNumpy()
    assert len(op_inputs) == 3 and (op_inputs[2] == -1) == (not bias)
    w_scales = t["filter"].quant.scale
    assert len(w_scales) == (cout if pc else 1)
    if pc:
        assert max(w_scales) / min(w_scales) == pytest.approx(10.0, rel=1e-3)
    assert np.abs(t["filter"].data).max() == 127 and t["filter"].data.min() >= -127
    if bias:
        np.testing.assert_allclose(
            t["bias"].quant.scale, np.array(w_scales) * t["input"].quant.scale[0], rtol=1e-6
        )
    stride = (s, s) if isinstance(s, int) else s
    expected = accumulator_reference(
        model, x, act, "conv", stride=stride, dilation=(d, d), padding=pad
    )
    assert_close_q(y, expected)
    assert len(np.unique(y)) > 10  # output is not saturated / degenerate


DW_CASES = [
    ([1, 8, 8, 3], 1, 3, 1, "SAME", 1, "NONE", True, True, (1, 8, 8, 3)),
    ([1, 9, 9, 2], 2, 3, 2, "VALID", 1, "RELU", True, True, (1, 4, 4, 4)),
    ([1, 10, 10, 4], 1, 3, 1, "SAME", 2, "RELU6", False, False, (1, 10, 10, 4)),
    ([1, 7, 7, 3], 3, (2, 3), (1, 2), "SAME", 1, "NONE", True, True, (1, 7, 4, 9)),
]


@pytest.mark.parametrize("case", DW_CASES)
def test_depthwise_conv2d_model(case):
    in_shape, mult, k, s, pad, d, act, pc, bias, expected_shape = case
    rng = np.random.default_rng(2)
    model = depthwise_conv2d_model(rng, in_shape, mult, k, s, pad, d, act, pc, with_bias=bias)
    x = rand_int8(rng, in_shape)
    y = run_tflm(model, x)
    assert y.dtype == np.int8 and y.shape == expected_shape
    t = tensors_by_name(model)
    op_inputs = tflite.Model.GetRootAsModel(model, 0).Subgraphs(0).Operators(0).InputsAsNumpy()
    assert len(op_inputs) == (3 if bias else 2)  # TFLM segfaults on a -1 depthwise bias
    assert t["filter"].shape[0] == 1 and t["filter"].shape[3] == in_shape[3] * mult
    assert t["filter"].quant.quantized_dimension == 3
    assert len(t["filter"].quant.scale) == (in_shape[3] * mult if pc else 1)
    _, opts = options_of(model, 0, tflite.DepthwiseConv2DOptions)
    assert opts.DepthMultiplier() == mult
    stride = (s, s) if isinstance(s, int) else s
    expected = accumulator_reference(
        model, x, act, "dw", stride=stride, dilation=(d, d), padding=pad
    )
    assert_close_q(y, expected)


FC_CASES = [
    # in_shape, units, act, per_channel, bias, keep_num_dims, expected shape
    ([1, 16], 8, "NONE", False, True, False, (1, 8)),
    ([4, 20], 6, "RELU", True, True, False, (4, 6)),
    ([3, 12], 5, "NONE", False, False, False, (3, 5)),
    ([5, 10], 7, "RELU6", True, False, False, (5, 7)),
    ([2, 3, 8], 4, "NONE", True, True, True, (2, 3, 4)),
    ([2, 3, 8], 4, "NONE", False, True, False, (6, 4)),
]


@pytest.mark.parametrize("case", FC_CASES)
def test_fully_connected_model(case):
    in_shape, units, act, pc, bias, keep, expected_shape = case
    rng = np.random.default_rng(3)
    model = fully_connected_model(rng, in_shape, units, act, pc, with_bias=bias, keep_num_dims=keep)
    x = rand_int8(rng, in_shape)
    y = run_tflm(model, x)
    assert y.dtype == np.int8 and y.shape == expected_shape
    t = tensors_by_name(model)
    assert t["weights"].shape == (units, in_shape[-1])
    assert len(t["weights"].quant.scale) == (units if pc else 1)
    expected = accumulator_reference(model, x, act, "fc")
    assert_close_q(y, expected)


def pool_ref(x, kind, f, s, padding):
    n, h, w, c = x.shape
    (fh, fw), (sh, sw) = f, s
    oh, ow = conv_output_size(h, fh, sh, 1, padding), conv_output_size(w, fw, sw, 1, padding)
    pt, pl = pad_before(h, fh, sh, 1, padding), pad_before(w, fw, sw, 1, padding)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            y0, x0 = i * sh - pt, j * sw - pl
            win = x[:, max(y0, 0) : y0 + fh, max(x0, 0) : x0 + fw, :].astype(np.float64)
            out[:, i, j] = win.max(axis=(1, 2)) if kind == "MAX" else win.mean(axis=(1, 2))
    return np.sign(out) * np.floor(np.abs(out) + 0.5)  # round half away from zero


POOL_CASES = [
    ("AVERAGE", [1, 8, 8, 3], 2, 2, "VALID", "NONE", (1, 4, 4, 3)),
    ("AVERAGE", [1, 9, 9, 2], 3, 2, "SAME", "NONE", (1, 5, 5, 2)),
    ("AVERAGE", [2, 7, 6, 4], (3, 2), 1, "VALID", "RELU", (2, 5, 5, 4)),
    ("MAX", [1, 8, 8, 3], 2, 2, "VALID", "NONE", (1, 4, 4, 3)),
    ("MAX", [1, 9, 9, 2], 3, 2, "SAME", "RELU6", (1, 5, 5, 2)),
    ("MAX", [2, 7, 6, 4], (2, 3), (1, 2), "SAME", "RELU", (2, 7, 3, 4)),
]


@pytest.mark.parametrize("case", POOL_CASES)
def test_pool2d_model(case):
    kind, in_shape, f, s, pad, act, expected_shape = case
    rng = np.random.default_rng(4)
    qp = QParams(0.05, -10)
    model = pool2d_model(kind, in_shape, f, s, pad, act, qp)
    x = rand_int8(rng, in_shape)
    y = run_tflm(model, x)
    assert y.dtype == np.int8 and y.shape == expected_shape
    f2 = (f, f) if isinstance(f, int) else f
    s2 = (s, s) if isinstance(s, int) else s
    lo, hi = act_range(act, qp)
    expected = np.clip(pool_ref(x, kind, f2, s2, pad), lo, hi)
    if kind == "MAX":
        np.testing.assert_array_equal(y, expected)
    else:
        assert_close_q(y, expected.astype(np.int8))
    if act != "NONE":
        assert y.min() >= qp.zero_point[0]


ADD_CASES = [
    ([1, 4, 4, 3], [1, 4, 4, 3], "NONE"),
    ([1, 4, 4, 3], [1, 1, 1, 3], "RELU"),
    ([2, 3, 1], [1, 1, 4], "NONE"),
    ([4, 5], [5], "RELU6"),
]


@pytest.mark.parametrize("case", ADD_CASES)
def test_add_model(case):
    s1, s2, act = case
    rng = np.random.default_rng(5)
    q1, q2, qo = QParams(0.1, 3), QParams(0.04, -7), QParams(0.12, -2)
    model = add_model(s1, s2, q1, q2, qo, act)
    a, b = rand_int8(rng, s1), rand_int8(rng, s2)
    y = run_tflm(model, a, b)
    expected_shape = np.broadcast_shapes(tuple(s1), tuple(s2))
    assert y.dtype == np.int8 and y.shape == expected_shape
    lo, hi = act_range(act, qo)
    real = dequantize_array(a, q1) + dequantize_array(b, q2)
    assert_close_q(y, np.clip(quantize_array(real, qo), lo, hi).astype(np.int8))


@pytest.mark.parametrize("shape,beta", [([1, 10], 1.0), ([3, 5], 0.5), ([2, 2, 6], 2.0)])
def test_softmax_model(shape, beta):
    rng = np.random.default_rng(6)
    in_qp = QParams(0.1, 2)
    model = softmax_model(shape, beta, in_qp)
    (out,) = describe_io(model)[1]
    assert out.quant.scale == pytest.approx([1 / 256]) and out.quant.zero_point == [-128]
    x = rand_int8(rng, shape)
    y = run_tflm(model, x)
    assert y.dtype == np.int8 and y.shape == tuple(shape)
    z = beta * dequantize_array(x, in_qp)
    p = np.exp(z - z.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    got = dequantize_array(y, out.quant)
    np.testing.assert_allclose(got, p, atol=2.5 / 256)
    np.testing.assert_allclose(got.sum(-1), 1.0, atol=0.05)


def test_quantize_float_to_int8():
    rng = np.random.default_rng(8)
    qp = QParams(0.03, -4)
    model = quantize_model([3, 7], qp)
    x = (rng.normal(size=(3, 7)) * 2).astype(np.float32)
    y = run_tflm(model, x)
    assert y.dtype == np.int8 and y.shape == (3, 7)
    assert_close_q(y, quantize_array(x, qp), exact_frac=0.95)
    assert (y == 127).any() or (y == -128).any() or np.abs(x).max() < 3.8  # clamping exercised


@pytest.mark.parametrize(
    "in_dtype,out_dtype", [("int8", "int8"), ("int16", "int8"), ("int8", "int16")]
)
def test_quantize_requantize(in_dtype, out_dtype):
    rng = np.random.default_rng(9)
    in_qp = QParams(0.05, 0 if in_dtype == "int16" else 6)
    out_qp = QParams(0.02 if out_dtype == "int8" else 0.0005, 0 if out_dtype == "int16" else -3)
    model = quantize_model([2, 8], out_qp, in_dtype, in_qp, out_dtype)
    info = np.iinfo(in_dtype)
    x = rng.integers(info.min, info.max + 1, size=(2, 8)).astype(in_dtype)
    if in_dtype == "int16":
        x = (x // 200).astype(np.int16)  # stay within the int8 output range mostly
    y = run_tflm(model, x)
    assert y.dtype == np.dtype(out_dtype) and y.shape == (2, 8)
    expected = quantize_array(dequantize_array(x, in_qp), out_qp, out_dtype)
    assert_close_q(y, expected, exact_frac=0.8)


@pytest.mark.parametrize("in_dtype", ["int8", "int16"])
def test_dequantize_model(in_dtype):
    rng = np.random.default_rng(10)
    qp = QParams(0.07, 5 if in_dtype == "int8" else 0)
    model = dequantize_model([4, 3], qp, in_dtype)
    x = rng.integers(-128, 128, size=(4, 3)).astype(in_dtype)
    y = run_tflm(model, x)
    assert y.dtype == np.float32 and y.shape == (4, 3)
    np.testing.assert_allclose(y, dequantize_array(x, qp), rtol=1e-6)


@pytest.mark.parametrize("shape_input", [True, False])
def test_reshape_model(shape_input):
    rng = np.random.default_rng(11)
    model = reshape_model([1, 4, 4, 3], [2, -1, 3], shape_input=shape_input)
    ins, outs = describe_io(model)
    assert outs[0].shape == (2, 8, 3)
    assert outs[0].quant == ins[0].quant
    assert (len(read_tensors(model)) == 3) == shape_input
    x = rand_int8(rng, (1, 4, 4, 3))
    y = run_tflm(model, x)
    assert y.dtype == np.int8
    np.testing.assert_array_equal(y, x.reshape(2, 8, 3))


def test_squeeze_and_expand_dims_models():
    rng = np.random.default_rng(12)
    model = squeeze_model([1, 1, 5, 1], [0, 3])
    _, opts = options_of(model, 0, tflite.SqueezeOptions)
    assert list(opts.SqueezeDimsAsNumpy()) == [0, 3]
    x = rand_int8(rng, (1, 1, 5, 1))
    y = run_tflm(model, x)
    np.testing.assert_array_equal(y, x.reshape(1, 5))

    model = expand_dims_model([2, 3], -1)
    assert tensors_by_name(model)["axis"].data.tolist() == [-1]
    x = rand_int8(rng, (2, 3))
    y = run_tflm(model, x)
    np.testing.assert_array_equal(y, x.reshape(2, 3, 1))

    model = expand_dims_model([2, 3], 0, dtype="float32")
    y = run_tflm(model, x.astype(np.float32))
    assert y.dtype == np.float32 and y.shape == (1, 2, 3)


def test_single_op_model_with_constant_and_optional_inputs():
    # ADD with a constant second operand
    q = QParams(0.5, 0)
    model = single_op_model(
        "ADD",
        [TensorSpec([1, 4], "int8", q), TensorSpec([4], "int8", q, np.array([1, 2, 3, -4]))],
        TensorSpec([1, 4], "int8", q),
        {"fused_activation_function": "RELU"},
    )
    ins, outs = describe_io(model)
    assert len(ins) == 1 and outs[0].shape == (1, 4)
    y = run_tflm(model, np.array([[10, 20, -30, 2]], np.int8))
    np.testing.assert_array_equal(y, [[11, 22, 0, 0]])
