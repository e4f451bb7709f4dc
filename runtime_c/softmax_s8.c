/*
 * softmax_s8.c - int8 SOFTMAX kernel (gemmlowp fixed-point arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * The helpers below are plain-C transcriptions of the gemmlowp fixed-point
 * routines the reference softmax instantiates, specialised to int32 raw
 * values and to the integer-bit counts used by it:
 *   Q5.26  (5 integer bits)  scaled input differences
 *   Q0.31                    exponentials and the reciprocal
 *   Q12.19 (12 integer bits) sum of exponentials
 *   Q2.29 / Q4.27            intermediates of the Newton-Raphson reciprocal
 * gemmlowp's plain Add/Sub on int32 are non-saturating; they are done with
 * wrap-around helpers here (they never actually overflow on valid input).
 */
#include "softmax_s8.h"
#include "mcu_requant.h"

#define SM_SCALED_DIFF_INT_BITS 5  /* kScaledDiffIntegerBits */
#define SM_ACCUM_INT_BITS 12       /* kAccumulationIntegerBits */

/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent> on int32. */
static int32_t sm_sat_rounding_mul_by_pot(int32_t x, int32_t exponent)
{
    if (exponent > 0) {
        const int32_t threshold = ((int32_t)1 << (31 - exponent)) - 1;
        if (x > threshold) {
            return INT32_MAX;
        }
        if (x < -threshold) {
            return INT32_MIN;
        }
        /* |x| <= 2^(31 - exponent) - 1, so x * 2^exponent fits in int32. */
        return (int32_t)((int64_t)x * ((int64_t)1 << exponent));
    }
    if (exponent < 0) {
        return mcu_rounding_divide_by_pot(x, -exponent);
    }
    return x;
}

/* gemmlowp Rescale<dst_int_bits>(FixedPoint<int32, src_int_bits>). */
static int32_t sm_rescale(int32_t x, int32_t src_int_bits, int32_t dst_int_bits)
{
    return sm_sat_rounding_mul_by_pot(x, src_int_bits - dst_int_bits);
}

/*
 * gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31 in
 * and out: exp(-1/8) * (1 + y + y^2/2 + y^3/6 + y^4/24) with y = a + 1/8.
 */
static int32_t sm_exp_on_interval_m025_0(int32_t a)
{
    const int32_t constant_term = 1895147668;     /* exp(-1/8) in Q0.31 */
    const int32_t constant_1_over_3 = 715827883;  /* 1/3 in Q0.31 */
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
 * "clamp below -32" stage of gemmlowp is compiled out (it needs > 5 bits).
 */
static int32_t sm_exp_on_negative_values_q5(int32_t a)
{
    enum { FRAC_BITS = 31 - SM_SCALED_DIFF_INT_BITS }; /* 26 */
    const int32_t one_quarter = (int32_t)1 << (FRAC_BITS - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = mcu_sub_wrap_s32(a & mask, one_quarter);
    const int32_t remainder = mcu_sub_wrap_s32(a_mod_quarter_minus_one_quarter, a);
    int32_t result = sm_exp_on_interval_m025_0(
        sm_rescale(a_mod_quarter_minus_one_quarter, SM_SCALED_DIFF_INT_BITS, 0));

    /* exp(-2^k) multipliers in Q0.31 for k = -2 .. 4, tested on bit FRAC_BITS + k. */
    if (remainder & ((int32_t)1 << (FRAC_BITS - 2))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 1672461947); /* exp(-1/4) */
    }
    if (remainder & ((int32_t)1 << (FRAC_BITS - 1))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 1302514674); /* exp(-1/2) */
    }
    if (remainder & ((int32_t)1 << (FRAC_BITS + 0))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 790015084);  /* exp(-1) */
    }
    if (remainder & ((int32_t)1 << (FRAC_BITS + 1))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 290630308);  /* exp(-2) */
    }
    if (remainder & ((int32_t)1 << (FRAC_BITS + 2))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 39332535);   /* exp(-4) */
    }
    if (remainder & ((int32_t)1 << (FRAC_BITS + 3))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 720401);     /* exp(-8) */
    }
    if (remainder & ((int32_t)1 << (FRAC_BITS + 4))) {
        result = mcu_sat_rounding_doubling_high_mul(result, 242);        /* exp(-16) */
    }
    if (a == 0) {
        result = INT32_MAX; /* exactly 1.0 in Q0.31 (saturated) */
    }
    return result;
}

/*
 * gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0.31 a in [0, 1) -> 1 / (1 + a)
 * in Q0.31, via three Newton-Raphson steps in Q2.29.
 */
