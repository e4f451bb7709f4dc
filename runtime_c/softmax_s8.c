/*
 * softmax_s8.c - int8 SOFTMAX kernel (gemmlowp fixed-point arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * The gemmlowp fixed-point routines (mcu_fixedpoint.h) are used with the
 * integer-bit counts of the reference softmax:
 *   Q5.26  (5 integer bits)  scaled input differences
 *   Q0.31                    exponentials and the reciprocal
 *   Q12.19 (12 integer bits) sum of exponentials
 *   Q2.29 / Q4.27            intermediates of the Newton-Raphson reciprocal
 * gemmlowp's plain Add/Sub on int32 are non-saturating; they are done with
 * wrap-around helpers here (they never actually overflow on valid input).
 */
#include "softmax_s8.h"
#include "mcu_fixedpoint.h"
#include "mcu_requant.h"

#define SM_ACCUM_INT_BITS 12       /* kAccumulationIntegerBits */

/*
 * tflite::GetReciprocal (kernels/internal/common.h): for x in Q(int_digits),
 * returns 1/x as a Q0.31 "shifted scale" plus the number of bits over unit.
 */
static int32_t sm_get_reciprocal(int32_t x, int32_t x_integer_digits,
                                 int32_t *num_bits_over_unit)
{
    const int32_t headroom_plus_one = mcu_fp_clz32((uint32_t)x);
    uint32_t shifted;

    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    /* x > 0 here, so headroom_plus_one <= 31 and the shift is defined. */
    shifted = ((uint32_t)x << (headroom_plus_one & 31)) - 0x80000000u;
    return mcu_fp_one_over_one_plus_x_for_x_in_0_1(mcu_wrap_s32(shifted));
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
                const int32_t exp_q0 = mcu_fp_exp_on_negative_values_q5(scaled_diff);
                sum_of_exps = mcu_add_wrap_s32(sum_of_exps,
                                               mcu_fp_rescale(exp_q0, 0, SM_ACCUM_INT_BITS));
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
                const int32_t exp_q0 = mcu_fp_exp_on_negative_values_q5(scaled_diff);
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
