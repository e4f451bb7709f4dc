"""UNIDIRECTIONAL_SEQUENCE_LSTM sweep (int8x8_16): batch 1 and > 1, batch- and
time-major layouts, one to many time steps, input and hidden zero points from
-128 to 127, cell scales that are and are not powers of two (the tanh input
scaling comes from the rounded log2), with and without cell clipping (including a
clip small enough to bind), and weight gains from gentle to saturating. Every
case runs several inputs in a row (the state carries over), then resets."""

from __future__ import annotations

import math
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mcu_codegen import api
from mcu_codegen.ops import quant
from mcu_codegen.ops.lstm import MAX_CELL_POWER, MIN_CELL_POWER
from mcu_codegen.resources import data_dir
from mcu_codegen.verify.host import STRICT_FLAGS, HostLibrary
from tests.kernels._sweep import VERIFY_INPUTS, Case, case_id, case_rng, case_seed, sweep
from tests.tflite_writer import ModelBuilder, QParams


def _case(batches=1, steps=4, n_in=8, n_state=8, tm=False, in_s=0.05, in_zp=-3,
          h_s=1.0 / 128, h_zp=0, cell=-11.0, clip=0.0, gain=1.0, bias=1.0) -> Case:
    """``cell``: log2 of the cell state scale (need not be an integer)."""
    return {"b": batches, "t": steps, "in": n_in, "s": n_state, "tm": tm, "in_s": in_s,
            "in_zp": in_zp, "h_s": h_s, "h_zp": h_zp, "cell": cell, "clip": clip,
            "gain": gain, "bias": bias}


CURATED: list[Case] = [
    _case(),
    _case(batches=2, steps=3, n_in=5, n_state=4, tm=True, in_zp=127, h_zp=-128),
    _case(batches=3, steps=2, n_in=3, n_state=6, tm=False, clip=10.0, cell=-12.0),
    _case(steps=6, n_in=16, n_state=12, clip=0.3, cell=-13.0, gain=3.0, h_zp=17),
    _case(steps=1, n_in=1, n_state=1, in_s=0.5, in_zp=0, cell=-15.0),
    _case(steps=5, n_in=9, n_state=7, cell=-10.6, h_s=0.02, h_zp=-5),  # not a power of two
    _case(batches=2, steps=4, n_in=20, n_state=16, tm=True, gain=8.0, bias=4.0, clip=2.0,
          cell=-9.0),  # saturating gates and cell
    _case(steps=3, n_in=28, n_state=20, in_s=1 / 255, in_zp=-128, h_s=0.0078, cell=-12.0,
          clip=10.0),  # the mnist_lstm layout
    # vectors longer than MCU_LSTM_MAX_PADDED (128) are read as int8 in place, not
    # padded: both of them, with tails; then only the hidden one (DTLN has the input)
    _case(steps=2, n_in=130, n_state=137, in_zp=-128, h_zp=-4, cell=-11.0, clip=10.0),
    _case(batches=2, steps=2, n_in=20, n_state=133, tm=True, in_zp=40, h_zp=30),
    # the input read in place and the hidden vector padded (DTLN's first layer), and a
    # state in two passes of lanes (32 + 5 units on a vectorizing host)
    _case(steps=2, n_in=131, n_state=37, in_zp=-128, h_zp=3, clip=10.0),
]

CELL = [-8.0, -9.0, -10.0, -11.0, -12.0, -13.0, -15.0, -11.4, -12.7, -14.2]
IN_QP = [(0.05, -3), (1 / 255, -128), (0.5, 0), (0.02, 127), (0.1, 40)]
H_QP = [(1 / 128, 0), (0.0078, -4), (0.02, -128), (0.004, 127), (0.01, 30)]


