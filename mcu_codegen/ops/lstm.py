"""UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite Micro runs it for int8 ("int8x8_16"):
int8 input, output, hidden state and weights, int32 biases, int16 cell state.

TFLite Micro supports only the standard LSTM here (no peephole, projection,
layer normalization or coupled input-forget gate) and takes no quantization from
the op's intermediate tensors: gate pre-activations are always Q3.12 and gate
outputs Q0.15. The hidden and cell states are variable tensors that the kernel
updates in place; they persist across invocations until ``<prefix>_reset()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import DType, Graph, Op, OpKind, Tensor
from ..ir.graph import OpAttrs
from . import mat_mult, quant, rules
from .base import INT32_MAX, INT32_MIN, MAX_ACCUMULATION, Emission, EmitContext, OpDef, inp, out
from .common import activation, opt_float

# Input positions (tensorflow/lite/micro/kernels/lstm_shared.h).
INPUT = 0
#: (input weights, recurrent weights, bias) per gate, in the kernel's gate order.
GATES = {
    "forget_gate": (2, 6, 13),
    "input_gate": (1, 5, 12),
    "cell_gate": (3, 7, 14),
    "output_gate": (4, 8, 15),
}
PEEPHOLE = (9, 10, 11)
PROJECTION = (16, 17)
HIDDEN_STATE = 18
CELL_STATE = 19
LAYER_NORM = (20, 21, 22, 23)
N_INPUTS = 24

#: The rounded log2 of the cell scale feeds a shift of the int16 tanh input: outside
#: this range the reference's int32 arithmetic would overflow or shift by 32 or more.
MIN_CELL_POWER, MAX_CELL_POWER = -40, 2
#: MCU_LSTM_MAX_PADDED in runtime_c/lstm_s8.h: the longest padded row the kernel copies
#: its input or hidden vector into (on its stack).
MAX_PADDED = 128
#: MCU_LSTM_BLOCK in runtime_c/lstm_s8.h: units per block; the bias rows are padded to it.
LSTM_BLOCK = 16


@dataclass(frozen=True)
class LstmAttrs(OpAttrs):
    cell_activation: str
    cell_clip: float
    proj_clip: float
    time_major: bool


def _attrs(op: Op) -> LstmAttrs:
    assert isinstance(op.attrs, LstmAttrs)
    return op.attrs


def _t(g: Graph, op: Op, i: int) -> Tensor:
    t = inp(g, op, i)
    if t is None:
        raise ValueError(f"input {i} is missing")
    return t


def _sizes(g: Graph, op: Op) -> tuple[int, int, int, int]:
    """(batches, time steps, input size, state size), as CreateLstmSizeInfo reads them."""
    x, h = _t(g, op, INPUT), _t(g, op, HIDDEN_STATE)
    time_major = _attrs(op).time_major
    batches, steps = (x.shape[1], x.shape[0]) if time_major else (x.shape[0], x.shape[1])
    return batches, steps, x.shape[2], h.shape[1]


def _options_rule(g: Graph, op: Op) -> str | None:
    """the cell gate activation is TANH"""
    a = _attrs(op)
    if a.cell_activation != "TANH":
        return f"cell activation {a.cell_activation} (TFLite Micro's LSTM needs TANH)"
    return None


def _variant_rule(g: Graph, op: Op) -> str | None:
    """a standard LSTM: no peephole, projection or layer normalization tensors, and the
    input gate has its own weights and bias (no coupled input-forget gate), as TFLite
    Micro requires"""
    present = [i for i in (*PEEPHOLE, *PROJECTION, *LAYER_NORM) if inp(g, op, i) is not None]
    if present:
        kinds = sorted({"peephole" if i in PEEPHOLE else "projection" if i in PROJECTION
                        else "layer normalization" for i in present})
        return f"{' and '.join(kinds)} tensors are not supported (TFLite Micro has none)"
    missing = [i for i in GATES["input_gate"] if inp(g, op, i) is None]
    if missing:
        return "coupled input-forget gate (no input gate weights) is not supported"
    return None


def _weights_rule(g: Graph, op: Op) -> str | None:
    """the eight gate weight tensors are constant int8, quantized per tensor with zero
    point 0; the four gate biases are constant int32"""
    for i in (*range(1, 9), *range(12, 16)):
        if inp(g, op, i) is None:
            return f"input {i} ({'gate bias' if i >= 12 else 'gate weights'}) is missing"
    for i in range(1, 9):
        w = _t(g, op, i)
        if not w.is_const or w.dtype is not DType.INT8:
            return f"input {i} (gate weights) must be a constant int8 tensor"
        if w.quant is None or w.quant.per_channel:
            return f"input {i} (gate weights) must be quantized per tensor"
        if w.quant.zero_point != 0 or w.quant.scale <= 0:
            return f"input {i} (gate weights) needs zero point 0 and a positive scale"
    for i in range(12, 16):
        b = _t(g, op, i)
        if not b.is_const or b.dtype is not DType.INT32:
            return f"input {i} (gate bias) must be a constant int32 tensor"
    return None


def _state_rule(g: Graph, op: Op) -> str | None:
    """input 18 (hidden state) is an int8 variable tensor [batches, units]; input 19
    (cell state) is an int16 variable tensor of the same size, with a scale between
    2^-40 and 4"""
    h, c = inp(g, op, HIDDEN_STATE), inp(g, op, CELL_STATE)
    if h is None or c is None:
        return "the hidden and cell state inputs (18 and 19) are required"
    if (h.dtype is not DType.INT8 or not h.is_variable or h.is_const or h.quant is None
            or h.quant.scale <= 0):
        return "input 18 (hidden state) must be a quantized int8 variable tensor"
    if (c.dtype is not DType.INT16 or not c.is_variable or c.is_const or c.quant is None
            or c.quant.scale <= 0):
        return "input 19 (cell state) must be a quantized int16 variable tensor (int8x8_16 LSTM)"
    if len(h.shape) != 2:
        return f"hidden state has shape {list(h.shape)}, expected [batches, units]"
    power = quant.checked_log2(c.quant.scale)
    if not MIN_CELL_POWER <= power <= MAX_CELL_POWER:
        return f"cell state scale {c.quant.scale:g} is outside [2^-40, 4]"
    return None


def _shape_rule(g: Graph, op: Op) -> str | None:
    """input is [batches, time, features] ([time, batches, features] when time major),
    output [.., .., units]; input weights are [units, features], recurrent weights
    [units, units], biases [units]; both states hold batches x units values; features
    and units are at most 65,793 (int32 sums)"""
    x, o = _t(g, op, INPUT), out(g, op)
    if len(x.shape) != 3 or len(o.shape) != 3:
        return "input and output must have rank 3"
    batches, _, n_in, n_state = _sizes(g, op)
    if o.shape[:2] != x.shape[:2] or o.shape[2] != n_state:
        return f"output shape {list(o.shape)} does not match input {list(x.shape)}"
    for w_i, r_i, b_i in GATES.values():
        for i, want in ((w_i, (n_state, n_in)), (r_i, (n_state, n_state)), (b_i, (n_state,))):
            if _t(g, op, i).shape != want:
                return f"input {i} has shape {list(_t(g, op, i).shape)}, expected {list(want)}"
    for i in (HIDDEN_STATE, CELL_STATE):
        if _t(g, op, i).size != batches * n_state:
            return (f"input {i} (state) holds {_t(g, op, i).size} values, expected "
                    f"{batches} x {n_state}")
    if max(n_in, n_state) > MAX_ACCUMULATION:
        return f"gate sums over {max(n_in, n_state)} products, more than {MAX_ACCUMULATION}"
    if x.size == 0:
        return "empty input"
    return None


def row_stride(n: int) -> int:
    """The padded row length of a gate weight matrix over a vector of n values: n
    rounded up to a multiple of MAT_MULT_BLOCK when that fits the kernel's stack copy
    of the vector (MCU_LSTM_MAX_PADDED), so its dot products run only whole blocks;
    else n (the dot products finish the last n % 16 terms in a scalar loop)."""
    rounded = -(-n // mat_mult.MAT_MULT_BLOCK) * mat_mult.MAT_MULT_BLOCK
    return rounded if rounded <= MAX_PADDED else n


def interleaved(mats: Sequence[np.ndarray], stride: int) -> np.ndarray:
    """[units, 4, stride]: the four gates' rows of each unit together, zero padded."""
    units, n = mats[0].shape
    out = np.zeros((units, len(mats), stride), dtype=np.int8)
    for k, m in enumerate(mats):
        out[:, k, :n] = m
    return out


