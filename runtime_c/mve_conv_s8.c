/*
 * mve_conv_s8.c - int8 CONV_2D with MVE (see mve_conv_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "mcu_conv_taps.h"
#include "mve_conv_s8.h"
#include "mve_requant.h"

/* dst[0, n) = src[0, n), 16 bytes per step, the last step tail-predicated. */
static void mve_copy_s8(int8_t *dst, const int8_t *src, int32_t n)
{
    while (n > 0) {
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, pr), pr);
        dst += 16;
        src += 16;
        n -= 16;
    }
}

/* dst[0, n) = v. */
static void mve_fill_s8(int8_t *dst, int8x16_t v, int32_t n)
{
    while (n > 0) {
        vstrbq_p_s8(dst, v, vctp8q((uint32_t)n));
        dst += 16;
        n -= 16;
    }
}

/* The k input values of output pixel (oy, ox)'s patch: in the input itself (direct) or
 * gathered into row, taps outside the image set to the pad value. */
static const int8_t *mve_conv_row(const mcu_mve_conv_params_t *p, const int8_t *in,
                                  int32_t oy, int32_t ox, int8_t *row)
{
    const int32_t in_c = p->in_c;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int32_t run = p->k_w * in_c;
    const size_t row_step = (size_t)p->dil_h * (size_t)p->in_w * (size_t)in_c;
    const int8x16_t pad = vdupq_n_s8((int8_t)p->pad_value);
    int32_t kx0, kx1, ky, kx;

    if (p->direct) {
        return in + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)in_c;
    }
    if (p->dil_w == 1 && iy0 >= 0 && ix0 >= 0 && ix0 + p->k_w <= p->in_w
        && iy0 + (p->k_h - 1) * p->dil_h < p->in_h) {
        /* every tap inside: k_h runs of k_w * in_c contiguous bytes */
        const int8_t *src = in + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)in_c;
        int8_t *dst = row;
        if (run <= 16) {
            const mve_pred16_t pr = vctp8q((uint32_t)run);
            for (ky = 0; ky < p->k_h; ++ky) {
                vstrbq_p_s8(dst, vldrbq_z_s8(src, pr), pr);
                src += row_step;
                dst += run;
            }
        } else {
            for (ky = 0; ky < p->k_h; ++ky) {
                mve_copy_s8(dst, src, run);
                src += row_step;
                dst += run;
            }
        }
        return row;
    }
    mcu_conv_valid_taps(ix0, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
    if (p->dil_w == 1 && run <= 16) {
        /* short runs: the pad value over the whole run, then the valid part over it */
        const mve_pred16_t all = vctp8q((uint32_t)run);
        const mve_pred16_t part = vctp8q((uint32_t)((kx1 - kx0) * in_c));
        const int32_t skip = kx0 * in_c;
        int8_t *dst = row;
        int32_t iy = iy0;
        for (ky = 0; ky < p->k_h; ++ky, iy += p->dil_h, dst += run) {
            vstrbq_p_s8(dst, pad, all);
            if (iy >= 0 && iy < p->in_h && kx1 > kx0) {
                const int8_t *from =
                    in + ((size_t)iy * (size_t)p->in_w + (size_t)(ix0 + kx0)) * (size_t)in_c;
                vstrbq_p_s8(dst + skip, vldrbq_z_s8(from, part), part);
            }
        }
        return row;
    }
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = iy0 + ky * p->dil_h;
        int8_t *dst = row + (size_t)ky * (size_t)run;
        const int8_t *src;

        if (iy < 0 || iy >= p->in_h) {
            mve_fill_s8(dst, pad, run);
            continue;
        }
        src = in + (size_t)iy * (size_t)p->in_w * (size_t)in_c;
        mve_fill_s8(dst, pad, kx0 * in_c);
        if (p->dil_w == 1) {
            mve_copy_s8(dst + kx0 * in_c, src + (size_t)(ix0 + kx0) * (size_t)in_c,
                        (kx1 - kx0) * in_c);
        } else {
            for (kx = kx0; kx < kx1; ++kx) {
                mve_copy_s8(dst + kx * in_c,
                            src + (size_t)(ix0 + kx * p->dil_w) * (size_t)in_c, in_c);
            }
        }
        mve_fill_s8(dst + kx1 * in_c, pad, (p->k_w - kx1) * in_c);
    }
    return row;
}

