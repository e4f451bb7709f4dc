"""Generation-time quantization arithmetic, matching TFLite Micro bit for bit.

Each function names the TFLite routine it reproduces. Scales are float32 in
the model; TFLite converts them to double before multiplying, except where
noted, and the order of operations matters for the last bit of a multiplier.
"""

from __future__ import annotations

import math

import numpy as np

from ..ir import QuantParams

INT8_MIN, INT8_MAX = -128, 127


def round_half_away(x: float) -> int:
    """std::round: halves round away from zero (Python's round() does not)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def f32(x: float) -> float:
    """The value of ``x`` rounded to float32, as a Python float."""
    return float(np.float32(x))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """tflite::QuantizeMultiplier (double rounding build): real ~ m * 2^(shift - 31)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed > (1 << 31):
        raise ValueError(f"multiplier {real} cannot be quantized")
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return int(q_fixed), int(shift)


def quantize_multiplier_smaller_than_one_exp(real: float) -> tuple[int, int]:
    """tflite::QuantizeMultiplierSmallerThanOneExp: requires 0 < real < 1; shift <= 0."""
    if not 0.0 < real < 1.0:
        raise ValueError(f"multiplier {real} is not in (0, 1)")
    m, shift = quantize_multiplier(real)
    if shift > 0:
        raise ValueError(f"multiplier {real} gave a positive shift")
    return m, shift


def activation_range(activation: str, q: QuantParams | None) -> tuple[int, int]:
    """tflite::CalculateActivationRangeQuantized for an int8 output.

    ``f / scale`` is computed in float32 and rounded half away from zero, as
    TfLiteRound on a float does.
    """
    if activation == "NONE" or q is None:
        return INT8_MIN, INT8_MAX
    scale = np.float32(q.scale)
    zp = q.zero_point

    def quantize(f: float) -> int:
        return zp + round_half_away(float(np.float32(f) / scale))

    if activation == "RELU":
        return max(INT8_MIN, quantize(0.0)), INT8_MAX
    if activation == "RELU6":
        return max(INT8_MIN, quantize(0.0)), min(INT8_MAX, quantize(6.0))
    if activation == "RELU_N1_TO_1":
        return max(INT8_MIN, quantize(-1.0)), min(INT8_MAX, quantize(1.0))
    raise ValueError(f"fused activation {activation} is not supported")


def conv_multipliers(
    input_q: QuantParams, filter_q: QuantParams, output_q: QuantParams, channels: int
) -> tuple[list[int], list[int]]:
    """tflite::PopulateConvolutionQuantizationParams: one (multiplier, shift) per channel.

    effective = double(input_scale) * double(filter_scale[c]) / double(output_scale);
    a per-tensor filter scale is broadcast to every channel.
    """
    mults, shifts = [], []
    for c in range(channels):
        fs = filter_q.scales[c] if filter_q.per_channel else filter_q.scales[0]
        real = f32(input_q.scale) * f32(fs) / f32(output_q.scale)
        m, s = quantize_multiplier(real)
        mults.append(m)
        shifts.append(s)
    return mults, shifts


def fc_per_tensor_multiplier(
    input_q: QuantParams, filter_q: QuantParams, output_q: QuantParams
) -> tuple[int, int]:
    """tflite::GetQuantizedConvolutionMultipler: the product of the two scales is
    taken in float32 first, then divided in double."""
    product = float(np.float32(input_q.scale) * np.float32(filter_q.scale))
    return quantize_multiplier(product / f32(output_q.scale))


def softmax_params(beta: float, input_scale: float) -> tuple[int, int, int]:
    """TFLM CalculateSoftmaxParams for int8 -> int8.

    PreprocessSoftmaxScaling(beta, input_scale, 5) and
    diff_min = -CalculateInputRadius(5, input_left_shift, 31).
    Returns (input_multiplier, input_left_shift, diff_min).
    """
    integer_bits = 5
    real = min(f32(beta) * f32(input_scale) * float(1 << (31 - integer_bits)), (1 << 31) - 1.0)
    if not real > 1.0:
        raise ValueError(f"softmax multiplier {real} is not above 1")
    mult, left_shift = quantize_multiplier(real)
    max_input_rescaled = (
        1.0 * ((1 << integer_bits) - 1) * (1 << (31 - integer_bits)) / (1 << left_shift)
    )
    diff_min = -math.floor(max_input_rescaled)
    return mult, left_shift, diff_min


def add_params(
    q1: QuantParams, q2: QuantParams, qout: QuantParams
) -> dict[str, int]:
    """TFLM add_common.cc for int8: left_shift 20, inputs rescaled to twice the
    larger input scale, all in double."""
    left_shift = 20
    twice_max = 2.0 * max(f32(q1.scale), f32(q2.scale))
    m1, s1 = quantize_multiplier_smaller_than_one_exp(f32(q1.scale) / twice_max)
    m2, s2 = quantize_multiplier_smaller_than_one_exp(f32(q2.scale) / twice_max)
    mo, so = quantize_multiplier_smaller_than_one_exp(
        twice_max / ((1 << left_shift) * f32(qout.scale))
    )
    return {
        "left_shift": left_shift,
        "input1_offset": -q1.zero_point,
        "input1_multiplier": m1,
        "input1_shift": s1,
        "input2_offset": -q2.zero_point,
        "input2_multiplier": m2,
        "input2_shift": s2,
        "output_offset": qout.zero_point,
        "output_multiplier": mo,
        "output_shift": so,
    }
