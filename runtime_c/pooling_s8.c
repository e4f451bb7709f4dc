/*
 * pooling_s8.c - int8 AVERAGE_POOL_2D and MAX_POOL_2D kernels.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "pooling_s8.h"
#include "mcu_conv_taps.h"
#include "mcu_requant.h"

void mcu_avg_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->in_h;
    const int32_t in_w = p->in_w;
    const int32_t channels = p->channels;
    const int32_t img_stride = in_h * in_w * channels;
    int32_t b, oy, ox, c, ky, kx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + b * img_stride;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky_start, ky_end;
            mcu_conv_valid_taps(iy0, 1, p->k_h, in_h, &ky_start, &ky_end);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx_start, kx_end, ky_last, count;
                mcu_conv_valid_taps(ix0, 1, p->k_w, in_w, &kx_start, &kx_end);
                count = (ky_end - ky_start) * (kx_end - kx_start);
                /* skip the tap loops entirely for an empty window */
                ky_last = (count > 0) ? ky_end : ky_start;
                for (c = 0; c < channels; ++c) {
                    int32_t acc = 0;
                    for (ky = ky_start; ky < ky_last; ++ky) {
                        /* only pointers to valid taps are ever formed */
                        const int8_t *in_px =
                            in_batch + ((iy0 + ky) * in_w + (ix0 + kx_start)) * channels + c;
                        for (kx = 0; kx < kx_end - kx_start; ++kx) {
                            acc += in_px[kx * channels];
                        }
                    }
                    if (count > 0) {
                        acc = (acc > 0) ? (acc + count / 2) / count
                                        : (acc - count / 2) / count;
                    } else {
                        acc = 0;
                    }
                    *output++ = (int8_t)mcu_clamp_s32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

void mcu_max_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->in_h;
    const int32_t in_w = p->in_w;
    const int32_t channels = p->channels;
    const int32_t img_stride = in_h * in_w * channels;
    int32_t b, oy, ox, c, ky, kx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + b * img_stride;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky_start, ky_end;
            mcu_conv_valid_taps(iy0, 1, p->k_h, in_h, &ky_start, &ky_end);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx_start, kx_end, ky_last;
                mcu_conv_valid_taps(ix0, 1, p->k_w, in_w, &kx_start, &kx_end);
                /* skip the tap loops entirely for an empty window */
                ky_last = (kx_end > kx_start) ? ky_end : ky_start;
                for (c = 0; c < channels; ++c) {
                    int32_t max = -128;
                    for (ky = ky_start; ky < ky_last; ++ky) {
                        const int8_t *in_px =
                            in_batch + ((iy0 + ky) * in_w + (ix0 + kx_start)) * channels + c;
                        for (kx = 0; kx < kx_end - kx_start; ++kx) {
                            const int32_t v = in_px[kx * channels];
                            if (v > max) {
                                max = v;
                            }
                        }
                    }
                    *output++ = (int8_t)mcu_clamp_s32(max, p->act_min, p->act_max);
                }
            }
        }
    }
}