/* Every output pixel of one batch, patch rows gathered n_rows (even) at a time into
 * rows, which has 16 spare bytes after them; in_end: the end of the batch's input. */
static void mve_conv_im2col(const mcu_mve_conv_params_t *p, const int8_t *in,
                            const int8_t *in_end, int8_t *out, int8_t *rows, int32_t n_rows)
{
    const int32_t pixels = p->out_h * p->out_w;
    const int32_t n_out = p->mm.n_out;
    const int32_t k = p->mm.k;
    const int32_t out_w = p->out_w;
    const int32_t in_c = p->in_c;
    const int32_t k_h = p->k_h;
    const int32_t run = p->k_w * in_c;
    const size_t row_step = (size_t)p->dil_h * (size_t)p->in_w * (size_t)in_c;
    const size_t pix_step = (size_t)p->stride_w * (size_t)in_c;
    /* short contiguous runs (dil_w == 1): inside pixels take one vector copy per filter
     * row; output columns [x_lo, x_hi) have every tap inside along x */
    const int fast = p->dil_w == 1 && run <= 16;
    const int32_t x_lo = (p->pad_left + p->stride_w - 1) / p->stride_w;
    const int32_t x_hi = (p->in_w - p->k_w + p->pad_left) >= 0
                             ? (p->in_w - p->k_w + p->pad_left) / p->stride_w + 1 : 0;
    /* rows are k long (a multiple of 16 here); the patch fills k_h * run of them and the
     * rest is left as it is: its weights are zero, so any value there adds nothing */
    int32_t oy = 0, ox = 0, pix = 0;

    while (pix < pixels) {
        const int32_t n = pixels - pix < n_rows ? pixels - pix : n_rows;
        int32_t i = 0;
        while (i < n) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int8_t *row = rows + (size_t)i * (size_t)k;
            int32_t cnt = 1;
            if (fast && ox >= x_lo && ox < x_hi && iy0 >= 0
                && iy0 + (k_h - 1) * p->dil_h < p->in_h) {
                /* the inside pixels of this output row that fit: whole-vector copies (the
                 * bytes past a run are overwritten by the next run, or land in the 16
                 * spare bytes after the rows) while they stay inside the input */
                const int8_t *src = in + ((size_t)iy0 * (size_t)p->in_w
                                          + (size_t)(ox * p->stride_w - p->pad_left))
                                             * (size_t)in_c;
                const ptrdiff_t span = (ptrdiff_t)((size_t)(k_h - 1) * row_step + 16);
                const ptrdiff_t room = (in_end - src) - span;
                int32_t j, safe;
                cnt = x_hi - ox < n - i ? x_hi - ox : n - i;
                /* pixels whose last whole-vector read stays inside the input */
                safe = room < 0 ? 0 : (int32_t)(room / (ptrdiff_t)pix_step) + 1;
                safe = safe < cnt ? safe : cnt;
                if (k_h == 3) {
                    const int8_t *s1 = src + row_step;
                    const int8_t *s2 = s1 + row_step;
                    for (j = 0; j < safe; ++j) {
                        vstrbq_s8(row, vldrbq_s8(src));
                        vstrbq_s8(row + run, vldrbq_s8(s1));
                        vstrbq_s8(row + 2 * run, vldrbq_s8(s2));
                        src += pix_step;
                        s1 += pix_step;
                        s2 += pix_step;
                        row += k;
                    }
                } else {
                    for (j = 0; j < safe; ++j, src += pix_step, row += k) {
                        const int8_t *s8 = src;
                        int8_t *d8 = row;
                        int32_t ky;
                        for (ky = 0; ky < k_h; ++ky, s8 += row_step, d8 += run) {
                            vstrbq_s8(d8, vldrbq_s8(s8));
                        }
                    }
                }
                for (j = safe; j < cnt; ++j, row += k) {
                    (void)mve_conv_row(p, in, oy, ox + j, row);
                }
            } else {
                (void)mve_conv_row(p, in, oy, ox, row);
            }
            i += cnt;
            ox += cnt;
            if (ox == out_w) {
                ox = 0;
                ++oy;
            }
        }
        mcu_mve_mm_pairs_s8(&p->mm, rows, rows + k, 2 * k, n >> 1, out, out + n_out);
        if ((n & 1) != 0) {
            const int8_t *last = rows + (size_t)(n - 1) * (size_t)k;
            int8_t *o = out + (size_t)(n - 1) * (size_t)n_out;
            mcu_mve_mm_rows2_s8(&p->mm, last, last, o, o);
        }
        out += (size_t)n * (size_t)n_out;
        pix += n;
    }
}

