"""The seed corpus: real models from ../shared/models and small models the test suite
writes itself (tests/tflite_writer.py), plus a generator of random small graphs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from tests.conftest import SHARED_MODELS
from tests.example_models import kws_tiny
from tests.tflite_writer import (
    ModelBuilder,
    QParams,
    add_model,
    conv2d_model,
    depthwise_conv2d_model,
    dequantize_model,
    expand_dims_model,
    fully_connected_model,
    pool2d_model,
    quantize_model,
    reshape_model,
    softmax_model,
    squeeze_model,
)


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def _writer_seeds() -> list[Seed]:
    rng = np.random.default_rng(7)
    q = QParams([0.05], [3])
    made: list[tuple[str, Callable[[], bytes]]] = [
        ("kws_tiny", kws_tiny),
        ("conv", lambda: conv2d_model(rng, [1, 6, 5, 3], 4, kernel=3, stride=2)),
        ("conv_dilated", lambda: conv2d_model(rng, [1, 7, 7, 2], 3, kernel=(3, 2), dilation=2,
                                              padding="VALID", activation="RELU6")),
        ("depthwise", lambda: depthwise_conv2d_model(rng, [1, 5, 5, 3], depth_multiplier=2)),
        ("fc", lambda: fully_connected_model(rng, [2, 10], 4, activation="RELU")),
        ("fc_per_channel", lambda: fully_connected_model(rng, [1, 6], 3, per_channel=True,
                                                          with_bias=False)),
        ("avg_pool", lambda: pool2d_model("AVERAGE", [1, 6, 6, 2], 3, 2, "SAME")),
        ("max_pool", lambda: pool2d_model("MAX", [1, 4, 4, 3], 2, 2)),
        ("add_broadcast", lambda: add_model([1, 4, 1, 3], [1, 1, 5, 3], q,
                                            QParams([0.03], [-2]), QParams([0.07], [1]))),
        ("softmax", lambda: softmax_model([1, 10])),
        ("quantize_f32", lambda: quantize_model([1, 8], QParams([0.1], [-5]))),
        ("requantize", lambda: quantize_model([1, 8], QParams([0.1], [-5]), "int8", q)),
        ("dequantize", lambda: dequantize_model([2, 3], q)),
        ("reshape", lambda: reshape_model([1, 2, 3, 4], [1, 24], q)),
        ("squeeze", lambda: squeeze_model([1, 1, 5], [1], q)),
        ("expand_dims", lambda: expand_dims_model([3, 4], 0, q)),
    ]
    made += [("zero_state_chain", _zero_state_chain), ("pad_conv", lambda: _pad_conv(rng)),
             ("quantize_pair", _quantize_pair)]
    return [Seed(name, make()) for name, make in made]


def _zero_state_chain() -> bytes:
    """SHAPE -> STRIDED_SLICE -> PACK -> FILL feeding an ADD, as Keras exports a zero
    initial state: the passes evaluate the chain at build time."""
    mb = ModelBuilder("zero state")
    q = QParams([0.05], [0])
    x = mb.add_tensor("x", [1, 4], "int8", q)
    shape = mb.add_tensor("shape", [2], "int32")
    mb.add_op("SHAPE", [x], [shape], {"out_type": "INT32"})
    consts = [mb.add_tensor(n, [1], "int32", data=np.array([v], np.int32))
              for n, v in (("begin", 0), ("end", 1), ("strides", 1))]
    batch = mb.add_tensor("batch", [], "int32")
    mb.add_op("STRIDED_SLICE", [shape, *consts], [batch], {"shrink_axis_mask": 1})
    units = mb.add_tensor("units", [], "int32", data=np.array(4, np.int32))
    dims = mb.add_tensor("dims", [2], "int32")
    mb.add_op("PACK", [batch, units], [dims], {"values_count": 2, "axis": 0})
    zero = mb.add_tensor("zero", [], "int8", q, data=np.array(0, np.int8))
    z = mb.add_tensor("z", [1, 4], "int8", q)
    mb.add_op("FILL", [dims, zero], [z])
    y = mb.add_tensor("y", [1, 4], "int8", QParams([0.1], [0]))
    mb.add_op("ADD", [x, z], [y], {"fused_activation_function": "RELU"})
    mb.set_io([x], [y])
    return mb.build()


def _pad_conv(rng: np.random.Generator) -> bytes:
    """PAD then a VALID convolution (folded into one), then RELU6 (fused)."""
    mb = ModelBuilder("pad conv")
    q = QParams([0.05], [-3])
    x = mb.add_tensor("x", [1, 5, 5, 2], "int8", q)
    pads = mb.add_tensor("pads", [4, 2], "int32",
                         data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))
    xp = mb.add_tensor("padded", [1, 7, 7, 2], "int8", q)
    mb.add_op("PAD", [x, pads], [xp])
    w = mb.add_tensor("w", [3, 3, 3, 2], "int8", QParams([0.01, 0.02, 0.03], [0, 0, 0], 0),
                      data=rng.integers(-127, 128, (3, 3, 3, 2)).astype(np.int8))
    b = mb.add_tensor("b", [3], "int32", data=np.array([10, -20, 30], np.int32))
    y = mb.add_tensor("conv", [1, 5, 5, 3], "int8", QParams([0.1], [-128]))
    mb.add_op("CONV_2D", [xp, w, b], [y], {"padding": "VALID"})
    r = mb.add_tensor("relu6", [1, 5, 5, 3], "int8", QParams([0.1], [-128]))
    mb.add_op("RELU6", [y], [r])
    mb.set_io([x], [r])
    return mb.build()


def _quantize_pair() -> bytes:
    """DEQUANTIZE -> QUANTIZE (cancelled by a pass) between two int8 ops."""
    mb = ModelBuilder("quantize pair")
    q = QParams([0.05], [2])
    x = mb.add_tensor("x", [1, 6], "int8", q)
    f = mb.add_tensor("f", [1, 6], "float32")
    mb.add_op("DEQUANTIZE", [x], [f])
    y = mb.add_tensor("y", [1, 6], "int8", q)
    mb.add_op("QUANTIZE", [f], [y])
    r = mb.add_tensor("r", [1, 6], "int8", q)
    mb.add_op("RESHAPE", [y], [r], {"new_shape": [1, 6]})
    mb.set_io([x], [r])
    return mb.build()


@cache
def writer_seeds() -> tuple[Seed, ...]:
    return tuple(_writer_seeds())


@cache
def shared_seeds() -> tuple[Seed, ...]:
    """Every model in ../shared/models (none when the folder is missing)."""
    if not SHARED_MODELS.is_dir():
        return ()
    return tuple(Seed(p.name.removesuffix("_int8.tflite").removesuffix(".tflite"),
                      p.read_bytes())
                 for p in sorted(SHARED_MODELS.glob("*.tflite")))


# ---- random small graphs ---------------------------------------------------------------

HOSTILE_NAMES = (
    'quote"d', "back\\slash", "new\nline", "end */ comment", "/* open", "??/ trigraph",
    "nul\x00byte", "ünïcödé ☃", "tab\there", "\r\ncrlf", "'single'", "#define X 1",
    "a" * 300, "", "%s%n", "\\\n", "*/ int evil(void) { return 1; } /*", "?????/", "end*",
    "/start", "\u2028line\u2029sep\x85", "\x7f\x1b[31mred",
)


def _scale(rng: np.random.Generator, wild: bool) -> float:
    if wild and rng.random() < 0.3:
        return float(rng.choice([0.0, -0.5, 1e-30, 1e30, 3e38, math.inf, math.nan, 1e-45,
                                 2.0**-31, 2.0**31]))
    return float(10 ** rng.uniform(-4, 0.5))


def _zp(rng: np.random.Generator, wild: bool) -> int:
    if wild and rng.random() < 0.2:
        return int(rng.choice([-129, 128, 255, -(2**31), 2**40, -(2**63)]))
    return int(rng.integers(-128, 128))


def _q(rng: np.random.Generator, wild: bool) -> QParams:
    return QParams([_scale(rng, wild)], [_zp(rng, wild)])


def generated_model(rng: np.random.Generator) -> bytes:
    """A random chain of supported ops on small shapes, mostly consistent, sometimes
    with wild options, quantization or names; the writer's own checks are bypassed
    where a mutation needs to (e.g. a shape that no longer matches the data)."""
    wild = rng.random() < 0.5
    mb = ModelBuilder(str(rng.choice(HOSTILE_NAMES)) if rng.random() < 0.2 else "generated")

    def name(default: str) -> str:
        return str(rng.choice(HOSTILE_NAMES)) if rng.random() < 0.15 else default

    def dim(lo: int, hi: int) -> int:
        if wild and rng.random() < 0.05:
            return int(rng.choice([0, 1, 64, 257]))
        return int(rng.integers(lo, hi + 1))

    shape = [1, dim(1, 9), dim(1, 9), dim(1, 6)]
    q = _q(rng, wild)
    x = mb.add_tensor(name("input"), shape, "int8", q)
    graph_inputs = [x]
    cur, cur_q = x, q
    produced = [x]
    for k in range(int(rng.integers(1, 6))):
        kind = str(rng.choice(["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
                               "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD", "SOFTMAX",
                               "RESHAPE", "QUANTIZE", "PAD", "RELU"]))
        s = list(mb._tensors[cur].shape)
        if len(s) != 4 and kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D",
                                    "MAX_POOL_2D", "PAD"):
            kind = "FULLY_CONNECTED" if s else "RELU"
        out_q = _q(rng, wild)
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D"):
            kh, kw = dim(1, 4), dim(1, 4)
            sh, sw = (int(rng.choice([1, 1, 2, 3, 0, 2**31 - 1])) if wild else
                      int(rng.integers(1, 3)) for _ in range(2))
            dh, dw = (int(rng.choice([1, 1, 2, 0, 2**30])) if wild else 1 for _ in range(2))
            padding = str(rng.choice(["SAME", "VALID"]))
            act = str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1", "TANH"]))

            def out_size(n: int, k_: int, st: int, dl: int, padding: str = padding) -> int:
                st = max(st, 1)
                eff = (k_ - 1) * max(dl, 1) + 1
                return (n + st - 1) // st if padding == "SAME" else max((n - eff + st) // st, 0)

            oh, ow = out_size(s[1], kh, sh, dh), out_size(s[2], kw, sw, dw)
            if kind.endswith("POOL_2D"):
                oc = s[3]
                y = mb.add_tensor(name(f"t{k}"), [s[0], oh, ow, oc], "int8",
                                  cur_q if rng.random() < 0.8 else out_q)
                mb.add_op(kind, [cur], [y], {"padding": padding, "stride_h": sh, "stride_w": sw,
                                             "filter_height": kh, "filter_width": kw,
                                             "fused_activation_function": act})
                cur = y
                produced.append(y)
                continue
            depthwise = kind == "DEPTHWISE_CONV_2D"
            mult = int(rng.integers(1, 3)) if depthwise else 1
            oc = s[3] * mult if depthwise else dim(1, 6)
            wshape = [1, kh, kw, oc] if depthwise else [oc, kh, kw, s[3]]
            axis = 3 if depthwise else 0
            n_scales = oc if oc > 1 and rng.random() < 0.7 else 1
            wq = QParams([_scale(rng, wild) for _ in range(n_scales)],
                         [0] * n_scales, axis if n_scales > 1 else 0)
            w = mb.add_tensor(name(f"w{k}"), wshape, "int8", wq,
                              data=rng.integers(-127, 128, wshape).astype(np.int8))
            inputs = [cur, w]
            if rng.random() < 0.8:
                b = mb.add_tensor(name(f"b{k}"), [oc], "int32", None,
                                  data=rng.integers(-2000, 2000, oc).astype(np.int32))
                inputs.append(b)
            y = mb.add_tensor(name(f"t{k}"), [s[0], oh, ow, oc], "int8", out_q)
            opts = {"padding": padding, "stride_h": sh, "stride_w": sw,
                    "dilation_h_factor": dh, "dilation_w_factor": dw,
                    "fused_activation_function": act}
            if depthwise:
                opts["depth_multiplier"] = mult
            mb.add_op(kind, inputs, [y], opts)
        elif kind == "FULLY_CONNECTED":
            depth = s[-1] if s else 1
            units = dim(1, 8)
            batches = math.prod(s) // depth if depth else 0
            n_scales = units if units > 1 and rng.random() < 0.3 else 1
            w = mb.add_tensor(name(f"w{k}"), [units, depth], "int8",
                              QParams([_scale(rng, wild) for _ in range(n_scales)],
                                      [0] * n_scales),
                              data=rng.integers(-127, 128, (units, depth)).astype(np.int8))
            y = mb.add_tensor(name(f"t{k}"), [batches, units], "int8", out_q)
            mb.add_op("FULLY_CONNECTED", [cur, w], [y],
                      {"fused_activation_function": str(rng.choice(["NONE", "RELU", "RELU6"]))})
        elif kind == "ADD":
            other = int(rng.choice(produced)) if rng.random() < 0.7 else None
            if other is None or mb._tensors[other].shape != s:
                bshape = [d if rng.random() < 0.5 else 1 for d in s]
                other = mb.add_tensor(name(f"c{k}"), bshape, "int8", _q(rng, wild))
                graph_inputs.append(other)
            y = mb.add_tensor(name(f"t{k}"), s, "int8", out_q)
            mb.add_op("ADD", [cur, other], [y], {"fused_activation_function":
                                                 str(rng.choice(["NONE", "RELU"]))})
        elif kind == "SOFTMAX":
            y = mb.add_tensor(name(f"t{k}"), s, "int8",
                              QParams([1 / 256], [-128]) if rng.random() < 0.9 else out_q)
            beta = float(rng.choice([1.0, 1.0, 0.5, 1e-12, 1e12, math.nan, math.inf, -1.0]
                                    if wild else [1.0]))
            mb.add_op("SOFTMAX", [cur], [y], {"beta": beta})
        elif kind == "RESHAPE":
            n = math.prod(s)
            new = [1, n] if rng.random() < 0.8 else [n, 1, 1]
            y = mb.add_tensor(name(f"t{k}"), new, "int8", cur_q)
            shp = mb.add_tensor(name(f"s{k}"), [len(new)], "int32",
                                data=np.array(new, np.int32))
            mb.add_op("RESHAPE", [cur, shp], [y], {"new_shape": new})
            out_q = cur_q
        elif kind == "PAD":
            pads = rng.integers(0, 3, (4, 2))
            pads[0] = 0
            if wild and rng.random() < 0.2:
                pads[1, 0] = int(rng.choice([-1, 2**20]))
            pt = mb.add_tensor(name(f"p{k}"), [4, 2], "int32", data=pads.astype(np.int32))
            ps = [int(d + a + b) for d, (a, b) in zip(s, pads.tolist(), strict=True)]
            y = mb.add_tensor(name(f"t{k}"), [max(d, 0) for d in ps], "int8", cur_q)
            mb.add_op("PAD", [cur, pt], [y])
            out_q = cur_q
        elif kind == "RELU":
            y = mb.add_tensor(name(f"t{k}"), s, "int8", out_q)
            mb.add_op("RELU", [cur], [y])
        else:  # QUANTIZE int8 -> int8
            y = mb.add_tensor(name(f"t{k}"), s, "int8", out_q)
            mb.add_op("QUANTIZE", [cur], [y])
        cur, cur_q = y, out_q
        produced.append(y)
    if rng.random() < 0.15:
        y = mb.add_tensor(name("dequantized"), mb._tensors[cur].shape, "float32")
        mb.add_op("DEQUANTIZE", [cur], [y])
        cur = y
    outputs = [cur]
    if rng.random() < 0.1:
        outputs.append(int(rng.choice(produced)))
    if wild and rng.random() < 0.3:
        _corrupt_builder(mb, rng, graph_inputs, outputs)
    for t in mb._tensors:  # the file stores int32 dimensions
        t.shape = [min(d, (1 << 31) - 1) for d in t.shape]
    mb.set_io(graph_inputs, outputs)
    return mb.build()


def _corrupt_builder(mb: ModelBuilder, rng: np.random.Generator, inputs: list[int],
                     outputs: list[int]) -> None:
    """Break one structural rule behind the builder's back (it validates on add)."""
    tensors, ops = mb._tensors, mb._ops
    what = int(rng.integers(0, 8))
    if what == 0 and ops:  # an op reads its own output or a later tensor: a cycle
        op = ops[int(rng.integers(0, len(ops)))]
        op.inputs[0] = op.outputs[0] if rng.random() < 0.5 else len(tensors) - 1
    elif what == 1:  # a constant loses its data (a missing buffer)
        consts = [t for t in tensors if t.data is not None]
        if consts:
            consts[int(rng.integers(0, len(consts)))].data = None
    elif what == 2:  # a shape that no longer matches the data
        t = tensors[int(rng.integers(0, len(tensors)))]
        if t.shape:
            t.shape[int(rng.integers(0, len(t.shape)))] = int(rng.choice([0, 2, 7, 100000]))
    elif what == 3:  # a wrong element type
        t = tensors[int(rng.integers(0, len(tensors)))]
        t.dtype = str(rng.choice(["int16", "int32", "uint8", "float32", "int64", "bool"]))
    elif what == 4 and ops:  # two ops write the same tensor
        ops[-1].outputs[0] = ops[0].outputs[0]
    elif what == 5:  # a graph output that is a graph input or a constant
        outputs.append(int(rng.choice(inputs + [len(tensors) - 1])))
    elif what == 6:  # a graph input that some op writes
        inputs.append(int(rng.integers(0, len(tensors))))
    elif what == 7:  # a variable tensor (state kept between inferences)
        tensors[int(rng.integers(0, len(tensors)))].is_variable = True
