"""The MVE (Helium) kernels on QEMU mps3-an547 (Cortex-M55): CONV_2D, FULLY_CONNECTED,
DEPTHWISE_CONV_2D, pooling and ADD cases, many independent single-op branches in one model so that
one QEMU run checks them all, bit-exact against TFLite Micro. MVE kernels cannot run on
the host, so these tests fail (never skip) in CI when the cross tools are missing."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest

from mcu_codegen import api
from tests.e2e.cross import require_cross_tools
from tests.kernels._sweep import accumulator_out_scale
from tests.tflite_writer import ModelBuilder, QParams, conv_output_size

pytestmark = pytest.mark.qemu

BOARD = "mps3-an547"
N_INPUTS = 4


@dataclass(frozen=True)
class Conv:
    """One CONV_2D / DEPTHWISE_CONV_2D branch."""

    hw: tuple[int, int]
    in_c: int
    out_c: int
    k: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    pad: str = "SAME"
    dil: tuple[int, int] = (1, 1)
    act: str = "NONE"
    zp: int = -3
    per_channel: bool = True
    bias: bool = True
    depthwise: bool = False
    #: the output scale, when set (else one that spans the accumulator's range): small
    #: ones make multipliers >= 0.5, i.e. shifts >= 0 (the kernels' general requantization)
    out_scale: float = 0.0


@dataclass(frozen=True)
class Fc:
    batches: int
    depth: int
    n_out: int
    act: str = "NONE"
    zp: int = 5
    per_channel: bool = False
    bias: bool = True
    out_scale: float = 0.0


CONVS = (
    Conv((6, 5), 64, 20, (1, 1), act="RELU6"),                 # direct rows, 20 = 4 * 5
    Conv((7, 7), 16, 10, (1, 1), stride=(2, 2), zp=-128),      # direct, strided, n % 4
    Conv((5, 6), 3, 8, (3, 3), zp=127, act="RELU"),            # im2col, k = 27 (tail)
    Conv((9, 9), 20, 12, (3, 3), stride=(2, 2), pad="VALID", per_channel=False),
    Conv((8, 7), 8, 6, (3, 3), dil=(2, 2), bias=False),        # dilated, padded rows
    Conv((10, 5), 1, 7, (5, 2), stride=(2, 1), zp=0),          # k = 10 < 16
    Conv((5, 5), 16, 16, (3, 3), depthwise=True, act="RELU6"),
    Conv((9, 8), 8, 8, (3, 3), stride=(2, 2), depthwise=True, zp=-128),
    Conv((9, 9), 12, 12, (3, 3), pad="VALID", dil=(2, 2), depthwise=True, bias=False),
    Conv((5, 3), 4, 4, (5, 5), depthwise=True, zp=127, act="RELU_N1_TO_1"),
    Conv((12, 11), 8, 8, (3, 3), depthwise=True, per_channel=False),  # 2 pixels a vector
    Conv((7, 21), 4, 4, (3, 3), depthwise=True, zp=-100, act="RELU"),  # 4 pixels a vector
    Conv((6, 9), 24, 24, (3, 3), stride=(1, 2), depthwise=True),       # 16 + 8 channels
    Conv((4, 40), 1, 1, (2, 3), depthwise=True, pad="VALID", zp=9),    # 16 pixels
    Conv((5, 4), 16, 8, (1, 1), out_scale=0.00015, act="RELU"),        # shift 1 (left)
    Conv((5, 5), 5, 4, (3, 3), out_scale=0.0003, zp=60),               # shift 0
    Conv((4, 6), 16, 16, (3, 3), depthwise=True, out_scale=0.00015),   # shift 1 (left)
    Conv((4, 6), 32, 32, (3, 3), depthwise=True, out_scale=0.0003),    # shift 0
    Conv((5, 7), 8, 16, (1, 1), act="RELU6", zp=-128),                 # k = 8, 35 rows
    Conv((7, 9), 8, 8, (3, 3), dil=(2, 2), depthwise=True, zp=40),     # band, dilated
)
FCS = (
    Fc(3, 40, 10, act="RELU"),
    Fc(1, 7, 5, per_channel=True, bias=False, zp=-128),
    Fc(2, 256, 4, zp=127),
    Fc(5, 33, 12, per_channel=True, out_scale=0.0002),
)


@dataclass(frozen=True)
class Pool:
    hw: tuple[int, int]
    c: int
    k: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    pad: str = "VALID"
    act: str = "NONE"
    zp: int = -5
    average: bool = True


POOLS = (
    Pool((25, 5), 64, (25, 5)),                                  # global, as in the KWS model
    Pool((7, 9), 20, (3, 3), stride=(2, 2), pad="SAME", act="RELU6", zp=-128),
    Pool((6, 6), 40, (2, 2), stride=(2, 2), average=False),
    Pool((5, 7), 8, (3, 2), pad="SAME", average=False, act="RELU", zp=50),
    Pool((16, 16), 3, (16, 16), zp=127),                         # 256 taps: int16 sums' limit
)


def _add_pool(mb: ModelBuilder, i: int, c: Pool) -> tuple[int, int]:
    q = QParams(0.07, c.zp)
    x = mb.add_tensor(f"px{i}", [1, *c.hw, c.c], "int8", q)
    oh = conv_output_size(c.hw[0], c.k[0], c.stride[0], 1, c.pad)
    ow = conv_output_size(c.hw[1], c.k[1], c.stride[1], 1, c.pad)
    y = mb.add_tensor(f"py{i}", [1, oh, ow, c.c], "int8", q)
    mb.add_op("AVERAGE_POOL_2D" if c.average else "MAX_POOL_2D", [x], [y], {
        "padding": c.pad, "stride_h": c.stride[0], "stride_w": c.stride[1],
        "filter_height": c.k[0], "filter_width": c.k[1], "fused_activation_function": c.act})
    return x, y


#: ADD cases: shape, (scale, zero point) of input 1, input 2 and the output, activation
ADDS = (
    ((1, 7, 5, 9), (0.05, -3), (0.02, 10), (0.06, -5), "NONE"),     # 315 elements: tail of 3
    ((2, 16), (0.01, 127), (0.03, -128), (0.02, 0), "RELU"),
    ((1, 4, 4, 16), (0.04, 0), (0.04, 0), (0.05, -128), "RELU6"),   # equal scales
)


def _add_add(mb: ModelBuilder, i: int, case: tuple) -> tuple[int, int, int]:
    """(first input, second input, output) of ADD case i."""
    shape, q1, q2, qo, act = case
    x1 = mb.add_tensor(f"ax{i}", list(shape), "int8", QParams(*q1))
    x2 = mb.add_tensor(f"ay{i}", list(shape), "int8", QParams(*q2))
    y = mb.add_tensor(f"az{i}", list(shape), "int8", QParams(*qo))
    mb.add_op("ADD", [x1, x2], [y], {"fused_activation_function": act})
    return x1, x2, y


def _weights_q(rng: np.random.Generator, n: int, per_channel: bool, axis: int) -> QParams:
    if not per_channel:
        return QParams(0.004, 0)
    return QParams(list(0.004 * 10 ** rng.uniform(-0.5, 0.5, n)), [0] * n, axis)


def _add_conv(mb: ModelBuilder, rng: np.random.Generator, i: int, c: Conv,
              x: int | None = None) -> tuple[int, int]:
    """The op of case c, reading tensor x (else a new input with c's quantization)."""
    h, w = c.hw
    if x is None:
        x = mb.add_tensor(f"x{i}", [1, h, w, c.in_c], "int8", QParams(0.05, c.zp))
    oh = conv_output_size(h, c.k[0], c.stride[0], c.dil[0], c.pad)
    ow = conv_output_size(w, c.k[1], c.stride[1], c.dil[1], c.pad)
    shape = [1, *c.k, c.out_c] if c.depthwise else [c.out_c, *c.k, c.in_c]
    wq = _weights_q(rng, c.out_c, c.per_channel, 3 if c.depthwise else 0)
    # the MVE depthwise kernel takes filters without -128 (others go to the next kernel set)
    low = -127 if c.depthwise else -128
    wt = mb.add_tensor(f"w{i}", shape, "int8", wq, rng.integers(low, 128, shape))
    terms = c.k[0] * c.k[1] * (1 if c.depthwise else c.in_c)
    ins = [x, wt]
    if c.bias:
        bq = QParams([0.05 * s for s in wq.scale], [0] * len(wq.scale))
        ins.append(mb.add_tensor(f"b{i}", [c.out_c], "int32", bq,
                                 rng.integers(-(1 << 16), 1 << 16, c.out_c)))
    scale = c.out_scale or accumulator_out_scale(0.05, c.zp, terms, c.per_channel)
    y = mb.add_tensor(f"y{i}", [1, oh, ow, c.out_c], "int8", QParams(scale, -7))
    options = {"padding": c.pad, "stride_h": c.stride[0], "stride_w": c.stride[1],
               "dilation_h_factor": c.dil[0], "dilation_w_factor": c.dil[1],
               "fused_activation_function": c.act}
    if c.depthwise:
        options["depth_multiplier"] = 1
    mb.add_op("DEPTHWISE_CONV_2D" if c.depthwise else "CONV_2D", ins, [y], options)
    return x, y


def _add_fc(mb: ModelBuilder, rng: np.random.Generator, i: int, f: Fc) -> tuple[int, int]:
    x = mb.add_tensor(f"fx{i}", [f.batches, f.depth], "int8", QParams(0.05, f.zp))
    wq = _weights_q(rng, f.n_out, f.per_channel, 0)
    wt = mb.add_tensor(f"fw{i}", [f.n_out, f.depth], "int8", wq,
                       rng.integers(-128, 128, [f.n_out, f.depth]))
    ins = [x, wt]
    if f.bias:
        bq = QParams([0.05 * s for s in wq.scale], [0] * len(wq.scale))
        ins.append(mb.add_tensor(f"fb{i}", [f.n_out], "int32", bq,
                                 rng.integers(-(1 << 16), 1 << 16, f.n_out)))
    scale = f.out_scale or accumulator_out_scale(0.05, f.zp, f.depth, f.per_channel)
    y = mb.add_tensor(f"fy{i}", [f.batches, f.n_out], "int8", QParams(scale, 3))
    mb.add_op("FULLY_CONNECTED", ins, [y], {"fused_activation_function": f.act})
    return x, y


def _chain(mb: ModelBuilder, rng: np.random.Generator) -> tuple[int, int]:
    """8x8x8 -> 1x1 to 64 channels -> 1x1 to 8 -> 3x3 to 12 channels: the arena peaks in
    the first two ops, so the 3x3 convolution is granted scratch for its patch rows."""
    steps = (Conv((8, 8), 8, 64, (1, 1), act="RELU"), Conv((8, 8), 64, 8, (1, 1), zp=-128),
             Conv((8, 8), 8, 12, (3, 3), zp=-128))
    first, last = _add_conv(mb, rng, 100, steps[0])
    for i, c in enumerate(steps[1:], start=101):
        last = _add_conv(mb, rng, i, c, last)[1]
    return first, last


def _model(convs: tuple[Conv, ...] = CONVS, fcs: tuple[Fc, ...] = FCS) -> bytes:
    rng = np.random.default_rng(547)
    mb = ModelBuilder("mve kernels")
    pairs = [_add_conv(mb, rng, i, c) for i, c in enumerate(convs)]
    pairs += [_add_fc(mb, rng, i, f) for i, f in enumerate(fcs)]
    if convs is CONVS:
        pairs.append(_chain(mb, rng))
        pairs += [_add_pool(mb, i, c) for i, c in enumerate(POOLS)]
        adds = [_add_add(mb, i, c) for i, c in enumerate(ADDS)]
        pairs += [(x1, y) for x1, _, y in adds]
        # an ADD's second input is one more model input
        mb.set_io([x for x, _ in pairs] + [x2 for _, x2, _ in adds], [y for _, y in pairs])
        return mb.build()
    mb.set_io([x for x, _ in pairs], [y for _, y in pairs])
    return mb.build()


#: A lone 3x3 convolution: the arena holds just its input and output, so the planner
#: has no free bytes to grant and the kernel keeps its patch rows on the stack.
LONE = (Conv((9, 7), 24, 12, (3, 3), stride=(1, 2), zp=-20),)


def test_every_case_takes_an_mve_kernel() -> None:
    """The premise of the QEMU test: no op of the model falls back to another kernel set
    (it would then test the fallback, not the MVE kernels)."""
    compiled = api.compile_model(_model(), board=BOARD, prefix="model", kernels="mve")
    kernels = set(compiled.library.report["kernels"])
    assert {"mve_conv_s8", "mve_mat_mult_s8", "mve_depthwise_conv_s8", "mve_pooling_s8",
            "mve_add_s8"} <= kernels
    # besides the MVE kernels only shared headers (no portable or DSP kernel ran an op)
    assert all(k.startswith("mve_") or k == "mcu_conv_taps" for k in kernels), sorted(kernels)
    assert len(compiled.graph.ops) == len(CONVS) + len(FCS) + 3 + len(POOLS) + len(ADDS)
    source = compiled.library.files["model.c"].decode()
    assert "mcu_mve_conv_s8(&op" in source and "(int8_t *)(arena + " in source  # scratch rows


def _mm_loop(k: int, general: int) -> str:
    """Which assembly loop of runtime_c/mve_mat_mult_s8.c a matrix takes (chosen at run
    time by mcu_mve_mm_pairs_s8)."""
    size = "small" if k <= 16 else "tail" if k % 16 else "notail"
    return f"{size}_{'general' if general else 'fast'}"


def test_the_cases_reach_every_matrix_loop() -> None:
    """k <= 16 (rows kept in registers), k > 16 with and without a tail, each with the
    shorter (every shift < 0) and the general requantization: each loop has a case."""
    compiled = api.compile_model(_model(), board=BOARD, prefix="model", kernels="mve")
    source = compiled.library.files["model.c"].decode()
    found = re.findall(r"\.k = (\d+), \.n_out = \d+,[^}]*\.general = (\d)", source)
    loops = {_mm_loop(int(k), int(g)) for k, g in found}
    assert loops == {f"{s}_{r}" for s in ("small", "tail", "notail")
                     for r in ("general", "fast")}, sorted(loops)


def test_the_lone_convolution_has_no_scratch() -> None:
    compiled = api.compile_model(_model(LONE, ()), board=BOARD, prefix="model", kernels="mve")
    source = compiled.library.files["model.c"].decode()
    assert "mcu_mve_conv_s8(" in source and ", NULL);" in source


#: A lone depthwise convolution of 2-pixel groups with padding: no scratch for its band,
#: so its border pixels take the table path.
LONE_DW = (Conv((6, 10), 8, 8, (3, 3), depthwise=True, zp=-128, act="RELU6"),)


def _depthwise_calls(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if "mcu_mve_depthwise_conv_s8(" in line]


def test_depthwise_pixel_groups_with_padding_get_a_band() -> None:
    """Depthwise cases 9, 10, 11 and 19 (4, 8, 4 and 8 channels: groups of 4, 2, 4 and 2
    pixels, padded) read their border pixels through the scratch band; the others need
    none."""
    compiled = api.compile_model(_model(), board=BOARD, prefix="model", kernels="mve")
    calls = _depthwise_calls(compiled.library.files["model.c"].decode())
    banded = {int(re.search(r"&op(\d+)_params", c).group(1))  # type: ignore[union-attr]
              for c in calls if "(int8_t *)(arena + " in c}
    assert banded == {9, 10, 11, 19}, calls
    lone = api.compile_model(_model(LONE_DW, ()), board=BOARD, prefix="model", kernels="mve")
    assert _depthwise_calls(lone.library.files["model.c"].decode())[0].endswith(", NULL);")


@pytest.mark.parametrize("name", ["batch", "lone", "lone_dw"])
def test_mve_kernels_are_bit_exact_on_qemu(name: str) -> None:
    require_cross_tools()
    model = {"batch": _model, "lone": lambda: _model(LONE, ()),
             "lone_dw": lambda: _model(LONE_DW, ())}[name]()
    result = api.verify(model, board=BOARD, inputs=N_INPUTS, seed=3, kernels="mve")
    details = [f"{label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.cases == N_INPUTS + 3
    assert result.ok, "\n".join(details[:20])
    target = result.target
    assert target is not None and target["board"] == BOARD
