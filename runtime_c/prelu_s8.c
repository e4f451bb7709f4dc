/*
 * prelu_s8.c - int8 PRELU with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "prelu_s8.h"
#include "broadcast_s8.h"
#include "mcu_requant.h"

static void prelu_row(const void *params, const int8_t *a, int32_t a_stride, const int8_t *b,
                      int32_t b_stride, int8_t *out, int32_t n)
{
    const mcu_prelu_params_t *p = (const mcu_prelu_params_t *)params;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v = p->input_offset + a[i * a_stride];
        int32_t y;
        if (v >= 0) {
            y = mcu_multiply_by_quantized_multiplier(v, p->output_multiplier_1,
                                                     p->output_shift_1);
        } else {
            const int32_t alpha = p->alpha_offset + b[i * b_stride];
            y = mcu_multiply_by_quantized_multiplier(v * alpha, p->output_multiplier_2,
                                                     p->output_shift_2);
        }
        out[i] = (int8_t)mcu_clamp_s32(mcu_add_wrap_s32(y, p->output_offset), -128, 127);
    }
}

void mcu_prelu_s8(const mcu_prelu_params_t *p, const int8_t *input, const int8_t *alpha,
                  int8_t *output)
{
    mcu_broadcast_s8(&p->bcast, p, input, alpha, output, prelu_row);
}