/* Every output pixel of one batch of a 1x1 filter without padding: the rows are input
 * pixels, equally spaced along each output row (and over the whole image when the
 * strides are 1 and the output as wide as the input). */
static void mve_conv_direct(const mcu_mve_conv_params_t *p, const int8_t *in, int8_t *out)
{
    const int32_t n_out = p->mm.n_out;
    const int32_t in_c = p->in_c;
    const int32_t step = p->stride_w * in_c;
    const int whole = p->stride_h == 1 && p->stride_w == 1 && p->out_w == p->in_w;
    const int32_t rows = whole ? 1 : p->out_h;
    const int32_t width = whole ? p->out_h * p->out_w : p->out_w;
    int32_t oy;

    for (oy = 0; oy < rows; ++oy) {
        const int8_t *x = in + (size_t)oy * (size_t)p->stride_h * (size_t)p->in_w * (size_t)in_c;
        int8_t *o = out + (size_t)oy * (size_t)width * (size_t)n_out;
        mcu_mve_mm_pairs_s8(&p->mm, x, x + step, 2 * step, width >> 1, o, o + n_out);
        if ((width & 1) != 0) {
            const int8_t *last = x + (size_t)(width - 1) * (size_t)step;
            int8_t *ol = o + (size_t)(width - 1) * (size_t)n_out;
            mcu_mve_mm_rows2_s8(&p->mm, last, last, ol, ol);
        }
    }
}

static void mve_conv_rows(const mcu_mve_conv_params_t *p, const int8_t *input,
                          int8_t *output, int8_t *rows, int32_t n_rows)
{
    const int32_t pixels = p->out_h * p->out_w;
    const size_t in_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    int32_t b;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * in_size;
        int8_t *out = output + (size_t)b * (size_t)pixels * (size_t)p->mm.n_out;
        if (p->direct) {
            mve_conv_direct(p, in, out);
        } else {
            mve_conv_im2col(p, in, in + in_size, out, rows, n_rows);
        }
    }
}

#if defined(__GNUC__)
#define MVE_CONV_NOINLINE __attribute__((noinline))
#else
#define MVE_CONV_NOINLINE
#endif

/* Patch rows on the stack, for when the planner had no free bytes to grant (a separate
 * function, so that only this path has the rows in its frame). */
static MVE_CONV_NOINLINE void mve_conv_stack_rows(const mcu_mve_conv_params_t *p,
                                                  const int8_t *input, int8_t *output)
{
    int8_t rows[2 * MCU_MVE_CONV_STACK_K + 16];
    mve_conv_rows(p, input, output, rows, 2);
}

void mcu_mve_conv_s8(const mcu_mve_conv_params_t *p, const int8_t *input, int8_t *output,
                     int8_t *scratch)
{
    if (p->direct) {
        mve_conv_rows(p, input, output, NULL, 0);
    } else if (scratch != NULL) {
        mve_conv_rows(p, input, output, scratch, p->rows);
    } else {
        mve_conv_stack_rows(p, input, output);
    }
}
