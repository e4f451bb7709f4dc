/*
 * dsp_conv_s8.c - int8 CONV_2D with the DSP extension (see dsp_conv_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>
#include <string.h>

#include "dsp_conv_s8.h"
#include "mcu_arm_dsp.h"

/* memcpy / memset, inline for runs of at most 4 bytes (where a call costs more). */
static void dsp_copy(int8_t *dst, const int8_t *src, int32_t n)
{
    if (n > 4) {
        memcpy(dst, src, (size_t)n);
    } else {
        for (; n > 0; --n) {
            *dst++ = *src++;
        }
    }
}

static void dsp_fill(int8_t *dst, int8_t v, int32_t n)
{
    if (n > 4) {
        memset(dst, v, (size_t)n);
    } else {
        for (; n > 0; --n) {
            *dst++ = v;
        }
    }
}

/* Filter row ky of the patch whose tap (0, 0) is at input (iy, ix0), into dst
 * (k_w * in_c bytes): input values inside the image, pad_value outside. Returns the
 * input itself instead when the whole row is inside and contiguous (dil_w == 1). */
static const int8_t *dsp_conv_row(const mcu_dsp_conv_params_t *p, const int8_t *in_batch,
                                  int32_t iy, int32_t ix0, int8_t *dst)
{
    const int32_t in_c = p->in_c;
    const int32_t k_w = p->k_w;
    const int32_t row_len = k_w * in_c;
    const int8_t pad = (int8_t)p->pad_value;
    const int8_t *row;
    int32_t kx;

    if (iy < 0 || iy >= p->in_h) {
        dsp_fill(dst, pad, row_len);
        return dst;
    }
    row = in_batch + (size_t)iy * (size_t)p->in_w * (size_t)in_c;
    if (p->dil_w == 1) {
        /* taps [kx0, kx1) are inside: one copy, padding on both sides */
        const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
        int32_t kx1 = p->in_w - ix0;
        if (kx1 > k_w) {
            kx1 = k_w;
        }
        if (kx0 == 0 && kx1 == k_w) {
            return row + (size_t)ix0 * (size_t)in_c;
        }
        if (kx1 <= kx0) {
            dsp_fill(dst, pad, row_len);
            return dst;
        }
        dsp_fill(dst, pad, kx0 * in_c);
        dsp_copy(dst + kx0 * in_c, row + (size_t)(ix0 + kx0) * (size_t)in_c,
                 (kx1 - kx0) * in_c);
        dsp_fill(dst + kx1 * in_c, pad, (k_w - kx1) * in_c);
        return dst;
    }
    for (kx = 0; kx < k_w; ++kx) {
        const int32_t ix = ix0 + kx * p->dil_w;
        if (ix < 0 || ix >= p->in_w) {
            dsp_fill(dst + kx * in_c, pad, in_c);
        } else {
            dsp_copy(dst + kx * in_c, row + (size_t)ix * (size_t)in_c, in_c);
        }
    }
    return dst;
}

/* n bytes from src to dst (any alignment), a word at a time: for the short rows of a
 * patch, where a memcpy call costs more than the copy. */
static inline void dsp_copy_words(int8_t *dst, const int8_t *src, int32_t n)
{
    for (; n >= 4; n -= 4) {
        mcu_write_s32(dst, mcu_read_s8x4(src));
        dst += 4;
        src += 4;
    }
    for (; n > 0; --n) {
        *dst++ = *src++;
    }
}

/* Four bytes from any address as an unsigned word (lane 0 = the lowest address). */
static inline uint32_t dsp_rd(const int8_t *p)
{
    return (uint32_t)mcu_read_s8x4(p);
}

/* The 27 terms of three filter rows of 9 values (a 3x3 filter over 3 channels; rows
 * r0, r1, r2: 9 bytes each, any alignment) widened into 7 groups at dst, `stride` words per group, without a
 * gathered patch: groups that straddle two rows are merged from two loads. Every load
 * stays inside its 9 bytes; term 27 (a zero weight) reads 0. */
static void dsp_widen_3x3x3(const int8_t *r0, const int8_t *r1, const int8_t *r2,
                            int32_t stride, int32_t *dst)
{
/* one group g into dst, then dst += stride (written out: GCC keeps a loop's groups on
 * the stack) */
#define DSP_WIDEN1(g)                                                                      \
    {                                                                                      \
        const int32_t v = (int32_t)(g);                                                    \
        dst[0] = mcu_sxtb16(v);                                                            \
        dst[1] = mcu_sxtb16_ror8(v);                                                       \
        dst += stride;                                                                     \
    }
    DSP_WIDEN1(dsp_rd(r0))
    DSP_WIDEN1(dsp_rd(r0 + 4))
    DSP_WIDEN1((uint32_t)(uint8_t)r0[8] | (dsp_rd(r1) << 8))
    DSP_WIDEN1(dsp_rd(r1 + 3))
    DSP_WIDEN1((dsp_rd(r1 + 5) >> 16) | (dsp_rd(r2) << 16))
    DSP_WIDEN1(dsp_rd(r2 + 2))
    DSP_WIDEN1(dsp_rd(r2 + 5) >> 8)
#undef DSP_WIDEN1
}

