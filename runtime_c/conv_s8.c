/*
 * conv_s8.c - int8 CONV_2D kernel (per-channel quantization).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "conv_s8.h"
#include "mat_mult_s8.h"
#include "mcu_conv_taps.h"

/* Valid filter taps of one output pixel: ky in [ky0, ky1), kx in [kx0, kx1). */
typedef struct {
    int32_t iy0, ix0;          /* input position of tap (0, 0), may be outside */
    int32_t ky0, ky1, kx0, kx1;
} conv_taps_t;

static void conv_pixel_taps(const mcu_conv_params_t *p, int32_t pix, conv_taps_t *t)
{
    const int32_t oy = pix / p->out_w;
    const int32_t ox = pix % p->out_w;
    t->iy0 = oy * p->stride_h - p->pad_top;
    t->ix0 = ox * p->stride_w - p->pad_left;
    mcu_conv_valid_taps(t->iy0, p->dil_h, p->k_h, p->in_h, &t->ky0, &t->ky1);
    mcu_conv_valid_taps(t->ix0, p->dil_w, p->k_w, p->in_w, &t->kx0, &t->kx1);
}

static int conv_same_taps(const conv_taps_t *a, const conv_taps_t *b)
{
    return a->ky0 == b->ky0 && a->ky1 == b->ky1 && a->kx0 == b->kx0 && a->kx1 == b->kx1;
}

/* First input value of tap (ky, kx) of a pixel (the tap must be inside the image). */
static const int8_t *conv_tap_input(const mcu_conv_params_t *p, const int8_t *in_batch,
                                    const conv_taps_t *t, int32_t ky, int32_t kx)
{
    const int32_t iy = t->iy0 + ky * p->dil_h;
    const int32_t ix = t->ix0 + kx * p->dil_w;
    return in_batch + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c;
}

/*
 * Contiguous runs of valid taps of a pixel: one per filter row (all of its
 * valid taps) when dil_w == 1, else one per tap. Run s of the pixel starts at
 * input conv_tap_input(ky, kx) and filter offset (ky * k_w + kx) * in_c.
 */
#define CONV_FOR_EACH_RUN(p, t, ky, kx, len, BODY)                              \
    for ((ky) = (t)->ky0; (ky) < (t)->ky1; ++(ky)) {                            \
        if ((p)->dil_w == 1) {                                                  \
            (kx) = (t)->kx0;                                                    \
            (len) = ((t)->kx1 - (t)->kx0) * (p)->in_c;                          \
            if ((len) > 0) {                                                    \
                BODY                                                            \
            }                                                                   \
        } else {                                                                \
            for ((kx) = (t)->kx0; (kx) < (t)->kx1; ++(kx)) {                    \
                (len) = (p)->in_c;                                              \
                BODY                                                            \
            }                                                                   \
        }                                                                       \
    }

/* Two output pixels with the same valid taps, every output channel. */
static void conv_direct_pair(const mcu_conv_params_t *params, const int8_t *in_batch,
                             const conv_taps_t *ta, const conv_taps_t *tb,
                             const int8_t *filter, const mcu_mm_out_t *out_q, int8_t *out_a,
                             int8_t *out_b)
{
    /* local copies: the int8 output stores may alias anything reached through pointers */
    const mcu_conv_params_t pc = *params;
    const mcu_mm_out_t oq = *out_q;
    const mcu_conv_params_t *p = &pc;
    const mcu_mm_out_t *o = &oq;
    const int32_t k_pad = p->k_pad;
    int32_t acc[4];
    mcu_requant_t q0, q1;
    int32_t r, ky, kx, len;

    for (r = 0; r + 2 <= p->out_c; r += 2) {
        const int8_t *w0 = filter + (size_t)r * (size_t)k_pad;
        acc[0] = acc[1] = acc[2] = acc[3] = 0;
        CONV_FOR_EACH_RUN(p, ta, ky, kx, len, {
            const int32_t w_off = (ky * p->k_w + kx) * p->in_c;
            mcu_dot_s8_2x2(conv_tap_input(p, in_batch, ta, ky, kx),
                           conv_tap_input(p, in_batch, tb, ky, kx), w0 + w_off,
                           w0 + k_pad + w_off, len, p->input_offset, acc);
        })
        mcu_mm_prepare(o, r, &q0);
        mcu_mm_prepare(o, r + 1, &q1);
        out_a[r] = mcu_mm_output(o, r, &q0, acc[0]);
        out_b[r] = mcu_mm_output(o, r, &q0, acc[1]);
        out_a[r + 1] = mcu_mm_output(o, r + 1, &q1, acc[2]);
        out_b[r + 1] = mcu_mm_output(o, r + 1, &q1, acc[3]);
    }
    if (r < p->out_c) {
        const int8_t *w0 = filter + (size_t)r * (size_t)k_pad;
        int32_t a = 0, b = 0;
        CONV_FOR_EACH_RUN(p, ta, ky, kx, len, {
            const int32_t w_off = (ky * p->k_w + kx) * p->in_c;
            a += mcu_dot_s8_1x1(conv_tap_input(p, in_batch, ta, ky, kx), w0 + w_off, len,
                                p->input_offset);
            b += mcu_dot_s8_1x1(conv_tap_input(p, in_batch, tb, ky, kx), w0 + w_off, len,
                                p->input_offset);
        })
        mcu_mm_prepare(o, r, &q0);
        out_a[r] = mcu_mm_output(o, r, &q0, a);
        out_b[r] = mcu_mm_output(o, r, &q0, b);
    }
}

