/*
 * mve_pooling_s8.c - int8 AVERAGE_POOL_2D and MAX_POOL_2D with MVE (see the header).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "mve_pooling_s8.h"
#include "mcu_conv_taps.h"
#include "mve_requant.h"

/* The reference's rounded average of one channel, clamped (count >= 1; half = count / 2). */
static int8_t mve_pool_average(int32_t acc, int32_t count, int32_t half, int32_t lo, int32_t hi)
{
    acc = (acc > 0) ? (acc + half) / count : (acc - half) / count;
    if (acc < lo) {
        acc = lo;
    }
    if (acc > hi) {
        acc = hi;
    }
    return (int8_t)acc;
}

void mcu_mve_avg_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    const size_t img = (size_t)p->in_h * (size_t)p->in_w * (size_t)c_n;
    const size_t row = (size_t)p->in_w * (size_t)c_n;
    const int32_t lo = p->act_min;
    const int32_t hi = p->act_max;
    int32_t b, oy, ox, c, ky, kx, i;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * img;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            mcu_conv_valid_taps(iy0, 1, p->k_h, p->in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1, count, half;
                mcu_conv_valid_taps(ix0, 1, p->k_w, p->in_w, &kx0, &kx1);
                count = (ky1 - ky0) * (kx1 - kx0);
                half = count / 2;
                for (c = 0; c < c_n; c += 16) {
                    /* channels [c, c + 8) and [c + 8, c + 16) widened to int16 lanes */
                    const mve_pred16_t p0 = vctp16q((uint32_t)(c_n - c));
                    const mve_pred16_t p1 = vctp16q((uint32_t)(c_n - c > 8 ? c_n - c - 8 : 0));
                    int16x8_t s0 = vdupq_n_s16(0);
                    int16x8_t s1 = vdupq_n_s16(0);
                    int16_t sums[16];
                    const int32_t m = c_n - c < 16 ? c_n - c : 16;
                    if (count == 0) {
                        /* an empty window averages to 0, as in the portable kernel */
                        for (i = 0; i < m; ++i) {
                            output[c + i] = (int8_t)(lo > 0 ? lo : (hi < 0 ? hi : 0));
                        }
                        continue;
                    }
                    for (ky = ky0; ky < ky1; ++ky) {
                        const int8_t *x = in + (size_t)(iy0 + ky) * row
                                          + (size_t)(ix0 + kx0) * (size_t)c_n + (size_t)c;
                        if (m == 16) {
                            for (kx = kx0; kx < kx1; ++kx, x += c_n) {
                                s0 = vaddq_s16(s0, vldrbq_s16(x));
                                s1 = vaddq_s16(s1, vldrbq_s16(x + 8));
                            }
                        } else {
                            for (kx = kx0; kx < kx1; ++kx, x += c_n) {
                                s0 = vaddq_s16(s0, vldrbq_z_s16(x, p0));
                                s1 = vaddq_s16(s1, vldrbq_z_s16(x + 8, p1));
                            }
                        }
                    }
                    vst1q_s16(sums, s0);
                    vst1q_s16(sums + 8, s1);
                    for (i = 0; i < m; ++i) {
                        output[c + i] = mve_pool_average(sums[i], count, half, lo, hi);
                    }
                }
                output += c_n;
            }
        }
    }
}

void mcu_mve_max_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    const size_t img = (size_t)p->in_h * (size_t)p->in_w * (size_t)c_n;
    const size_t row = (size_t)p->in_w * (size_t)c_n;
    const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min);
    const int8x16_t hi = vdupq_n_s8((int8_t)p->act_max);
    int32_t b, oy, ox, c, ky, kx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * img;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            mcu_conv_valid_taps(iy0, 1, p->k_h, p->in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                mcu_conv_valid_taps(ix0, 1, p->k_w, p->in_w, &kx0, &kx1);
                for (c = 0; c < c_n; c += 16) {
                    const mve_pred16_t pr = vctp8q((uint32_t)(c_n - c));
                    int8x16_t m = vdupq_n_s8(-128);
                    if (kx1 > kx0) {
                        for (ky = ky0; ky < ky1; ++ky) {
                            const int8_t *x = in + (size_t)(iy0 + ky) * row
                                              + (size_t)(ix0 + kx0) * (size_t)c_n + (size_t)c;
                            for (kx = kx0; kx < kx1; ++kx, x += c_n) {
                                m = vmaxq_s8(m, vldrbq_z_s8(x, pr));
                            }
                        }
                    }
                    vstrbq_p_s8(output + c, vminq_s8(vmaxq_s8(m, lo), hi), pr);
                }
                output += c_n;
            }
        }
    }
}
