"""256-entry lookup tables for the int8 element-wise activations.

An int8 activation's output depends on one input byte only, so the generator
runs TFLite Micro's own arithmetic for each of the 256 possible inputs and the
kernel becomes one table lookup per element (``runtime_c/lut_s8.c``). Every
function names the TFLite Micro Prepare and reference routine it reproduces;
the integer routines come from :mod:`.fixedpoint`; scale arithmetic is done in
float32 or double exactly where the tflite-micro package (the oracle) does it,
which is not always what its published sources say. A table lists the outputs
for inputs -128 .. 127.

A ``ValueError`` means TFLite Micro's arithmetic is undefined or aborts for the
given quantization (support rules turn it into a reason).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from collections.abc import Callable

import numpy as np

from . import fixedpoint as fp
from .quant import INT8_MAX, INT8_MIN, f32, quantize_multiplier, round_half_away

Table = tuple[int, ...]
INPUTS = range(INT8_MIN, INT8_MAX + 1)


def _clamp8(v: int) -> int:
    return min(max(v, INT8_MIN), INT8_MAX)


# ---- LOGISTIC and TANH: gemmlowp fixed point on a Q4.27 input -----------------------------

_INPUT_INTEGER_BITS = 4


def _q4_input_params(input_scale: float) -> tuple[int, int, int]:
    """The int8 branch of TFLM CalculateArithmeticOpDataLogistic / tanh.cc
    CalculateArithmeticOpData: (multiplier, left_shift, input_range_radius).

    multiplier = round(frexp(double(scale) * 2^27).q * 2^31), and the radius is
    CalculateInputRadius(4, left_shift, 31) = floor(15 * 2^27 / 2^left_shift)."""
    real = f32(input_scale) * float(1 << (31 - _INPUT_INTEGER_BITS))
    q, left_shift = math.frexp(real)
    if not 0 <= left_shift <= 62:
        raise ValueError(f"input scale {input_scale:g} gives the input shift {left_shift}, "
                         "outside the [0, 62] TFLite Micro's radius computation can shift by")
    multiplier = round_half_away(q * (1 << 31))
    radius_real = (1.0 * ((1 << _INPUT_INTEGER_BITS) - 1)
                   * (1 << (31 - _INPUT_INTEGER_BITS)) / (1 << left_shift))
    return multiplier, left_shift, math.floor(radius_real)


def logistic_table(input_scale: float, input_zero_point: int) -> Table:
    """tflite::reference_integer_ops::Logistic (int8), integer_ops/logistic.h: the
    output is on scale 1/256 with zero point -128 (the output tensor's own scale is
    not read, as in TFLite Micro)."""
    multiplier, shift, radius = _q4_input_params(input_scale)
    table = []
    for x in INPUTS:
        v = x - input_zero_point
        if v <= -radius:
            table.append(INT8_MIN)
        elif v >= radius:
            table.append(INT8_MAX)
        else:
            q4 = fp.multiply_by_quantized_multiplier(v, multiplier, shift)
            q0 = fp.logistic(q4, _INPUT_INTEGER_BITS)
            table.append(_clamp8(fp.rdbp(q0, 31 - 8) - 128))
    return tuple(table)


def tanh_table(input_scale: float, input_zero_point: int) -> Table:
    """tflite::reference_integer_ops::Tanh (int8), integer_ops/tanh.h: the output is
    on scale 1/128 with zero point 0 (the output tensor's quantization is not read,
    as in TFLite Micro)."""
    multiplier, shift, radius = _q4_input_params(input_scale)
    table = []
    for x in INPUTS:
        v = x - input_zero_point
        if v <= -radius:
            table.append(INT8_MIN)
        elif v >= radius:
            table.append(INT8_MAX)
        else:
            q4 = fp.multiply_by_quantized_multiplier(v, multiplier, shift)
            q0 = fp.tanh(q4, _INPUT_INTEGER_BITS)
            table.append(_clamp8(fp.rdbp(q0, 31 - 7)))
    return tuple(table)


# ---- HARD_SWISH: int16 fixed point ------------------------------------------------------


def hard_swish_params(input_scale: float, output_scale: float) -> tuple[int, int, int, int]:
    """TFLM HardSwishPrepare (hard_swish_common.cc): (output_multiplier_int16,
    output_exponent, reluish_multiplier_int16, reluish_exponent).

    hires_input_scale = (1/128) * input_scale is a float32 product; the two ratios
    are divided in double in the tflite-micro package used as the oracle (its
    machine code converts to double before dividing), although the 2026-08
    sources divide in float32 and widen the quotient: the float32 quotients
    disagree with it on some table entries."""
    hires_input_scale = float(np.float32(1.0 / 128.0) * np.float32(input_scale))
    reluish_scale = 3.0 / 32768.0  # exact in float32 and double
    out_m32, out_exp = quantize_multiplier(hires_input_scale / f32(output_scale))
    if out_exp > 0:
        raise ValueError("the output scale is below input scale / 128 "
                         "(TFLite Micro requires output_multiplier_exponent <= 0)")
    relu_m32, relu_exp = quantize_multiplier(hires_input_scale / reluish_scale)
    if relu_exp > 31:
        raise ValueError(f"input scale {input_scale:g} is too large for HARD_SWISH")
    return (fp.downscale_multiplier_to_int16(out_m32), out_exp,
            fp.downscale_multiplier_to_int16(relu_m32), relu_exp)


def hard_swish_table(input_scale: float, input_zero_point: int, output_scale: float,
                     output_zero_point: int) -> Table:
    """tflite::reference_ops::HardSwish<int8_t> (reference/hard_swish.h); every
    intermediate is an int16, as there."""
    out_m16, out_exp, relu_m16, relu_exp = hard_swish_params(input_scale, output_scale)
    table = []
    for x in INPUTS:
        value = fp.wrap16(x - input_zero_point)
        hires = fp.wrap16(value * (1 << 7))
        preshift_output = fp.srdhm16(hires, out_m16)
        reluish = hires
        if relu_exp > 0:
            reluish = fp.saturating_left_shift16(reluish, relu_exp - 1)
        reluish = fp.srdhm16(reluish, relu_m16)
        if relu_exp > 0:
            reluish = fp.saturating_left_shift16(reluish, 1)
        if relu_exp < 0:
            reluish = fp.rdbp16(reluish, -relu_exp)
        reluish = fp.wrap16((reluish + (1 << 15)) >> 1)
        preshift = fp.sdhm16(reluish, preshift_output)
        out = fp.wrap16(fp.rdbp16(preshift, -out_exp) + output_zero_point)
        table.append(_clamp8(out))
    return tuple(table)


# ---- LEAKY_RELU: requantization with two multipliers ------------------------------------


def leaky_relu_table(alpha: float, input_scale: float, input_zero_point: int,
                     output_scale: float, output_zero_point: int) -> Table:
    """TFLM CalculateOpDataLeakyRelu (leaky_relu_common.cc) and
    tflite::reference_ops::QuantizeLeakyRelu (reference/leaky_relu.h, which negates
    the result for a negative alpha). The multipliers double(s_in) * double(alpha) /
    double(s_out) and double(s_in) / double(s_out) are taken in double, as in the
    tflite-micro package used as the oracle (the 2026-08 sources use float32)."""
    s_in, s_out = f32(input_scale), f32(output_scale)
    m_alpha, s_alpha = quantize_multiplier(s_in * f32(alpha) / s_out)
    m_id, s_id = quantize_multiplier(s_in / s_out)
    negative = m_alpha < 0
    safe_alpha = fp.wrap32(-m_alpha) if negative else m_alpha
    table = []
    for x in INPUTS:
        v = x - input_zero_point
        if v >= 0:
            out = output_zero_point + fp.multiply_by_quantized_multiplier(v, m_id, s_id)
        else:
            scaled = fp.multiply_by_quantized_multiplier(v, safe_alpha, s_alpha)
            out = output_zero_point + (fp.wrap32(-scaled) if negative else scaled)
        table.append(_clamp8(fp.wrap32(out)))
    return tuple(table)


# ---- ELU: TFLite Micro's own float lookup table -----------------------------------------


def _libm_expf() -> Callable[[float], float]:
    """The C library's expf, the function TFLite Micro's ``std::exp(float)`` calls.

    expf is not correctly rounded (glibc: up to 0.502 ulp, with a separate FMA
    variant), so a different float32 exp could move an ELU table entry by one.
    """
    name = ctypes.util.find_library("m") or ctypes.util.find_library("c")
    if name is not None:
        try:
            fn = ctypes.CDLL(name).expf
            fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
            return lambda v: float(fn(v))
        except (OSError, AttributeError):
            pass
    return lambda v: float(np.exp(np.float32(v)))


_expf = _libm_expf()


def _float_to_int32_x86(v: np.float32) -> int:
    """static_cast<int32_t>(float) as x86-64 does it: truncation, and INT32_MIN for a
    value outside the int32 range (cvttss2si's "integer indefinite")."""
    if not math.isfinite(v) or not -2.0**31 <= float(v) < 2.0**31:
        return fp.INT32_MIN
    return int(v)


def elu_table(input_scale: float, input_zero_point: int, output_scale: float,
              output_zero_point: int) -> Table:
    """TFLM elu.cc PopulateLookupTable<int8_t> with transform(v) = v < 0 ? exp(v) - 1 : v,
    in float32 throughout: dequantized = scale * (q - zp), rescaled =
    roundf(transformed * (1 / output_scale)), then + zero point, cast and clamp."""
    s_in = np.float32(input_scale)
    inverse_scale = np.float32(1.0) / np.float32(output_scale)
    table = []
    with np.errstate(over="ignore", invalid="ignore"):  # inf is handled like the C++ does
        for x in INPUTS:
            table.append(_elu_entry(x, s_in, input_zero_point, inverse_scale, output_zero_point))
    return tuple(table)


def _elu_entry(x: int, s_in: np.float32, input_zero_point: int, inverse_scale: np.float32,
               output_zero_point: int) -> int:
    dequantized = s_in * np.float32(x - input_zero_point)
    transformed = (np.float32(_expf(float(dequantized))) - np.float32(1.0)
                   if dequantized < 0 else dequantized)
    scaled = transformed * inverse_scale
    rescaled = np.float32(round_half_away(float(scaled))) if math.isfinite(scaled) else scaled
    return _clamp8(_float_to_int32_x86(rescaled + np.float32(output_zero_point)))