/* Widen the patch of output pixel pix into a column at dst, `stride` words per group
 * (2: a single column, 4: one of two interleaved columns). Rows of a multiple of 4
 * values are widened one by one, straight from the input where they lie inside it;
 * else the whole patch is gathered into `patch` first (its zero tail stays). A patch
 * whose filter rows all lie inside the image horizontally (dil_w == 1, the common
 * case) takes a short path: each row inside the image is read (or copied) in place. */
static void dsp_conv_column(const mcu_dsp_conv_params_t *p, const int8_t *in_batch,
                            int32_t pix, int8_t *patch, int32_t *dst, int32_t stride)
{
    const int32_t oy = pix / p->out_w;
    const int32_t ox = pix - oy * p->out_w;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int32_t row_len = p->k_w * p->in_c;
    int32_t ky;

    if (p->direct) {
        mcu_dsp_widen_s8(in_batch + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) *
                                        (size_t)p->in_c,
                         p->mm.groups, stride, dst);
    } else if (p->dil_w == 1 && ix0 >= 0 && ix0 + p->k_w <= p->in_w) {
        const size_t row_step = (size_t)p->in_w * (size_t)p->in_c;
        const int8_t *at = in_batch + (size_t)ix0 * (size_t)p->in_c;
        const int8_t pad = (int8_t)p->pad_value;
        int32_t iy = iy0;
        if ((row_len & 3) == 0) {
            const int32_t row_groups = row_len >> 2;
            for (ky = 0; ky < p->k_h; ++ky, iy += p->dil_h) {
                const int8_t *row = patch;
                if (iy >= 0 && iy < p->in_h) {
                    row = at + (size_t)iy * row_step;
                } else {
                    dsp_fill(patch, pad, row_len);
                }
                mcu_dsp_widen_s8(row, row_groups, stride, dst);
                dst += stride * row_groups;
            }
        } else if (row_len == 9 && p->k_h == 3) {
            /* three filter rows of 9 contiguous values (3x3 over 3 channels: an RGB
             * input); rows outside the image read patch[0..8] = pad */
            const int8_t *rows[3];
            for (ky = 0; ky < 3; ++ky, iy += p->dil_h) {
                if (iy >= 0 && iy < p->in_h) {
                    rows[ky] = at + (size_t)iy * row_step;
                } else {
                    dsp_fill(patch, pad, 9);
                    rows[ky] = patch;
                }
            }
            dsp_widen_3x3x3(rows[0], rows[1], rows[2], stride, dst);
        } else {
            int8_t *q = patch;
            for (ky = 0; ky < p->k_h; ++ky, iy += p->dil_h, q += row_len) {
                if (iy >= 0 && iy < p->in_h) {
                    dsp_copy_words(q, at + (size_t)iy * row_step, row_len);
                } else {
                    dsp_fill(q, pad, row_len);
                }
            }
            mcu_dsp_widen_s8(patch, p->mm.groups, stride, dst);
        }
    } else if ((row_len & 3) == 0) {
        for (ky = 0; ky < p->k_h; ++ky) {
            const int8_t *row = dsp_conv_row(p, in_batch, iy0 + ky * p->dil_h, ix0, patch);
            mcu_dsp_widen_s8(row, row_len >> 2, stride, dst);
            dst += stride * (row_len >> 2);
        }
    } else {
        for (ky = 0; ky < p->k_h; ++ky) {
            int8_t *at = patch + ky * row_len;
            const int8_t *row = dsp_conv_row(p, in_batch, iy0 + ky * p->dil_h, ix0, at);
            if (row != at) {
                dsp_copy(at, row, row_len);
            }
        }
        mcu_dsp_widen_s8(patch, p->mm.groups, stride, dst);
    }
}

/* The patch of output pixel (oy, ox) as segments of the input itself (no copy): one
 * per filter row whose taps are all inside the image (dil_w == 1), else one per tap;
 * taps outside the image read `pad` (k_w * in_c copies of the input zero point).
 * Needs in_c % 4 == 0; returns the number of segments (at most k_h * k_w). */
static int32_t dsp_conv_segments(const mcu_dsp_conv_params_t *p, const int8_t *in_batch,
                                 int32_t oy, int32_t ox, const int8_t *pad, mcu_dsp_seg_t *segs)
{
    const int32_t in_c = p->in_c;
    const int32_t tap_groups = in_c >> 2;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int32_t ix_last = ix0 + (p->k_w - 1) * p->dil_w;
    int32_t n = 0;
    int32_t ky, kx;

    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = iy0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            segs[n].x = pad;
            segs[n].groups = p->k_w * tap_groups;
            ++n;
        } else {
            const int8_t *row = in_batch + (size_t)iy * (size_t)p->in_w * (size_t)in_c;
            if (p->dil_w == 1 && ix0 >= 0 && ix_last < p->in_w) {
                segs[n].x = row + (size_t)ix0 * (size_t)in_c;
                segs[n].groups = p->k_w * tap_groups;
                ++n;
            } else {
                for (kx = 0; kx < p->k_w; ++kx) {
                    const int32_t ix = ix0 + kx * p->dil_w;
                    segs[n].x = (ix < 0 || ix >= p->in_w) ? pad : row + (size_t)ix * (size_t)in_c;
                    segs[n].groups = tap_groups;
                    ++n;
                }
            }
        }
    }
    return n;
}

