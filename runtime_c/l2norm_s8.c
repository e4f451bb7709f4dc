/*
 * l2norm_s8.c - int8 L2_NORMALIZATION kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "l2norm_s8.h"
#include "mcu_requant.h"

/* The output is in units of 1/128 (TFLite's kOutputScale: a shift of 7). */
#define L2NORM_OUTPUT_SHIFT 7

void mcu_l2_normalization_s8(const mcu_l2norm_params_t *p, const int8_t *input,
                             int8_t *output)
{
    const int32_t depth = p->depth;
    const int32_t zp = p->input_zero_point;
    int32_t o, d;

    for (o = 0; o < p->outer; ++o) {
        const int8_t *row = input + o * depth;
        int8_t *out_row = output + o * depth;
        int32_t acc = 0;
        int32_t mult;
        int32_t shift;

        for (d = 0; d < depth; ++d) {
            const int32_t x = (int32_t)row[d] - zp;
            acc += x * x;
        }
        mcu_inv_sqrt_quantized_multiplier_exp(acc, -1, &mult, &shift);
        for (d = 0; d < depth; ++d) {
            const int32_t x = (int32_t)row[d] - zp;
            const int32_t v = mcu_multiply_by_quantized_multiplier(
                x, mult, shift + L2NORM_OUTPUT_SHIFT);
            out_row[d] = (int8_t)mcu_clamp_s32(v, INT8_MIN, INT8_MAX);
        }
    }
}