def gate_weights(mats: Sequence[np.ndarray], stride: int) -> tuple[str, np.ndarray]:
    """The kernel's weights over one vector (lstm_s8.h): interleaved by unit; for a padded
    row (stride above the size, or a multiple of the block up to MAX_PADDED) stored as
    uint8 w + 128, padding included (the kernel removes 128 x the vector's sum), else
    int8 as they are."""
    w = interleaved(mats, stride)
    if stride <= MAX_PADDED:
        return "uint8_t", (w.astype(np.int16) + 128).astype(np.uint8)
    return "int8_t", w


def gate_major_bias(biases: Sequence[np.ndarray]) -> np.ndarray:
    """[4, MCU_LSTM_BIAS_STRIDE(units)] int32: each gate's bias, zero padded to whole
    blocks of MCU_LSTM_BLOCK units (lstm_s8.h)."""
    units = len(biases[0])
    stride = -(-units // LSTM_BLOCK) * LSTM_BLOCK
    out = np.zeros((len(biases), stride), dtype=np.int32)
    for k, b in enumerate(biases):
        out[k, :units] = b
    return out


def _c_list(values: Sequence[int]) -> str:
    return "{" + ", ".join(str(v) for v in values) + "}"


def lstm_fields(g: Graph, op: Op, ctx: EmitContext) -> dict[str, int | str]:
    """Every field of mcu_lstm_s8_params_t: TFLM's Prepare arithmetic
    (PrepareGateParametersInteger, CreateLstmCellStateInfo), done at build time, and
    the gate weights and biases interleaved by unit (lstm_s8.h)."""
    a = _attrs(op)
    x, h, c = _t(g, op, INPUT), _t(g, op, HIDDEN_STATE), _t(g, op, CELL_STATE)
    assert x.quant and h.quant and c.quant
    batches, steps, n_in, n_state = _sizes(g, op)
    in_stride, state_stride = row_stride(n_in), row_stride(n_state)
    mults: dict[str, list[int]] = {k: [] for k in ("im", "ish", "rm", "rsh")}
    w_in, w_rec, biases = [], [], []
    for name, (w_i, r_i, b_i) in GATES.items():
        w, r, bias = _t(g, op, w_i), _t(g, op, r_i), _t(g, op, b_i)
        assert w.quant and r.quant and w.data is not None and r.data is not None
        assert bias.data is not None
        im, ish = quant.lstm_gate_multiplier(x.quant.scale, w.quant.scale)
        rm, rsh = quant.lstm_gate_multiplier(h.quant.scale, r.quant.scale)
        for v in (im, ish, rm, rsh):
            if not INT32_MIN <= v <= INT32_MAX:
                raise ValueError(f"{name} multiplier {v} does not fit 32 bits")
        for key, v in zip(("im", "ish", "rm", "rsh"), (im, ish, rm, rsh), strict=True):
            mults[key].append(v)
        w_in.append(np.asarray(w.data, dtype=np.int8).reshape(n_state, n_in))
        w_rec.append(np.asarray(r.data, dtype=np.int8).reshape(n_state, n_state))
        biases.append(np.asarray(bias.data, dtype=np.int64).reshape(n_state))
    fields: dict[str, int | str] = {
        "batches": batches, "time_steps": steps, "input_size": n_in, "state_size": n_state,
        "time_major": int(a.time_major),
        "input_stride": in_stride, "state_stride": state_stride,
        "input_offset": -x.quant.zero_point,
        "hidden_offset": -h.quant.zero_point,
        "input_weights": ctx.const_array(op, "input_weights", *gate_weights(w_in, in_stride)),
        "recurrent_weights": ctx.const_array(op, "recurrent_weights",
                                             *gate_weights(w_rec, state_stride)),
        "bias": ctx.const_array(op, "bias", "int32_t", gate_major_bias(biases)),
        "input_multiplier": _c_list(mults["im"]), "input_shift": _c_list(mults["ish"]),
        "recurrent_multiplier": _c_list(mults["rm"]),
        "recurrent_shift": _c_list(mults["rsh"]),
    }
    gate_out = quant.LSTM_GATE_OUTPUT_SCALE
    fm, fsh = quant.inter_gate_multiplier(gate_out, c.quant.scale, c.quant.scale)
    um, ush = quant.inter_gate_multiplier(gate_out, gate_out, c.quant.scale)
    hm, hsh = quant.inter_gate_multiplier(gate_out, gate_out, h.quant.scale)
    tm, tsh = quant.lstm_tanh_scaling(quant.checked_log2(c.quant.scale))
    fields.update({
        "forget_multiplier": fm, "forget_shift": fsh,
        "update_multiplier": um, "update_shift": ush,
        "hidden_multiplier": hm, "hidden_shift": hsh,
        "hidden_zero_point": h.quant.zero_point,
        "cell_clip_enabled": int(a.cell_clip > 0),
        "cell_clip": quant.lstm_quantized_cell_clip(a.cell_clip, c.quant.scale),
        "tanh_multiplier": tm, "tanh_shift": tsh,
    })
    return fields


class UnidirectionalSequenceLstm(OpDef):
    kind = OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM
    summary = ("LSTM over a sequence, int8 activations and weights with an int16 cell "
               "state (TFLite's int8x8_16 LSTM); the hidden and cell states persist across "
               "invocations until `<prefix>_reset()`")
    rules = (
        rules.n_inputs(N_INPUTS, N_INPUTS),
        rules.io_dtype("input", INPUT, DType.INT8),
        rules.io_dtype("output", 0, DType.INT8),
        _options_rule,
        _variant_rule,
        _weights_rule,
        _state_rule,
        _shape_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return LstmAttrs(
            cell_activation=activation(options),
            cell_clip=opt_float(options, "cell_clip"),
            proj_clip=opt_float(options, "proj_clip"),
            time_major=bool(options.get("time_major", False)),
        )

    def macs(self, g: Graph, op: Op) -> int:
        batches, steps, n_in, n_state = _sizes(g, op)
        return batches * steps * 4 * n_state * (n_in + n_state)

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        fields = lstm_fields(g, op, ctx)
        params = ctx.symbol(op, "params")
        call = (
            f"mcu_lstm_s8(&{params}, {ctx.cptr(op.inputs[INPUT])}, "
            f"{ctx.ptr(op.inputs[HIDDEN_STATE])}, {ctx.ptr(op.inputs[CELL_STATE])}, "
            f"{ctx.ptr(op.outputs[0])});"
        )
        return Emission(
            kernels=("lstm_s8", mat_mult.KERNEL),
            call=call,
            params_type="mcu_lstm_s8_params_t",
            params_name=params,
            params=tuple(fields.items()),
        )
