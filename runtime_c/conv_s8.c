/*
 * conv_s8.c - int8 CONV_2D kernel (per-channel quantization).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "conv_s8.h"
#include "mcu_requant.h"

/*
 * Range [*start, *end) of filter taps t for which
 * 0 <= origin + dil * t < size, clipped to [0, k).
 */
static void conv_valid_taps(int32_t origin, int32_t dil, int32_t k, int32_t size,
                            int32_t *start, int32_t *end)
{
    const int32_t room = size - origin;
    int32_t s = 0;
    int32_t e = 0;

    if (origin < 0) {
        s = (-origin + dil - 1) / dil;
    }
    if (room > 0) {
        e = (room + dil - 1) / dil;
    }
    if (e > k) {
        e = k;
    }
    if (s > e) {
        s = e;
    }
    *start = s;
    *end = e;
}

void mcu_conv_s8(const mcu_conv_params_t *p, const int8_t *input, const int8_t *filter,
                 const int32_t *bias, const int32_t *out_mult, const int32_t *out_shift,
                 int8_t *output)
{
    const int32_t in_h = p->in_h;
    const int32_t in_w = p->in_w;
    const int32_t in_c = p->in_c;
    const int32_t out_c = p->out_c;
    const int32_t k_h = p->k_h;
    const int32_t k_w = p->k_w;
    const int32_t input_offset = p->input_offset;
    const int32_t output_offset = p->output_offset;
    const int32_t act_min = p->act_min;
    const int32_t act_max = p->act_max;
    const int32_t filter_oc_stride = k_h * k_w * in_c;
    const int32_t in_row_stride = in_w * in_c;
    int32_t b, oy, ox, oc, ky, kx, ic;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + b * in_h * in_row_stride;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky_start, ky_end;
            conv_valid_taps(iy0, p->dil_h, k_h, in_h, &ky_start, &ky_end);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx_start, kx_end;
                conv_valid_taps(ix0, p->dil_w, k_w, in_w, &kx_start, &kx_end);
                for (oc = 0; oc < out_c; ++oc) {
                    const int8_t *filt_oc = filter + oc * filter_oc_stride;
                    int32_t acc = 0;
                    for (ky = ky_start; ky < ky_end; ++ky) {
                        const int32_t iy = iy0 + ky * p->dil_h;
                        const int8_t *in_row = in_batch + iy * in_row_stride;
                        const int8_t *filt_row = filt_oc + ky * k_w * in_c;
                        for (kx = kx_start; kx < kx_end; ++kx) {
                            const int32_t ix = ix0 + kx * p->dil_w;
                            const int8_t *in_px = in_row + ix * in_c;
                            const int8_t *f_px = filt_row + kx * in_c;
                            for (ic = 0; ic < in_c; ++ic) {
                                acc += (int32_t)f_px[ic] * ((int32_t)in_px[ic] + input_offset);
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc = mcu_add_wrap_s32(acc, bias[oc]);
                    }
                    acc = mcu_multiply_by_quantized_multiplier(acc, out_mult[oc], out_shift[oc]);
                    acc = mcu_add_wrap_s32(acc, output_offset);
                    acc = mcu_clamp_s32(acc, act_min, act_max);
                    *output++ = (int8_t)acc;
                }
            }
        }
    }
}
