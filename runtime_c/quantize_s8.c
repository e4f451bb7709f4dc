/*
 * quantize_s8.c - QUANTIZE / DEQUANTIZE kernels for int8.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <math.h>

#include "quantize_s8.h"
#include "mcu_requant.h"

void mcu_quantize_f32_s8(const mcu_quantize_params_t *p, const float *input, int8_t *output)
{
    const float scale = p->scale;
    const int32_t zero_point = p->zero_point;
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        /* float / float, rounded half away from zero, like TfLiteRound(float) */
        const float r = roundf(input[i] / scale);
        int32_t q;
        if (isnan(r)) {
            q = 0;
        } else if (r >= 2147483648.0f) {
            q = INT32_MAX;
        } else if (r < -2147483648.0f) {
            q = INT32_MIN;
        } else {
            q = (int32_t)r;
        }
        /* clamp in 64 bits so that q + zero_point cannot overflow */
        {
            int64_t v = (int64_t)q + zero_point;
            if (v < -128) {
                v = -128;
            } else if (v > 127) {
                v = 127;
            }
            output[i] = (int8_t)v;
        }
    }
}

void mcu_requantize_s8(const mcu_requantize_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t in_zp = p->input_zero_point;
    const int32_t out_zp = p->output_zero_point;
    const int32_t mult = p->multiplier;
    const int32_t shift = p->shift;
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        int32_t v = mcu_multiply_by_quantized_multiplier((int32_t)input[i] - in_zp, mult, shift);
        v = mcu_add_wrap_s32(v, out_zp);
        output[i] = (int8_t)mcu_clamp_s32(v, -128, 127);
    }
}

void mcu_dequantize_s8_f32(const mcu_dequantize_params_t *p, const int8_t *input,
                           float *output)
{
    const float scale = p->scale;
    const int32_t zero_point = p->zero_point;
    int32_t i;

    for (i = 0; i < p->size; ++i) {
        output[i] = scale * (float)((int32_t)input[i] - zero_point);
    }
}