/* One output pixel, every output channel. */
static void conv_direct_single(const mcu_conv_params_t *params, const int8_t *in_batch,
                               const conv_taps_t *t, const int8_t *filter,
                               const mcu_mm_out_t *out_q, int8_t *out)
{
    /* local copies: the int8 output stores may alias anything reached through pointers */
    const mcu_conv_params_t pc = *params;
    const mcu_mm_out_t oq = *out_q;
    const mcu_conv_params_t *p = &pc;
    const mcu_mm_out_t *o = &oq;
    const int32_t k_pad = p->k_pad;
    int32_t acc[4];
    mcu_requant_t q;
    int32_t r, j, ky, kx, len;

    for (r = 0; r + 4 <= p->out_c; r += 4) {
        const int8_t *w0 = filter + (size_t)r * (size_t)k_pad;
        acc[0] = acc[1] = acc[2] = acc[3] = 0;
        CONV_FOR_EACH_RUN(p, t, ky, kx, len, {
            const int32_t w_off = (ky * p->k_w + kx) * p->in_c;
            mcu_dot_s8_4x1(conv_tap_input(p, in_batch, t, ky, kx), w0 + w_off,
                           w0 + k_pad + w_off, w0 + 2 * k_pad + w_off,
                           w0 + 3 * k_pad + w_off, len, p->input_offset, acc);
        })
        for (j = 0; j < 4; ++j) {
            mcu_mm_prepare(o, r + j, &q);
            out[r + j] = mcu_mm_output(o, r + j, &q, acc[j]);
        }
    }
    for (; r < p->out_c; ++r) {
        const int8_t *w0 = filter + (size_t)r * (size_t)k_pad;
        int32_t a = 0;
        CONV_FOR_EACH_RUN(p, t, ky, kx, len, {
            a += mcu_dot_s8_1x1(conv_tap_input(p, in_batch, t, ky, kx),
                                w0 + (ky * p->k_w + kx) * p->in_c, len, p->input_offset);
        })
        mcu_mm_prepare(o, r, &q);
        out[r] = mcu_mm_output(o, r, &q, a);
    }
}

static void conv_zero_s16(int16_t *dst, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = 0;
    }
}

/*
 * The patch of one output pixel as a column of k_h * k_w * in_c int16 values in
 * filter order: input + input_offset inside the image, 0 for taps outside it
 * (what the reference's skipped taps contribute).
 */
static void conv_im2col(const mcu_conv_params_t *p, const int8_t *in_batch,
                        const conv_taps_t *t, int16_t *col)
{
    const int32_t in_c = p->in_c;
    const int32_t row_len = p->k_w * in_c;
    int32_t ky, kx;

    for (ky = 0; ky < p->k_h; ++ky) {
        if (ky < t->ky0 || ky >= t->ky1) {
            conv_zero_s16(col, row_len);
        } else if (p->dil_w == 1 && t->kx0 == 0 && t->kx1 == p->k_w) {
            /* the whole filter row is inside: one contiguous run */
            mcu_s8_to_s16_offset(conv_tap_input(p, in_batch, t, ky, 0), row_len,
                                 p->input_offset, col);
        } else {
            for (kx = 0; kx < p->k_w; ++kx) {
                if (kx < t->kx0 || kx >= t->kx1) {
                    conv_zero_s16(col + kx * in_c, in_c);
                } else {
                    mcu_s8_to_s16_offset(conv_tap_input(p, in_batch, t, ky, kx), in_c,
                                         p->input_offset, col + kx * in_c);
                }
            }
        }
        col += row_len;
    }
}

void mcu_conv_s8(const mcu_conv_params_t *p, const int8_t *input, const int8_t *filter,
                 const int32_t *bias, const int32_t *out_mult, const int32_t *out_shift,
                 int8_t *output, int16_t *scratch)
{
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t k_pad = p->k_pad;
    const int32_t out_c = p->out_c;
    const int32_t n_pix = p->out_h * p->out_w;
    const size_t in_batch_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    mcu_mm_out_t o;
    conv_taps_t ta, tb;
    int32_t b, pix;

    o.bias = bias;
    o.mult = out_mult;
    o.shift = out_shift;
    o.per_channel = 1;
    o.output_offset = p->output_offset;
    o.act_min = p->act_min;
    o.act_max = p->act_max;

    if (scratch != NULL) {
        /* the padding of both columns stays 0: im2col writes only k values */
        conv_zero_s16(scratch + k, k_pad - k);
        conv_zero_s16(scratch + k_pad + k, k_pad - k);
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        int8_t *out_batch = output + (size_t)b * (size_t)n_pix * (size_t)out_c;
        for (pix = 0; pix < n_pix;) {
            int8_t *out_a = out_batch + (size_t)pix * (size_t)out_c;
            const int pair = pix + 1 < n_pix;
            conv_pixel_taps(p, pix, &ta);
            if (pair) {
                conv_pixel_taps(p, pix + 1, &tb);
            }
            if (scratch != NULL) {
                /* im2col: each input value widened once for all output channels */
                conv_im2col(p, in_batch, &ta, scratch);
                if (pair) {
                    conv_im2col(p, in_batch, &tb, scratch + k_pad);
                }
                mcu_mat_mult_s16(scratch, pair ? scratch + k_pad : NULL, k_pad, filter, k_pad,
                                 out_c, &o, out_a, out_a + out_c);
                pix += pair ? 2 : 1;
            } else if (pair && conv_same_taps(&ta, &tb)) {
                conv_direct_pair(p, in_batch, &ta, &tb, filter, &o, out_a, out_a + out_c);
                pix += 2;
            } else {
                conv_direct_single(p, in_batch, &ta, filter, &o, out_a);
                pix += 1;
            }
        }
    }
}
