/*
 * mul_s8.c - int8 MUL with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "mul_s8.h"
#include "broadcast_s8.h"
#include "mcu_requant.h"

static void mul_row(const void *params, const int8_t *a, int32_t a_stride, const int8_t *b,
                    int32_t b_stride, int8_t *out, int32_t n)
{
    const mcu_mul_params_t *p = (const mcu_mul_params_t *)params;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t x1 = p->input1_offset + a[i * a_stride];
        const int32_t x2 = p->input2_offset + b[i * b_stride];
        const int32_t y = mcu_add_wrap_s32(
            p->output_offset,
            mcu_multiply_by_quantized_multiplier(x1 * x2, p->output_multiplier,
                                                 p->output_shift));
        out[i] = (int8_t)mcu_clamp_s32(y, p->act_min, p->act_max);
    }
}

void mcu_mul_s8(const mcu_mul_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output)
{
    mcu_broadcast_s8(&p->bcast, p, input1, input2, output, mul_row);
}