def draw(r: random.Random) -> Case:
    in_s, in_zp = r.choice(IN_QP)
    h_s, h_zp = r.choice(H_QP)
    return _case(r.choice([1, 1, 2, 3]), r.choice([1, 2, 3, 5, 8]), r.choice([1, 3, 8, 13, 32]),
                 r.choice([1, 2, 5, 8, 16, 24]), r.random() < 0.4, in_s, in_zp, h_s, h_zp,
                 r.choice(CELL), r.choice([0.0, 0.0, 10.0, 1.0, 0.25]),
                 r.choice([0.3, 1.0, 1.0, 2.0, 6.0]), r.choice([0.0, 1.0, 3.0]))


CASES = sweep(CURATED, draw, family="lstm", default_random=1)

_INT8_RMS = math.sqrt(127 * 128 / 3)  # RMS of integers uniform over [-127, 127]


def lstm_model(case: Case) -> bytes:
    """One UNIDIRECTIONAL_SEQUENCE_LSTM the way the TFLite converter lays it out:
    24 inputs (peephole, projection and layer norm absent), int8 variable hidden
    state, int16 variable cell state, output quantized like the hidden state."""
    rng = case_rng(case_id(case))
    b, t, n_in, n_s = case["b"], case["t"], case["in"], case["s"]
    in_q = QParams([case["in_s"]], [case["in_zp"]])
    h_q = QParams([case["h_s"]], [case["h_zp"]])
    mb = ModelBuilder("lstm sweep")
    x_shape = [t, b, n_in] if case["tm"] else [b, t, n_in]
    x = mb.add_tensor("x", x_shape, "int8", in_q)
    # Gate pre-activations are Q3.12 (+-8): aim each FC at a std of ~gain.
    x_rms = case["in_s"] * 128 / math.sqrt(3)
    h_rms = case["h_s"] * 128 / math.sqrt(3)
    ids: dict[int, int] = {}
    for gate, (w_i, r_i, b_i) in enumerate(((1, 5, 12), (2, 6, 13), (3, 7, 14), (4, 8, 15))):
        w_s = case["gain"] / (math.sqrt(n_in) * x_rms * _INT8_RMS) * rng.uniform(0.5, 1.5)
        r_s = case["gain"] / (math.sqrt(n_s) * h_rms * _INT8_RMS) * rng.uniform(0.5, 1.5)
        w = rng.integers(-127, 128, (n_s, n_in))
        r = rng.integers(-127, 128, (n_s, n_s))
        bias_scale = float(np.float32(case["in_s"]) * np.float32(w_s))
        bias = np.round(rng.normal(0, case["bias"] + 1e-9, n_s) / bias_scale)
        bias = np.clip(bias, -(1 << 30), 1 << 30)
        ids[w_i] = mb.add_tensor(f"w{gate}", [n_s, n_in], "int8", QParams([w_s], [0]), data=w)
        ids[r_i] = mb.add_tensor(f"r{gate}", [n_s, n_s], "int8", QParams([r_s], [0]), data=r)
        ids[b_i] = mb.add_tensor(f"b{gate}", [n_s], "int32", QParams([bias_scale], [0]),
                                 data=bias)
    ids[18] = mb.add_tensor("hidden", [b, n_s], "int8", h_q, is_variable=True)
    ids[19] = mb.add_tensor("cell", [b, n_s], "int16", QParams([2.0 ** case["cell"]], [0]),
                            is_variable=True)
    y = mb.add_tensor("y", [*x_shape[:2], n_s], "int8", h_q)
    inputs = [x] + [ids.get(i, -1) for i in range(1, 24)]
    mb.add_op("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [y],
              {"cell_clip": case["clip"], "time_major": case["tm"]})
    mb.set_io([x], [y])
    return mb.build()


def assert_stateful_bit_exact(model: bytes, case: Case, inputs: int = VERIFY_INPUTS) -> None:
    """Like _sweep.assert_bit_exact for a model with state: verify runs the input sets
    in a row (the state carries over), then resets both sides and runs the first set
    again, so there is one more set than for a stateless model."""
    cid = case_id(case)
    seed = case_seed(cid) % 10_000
    result = api.verify(model, board="host", inputs=inputs, seed=seed, reference="tflm")
    assert result.cases == inputs + 4, f"{cid}: ran {result.cases} input sets"
    details = [f"  {label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.ok, (
        f"{cid} (verify seed {seed}): {len(result.failures)} of {result.cases} input sets "
        "differ from TFLite Micro\n" + "\n".join(details)
    )