void mcu_dsp_conv_s8(const mcu_dsp_conv_params_t *p, const int8_t *input,
                     const int32_t *stream, const int8_t *pad, int8_t *output, void *scratch)
{
    const mcu_dsp_conv_params_t pc = *p;
    const int32_t groups = pc.mm.groups;
    const int32_t k = pc.k_h * pc.k_w * pc.in_c;
    const int32_t out_c = pc.mm.n_out;
    const int32_t n_pix = pc.out_h * pc.out_w;
    const size_t in_batch_size = (size_t)pc.in_h * (size_t)pc.in_w * (size_t)pc.in_c;
    int32_t *cols;
    int8_t *patch;
    int32_t b, pix;

    if (scratch == NULL) {
        /* each pixel's patch read in place, as segments of the input (or pad); a
         * pixel whose filter rows are all inside the image horizontally (dil_w == 1)
         * has one segment per filter row, from the row starts found once per output
         * row (`base`, NULL for rows outside: they read pad) */
        mcu_dsp_seg_t segs[MCU_DSP_CONV_S8_MAX_SEGMENTS];
        const int8_t *base[MCU_DSP_CONV_S8_MAX_SEGMENTS];
        const int fast = !pc.direct && pc.dil_w == 1;
        const size_t row_step = (size_t)pc.in_w * (size_t)pc.in_c;
        for (b = 0; b < pc.batches; ++b) {
            const int8_t *in_batch = input + (size_t)b * in_batch_size;
            int8_t *out_pix = output + (size_t)b * (size_t)n_pix * (size_t)out_c;
            int32_t oy, ox, n, ky;
            for (oy = 0; oy < pc.out_h; ++oy) {
                if (fast) {
                    int32_t iy = oy * pc.stride_h - pc.pad_top;
                    for (ky = 0; ky < pc.k_h; ++ky, iy += pc.dil_h) {
                        base[ky] = (iy >= 0 && iy < pc.in_h) ? in_batch + (size_t)iy * row_step
                                                             : NULL;
                    }
                }
                for (ox = 0; ox < pc.out_w; ++ox) {
                    const int32_t ix0 = ox * pc.stride_w - pc.pad_left;
                    if (fast && ix0 >= 0 && ix0 + pc.k_w <= pc.in_w) {
                        const size_t off = (size_t)ix0 * (size_t)pc.in_c;
                        const int32_t row_groups = pc.k_w * (pc.in_c >> 2);
                        for (ky = 0; ky < pc.k_h; ++ky) {
                            segs[ky].x = base[ky] != NULL ? base[ky] + off : pad;
                            segs[ky].groups = row_groups;
                        }
                        n = pc.k_h;
                    } else if (pc.direct) {
                        segs[0].x = in_batch + ((size_t)(oy * pc.stride_h) * (size_t)pc.in_w
                                                + (size_t)(ox * pc.stride_w)) * (size_t)pc.in_c;
                        segs[0].groups = groups;
                        n = 1;
                    } else {
                        n = dsp_conv_segments(&pc, in_batch, oy, ox, pad, segs);
                    }
                    mcu_dsp_mat_mult_raw_s8(&pc.mm, stream, segs, n, out_pix);
                    out_pix += out_c;
                }
            }
        }
        return;
    }
    cols = (int32_t *)scratch;
    patch = (int8_t *)(cols + 4 * groups);
    /* the padding terms of the patch stay 0 (they meet zero weights) */
    memset(patch + k, 0, (size_t)(4 * groups - k));
    for (b = 0; b < pc.batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        int8_t *out_batch = output + (size_t)b * (size_t)n_pix * (size_t)out_c;
        for (pix = 0; pix + 2 <= n_pix; pix += 2) {
            int8_t *out_a = out_batch + (size_t)pix * (size_t)out_c;
            dsp_conv_column(&pc, in_batch, pix, patch, cols, 4);
            dsp_conv_column(&pc, in_batch, pix + 1, patch, cols + 2, 4);
            mcu_dsp_mat_mult_s8(&pc.mm, stream, cols, 1, out_a, out_a + out_c);
        }
        if (pix < n_pix) {
            dsp_conv_column(&pc, in_batch, pix, patch, cols, 2);
            mcu_dsp_mat_mult_s8(&pc.mm, stream, cols, 0, out_batch + (size_t)pix * (size_t)out_c,
                                NULL);
        }
    }
}
