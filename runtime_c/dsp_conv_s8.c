/*
 * dsp_conv_s8.c - int8 CONV_2D with the DSP extension (see dsp_conv_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>
#include <string.h>

#include "dsp_conv_s8.h"
#include "mcu_arm_dsp.h"

/* Keeps a function's stack frame (arrays) out of its caller's. */
#if defined(__GNUC__)
#define DSP_NOINLINE __attribute__((noinline))
#else
#define DSP_NOINLINE
#endif

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
 * r0, r1, r2: 9 bytes each, any alignment) widened into 7 groups at dst, without a
 * gathered patch: groups that straddle two rows are merged from two loads. Every load
 * stays inside its 9 bytes; term 27 (a zero weight) reads 0. */
static void dsp_widen_3x3x3(const int8_t *r0, const int8_t *r1, const int8_t *r2,
                            int32_t *dst)
{
/* one group g into dst, then dst += 2 (written out: GCC keeps a loop's groups on
 * the stack) */
#define DSP_WIDEN1(g)                                                                      \
    {                                                                                      \
        const int32_t v = (int32_t)(g);                                                    \
        dst[0] = mcu_sxtb16(v);                                                            \
        dst[1] = mcu_sxtb16_ror8(v);                                                       \
        dst += 2;                                                                          \
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

/* The patch of a filter whose rows are 4 values (k_w * in_c == 4, dil_w == 1, the
 * image rows at least 4 values) widened straight from the input, one load a row: a row
 * that sticks out of the image on the left (right) is the image row's first (last) 4
 * values shifted, the bytes outside replaced by pad_value; rows outside are pad. */
static void dsp_conv_column_row4(const mcu_dsp_conv_params_t *p, const int8_t *in_batch,
                                 int32_t iy0, int32_t ix0, int32_t *dst)
{
    const int32_t row_bytes = p->in_w * p->in_c;
    const int32_t lo = ix0 * p->in_c; /* the first value's offset in its image row */
    const uint32_t pad = 0x01010101u * (uint32_t)(uint8_t)p->pad_value;
    const ptrdiff_t step = (ptrdiff_t)p->dil_h * (ptrdiff_t)row_bytes;
    uint32_t shl = 0, shr = 0, fill = 0;
    uint32_t in_h = (uint32_t)p->in_h; /* 0: every row reads pad */
    int32_t off = lo, ky, iy = iy0;
    ptrdiff_t at;

    if (lo < 0) {
        off = 0;
        shl = (uint32_t)(-8 * lo);
    } else if (lo + 4 > row_bytes) {
        off = row_bytes - 4;
        shr = (uint32_t)(8 * (lo + 4 - row_bytes));
    }
    if (shl >= 32 || shr >= 32) {
        in_h = 0;
    } else {
        fill = pad & ~((0xFFFFFFFFu >> shr) << shl);
    }
    at = (ptrdiff_t)off + (ptrdiff_t)iy0 * (ptrdiff_t)row_bytes; /* row iy's values */
    for (ky = p->k_h; ky > 0; --ky, iy += p->dil_h, at += step) {
        uint32_t v = pad;
        if ((uint32_t)iy < in_h) {
            v = ((((uint32_t)mcu_read_s8x4(in_batch + at)) >> shr) << shl) | fill;
        }
        dst[0] = mcu_sxtb16((int32_t)v);
        dst[1] = mcu_sxtb16_ror8((int32_t)v);
        dst += 2;
    }
}

/* Shortest filter row (values) widened on its own; shorter rows are gathered into the
 * patch and widened with one call. */
#define DSP_ROW_WIDEN_MIN 16

/* Widen the patch of output pixel pix into a column at dst. Rows of a multiple of 4
 * values (at least DSP_ROW_WIDEN_MIN) are widened one by one, straight from the input
 * where they lie inside it; else the whole patch is gathered into `patch` first (its zero tail stays). A patch
 * whose filter rows all lie inside the image horizontally (dil_w == 1, the common
 * case) takes a short path: each row inside the image is read (or copied) in place. */
static void dsp_conv_column(const mcu_dsp_conv_params_t *p, const int8_t *in_batch,
                            int32_t pix, int8_t *patch, int32_t *dst)
{
    const int32_t oy = pix / p->out_w;
    const int32_t ox = pix - oy * p->out_w;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int32_t row_len = p->k_w * p->in_c;
    int32_t ky;

    if (row_len == 4 && p->dil_w == 1 && p->in_w * p->in_c >= 4) {
        dsp_conv_column_row4(p, in_batch, iy0, ix0, dst);
    } else if (p->direct) {
        mcu_dsp_widen_s8(in_batch + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) *
                                        (size_t)p->in_c,
                         p->mm.groups, dst);
    } else if (p->dil_w == 1 && ix0 >= 0 && ix0 + p->k_w <= p->in_w) {
        const size_t row_step = (size_t)p->in_w * (size_t)p->in_c;
        const int8_t *at = in_batch + (size_t)ix0 * (size_t)p->in_c;
        const int8_t pad = (int8_t)p->pad_value;
        int32_t iy = iy0;
        if ((row_len & 3) == 0 && row_len >= DSP_ROW_WIDEN_MIN) {
            const int32_t row_groups = row_len >> 2;
            for (ky = 0; ky < p->k_h; ++ky, iy += p->dil_h) {
                const int8_t *row = patch;
                if (iy >= 0 && iy < p->in_h) {
                    row = at + (size_t)iy * row_step;
                } else {
                    dsp_fill(patch, pad, row_len);
                }
                dst = mcu_dsp_widen_s8(row, row_groups, dst);
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
            dsp_widen_3x3x3(rows[0], rows[1], rows[2], dst);
        } else {
            int8_t *q = patch;
            for (ky = 0; ky < p->k_h; ++ky, iy += p->dil_h, q += row_len) {
                if (iy >= 0 && iy < p->in_h) {
                    dsp_copy_words(q, at + (size_t)iy * row_step, row_len);
                } else {
                    dsp_fill(q, pad, row_len);
                }
            }
            mcu_dsp_widen_s8(patch, p->mm.groups, dst);
        }
    } else if ((row_len & 3) == 0 && row_len >= DSP_ROW_WIDEN_MIN) {
        for (ky = 0; ky < p->k_h; ++ky) {
            const int8_t *row = dsp_conv_row(p, in_batch, iy0 + ky * p->dil_h, ix0, patch);
            dst = mcu_dsp_widen_s8(row, row_len >> 2, dst);
        }
    } else {
        for (ky = 0; ky < p->k_h; ++ky) {
            int8_t *at = patch + ky * row_len;
            const int8_t *row = dsp_conv_row(p, in_batch, iy0 + ky * p->dil_h, ix0, at);
            if (row != at) {
                dsp_copy(at, row, row_len);
            }
        }
        mcu_dsp_widen_s8(patch, p->mm.groups, dst);
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

/* A direct (1x1, unpadded) convolution: the pixels of each output row (of the whole
 * image when both strides are 1 and out_w == in_w) are consecutive columns of the input,
 * widened in turn into col (2 * groups words; NULL: on the stack, see
 * mcu_dsp_mat_mult_cols_s8). */
static void dsp_conv_direct(const mcu_dsp_conv_params_t *p, const int8_t *input,
                            const int32_t *stream, int8_t *output, int32_t *col)
{
    const size_t in_batch_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    const size_t out_row = (size_t)p->out_w * (size_t)p->mm.n_out;
    const int whole = p->stride_h == 1 && p->stride_w == 1 && p->out_w == p->in_w;
    mcu_dsp_cols_t c;
    int32_t b, oy;

    c.col = col;
    c.x_step = p->stride_w * p->in_c;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        int8_t *out = output + (size_t)b * (size_t)p->out_h * out_row;
        if (whole) {
            c.x = in_batch;
            c.n_cols = p->out_h * p->out_w;
            mcu_dsp_mat_mult_cols_s8(&p->mm, stream, &c, out);
            continue;
        }
        c.n_cols = p->out_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            c.x = in_batch + (size_t)(oy * p->stride_h) * (size_t)p->in_w * (size_t)p->in_c;
            mcu_dsp_mat_mult_cols_s8(&p->mm, stream, &c, out + (size_t)oy * out_row);
        }
    }
}

/* Every pixel's patch read in place (no scratch) and widened into a column on the stack
 * (groups <= MCU_DSP_RAW_STACK_GROUPS): one run per filter row whose taps are all
 * inside the image (dil_w == 1), else one per tap; taps outside read pad. */
static DSP_NOINLINE void dsp_conv_in_place_stack(const mcu_dsp_conv_params_t *pc,
                                                 const int8_t *input, const int32_t *stream,
                                                 const int8_t *pad, int8_t *output)
{
    const int32_t out_c = pc->mm.n_out;
    const int32_t tap_groups = pc->in_c >> 2;
    const size_t row_step = (size_t)pc->in_w * (size_t)pc->in_c;
    const size_t in_batch_size = (size_t)pc->in_h * row_step;
    int32_t col[2 * MCU_DSP_RAW_STACK_GROUPS];
    int8_t *out_pix = output;
    int32_t b, oy, ox, ky, kx;

    for (b = 0; b < pc->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        for (oy = 0; oy < pc->out_h; ++oy) {
            const int32_t iy0 = oy * pc->stride_h - pc->pad_top;
            for (ox = 0; ox < pc->out_w; ++ox) {
                const int32_t ix0 = ox * pc->stride_w - pc->pad_left;
                const int32_t ix_last = ix0 + (pc->k_w - 1) * pc->dil_w;
                int32_t *dst = col;
                for (ky = 0; ky < pc->k_h; ++ky) {
                    const int32_t iy = iy0 + ky * pc->dil_h;
                    const int8_t *row;
                    if (iy < 0 || iy >= pc->in_h) {
                        dst = mcu_dsp_widen_s8(pad, pc->k_w * tap_groups, dst);
                        continue;
                    }
                    row = in_batch + (size_t)iy * row_step;
                    if (pc->dil_w == 1 && ix0 >= 0 && ix_last < pc->in_w) {
                        dst = mcu_dsp_widen_s8(row + (size_t)ix0 * (size_t)pc->in_c,
                                               pc->k_w * tap_groups, dst);
                    } else {
                        for (kx = 0; kx < pc->k_w; ++kx) {
                            const int32_t ix = ix0 + kx * pc->dil_w;
                            const int8_t *tap = (ix < 0 || ix >= pc->in_w)
                                                    ? pad
                                                    : row + (size_t)ix * (size_t)pc->in_c;
                            dst = mcu_dsp_widen_s8(tap, tap_groups, dst);
                        }
                    }
                }
                mcu_dsp_mat_mult_s8(&pc->mm, stream, col, out_pix);
                out_pix += out_c;
            }
        }
    }
}

/* Every pixel's patch read in place (no scratch), as segments of the input (or pad): a
 * pixel whose filter rows are all inside the image horizontally (dil_w == 1) has one
 * segment per filter row, from the row starts found once per output row (`base`, NULL
 * for rows outside: they read pad). */
static DSP_NOINLINE void dsp_conv_in_place(const mcu_dsp_conv_params_t *pc,
                                           const int8_t *input, const int32_t *stream,
                                           const int8_t *pad, int8_t *output)
{
    const int32_t groups = pc->mm.groups;
    const int32_t out_c = pc->mm.n_out;
    const int32_t n_pix = pc->out_h * pc->out_w;
    const size_t in_batch_size = (size_t)pc->in_h * (size_t)pc->in_w * (size_t)pc->in_c;
    const int fast = !pc->direct && pc->dil_w == 1;
    const size_t row_step = (size_t)pc->in_w * (size_t)pc->in_c;
    mcu_dsp_seg_t segs[MCU_DSP_CONV_S8_MAX_SEGMENTS];
    const int8_t *base[MCU_DSP_CONV_S8_MAX_SEGMENTS];
    int32_t b;

    for (b = 0; b < pc->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        int8_t *out_pix = output + (size_t)b * (size_t)n_pix * (size_t)out_c;
        int32_t oy, ox, n, ky;
        for (oy = 0; oy < pc->out_h; ++oy) {
            if (fast) {
                int32_t iy = oy * pc->stride_h - pc->pad_top;
                for (ky = 0; ky < pc->k_h; ++ky, iy += pc->dil_h) {
                    base[ky] = (iy >= 0 && iy < pc->in_h) ? in_batch + (size_t)iy * row_step
                                                          : NULL;
                }
            }
            for (ox = 0; ox < pc->out_w; ++ox) {
                const int32_t ix0 = ox * pc->stride_w - pc->pad_left;
                if (fast && ix0 >= 0 && ix0 + pc->k_w <= pc->in_w) {
                    const size_t off = (size_t)ix0 * (size_t)pc->in_c;
                    const int32_t row_groups = pc->k_w * (pc->in_c >> 2);
                    for (ky = 0; ky < pc->k_h; ++ky) {
                        segs[ky].x = base[ky] != NULL ? base[ky] + off : pad;
                        segs[ky].groups = row_groups;
                    }
                    n = pc->k_h;
                } else if (pc->direct) {
                    segs[0].x = in_batch + ((size_t)(oy * pc->stride_h) * (size_t)pc->in_w
                                            + (size_t)(ox * pc->stride_w)) * (size_t)pc->in_c;
                    segs[0].groups = groups;
                    n = 1;
                } else {
                    n = dsp_conv_segments(pc, in_batch, oy, ox, pad, segs);
                }
                mcu_dsp_mat_mult_raw_s8(&pc->mm, stream, segs, n, out_pix);
                out_pix += out_c;
            }
        }
    }
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
    int32_t *col;
    int8_t *patch;
    int32_t b, pix;

    if (pc.direct) {
        if (scratch != NULL) {
            dsp_conv_direct(&pc, input, stream, output, (int32_t *)scratch);
            return;
        }
        if (groups <= MCU_DSP_COLS_STACK_GROUPS) {
            dsp_conv_direct(&pc, input, stream, output, NULL); /* column on the stack */
            return;
        }
    }
    if (scratch == NULL) {
        if (groups <= MCU_DSP_RAW_STACK_GROUPS) {
            dsp_conv_in_place_stack(&pc, input, stream, pad, output);
        } else {
            dsp_conv_in_place(&pc, input, stream, pad, output);
        }
        return;
    }
    col = (int32_t *)scratch;
    patch = (int8_t *)(col + 2 * groups);
    /* the padding terms of the patch stay 0 (they meet zero weights) */
    memset(patch + k, 0, (size_t)(4 * groups - k));
    for (b = 0; b < pc.batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        int8_t *out_batch = output + (size_t)b * (size_t)n_pix * (size_t)out_c;
        for (pix = 0; pix < n_pix; ++pix) {
            dsp_conv_column(&pc, in_batch, pix, patch, col);
            mcu_dsp_mat_mult_s8(&pc.mm, stream, col, out_batch + (size_t)pix * (size_t)out_c);
        }
    }
}