#: Cases for the scalar-core path (lstm_s8.c built as for a Cortex-M without MVE, one lane).
SCALAR_PATH_CASES = [CURATED[0], CURATED[3], CURATED[7], CURATED[-1], CURATED[-3]]


@pytest.mark.parametrize("case", SCALAR_PATH_CASES, ids=case_id)
def test_scalar_core_path_equals_the_vector_path(case: Case, tmp_path: Path) -> None:
    """The kernel's scalar-core step (MCU_LSTM_VECTOR_LANES 1, what a Cortex-M4 runs)
    against its lane-loop step (what a host runs, bit-exact with TFLite Micro in
    test_lstm_bit_exact), both compiled on the host: equal outputs and state over
    several inputs in a row and after a reset."""
    compiled = api.compile_model(lstm_model(case))
    for name, data in compiled.library.files.items():
        (tmp_path / name).write_bytes(data)
    g = compiled.graph
    libs = [HostLibrary(tmp_path, "model", extra_flags=("-O2", f"-DMCU_LSTM_VECTOR_LANES={n}"))
            for n in (4, 1)]
    rng = np.random.default_rng(case_seed(case_id(case)))
    x_t = g.tensors[g.inputs[0]]
    y_t = g.tensors[g.outputs[0]]
    try:
        for i in range(7):
            if i == 5:
                for lib in libs:
                    lib.reset()
            x = rng.integers(-128, 128, size=x_t.shape, dtype=np.int8)
            ys = [np.zeros(y_t.shape, np.int8) for _ in libs]
            for lib, y in zip(libs, ys, strict=True):
                assert lib.invoke([x], [y]) == 0
            assert np.array_equal(ys[0], ys[1]), f"input {i}: the two paths differ"
    finally:
        for lib in libs:
            lib.close()


def test_lstm_case_count() -> None:
    assert len(CASES) >= 9


@pytest.mark.parametrize("case", CASES)
def test_lstm_bit_exact(case: Case) -> None:
    assert_stateful_bit_exact(lstm_model(case), case)


def test_lstm_variants_are_refused_with_reasons() -> None:
    """Peephole and a non-TANH cell activation are refused, not miscompiled."""
    from mcu_codegen.errors import UnsupportedError

    case = _case(steps=2, n_in=4, n_state=4)
    model = lstm_model(case)
    compiled = api.compile_model(model)  # the plain one compiles
    assert set(compiled.library.report["kernels"]) == {"lstm_s8", "mat_mult_s8"}
    mb_model = _with_peephole(case)
    with pytest.raises(UnsupportedError, match="peephole"):
        api.compile_model(mb_model)


def _with_peephole(case: Case) -> bytes:
    """The same LSTM with cell-to-forget peephole weights (TFLite Micro has none)."""
    import tflite

    from tests.tflite_writer import read_tensors

    base = lstm_model(case)
    tensors = read_tensors(base)
    m = tflite.Model.GetRootAsModel(base, 0)
    op = m.Subgraphs(0).Operators(0)
    inputs = [int(i) for i in op.InputsAsNumpy()]
    mb = ModelBuilder("lstm with peephole")
    remap = {}
    for t in tensors:
        remap[t.index] = mb.add_tensor(t.name, t.shape, t.dtype, t.quant, data=t.data,
                                       is_variable=t.name in ("hidden", "cell"))
    peep = mb.add_tensor("peephole", [case["s"]], "int16", QParams([0.01], [0]),
                         data=np.ones(case["s"]))
    new_inputs = [remap[i] if i >= 0 else -1 for i in inputs]
    new_inputs[10] = peep
    y = remap[int(op.OutputsAsNumpy()[0])]
    mb.add_op("UNIDIRECTIONAL_SEQUENCE_LSTM", new_inputs, [y], {"time_major": case["tm"]})
    mb.set_io([remap[inputs[0]]], [y])
    return mb.build()


