/*
 * mcu_requant.h - fixed-point requantization primitives.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * This header is THE single place where the integer rescaling arithmetic of
 * the int8 kernels lives. Every function reproduces, bit for bit, the
 * corresponding routine used by TensorFlow Lite Micro's reference kernels in
 * the default build (double rounding, TFLITE_SINGLE_ROUNDING undefined):
 *
 *   mcu_sat_rounding_doubling_high_mul   gemmlowp SaturatingRoundingDoublingHighMul (int32)
 *   mcu_rounding_divide_by_pot           gemmlowp RoundingDivideByPOT (int32)
 *   mcu_multiply_by_quantized_multiplier tflite::MultiplyByQuantizedMultiplier(int32 x, ...)
 *                                        (kernels/internal/common.cc)
 *   mcu_multiply_by_quantized_multiplier_smaller_than_one_exp
 *                                        tflite::MultiplyByQuantizedMultiplierSmallerThanOneExp
 *                                        (kernels/internal/common.h)
 *   mcu_multiply_by_quantized_multiplier_greater_than_one
 *                                        tflite::MultiplyByQuantizedMultiplierGreaterThanOne
 *   mcu_requant_prepare / _apply         tflite::MultiplyByQuantizedMultiplier in one
 *                                        rounding step (same result, see below)
 *   mcu_sat_rounding_mul_by_pot          gemmlowp SaturatingRoundingMultiplyByPOT (int32)
 *   mcu_inv_sqrt_quantized_multiplier_exp
 *                                        tflite::GetInvSqrtQuantizedMultiplierExp
 *                                        (kernels/internal/common.h)
 *
 * Portability notes (C99, no undefined behaviour):
 *  - Wherever the reference relies on two's complement wrap-around of an
 *    int32 operation (e.g. `x * (1 << left_shift)`), we do the operation on
 *    uint32_t and convert back with mcu_wrap_s32(), which is fully defined
 *    and compiles to nothing on gcc/clang.
 *  - Arithmetic right shifts of negative numbers are expressed through
 *    mcu_asr_s32(), which only shifts non-negative values (floor semantics
 *    are reconstructed with bitwise NOT); gcc turns it into a single ASR.
 *  - Only <stdint.h> is needed.
 */
#ifndef MCU_REQUANT_H
#define MCU_REQUANT_H

#include <stdint.h>

/* Reinterpret a uint32 bit pattern as two's complement int32 (well defined). */
static inline int32_t mcu_wrap_s32(uint32_t u)
{
    return (u <= (uint32_t)INT32_MAX) ? (int32_t)u
                                      : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

/* a + b and a - b with int32 wrap-around (what gemmlowp's plain Add/Sub do). */
static inline int32_t mcu_add_wrap_s32(int32_t a, int32_t b)
{
    return mcu_wrap_s32((uint32_t)a + (uint32_t)b);
}

static inline int32_t mcu_sub_wrap_s32(int32_t a, int32_t b)
{
    return mcu_wrap_s32((uint32_t)a - (uint32_t)b);
}

/* a * b with int32 wrap-around (a C++ int product that overflows, as it wraps on
 * every supported target). */
static inline int32_t mcu_mul_wrap_s32(int32_t a, int32_t b)
{
    return mcu_wrap_s32((uint32_t)((int64_t)a * (int64_t)b));
}

/* static_cast<int8_t> / static_cast<int16_t> of an int32 outside the type's range:
 * the low 8 / 16 bits as two's complement (well defined here). */
static inline int8_t mcu_wrap_s8(int32_t x)
{
    const int32_t low = (int32_t)((uint32_t)x & 0xFFu);
    return (int8_t)(low > 127 ? low - 256 : low);
}

static inline int16_t mcu_wrap_s16(int32_t x)
{
    const int32_t low = (int32_t)((uint32_t)x & 0xFFFFu);
    return (int16_t)(low > 32767 ? low - 65536 : low);
}

/* x * 2^shift with int32 wrap-around, 0 <= shift <= 31 (== `x * (1 << shift)`
 * in the reference, which wraps on every supported target). */
static inline int32_t mcu_shl_wrap_s32(int32_t x, int32_t shift)
{
    return mcu_wrap_s32((uint32_t)x << shift);
}

/* Arithmetic shift right, floor(x / 2^shift), 0 <= shift <= 31. */
static inline int32_t mcu_asr_s32(int32_t x, int32_t shift)
{
    return (x < 0) ? ~((~x) >> shift) : (x >> shift);
}

/* min(max(x, lo), hi) - the clamp order used by the reference kernels. */
static inline int32_t mcu_clamp_s32(int32_t x, int32_t lo, int32_t hi)
{
    if (x < lo) {
        x = lo;
    }
    if (x > hi) {
        x = hi;
    }
    return x;
}

/*
 * gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31) where ties
 * are resolved away from zero via the "nudge" (+2^30 for a non-negative
 * product, 1 - 2^30 for a negative one) followed by a truncating division.
 * The only overflowing input, a == b == INT32_MIN, saturates to INT32_MAX.
 */
static inline int32_t mcu_sat_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;

    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = (ab >= 0) ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C99 '/' truncates toward zero, exactly like the C++ original. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/*
 * gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away
 * from zero, 0 <= exponent <= 31. Uses the original mask / remainder /
 * threshold formulation.
 */
static inline int32_t mcu_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
    return mcu_asr_s32(x, exponent) + ((remainder > threshold) ? 1 : 0);
}

/*
 * tflite::MultiplyByQuantizedMultiplier (double-rounding build):
 *   RoundingDivideByPOT(SRDHM(x * 2^max(shift,0), mult), max(-shift,0))
 * mult is a Q0.31 value in [2^30, 2^31) (or 0), shift in [-31, 30].
 */
static inline int32_t mcu_multiply_by_quantized_multiplier(int32_t x, int32_t mult,
                                                           int32_t shift)
{
    const int32_t left_shift = (shift > 0) ? shift : 0;
    const int32_t right_shift = (shift > 0) ? 0 : -shift;
    return mcu_rounding_divide_by_pot(
        mcu_sat_rounding_doubling_high_mul(mcu_shl_wrap_s32(x, left_shift), mult),
        right_shift);
}

/*
 * tflite::MultiplyByQuantizedMultiplierSmallerThanOneExp (double-rounding
 * build): RoundingDivideByPOT(SRDHM(x, mult), -shift), shift <= 0.
 * Used by ADD. Note: no left shift is ever applied here.
 */
static inline int32_t mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
    int32_t x, int32_t mult, int32_t shift)
{
    return mcu_rounding_divide_by_pot(mcu_sat_rounding_doubling_high_mul(x, mult), -shift);
}

/*
 * tflite::MultiplyByQuantizedMultiplierGreaterThanOne (double-rounding
 * build): SRDHM(x * 2^left_shift, mult), left_shift >= 0, no final rounding
 * shift. Used by SOFTMAX to scale the input differences.
 */
static inline int32_t mcu_multiply_by_quantized_multiplier_greater_than_one(
    int32_t x, int32_t mult, int32_t left_shift)
{
    return mcu_sat_rounding_doubling_high_mul(mcu_shl_wrap_s32(x, left_shift), mult);
}

/*
 * gemmlowp SaturatingRoundingMultiplyByPOT<exponent> on int32, -31 <= exponent <= 31:
 * a saturating x * 2^exponent for exponent > 0, RoundingDivideByPOT for < 0.
 */
static inline int32_t mcu_sat_rounding_mul_by_pot(int32_t x, int32_t exponent)
{
    if (exponent > 0) {
        const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
        if (x > threshold) {
            return INT32_MAX;
        }
        if (x < -threshold) {
            return INT32_MIN;
        }
        return mcu_shl_wrap_s32(x, exponent); /* |x| small enough: exact */
    }
    if (exponent < 0) {
        return mcu_rounding_divide_by_pot(x, -exponent);
    }
    return x;
}

/* Number of leading zero bits of a non-zero uint32 (tflite::CountLeadingZeros). */
static inline int32_t mcu_count_leading_zeros_u32(uint32_t x)
{
    int32_t n = 0;
    while (n < 32 && (x & 0x80000000u) == 0u) {
        x <<= 1;
        ++n;
    }
    return n;
}

/*
 * tflite::GetInvSqrtQuantizedMultiplierExp (kernels/internal/common.h):
 * 1 / sqrt(input) as a Q0.31 multiplier and a shift, through gemmlowp
 * fixed point (five Newton-Raphson steps in Q3.28). input >= 0; inputs 0
 * and 1 give (INT32_MAX, 0). The resulting shift is multiplied by
 * reverse_shift (-1 in TFLite: a left shift becomes negative).
 */
static inline void mcu_inv_sqrt_quantized_multiplier_exp(int32_t input, int32_t reverse_shift,
                                                         int32_t *out_mult, int32_t *out_shift)
{
    const int32_t one_q3 = (int32_t)1 << 28;                        /* F3::One()       */
    const int32_t half_three_q3 = ((int32_t)1 << 28) + ((int32_t)1 << 27); /* 1.5 in Q3.28 */
    const int32_t half_sqrt2_q0 = 1518500250;                       /* sqrt(2)/2, Q0.31 */
    int32_t shift = 11;
    int32_t pairs;
    int32_t half_input;
    int32_t x;
    int32_t i;

    if (input <= 1) {
        *out_mult = INT32_MAX;
        *out_shift = 0;
        return;
    }
    while (input >= ((int32_t)1 << 29)) {
        input /= 4;
        ++shift;
    }
    /* left_shift_bit_pairs = (clz(input) - 1) / 2 - 1, in [0, 13] here. */
    pairs = (mcu_count_leading_zeros_u32((uint32_t)input) - 1) / 2 - 1;
    shift -= pairs;
    input <<= 2 * pairs; /* now in [2^27, 2^29) */
    half_input = mcu_sat_rounding_mul_by_pot(input >> 1, -1);
    x = one_q3;
    for (i = 0; i < 5; ++i) {
        /* x3 = Rescale<3>(x * x * x): Q9.22 -> Q3.28 */
        const int32_t x3 = mcu_sat_rounding_mul_by_pot(
            mcu_sat_rounding_doubling_high_mul(mcu_sat_rounding_doubling_high_mul(x, x), x), 6);
        /* x = Rescale<3>(1.5 * x - half_input * x3): Q6.25 -> Q3.28 */
        x = mcu_sat_rounding_mul_by_pot(
            mcu_sub_wrap_s32(mcu_sat_rounding_doubling_high_mul(half_three_q3, x),
                             mcu_sat_rounding_doubling_high_mul(half_input, x3)),
            3);
    }
    x = mcu_sat_rounding_doubling_high_mul(x, half_sqrt2_q0);
    if (shift < 0) {
        x = mcu_shl_wrap_s32(x, -shift);
        shift = 0;
    }
    *out_mult = x;
    *out_shift = shift * reverse_shift;
}

/*
 * Prepared requantization: mcu_requant_prepare(mult, shift) once per channel,
 * then mcu_requant_apply(x, q) per accumulator gives exactly
 * mcu_multiply_by_quantized_multiplier(x, mult, shift) for every int32 x,
 * every shift in [-31, 30] and every mult except INT32_MIN (QuantizeMultiplier
 * never produces it: its multipliers are 0 or in [2^30, 2^31)), in about a
 * third of the operations (no per-value branches, one 64-bit shift).
 *
 * Why it is the same number. With ab = (x * 2^left) * mult (as int64) and
 * e = max(-shift, 0):
 *  - SRDHM(a, b) = trunc((ab + nudge) / 2^31) equals floor((ab + 2^30) / 2^31)
 *    for both signs of ab (the nudge 1 - 2^30 of a negative product turns the
 *    truncation into that floor); only a == b == INT32_MIN saturates.
 *  - RDBPOT(s, e) rounds half away from zero: floor((s + 2^(e-1) - [s < 0]) / 2^e)
 *    for e > 0, and s itself for e = 0.
 *  - floor((floor(u) + c) / n) = floor((u + c) / n) for integers c, n > 0, and
 *    s < 0 exactly when y = ab + 2^30 < 0, so both roundings fold into one:
 *      e = 0: floor(y / 2^31)
 *      e > 0: floor((y + 2^(30+e) - 2^31 [y < 0]) / 2^(31+e)).
 * tests/kernels/test_requant.py compares both forms on every edge value with every
 * shift and on millions of random inputs.
 */
typedef struct {
    int64_t round;     /* e > 0 ? 2^(30+e) : 0                                   */
    int64_t fix;       /* e > 0 ? -2^31 : 0, added when ab + 2^30 < 0            */
    int32_t mult;
    int32_t left;      /* max(shift, 0)                                          */
    int32_t total;     /* 31 + e, in [31, 62]                                    */
} mcu_requant_t;

/* Arithmetic shift right of an int64, floor(x / 2^shift), 0 <= shift <= 63. */
static inline int64_t mcu_asr_s64(int64_t x, int32_t shift)
{
    return (x < 0) ? ~((~x) >> shift) : (x >> shift);
}

static inline void mcu_requant_prepare(int32_t mult, int32_t shift, mcu_requant_t *q)
{
    const int32_t right = (shift > 0) ? 0 : -shift;
    q->mult = mult;
    q->left = (shift > 0) ? shift : 0;
    q->total = 31 + right;
    q->round = 0;
    q->fix = 0;
    if (right > 0) {
        q->round = (int64_t)1 << (30 + right);
        q->fix = -((int64_t)1 << 31);
    }
}

/* Branch-free on purpose: the sign test is unpredictable, so it becomes a mask (the
 * sign of y spread by an arithmetic shift), not a select a compiler may turn into a
 * jump (a mispredicted jump costs more than the rest of the function). */
static inline int32_t mcu_requant_apply(int32_t x, const mcu_requant_t *q)
{
    const int64_t y = (int64_t)mcu_shl_wrap_s32(x, q->left) * q->mult + ((int64_t)1 << 30);
    return (int32_t)mcu_asr_s64(y + q->round + (q->fix & mcu_asr_s64(y, 63)), q->total);
}

#endif /* MCU_REQUANT_H */
