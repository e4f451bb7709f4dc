/*
 * mcu_fixedpoint.h - the gemmlowp fixed-point routines SOFTMAX and LOG_SOFTMAX share,
 * as plain C on int32 raw values (Q notation: Qm.n has m integer bits).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Transcriptions of gemmlowp/fixedpoint/fixedpoint.h (Rescale, RoundingHalfSum,
 * exp_on_interval_between_negative_one_quarter_and_0_excl, exp_on_negative_values,
 * one_over_one_plus_x_for_x_in_0_1) as TFLite's reference softmax and log-softmax
 * instantiate them; SaturatingRoundingMultiplyByPOT is mcu_requant.h's. gemmlowp's plain Add/Sub wrap around; they
 * use the wrap-around helpers of mcu_requant.h.
 */
#ifndef MCU_FIXEDPOINT_H
#define MCU_FIXEDPOINT_H

#include <stdint.h>

#include "mcu_requant.h"

/* gemmlowp Rescale<dst_int_bits>(FixedPoint<int32, src_int_bits>). */
static inline int32_t mcu_fp_rescale(int32_t x, int32_t src_int_bits, int32_t dst_int_bits)
{
    return mcu_sat_rounding_mul_by_pot(x, src_int_bits - dst_int_bits);
}

/* gemmlowp RoundingHalfSum(int32, int32): (a + b + sign) / 2, truncating. */
static inline int32_t mcu_fp_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = (sum >= 0) ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* Number of leading zero bits of a 32-bit value (32 for zero). */
static inline int32_t mcu_fp_clz32(uint32_t v)
{
#if defined(__GNUC__)
    return (v == 0u) ? 32 : (int32_t)__builtin_clz(v);
#else
    int32_t n = 0;
    if (v == 0u) {
        return 32;
    }
    while ((v & 0x80000000u) == 0u) {
        v <<= 1;
        ++n;
    }
    return n;
#endif
}

/* gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31. */
static inline int32_t mcu_fp_exp_on_interval_m025_0(int32_t a)
{
    const int32_t constant_term = 1895147668;     /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;  /* 1/3 */
    const int32_t x = mcu_add_wrap_s32(a, (int32_t)1 << 28); /* + 1/8 */
    const int32_t x2 = mcu_sat_rounding_doubling_high_mul(x, x);
    const int32_t x3 = mcu_sat_rounding_doubling_high_mul(x2, x);
    const int32_t x4 = mcu_sat_rounding_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = mcu_rounding_divide_by_pot(x4, 2);
    const int32_t poly = mcu_rounding_divide_by_pot(
        mcu_add_wrap_s32(mcu_sat_rounding_doubling_high_mul(
                             mcu_add_wrap_s32(x4_over_4, x3), constant_1_over_3),
                         x2),
        1);
    return mcu_add_wrap_s32(
        constant_term,
        mcu_sat_rounding_doubling_high_mul(constant_term, mcu_add_wrap_s32(x, poly)));
}

/*
 * gemmlowp exp_on_negative_values for a Q5.26 input a <= 0, Q0.31 result.
 * With 5 integer bits all seven barrel-shifter stages are active and the
 * "clamp below -32" stage is compiled out (it needs more than 5 bits).
 */
static inline int32_t mcu_fp_exp_on_negative_values_q5(int32_t a)
{
    enum { FRAC_BITS = 31 - 5 }; /* 26 */
    static const int32_t multipliers[7] = {
        1672461947, /* exp(-1/4) */
        1302514674, /* exp(-1/2) */
        790015084,  /* exp(-1)   */
        290630308,  /* exp(-2)   */
        39332535,   /* exp(-4)   */
        720401,     /* exp(-8)   */
        242         /* exp(-16)  */
    };
    const int32_t one_quarter = (int32_t)1 << (FRAC_BITS - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = mcu_sub_wrap_s32(a & mask, one_quarter);
    const int32_t remainder = mcu_sub_wrap_s32(a_mod_quarter_minus_one_quarter, a);
    int32_t result = mcu_fp_exp_on_interval_m025_0(
        mcu_fp_rescale(a_mod_quarter_minus_one_quarter, 5, 0)); /* Q5.26 -> Q0.31 */
    int32_t k;

    /* Stage k tests bit FRAC_BITS + k - 2 (exp(-2^(k-2))). */
    for (k = 0; k < 7; ++k) {
        if (remainder & ((int32_t)1 << (FRAC_BITS - 2 + k))) {
            result = mcu_sat_rounding_doubling_high_mul(result, multipliers[k]);
        }
    }
    if (a == 0) {
        result = INT32_MAX; /* 1.0 in Q0.31 (saturated) */
    }
    return result;
}

/*
 * gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0.31 a in [0, 1) -> 1 / (1 + a)
 * in Q0.31, via three Newton-Raphson steps in Q2.29.
 */
static inline int32_t mcu_fp_one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t q2_one = (int32_t)1 << 29;             /* 1.0 in Q2.29 */
    const int32_t constant_48_over_17 = 1515870810;      /* Q2.29 */
    const int32_t constant_neg_32_over_17 = -1010580540; /* Q2.29 */
    const int32_t half_denominator = mcu_fp_rounding_half_sum(a, INT32_MAX);
    int32_t x = mcu_add_wrap_s32(constant_48_over_17,
                                 mcu_sat_rounding_doubling_high_mul(half_denominator,
                                                                    constant_neg_32_over_17));
    int i;

    for (i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x =
            mcu_sat_rounding_doubling_high_mul(half_denominator, x);
        const int32_t one_minus_half_denominator_times_x =
            mcu_sub_wrap_s32(q2_one, half_denominator_times_x);
        /* Q2.29 * Q2.29 = Q4.27, rescaled back to Q2.29 */
        x = mcu_add_wrap_s32(
            x, mcu_fp_rescale(mcu_sat_rounding_doubling_high_mul(
                              x, one_minus_half_denominator_times_x),
                          4, 2));
    }
    /* ExactMulByPot<-1> (Q2.29 -> Q1.30, same raw value), then Rescale<0>. */
    return mcu_fp_rescale(x, 1, 0);
}

#endif /* MCU_FIXEDPOINT_H */