#: TFLite's sigmoid_table_uint16 (tensorflow/lite/kernels/internal/common.h), value for
#: value: lstm_s8.c stores it as interpolation pairs, checked against this copy.
SIGMOID_TABLE_C = """
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
"""

#: The int16 Logistic and Tanh the way TFLite writes them (reference_integer_ops::
#: Logistic and Tanh, int16, tensorflow/lite/kernels/internal/reference/integer_ops/),
#: with their branches, beside the lane loops of lstm_s8.c (included whole to reach its
#: static functions), over every int16 input and every tanh input scaling the generator
#: can choose; and the kernel's two-step requantization (both of its products) against
#: mcu_multiply_by_quantized_multiplier on edge and pseudo-random values for every shift.
ACTIVATION_HARNESS = r"""
#include <stdio.h>
#include "lstm_s8.c"

static const uint16_t table[256] = { TABLE };

static int32_t ref_sigmoid(int16_t v)
{
    const int32_t x = (int32_t)v * 3;
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 9;
    uint32_t r;
    if (uh >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t ua = table[uh];
        const uint32_t ub = table[uh + 1u];
        r = (ua << 9) + (ax & 0x1FFu) * (ub - ua);
    }
    r = (x >= 0) ? (r + (1u << 9)) : ((1u << 25) - r + (1u << 9) - 1u);
    return (int32_t)(r >> 10);
}

static int32_t ref_tanh(int16_t v, int32_t multiplier, int32_t shift)
{
    const int32_t round = (shift > 0) ? ((int32_t)1 << (shift - 1)) : 0;
    const int32_t x = mcu_asr_s32((int32_t)v * multiplier + round, shift);
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 8;
    int32_t r;
    if (uh >= 255u) {
        r = (int32_t)(0xFFFFu << 8);
    } else {
        const uint32_t ua = table[uh];
        const uint32_t ub = table[uh + 1u];
        r = (int32_t)((ua << 8) + (ax & 0xFFu) * (ub - ua));
    }
    r = (x >= 0) ? (r - (1 << 23) + (1 << 7)) : (-r + (1 << 23) + (1 << 7) - 1);
    return mcu_asr_s32(r, 8);
}

static const int32_t scalings[][2] = { SCALINGS };

#define LANES 32

/* kind 0: sigmoid; 1: tanh with scalings[j] */
static long check_chunk(int32_t v0, int kind, int32_t m, int32_t s)
{
    int32_t v[LANES], y[LANES], frac[LANES], idx[LANES];
    const int32_t round = (s > 0) ? ((int32_t)1 << (s - 1)) : 0;
    long bad = 0;
    int32_t u;
    for (u = 0; u < LANES; ++u) {
        v[u] = y[u] = v0 + u;
    }
    if (kind == 0) {
        mcu_lstm_sigmoid_index(v, LANES, frac, idx);
        mcu_lstm_lookup(idx, LANES);
        mcu_lstm_sigmoid_finish(y, frac, idx, LANES);
    } else {
        mcu_lstm_tanh_index(v, LANES, m, s, round, frac, idx);
        mcu_lstm_lookup(idx, LANES);
        mcu_lstm_tanh_finish(v, m, s, round, frac, idx, LANES, y);
    }
    for (u = 0; u < LANES; ++u) {
        const int32_t want = kind == 0 ? ref_sigmoid((int16_t)v[u]) : ref_tanh((int16_t)v[u], m, s);
        bad += y[u] != want;
    }
    return bad;
}

static uint32_t lcg = 12345u;
static int32_t next_value(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return mcu_wrap_s32(lcg);
}

static long check_requant(long *checked)
{
    static const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -1073741825, -1073741824, -65536,
                                    -32769, -32768, -255, -3, -2, -1, 0, 1, 2, 3, 255, 32767,
                                    32768, 65535, 1073741823, 1073741824, INT32_MAX - 1,
                                    INT32_MAX};
    static const int32_t mults[] = {0, 1073741824, 1073741825, 1431655765, 2042355328,
                                    2146304392, INT32_MAX};
    long bad = 0;
    int32_t shift, i;
    size_t a, b;
    for (shift = -31; shift <= 30; ++shift) {
        for (a = 0; a < sizeof mults / sizeof mults[0] + 8; ++a) {
            mcu_lstm_rq_t q;
            const int32_t m = a < sizeof mults / sizeof mults[0]
                                  ? mults[a]
                                  : (int32_t)(0x40000000u | ((uint32_t)next_value() & 0x3FFFFFFFu));
            mcu_lstm_rq_prepare(m, shift, &q);
            for (i = 0; i < 4000 + (int32_t)(sizeof edges / sizeof edges[0]); ++i) {
                int32_t x;
                if (i < (int32_t)(sizeof edges / sizeof edges[0])) {
                    x = edges[i];
                } else {
                    b = (size_t)i % 4u;
                    x = next_value();
                    x = b == 0 ? x : b == 1 ? x >> 8 : b == 2 ? x >> 16 : x >> 24;
                }
                {
                    const int32_t want = mcu_multiply_by_quantized_multiplier(x, m, shift);
                    const int32_t xl = mcu_shl_wrap_s32(x, q.left);
                    bad += mcu_lstm_rq(x, &q) != want;
                    bad += mcu_lstm_rq_v(x, &q) != want;
                    bad += mcu_lstm_round_shift(mcu_lstm_high_mul(xl, m), &q) != want;
                    bad += mcu_lstm_round_shift(mcu_lstm_high_mul_u(xl, m), &q) != want;
                    *checked += 4;
                }
            }
        }
    }
    return bad;
}

int main(void)
{
    long bad = 0, checked = 0;
    size_t j;
    int32_t v;
    for (v = 0; v < 255; ++v) {
        bad += (int32_t)(mcu_lstm_sigmoid_pairs[v] & 0xFFFFu) != table[v];
        bad += (int32_t)(mcu_lstm_sigmoid_pairs[v] >> 16) != table[v + 1] - table[v];
    }
    for (v = INT16_MIN; v <= INT16_MAX; v += LANES) {
        bad += check_chunk(v, 0, 0, 0);
        bad += check_chunk(v, 1, 3, 0);
        checked += 2 * LANES;
        for (j = 0; j < sizeof scalings / sizeof scalings[0]; ++j) {
            bad += check_chunk(v, 1, scalings[j][0], scalings[j][1]);
            checked += LANES;
        }
    }
    bad += check_requant(&checked);
    printf("%ld mismatches in %ld values\n", bad, checked);
    return bad != 0 || checked < 65536L * 3;
}
"""