static int32_t sm_one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t q2_one = (int32_t)1 << 29;          /* 1.0 in Q2.29 */
    const int32_t constant_48_over_17 = 1515870810;   /* Q2.29 */
    const int32_t constant_neg_32_over_17 = -1010580540; /* Q2.29 */
    int32_t half_denominator;
    int32_t x;
    int i;

    /* RoundingHalfSum(a, 1.0): (a + b + sign) / 2 in 64 bits, truncating. */
    {
        const int64_t sum = (int64_t)a + (int64_t)INT32_MAX;
        const int64_t sign = (sum >= 0) ? 1 : -1;
        half_denominator = (int32_t)((sum + sign) / 2);
    }

    x = mcu_add_wrap_s32(constant_48_over_17,
                         mcu_sat_rounding_doubling_high_mul(half_denominator,
                                                            constant_neg_32_over_17));
    for (i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x =
            mcu_sat_rounding_doubling_high_mul(half_denominator, x);
        const int32_t one_minus_half_denominator_times_x =
            mcu_sub_wrap_s32(q2_one, half_denominator_times_x);
        /* Q2.29 * Q2.29 = Q4.27, rescaled back to Q2.29 */
        x = mcu_add_wrap_s32(
            x, sm_rescale(mcu_sat_rounding_doubling_high_mul(
                              x, one_minus_half_denominator_times_x),
                          4, 2));
    }
    /* ExactMulByPot<-1> (Q2.29 -> Q1.30, same raw value), then Rescale<0>. */
    return sm_rescale(x, 1, 0);
}

/* Number of leading zero bits of a 32-bit value (32 for zero). */
static int32_t sm_clz32(uint32_t v)
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

/*
 * tflite::GetReciprocal (kernels/internal/common.h): for x in Q(int_digits),
 * returns 1/x as a Q0.31 "shifted scale" plus the number of bits over unit.
 */
static int32_t sm_get_reciprocal(int32_t x, int32_t x_integer_digits,
                                 int32_t *num_bits_over_unit)
{
    const int32_t headroom_plus_one = sm_clz32((uint32_t)x);
    uint32_t shifted;

    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    /* x > 0 here, so headroom_plus_one <= 31 and the shift is defined. */
    shifted = ((uint32_t)x << (headroom_plus_one & 31)) - 0x80000000u;
    return sm_one_over_one_plus_x_for_x_in_0_1(mcu_wrap_s32(shifted));
}

void mcu_softmax_s8(const mcu_softmax_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t depth = p->depth;
    const int32_t input_multiplier = p->input_multiplier;
    const int32_t input_left_shift = p->input_left_shift;
    const int32_t diff_min = p->diff_min;
    int32_t row, c;

    for (row = 0; row < p->outer; ++row) {
        const int8_t *in = input + row * depth;
        int8_t *out = output + row * depth;
        int32_t max_in_row = -128;
        int32_t sum_of_exps = 0; /* Q12.19 */
        int32_t num_bits_over_unit;
        int32_t shifted_scale;
        int32_t exponent;

        for (c = 0; c < depth; ++c) {
            if (in[c] > max_in_row) {
                max_in_row = in[c];
            }
        }

        for (c = 0; c < depth; ++c) {
            const int32_t input_diff = (int32_t)in[c] - max_in_row;
            if (input_diff >= diff_min) {
                const int32_t scaled_diff = mcu_multiply_by_quantized_multiplier_greater_than_one(
                    input_diff, input_multiplier, input_left_shift);
                const int32_t exp_q0 = sm_exp_on_negative_values_q5(scaled_diff);
                sum_of_exps = mcu_add_wrap_s32(sum_of_exps,
                                               sm_rescale(exp_q0, 0, SM_ACCUM_INT_BITS));
            }
        }

        shifted_scale = sm_get_reciprocal(sum_of_exps, SM_ACCUM_INT_BITS, &num_bits_over_unit);
        /* output is 8 bits wide: exponent = num_bits_over_unit + 31 - 8.
         * It is >= 0 because the row maximum alone contributes 1.0 to the sum.
         * It exceeds 31 when the sum of exponentials reaches 512 (only
         * possible for depth >= 512): the reference then aborts
         * (TFLITE_CHECK); here every output of the row rounds to 0 -> -128,
         * which is what the division by 2^exponent would give. */
        exponent = num_bits_over_unit + 31 - 8;
        if (exponent < 0) {
            exponent = 0;
        }

        for (c = 0; c < depth; ++c) {
            const int32_t input_diff = (int32_t)in[c] - max_in_row;
            if (input_diff >= diff_min) {
                const int32_t scaled_diff = mcu_multiply_by_quantized_multiplier_greater_than_one(
                    input_diff, input_multiplier, input_left_shift);
                const int32_t exp_q0 = sm_exp_on_negative_values_q5(scaled_diff);
                const int32_t unsat_output =
                    (exponent > 31)
                        ? 0
                        : mcu_rounding_divide_by_pot(
                              mcu_sat_rounding_doubling_high_mul(shifted_scale, exp_q0),
                              exponent);
                out[c] = (int8_t)mcu_clamp_s32(unsat_output - 128, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
}
