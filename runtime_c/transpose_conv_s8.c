/*
 * transpose_conv_s8.c - int8 TRANSPOSE_CONV kernel (per-channel quantization).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "transpose_conv_s8.h"
#include "mcu_requant.h"

/*
 * Input positions i in [*first, *last] with 0 <= i < in_size whose tap
 * t = pos - i * stride lies in [0, k), for the padded output position pos >= 0.
 * Empty when *first > *last.
 */
static void tconv_sources(int32_t pos, int32_t stride, int32_t k, int32_t in_size,
                          int32_t *first, int32_t *last)
{
    const int32_t lowest = pos - k + 1; /* i * stride >= lowest */
    int32_t lo = 0;
    int32_t hi = pos / stride;          /* i * stride <= pos     */

    if (lowest > 0) {
        lo = (lowest + stride - 1) / stride;
    }
    if (hi > in_size - 1) {
        hi = in_size - 1;
    }
    *first = lo;
    *last = hi;
}

void mcu_transpose_conv_s8(const mcu_conv_params_t *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias,
                           const int32_t *out_mult, const int32_t *out_shift,
                           int8_t *output)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
    const int32_t k_h = p->k_h, k_w = p->k_w;
    const int32_t input_offset = p->input_offset;
    int32_t b, oy, ox, oc, iy, ix, ic;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + b * in_h * in_w * in_c;
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t py = oy + p->pad_top;
            int32_t y_first, y_last;
            tconv_sources(py, p->stride_h, k_h, in_h, &y_first, &y_last);
            for (ox = 0; ox < out_w; ++ox) {
                const int32_t px = ox + p->pad_left;
                int32_t x_first, x_last;
                tconv_sources(px, p->stride_w, k_w, in_w, &x_first, &x_last);
                for (oc = 0; oc < out_c; ++oc) {
                    const int8_t *w_oc = filter + oc * k_h * k_w * in_c;
                    int32_t acc = 0;
                    for (iy = y_first; iy <= y_last; ++iy) {
                        const int32_t fy = py - iy * p->stride_h;
                        for (ix = x_first; ix <= x_last; ++ix) {
                            const int32_t fx = px - ix * p->stride_w;
                            const int8_t *in_px = in_b + (iy * in_w + ix) * in_c;
                            const int8_t *w_px = w_oc + (fy * k_w + fx) * in_c;
                            for (ic = 0; ic < in_c; ++ic) {
                                acc += ((int32_t)in_px[ic] + input_offset) * (int32_t)w_px[ic];
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc = mcu_add_wrap_s32(acc, bias[oc]);
                    }
                    acc = mcu_multiply_by_quantized_multiplier(acc, out_mult[oc], out_shift[oc]);
                    acc = mcu_add_wrap_s32(acc, p->output_offset);
                    *output++ = (int8_t)mcu_clamp_s32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