def test_branch_free_activations_equal_the_reference(tmp_path: Path) -> None:
    """lstm_s8.c's sigmoid and tanh lane loops (table pairs, saturating without
    branches by interpolating at the table's last segment instead of returning the
    reference's constant) and its two-step requantization equal the reference on
    every activation input and on edge and random requantization inputs."""
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc is not None, "no C compiler on this machine (.ci/run installs gcc)"
    scalings = sorted({quant.lstm_tanh_scaling(p)
                       for p in range(MIN_CELL_POWER, MAX_CELL_POWER + 1)})
    assert len(scalings) == MAX_CELL_POWER - MIN_CELL_POWER + 1
    src = tmp_path / "lstm_activations.c"
    src.write_text(ACTIVATION_HARNESS.replace("TABLE", SIGMOID_TABLE_C).replace(
        "SCALINGS", ", ".join(f"{{{m}, {s}}}" for m, s in scalings)))
    runtime = data_dir("runtime_c")
    # both lane settings: vectorized (hosts) and one lane (a scalar Cortex-M's code)
    for lanes in (4, 1):
        exe = tmp_path / f"lstm_activations_{lanes}"
        subprocess.run([cc, *STRICT_FLAGS, "-O2", f"-DMCU_LSTM_VECTOR_LANES={lanes}", "-I",
                        str(runtime), "-o", str(exe), str(src),
                        str(runtime / "mat_mult_s8.c")], check=True, capture_output=True,
                       text=True)
        proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout
