"""Exact Python models of the integer routines TFLite's int8 kernels run.

The code generator evaluates these at build time to fill lookup tables (an int8
element-wise op is a function of one byte, so its whole behaviour is 256 values).
Each function reproduces one C++ routine bit for bit, including its two's
complement wrap-around: Python integers are unbounded, so every int32 (int16)
result that C++ would wrap is passed through :func:`wrap32` (:func:`wrap16`).
Divisions truncate toward zero like C++ ``/``; ``>>`` on a negative number is an
arithmetic (floor) shift in both languages on every target TFLite supports.

Sources: gemmlowp ``fixedpoint/fixedpoint.h`` (the raw int32 / int16 scalar
specializations), TFLite ``kernels/internal/common.{h,cc}`` (double-rounding
build, ``TFLITE_SINGLE_ROUNDING`` undefined, as in TFLite Micro).
"""

from __future__ import annotations

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1


def wrap32(x: int) -> int:
    """``x`` reduced to int32 the two's complement way."""
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def wrap16(x: int) -> int:
    """``x`` reduced to int16 the two's complement way (``static_cast<int16_t>``)."""
    return ((x + (1 << 15)) & 0xFFFF) - (1 << 15)


def _div_trunc(a: int, b: int) -> int:
    """C++ integer division (truncates toward zero), b > 0."""
    return a // b if a >= 0 else -((-a) // b)


# ---- gemmlowp scalar primitives, int32 -------------------------------------------------


def srdhm(a: int, b: int) -> int:
    """SaturatingRoundingDoublingHighMul(int32, int32)."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _div_trunc(ab + nudge, 1 << 31)


def rdbp(x: int, exponent: int) -> int:
    """RoundingDivideByPOT(int32 x, exponent), 0 <= exponent <= 31."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return wrap32((x >> exponent) + (1 if remainder > threshold else 0))


def sat_mul_pot(x: int, exponent: int) -> int:
    """SaturatingRoundingMultiplyByPOT<exponent>(int32 x): a saturating left shift
    for exponent > 0, RoundingDivideByPOT(x, -exponent) for exponent < 0."""
    if exponent > 0:
        threshold = (1 << (31 - exponent)) - 1
        if x > threshold:
            return INT32_MAX
        if x < -threshold:
            return INT32_MIN
        return x << exponent
    if exponent < 0:
        return rdbp(x, -exponent)
    return x


def rescale(x: int, src_bits: int, dst_bits: int) -> int:
    """Rescale<dst_bits>(FixedPoint<int32, src_bits>::FromRaw(x)).raw()."""
    return sat_mul_pot(x, src_bits - dst_bits)


def rounding_half_sum(a: int, b: int) -> int:
    """RoundingHalfSum(int32, int32)."""
    s = a + b
    return _div_trunc(s + (1 if s >= 0 else -1), 2)


# ---- TFLite requantization ----------------------------------------------------------


def multiply_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    """tflite::MultiplyByQuantizedMultiplier(int32 x, ...), double-rounding build:
    RoundingDivideByPOT(SRDHM(x * (1 << left_shift), multiplier), right_shift)."""
    if not -31 <= shift <= 30:
        raise ValueError(f"shift {shift} is outside [-31, 30]")
    left, right = max(shift, 0), max(-shift, 0)
    return rdbp(srdhm(wrap32(x * (1 << left)), multiplier), right)


# ---- gemmlowp fixed-point functions, int32 raw values ----------------------------------

_ONE_Q0 = INT32_MAX  # FixedPoint<int32, 0>::One()


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: int) -> int:
    """Q0.31 in and out: exp(a) for a in [-1/4, 0)."""
    constant_term = 1895147668  # exp(-1/8)
    constant_1_over_3 = 715827883
    x = wrap32(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = rdbp(x4, 2)
    poly = rdbp(wrap32(srdhm(wrap32(x4_over_4 + x3), constant_1_over_3) + x2), 1)
    return wrap32(constant_term + srdhm(constant_term, wrap32(x + poly)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))


def exp_on_negative_values(a: int, integer_bits: int) -> int:
    """exp(a) for a <= 0 given as FixedPoint<int32, integer_bits>; Q0.31 result."""
    frac_bits = 31 - integer_bits
    one_quarter = 1 << (frac_bits - 2)
    mask = one_quarter - 1
    a_mod_quarter_minus_one_quarter = wrap32((a & mask) - one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0))
    remainder = wrap32(a_mod_quarter_minus_one_quarter - a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent and remainder & (1 << (frac_bits + exponent)):
            result = srdhm(result, multiplier)
    if integer_bits > 5 and a < -(1 << (36 - integer_bits)):
        result = 0
    if a == 0:
        result = _ONE_Q0
    return result


def _newton_reciprocal_q2(a: int) -> int:
    """The shared Newton-Raphson core: 1 / (1 + a) in Q2.29 for Q0.31 a in [0, 1)."""
    q2_one = 1 << 29
    half_denominator = rounding_half_sum(a, _ONE_Q0)
    x = wrap32(1515870810 + srdhm(half_denominator, -1010580540))  # 48/17 - 32/17 * d
    for _ in range(3):
        half_denominator_times_x = srdhm(half_denominator, x)
        one_minus = wrap32(q2_one - half_denominator_times_x)
        x = wrap32(x + rescale(srdhm(x, one_minus), 4, 2))
    return x


def one_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    """Q0.31: 1 / (1 + a)."""
    return rescale(_newton_reciprocal_q2(a), 1, 0)  # ExactMulByPot<-1>, then Rescale<0>


def one_minus_x_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    """Q0.31: (1 - a) / (1 + a)."""
    return rescale(wrap32(_newton_reciprocal_q2(a) - (1 << 29)), 2, 0)


def logistic(a: int, integer_bits: int) -> int:
    """gemmlowp::logistic(FixedPoint<int32, integer_bits>): Q0.31 result."""
    positive = a > 0
    abs_input = a if positive else wrap32(-a)
    result_if_positive = one_over_one_plus_x_for_x_in_0_1(
        exp_on_negative_values(wrap32(-abs_input), integer_bits))
    result_if_negative = wrap32(_ONE_Q0 - result_if_positive)
    if a == 0:
        return 1 << 30
    return result_if_positive if positive else result_if_negative


def tanh(a: int, integer_bits: int) -> int:
    """gemmlowp::tanh(FixedPoint<int32, integer_bits>): Q0.31 result."""
    negative = a < 0
    n = a if negative else wrap32(-a)
    # neg_tanh_on_negative_values: exp of 2n, i.e. the same raw value read with one
    # more integer bit (ExactMulByPot<1>).
    t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1))
    if a == 0:
        return 0
    return wrap32(-t) if negative else t


# ---- the int16 scalar primitives HARD_SWISH uses ---------------------------------------


def srdhm16(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul(int16, int16)."""
    if a == b == INT16_MIN:
        return INT16_MAX
    ab = a * b
    nudge = (1 << 14) if ab >= 0 else 1 - (1 << 14)
    return wrap16(_div_trunc(ab + nudge, 1 << 15))


def sdhm16(a: int, b: int) -> int:
    """tflite::reference_ops::SaturatingDoublingHighMul(int16, int16): truncating."""
    if a == b == INT16_MIN:
        return INT16_MAX
    return wrap16(_div_trunc(a * b, 1 << 15))


def rdbp16(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT<int16_t>: every intermediate is an int16."""
    if not 0 <= exponent <= 31:
        raise ValueError(f"exponent {exponent} is outside [0, 31]")
    mask = wrap16((1 << exponent) - 1)
    remainder = wrap16(x & mask)
    threshold = wrap16((mask >> 1) + (1 if x < 0 else 0))
    return wrap16((x >> exponent) + (1 if remainder > threshold else 0))


def saturating_left_shift16(value: int, amount: int) -> int:
    """tflite::reference_ops::SaturatingLeftShift(int16, amount)."""
    if not 0 <= amount <= 30:
        raise ValueError(f"left shift {amount} is outside [0, 30]")
    return min(max(value * (1 << amount), INT16_MIN), INT16_MAX)


def downscale_multiplier_to_int16(multiplier: int) -> int:
    """tflite::DownScaleInt32ToInt16Multiplier."""
    if multiplier >= INT32_MAX - (1 << 15):
        return INT16_MAX
    return (multiplier + (1 << 15)) >> 16


__all__ = [
    "INT16_MAX", "INT16_MIN", "INT32_MAX", "INT32_MIN", "downscale_multiplier_to_int16",
    "exp_on_negative_values", "logistic", "multiply_by_quantized_multiplier",
    "one_minus_x_over_one_plus_x_for_x_in_0_1", "one_over_one_plus_x_for_x_in_0_1",
    "rdbp", "rdbp16", "rescale", "rounding_half_sum", "saturating_left_shift16", "sdhm16",
    "srdhm", "srdhm16", "tanh", "wrap16", "wrap32",
]
