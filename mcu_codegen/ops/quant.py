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
    """The value of ``x`` rounded to float32, as a Python float (inf past float32's range,
    without a warning: the callers refuse non-finite multipliers)."""
    with np.errstate(over="ignore"):
        return float(np.float32(x))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """tflite::QuantizeMultiplier (double rounding build): real ~ m * 2^(shift - 31)."""
    if real == 0.0:
        return 0, 0
    if not math.isfinite(real):
        raise ValueError(f"multiplier {real} is not finite")
    q, shift = math.frexp(real)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed > (1 << 31):
        raise ValueError(f"multiplier {real} cannot be quantized")
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    if shift > 31:
        # The kernels shift left by `shift` in 32 bits (TFLite: x * (1 << shift)).
        raise ValueError(f"multiplier {real:g} is 2^31 or more")
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
        with np.errstate(over="ignore"):  # a tiny scale gives inf: OverflowError below
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
    with np.errstate(over="ignore", under="ignore"):
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


def mean_multiplier(input_q: QuantParams, output_q: QuantParams, count: int) -> tuple[int, int]:
    """The (multiplier, shift) TFLite's QuantizedMeanOrSum uses for a MEAN over
    ``count`` elements: QuantizeMultiplier(double(in_scale) / double(out_scale)),
    then 1/count folded in with a shift k = floor(log2 count), clamped to
    k <= 32 and k <= 31 + shift, and an int64 truncating division."""
    mult, shift = quantize_multiplier(f32(input_q.scale) / f32(output_q.scale))
    if count < 1:
        raise ValueError("a mean over no elements")
    k = min(count.bit_length() - 1, 32, 31 + shift)
    return (mult << k) // count, shift - k


# ---- recurrent ops (UNIDIRECTIONAL_SEQUENCE_LSTM, SVDF) --------------------------------

#: TFLM's int8 LSTM gives every gate pre-activation the scale 2^-12 (Q3.12) and every
#: gate output 2^-15 (Q0.15), whatever the model's intermediate tensors say.
LSTM_GATE_INPUT_SCALE = 2.0**-12
LSTM_GATE_OUTPUT_SCALE = 2.0**-15


def lstm_gate_multiplier(input_scale: float, weight_scale: float) -> tuple[int, int]:
    """TFLM CreateGateParams (lstm_eval_common.cc): the gate's fully connected part
    goes through GetQuantizedConvolutionMultipler without bias, so the two scales
    are multiplied in float32, then divided by 2^-12 in double."""
    product = float(np.float32(input_scale) * np.float32(weight_scale))
    return quantize_multiplier(product / LSTM_GATE_INPUT_SCALE)


def inter_gate_multiplier(scale1: float, scale2: float, output_scale: float) -> tuple[int, int]:
    """TFLM CreateInterGateMulParams: double(s1) * double(s2) / double(s_out)."""
    return quantize_multiplier(f32(scale1) * f32(scale2) / f32(output_scale))


def checked_log2(x: float) -> int:
    """tflite::CheckedLog2's result: round(logf(x) * (1.0f / logf(2.0f))) in float32.
    TFLM's LSTM ignores whether x was a power of two and uses the rounded value."""
    one = np.float32(1.0)
    log2 = np.float32(np.log(np.float32(x))) * (one / np.float32(np.log(np.float32(2.0))))
    return round_half_away(float(np.float32(log2)))


def lstm_quantized_cell_clip(cell_clip: float, cell_scale: float) -> int:
    """TFLM CreateLstmCellStateInfo: static_cast<int16_t>(clamp(double(clip) /
    double(scale), -32768, 32767)), the cast truncating toward zero."""
    return int(min(max(f32(cell_clip) / f32(cell_scale), -32768.0), 32767.0))


def lstm_tanh_scaling(cell_scale_power: int) -> tuple[int, int]:
    """The (multiplier, right shift) TFLM's lstm_internal::Tanh hands the int16 tanh
    for a cell state of scale 2^power: left shift 15 + power - 3, a negative one
    becoming a right shift with multiplier 3; reference_integer_ops::Tanh then turns
    multiplier 0 into 3 << left shift."""
    left = 15 + cell_scale_power - 3
    if left < 0:
        return 3, -left
    return 3 << left, 0


