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

#endif /* MCU_REQUANT_H */
