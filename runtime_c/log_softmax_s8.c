/*
 * log_softmax_s8.c - int8 LOG_SOFTMAX kernel (gemmlowp fixed-point arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Plain-C transcriptions of the gemmlowp / TFLite fixed-point routines the
 * reference instantiates, specialised to int32 raw values and to the
 * integer-bit counts used there:
 *   Q5.26   scaled input differences and the logarithm
 *   Q0.31   exponentials, the reciprocal and the log polynomial
 *   Q12.19  sum of exponentials
 *   Q6.25   the logarithm's accumulator (one bit of headroom)
 * gemmlowp's plain Add/Sub wrap around; they are done with the wrap-around
 * helpers of mcu_requant.h.
 */
#include "log_softmax_s8.h"
#include "mcu_fixedpoint.h"
#include "mcu_requant.h"

#define LS_INPUT_INT_BITS 5   /* kInputIntegerBits */
#define LS_ACCUM_INT_BITS 12  /* kAccumulationIntegerBits */
#define LS_OUTPUT_INT_BITS 4  /* kOutputIntegerBits */
#define LS_LOG_ACCUM_INT_BITS (LS_INPUT_INT_BITS + 1)

/* int64-based saturating add / sub of two int32 (TFLite SaturatingAddNonGemmlowp,
 * SaturatingSub). */
static int32_t ls_saturating_add(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (sum > INT32_MAX) ? INT32_MAX : (sum < INT32_MIN) ? INT32_MIN : (int32_t)sum;
}

static int32_t ls_saturating_sub(int32_t a, int32_t b)
{
    const int64_t diff = (int64_t)a - (int64_t)b;
    return (diff > INT32_MAX) ? INT32_MAX : (diff < INT32_MIN) ? INT32_MIN : (int32_t)diff;
}

/*
 * tflite::log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>: log(x) in Q5.26
 * for x >= 1 in Q12.19, accumulated in Q6.25.
 */
