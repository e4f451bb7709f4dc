/*
 * dsp_pooling_s8.c - int8 AVERAGE_POOL_2D and MAX_POOL_2D with the DSP instructions
 * (see dsp_pooling_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "dsp_pooling_s8.h"
#include "mcu_conv_taps.h"
#include "mcu_arm_dsp.h"
#include "mcu_requant.h"

/* The reference's rounded average of `sum` over n >= 1 values, clamped. */
static inline int8_t dsp_pool_avg(int32_t sum, int32_t n, int32_t lo, int32_t hi)
{
    const int32_t avg = (sum > 0) ? (sum + n / 2) / n : (sum - n / 2) / n;
    return (int8_t)mcu_clamp_s32(avg, lo, hi);
}

/* The averages of four channels from their int16 lane sums: even = (c, c+2), odd =
 * (c+1, c+3). */
static inline void dsp_pool_avg4(int8_t *out, int32_t even, int32_t odd, int32_t n,
                                 int32_t lo, int32_t hi)
{
    out[0] = dsp_pool_avg((int16_t)(uint16_t)((uint32_t)even & 0xFFFFu), n, lo, hi);
    out[1] = dsp_pool_avg((int16_t)(uint16_t)((uint32_t)odd & 0xFFFFu), n, lo, hi);
    out[2] = dsp_pool_avg((int16_t)(uint16_t)((uint32_t)even >> 16), n, lo, hi);
    out[3] = dsp_pool_avg((int16_t)(uint16_t)((uint32_t)odd >> 16), n, lo, hi);
}

/* Lane-wise minimum of four int8 lanes (the counterpart of mcu_max_s8x4). */
static inline int32_t dsp_min_s8x4(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a ^ (uint32_t)b ^ (uint32_t)mcu_max_s8x4(a, b));
}

/* Four copies of an int8 value. */
static inline int32_t dsp_splat_s8(int32_t v)
{
    return (int32_t)((uint32_t)(uint8_t)(int8_t)v * 0x01010101u);
}

void mcu_dsp_avg_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, channels = p->channels;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t row = in_w * channels;
    int32_t b, oy, ox, c, ky, kx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * (size_t)in_h * (size_t)row;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            mcu_conv_valid_taps(iy0, 1, p->k_h, in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1, n, runs, len;
                const int8_t *win;
                mcu_conv_valid_taps(ix0, 1, p->k_w, in_w, &kx0, &kx1);
                n = (ky1 - ky0) * (kx1 - kx0);
                if (n <= 0) { /* never generated (the reference fails); as mcu_avg_pool_s8 */
                    for (c = 0; c < channels; ++c) {
                        *output++ = (int8_t)mcu_clamp_s32(0, act_min, act_max);
                    }
                    continue;
                }
                /* only pointers to valid taps are formed */
                win = in + (size_t)(iy0 + ky0) * (size_t)row + (size_t)(ix0 + kx0) * (size_t)channels;
                /* the window as runs of pixels `channels` apart: one per row, or one in all
                 * when it spans whole rows (they are then contiguous, e.g. a global pool) */
                runs = (kx1 - kx0 == in_w) ? 1 : ky1 - ky0;
                len = (kx1 - kx0 == in_w) ? n : kx1 - kx0;
                for (c = 0; c + 8 <= channels; c += 8) {
                    /* lanes: channels (c, c+2), (c+1, c+3), (c+4, c+6), (c+5, c+7) */
                    int32_t e0 = 0, o0 = 0, e1 = 0, o1 = 0;
                    const int8_t *r = win + c;
                    for (ky = 0; ky < runs; ++ky, r += row) {
                        const int8_t *x = r;
                        for (kx = len; kx > 0; --kx, x += channels) {
                            const int32_t v0 = mcu_read_s8x4(x);
                            const int32_t v1 = mcu_read_s8x4(x + 4);
                            e0 = mcu_sxtab16(e0, v0);
                            o0 = mcu_sxtab16_ror8(o0, v0);
                            e1 = mcu_sxtab16(e1, v1);
                            o1 = mcu_sxtab16_ror8(o1, v1);
                        }
                    }
                    dsp_pool_avg4(output, e0, o0, n, act_min, act_max);
                    dsp_pool_avg4(output + 4, e1, o1, n, act_min, act_max);
                    output += 8;
                }
                for (; c + 4 <= channels; c += 4) {
                    int32_t even = 0, odd = 0; /* lanes: channels (c, c+2) and (c+1, c+3) */
                    const int8_t *r = win + c;
                    for (ky = 0; ky < runs; ++ky, r += row) {
                        const int8_t *x = r;
                        for (kx = len; kx > 0; --kx, x += channels) {
                            const int32_t v = mcu_read_s8x4(x);
                            even = mcu_sxtab16(even, v);
                            odd = mcu_sxtab16_ror8(odd, v);
                        }
                    }
                    dsp_pool_avg4(output, even, odd, n, act_min, act_max);
                    output += 4;
                }
                for (; c < channels; ++c) {
                    int32_t sum = 0;
                    const int8_t *r = win + c;
                    for (ky = ky0; ky < ky1; ++ky, r += row) {
                        for (kx = 0; kx < kx1 - kx0; ++kx) {
                            sum += r[kx * channels];
                        }
                    }
                    *output++ = dsp_pool_avg(sum, n, act_min, act_max);
                }
            }
        }
    }
}

void mcu_dsp_max_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, channels = p->channels;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t lo4 = dsp_splat_s8(act_min), hi4 = dsp_splat_s8(act_max);
    const int32_t row = in_w * channels;
    int32_t b, oy, ox, c, ky, kx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * (size_t)in_h * (size_t)row;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            mcu_conv_valid_taps(iy0, 1, p->k_h, in_h, &ky0, &ky1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                const int8_t *win;
                mcu_conv_valid_taps(ix0, 1, p->k_w, in_w, &kx0, &kx1);
                if (ky1 <= ky0 || kx1 <= kx0) { /* empty window: the start value -128 */
                    for (c = 0; c < channels; ++c) {
                        *output++ = (int8_t)mcu_clamp_s32(-128, act_min, act_max);
                    }
                    continue;
                }
                win = in + (size_t)(iy0 + ky0) * (size_t)row + (size_t)(ix0 + kx0) * (size_t)channels;
                for (c = 0; c + 4 <= channels; c += 4) {
                    int32_t m = (int32_t)0x80808080u;
                    const int8_t *r = win + c;
                    for (ky = ky0; ky < ky1; ++ky, r += row) {
                        const int8_t *x = r;
                        for (kx = kx0; kx < kx1; ++kx, x += channels) {
                            m = mcu_max_s8x4(m, mcu_read_s8x4(x));
                        }
                    }
                    mcu_write_s32(output, dsp_min_s8x4(mcu_max_s8x4(m, lo4), hi4));
                    output += 4;
                }
                for (; c < channels; ++c) {
                    int32_t m = -128;
                    const int8_t *r = win + c;
                    for (ky = ky0; ky < ky1; ++ky, r += row) {
                        for (kx = 0; kx < kx1 - kx0; ++kx) {
                            const int32_t v = r[kx * channels];
                            m = (v > m) ? v : m;
                        }
                    }
                    *output++ = (int8_t)mcu_clamp_s32(m, act_min, act_max);
                }
            }
        }
    }
}
