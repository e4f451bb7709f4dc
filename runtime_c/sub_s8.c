/*
 * sub_s8.c - int8 SUB with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "sub_s8.h"
#include "broadcast_s8.h"
#include "mcu_requant.h"

static void sub_row(const void *params, const int8_t *a, int32_t a_stride, const int8_t *b,
                    int32_t b_stride, int8_t *out, int32_t n)
{
    const mcu_sub_params_t *p = (const mcu_sub_params_t *)params;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t shifted1 = mcu_shl_wrap_s32(p->input1_offset + a[i * a_stride],
                                                  p->left_shift);
        const int32_t shifted2 = mcu_shl_wrap_s32(p->input2_offset + b[i * b_stride],
                                                  p->left_shift);
        const int32_t scaled1 = mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
            shifted1, p->input1_multiplier, p->input1_shift);
        const int32_t scaled2 = mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
            shifted2, p->input2_multiplier, p->input2_shift);
        const int32_t y = mcu_add_wrap_s32(
            mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
                mcu_sub_wrap_s32(scaled1, scaled2), p->output_multiplier, p->output_shift),
            p->output_offset);
        out[i] = (int8_t)mcu_clamp_s32(y, p->act_min, p->act_max);
    }
}

void mcu_sub_s8(const mcu_sub_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output)
{
    mcu_broadcast_s8(&p->bcast, p, input1, input2, output, sub_row);
}