static int32_t ls_log_x_ge_1_q5(int32_t x)
{
    const int32_t log_2 = 1488522236;           /* log(2), Q0.31 */
    const int32_t sqrt_sqrt_half = 1805811301;  /* 0.5^(1/4) */
    const int32_t sqrt_half = 1518500250;       /* 0.5^(1/2) */
    const int32_t one_quarter = 536870912;      /* 1/4 */
    const int32_t alpha_n = 117049297;          /* 11/240 * 2^(1/4) */
    const int32_t alpha_d = 127690142;          /* 1/20 * 2^(1/4) */
    const int32_t alpha_i = 1057819769;         /* 2 / 2^(1/4) - 2^(1/4) */
    const int32_t alpha_f = 638450708;          /* 1/4 * 2^(1/4) */
    const int32_t shifted_quarter = mcu_fp_rescale(one_quarter, 0, LS_LOG_ACCUM_INT_BITS);
    const int32_t pow2_shift = 31 - LS_LOG_ACCUM_INT_BITS;

    /* x is reinterpreted as Q0.31 (z_a); the shift is found by counting zeros. */
    const int32_t z_a = x;
    const int32_t z_a_headroom_plus_1 = mcu_fp_clz32((uint32_t)z_a);
    const int32_t r_a_tmp = mcu_sat_rounding_mul_by_pot(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw =
        mcu_sat_rounding_mul_by_pot(mcu_sat_rounding_doubling_high_mul(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj = ls_saturating_add(
        mcu_sat_rounding_mul_by_pot(LS_ACCUM_INT_BITS - z_a_headroom_plus_1, pow2_shift), shifted_quarter);

    /* z_b is z_a premultiplied by sqrt(0.5). */
    const int32_t z_b = mcu_sat_rounding_doubling_high_mul(z_a, sqrt_half);
    const int32_t z_b_headroom = mcu_fp_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = mcu_sat_rounding_mul_by_pot(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj = ls_saturating_sub(
        mcu_sat_rounding_mul_by_pot(LS_ACCUM_INT_BITS - z_b_headroom, pow2_shift), shifted_quarter);

    const int32_t r = (r_a_raw < r_b_raw) ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = (z_a_pow_2_adj > z_b_pow_2_adj) ? z_a_pow_2_adj : z_b_pow_2_adj;

    const int32_t p = mcu_fp_rounding_half_sum(r, sqrt_sqrt_half);
    const int32_t q_half = mcu_sub_wrap_s32(r, sqrt_sqrt_half);
    const int32_t q = mcu_add_wrap_s32(q_half, q_half);

    const int32_t common_sq = mcu_sat_rounding_doubling_high_mul(q, q);
    const int32_t num = mcu_add_wrap_s32(
        mcu_sat_rounding_doubling_high_mul(q, r),
        mcu_sat_rounding_doubling_high_mul(mcu_sat_rounding_doubling_high_mul(q, common_sq),
                                           alpha_n));
    const int32_t denom_minus_one_0 = mcu_add_wrap_s32(
        mcu_sat_rounding_doubling_high_mul(
            p, mcu_add_wrap_s32(mcu_add_wrap_s32(alpha_i, q),
                                mcu_sat_rounding_doubling_high_mul(alpha_d, common_sq))),
        mcu_sat_rounding_doubling_high_mul(alpha_f, q));
    const int32_t recip_denom = mcu_fp_one_over_one_plus_x_for_x_in_0_1(denom_minus_one_0);

    const int32_t num_scaled = mcu_fp_rescale(num, 0, LS_LOG_ACCUM_INT_BITS);
    return mcu_fp_rescale(
        mcu_add_wrap_s32(mcu_sat_rounding_doubling_high_mul(z_pow_2_adj, log_2),
                         mcu_sat_rounding_doubling_high_mul(num_scaled, recip_denom)),
        LS_LOG_ACCUM_INT_BITS, LS_INPUT_INT_BITS);
}

void mcu_log_softmax_s8(const mcu_log_softmax_params_t *p, const int8_t *input,
                        int8_t *output)
{
    const int32_t depth = p->depth;
    const int32_t diff_min = p->diff_min;
    int32_t row, c;

    for (row = 0; row < p->outer; ++row) {
        const int8_t *in = input + row * depth;
        int8_t *out = output + row * depth;
        int32_t max_in_row = -128;
        int32_t sum_of_exps = 0; /* Q12.19 */
        int32_t log_sum_of_exps;  /* Q5.26 */
        int32_t adjusted_diff_min;
        int32_t reverse_scaled;

        for (c = 0; c < depth; ++c) {
            if (in[c] > max_in_row) {
                max_in_row = in[c];
            }
        }

        for (c = 0; c < depth; ++c) {
            const int32_t input_diff = (int32_t)in[c] - max_in_row;
            if (input_diff >= diff_min) {
                const int32_t diff_q5 = mcu_multiply_by_quantized_multiplier(
                    input_diff, p->input_multiplier, p->input_left_shift);
                sum_of_exps = mcu_add_wrap_s32(
                    sum_of_exps, mcu_fp_rescale(mcu_fp_exp_on_negative_values_q5(diff_q5), 0,
                                            LS_ACCUM_INT_BITS));
            }
        }

        log_sum_of_exps = ls_log_x_ge_1_q5(sum_of_exps);
        /* The smallest Q5.26 value plus the log: the difference below which the
         * output saturates at -128. */
        reverse_scaled = mcu_multiply_by_quantized_multiplier(
            mcu_add_wrap_s32(log_sum_of_exps, INT32_MIN), p->reverse_scaling_divisor,
            -p->reverse_scaling_right_shift);
        adjusted_diff_min = (diff_min - 1 > reverse_scaled) ? diff_min - 1 : reverse_scaled;

        for (c = 0; c < depth; ++c) {
            const int32_t input_diff = (int32_t)in[c] - max_in_row;
            if (input_diff > adjusted_diff_min) {
                const int32_t diff_q5 = mcu_multiply_by_quantized_multiplier(
                    input_diff, p->input_multiplier, p->input_left_shift);
                const int32_t y = mcu_rounding_divide_by_pot(
                                      mcu_sub_wrap_s32(diff_q5, log_sum_of_exps),
                                      31 - LS_INPUT_INT_BITS - LS_OUTPUT_INT_BITS) +
                                  127;
                out[c] = (int8_t)mcu_clamp_s32(y, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
}