def svdf_multipliers(input_scale: float, feature_scale: float, state_scale: float,
                     time_scale: float, output_scale: float) -> tuple[int, int, int, int]:
    """TFLM PrepareSvdf for int8: each effective scale is computed entirely in float32
    (a * b / c), then widened to double for QuantizeMultiplier. Returns (feature
    multiplier, shift, output multiplier, shift)."""
    s1 = np.float32(input_scale) * np.float32(feature_scale) / np.float32(state_scale)
    s2 = np.float32(state_scale) * np.float32(time_scale) / np.float32(output_scale)
    m1, sh1 = quantize_multiplier(float(s1))
    m2, sh2 = quantize_multiplier(float(s2))
    return m1, sh1, m2, sh2


def sub_params(q1: QuantParams, q2: QuantParams, qout: QuantParams) -> dict[str, int]:
    """SUB's constants, which are ADD's (left shift 20, double precision throughout).

    The sub_common.cc in the TFLite Micro sources (up to 2026-08) takes the three
    scale ratios in float32 and only then widens them, but the tflite-micro
    package used as the oracle computes them in double, exactly as ADD's
    add_common.cc does: measured over all 65,536 input pairs, the float32
    multipliers disagree with it by one on some outputs and the double ones never.
    """
    return add_params(q1, q2, qout)


def squared_difference_params(
    q1: QuantParams, q2: QuantParams, qout: QuantParams
) -> dict[str, int]:
    """TFLM squared_difference.cc PrepareQuantized for int8 (left_shift 7): the input
    ratios in double; the output multiplier is
    (twice_max * twice_max) / double((1 << 14) * s_out), the product in float32, and
    may exceed one (QuantizeMultiplier, not ...SmallerThanOneExp)."""
    left_shift = 7
    twice_max = 2.0 * max(f32(q1.scale), f32(q2.scale))
    m1, s1 = quantize_multiplier_smaller_than_one_exp(f32(q1.scale) / twice_max)
    m2, s2 = quantize_multiplier_smaller_than_one_exp(f32(q2.scale) / twice_max)
    out_denominator = float(np.float32(1 << (2 * left_shift)) * np.float32(qout.scale))
    mo, so = quantize_multiplier((twice_max * twice_max) / out_denominator)
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


def mul_multiplier(q1: QuantParams, q2: QuantParams, qout: QuantParams) -> tuple[int, int]:
    """TFLM CalculateOpDataMul (mul_common.cc): QuantizeMultiplier of
    double(s1) * double(s2) / double(s_out)."""
    return quantize_multiplier(f32(q1.scale) * f32(q2.scale) / f32(qout.scale))


def prelu_params(qin: QuantParams, qalpha: QuantParams, qout: QuantParams) -> dict[str, int]:
    """TFLM CalculatePreluParams (prelu_common.cc), in double:
    s_in / s_out for x >= 0 and s_in * s_alpha / s_out for x < 0."""
    m1, s1 = quantize_multiplier(f32(qin.scale) / f32(qout.scale))
    m2, s2 = quantize_multiplier(f32(qin.scale) * f32(qalpha.scale) / f32(qout.scale))
    return {
        "input_offset": -qin.zero_point,
        "alpha_offset": -qalpha.zero_point,
        "output_offset": qout.zero_point,
        "output_multiplier_1": m1,
        "output_shift_1": s1,
        "output_multiplier_2": m2,
        "output_shift_2": s2,
    }


def log_softmax_params(input_scale: float) -> dict[str, int]:
    """TFLM log_softmax.cc CalculateOpData for int8 (beta 1, 5 integer bits):
    PreprocessLogSoftmaxScalingExp, i.e. PreprocessSoftmaxScaling then the reverse
    scaling divisor (1 << (31 - left_shift)) / double(multiplier) through
    QuantizeMultiplierSmallerThanOneExp, and diff_min = -CalculateInputRadius(5, ...)."""
    integer_bits = 5
    real = min(1.0 * f32(input_scale) * float(1 << (31 - integer_bits)), (1 << 31) - 1.0)
    if not real > 1.0:  # QuantizeMultiplierGreaterThanOne aborts (TFLITE_CHECK)
        raise ValueError(f"input scale {input_scale:g} is too small for LOG_SOFTMAX")
    mult, left_shift = quantize_multiplier(real)
    divisor, divisor_shift = quantize_multiplier_smaller_than_one_exp(
        (1 << (31 - left_shift)) / float(mult))
    radius = (1.0 * ((1 << integer_bits) - 1) * (1 << (31 - integer_bits))
              / (1 << left_shift))
    return {
        "input_multiplier": mult,
        "input_left_shift": left_shift,
        "reverse_scaling_divisor": divisor,
        "reverse_scaling_right_shift": -divisor_shift,
        "diff_min": -math.floor(radius),
    }
