/*
 * mve_depthwise_conv_s8.c - int8 DEPTHWISE_CONV_2D with MVE (see the header).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "mve_depthwise_conv_s8.h"
#include "mve_dw_blocks_s8.h"
#include "mve_requant.h"

/* acc += the products of taps (xa, wa) and (xb, wb), 16 channels (see the header). */
#define MVE_DW_PAIR(xa, wa, xb, wb)                                                    \
    do {                                                                               \
        const int16x8_t e_ = vaddq_s16(vmullbq_int_s8((xa), (wa)),                     \
                                       vmullbq_int_s8((xb), (wb)));                    \
        const int16x8_t o_ = vaddq_s16(vmulltq_int_s8((xa), (wa)),                     \
                                       vmulltq_int_s8((xb), (wb)));                    \
        acc0 = vaddq_s32(acc0, vmovlbq_s16(e_));                                       \
        acc1 = vaddq_s32(acc1, vmovltq_s16(e_));                                       \
        acc2 = vaddq_s32(acc2, vmovlbq_s16(o_));                                       \
        acc3 = vaddq_s32(acc3, vmovltq_s16(o_));                                       \
    } while (0)

#define MVE_DW_SINGLE(xa, wa)                                                          \
    do {                                                                               \
        const int16x8_t e_ = vmullbq_int_s8((xa), (wa));                               \
        const int16x8_t o_ = vmulltq_int_s8((xa), (wa));                               \
        acc0 = vaddq_s32(acc0, vmovlbq_s16(e_));                                       \
        acc1 = vaddq_s32(acc1, vmovltq_s16(e_));                                       \
        acc2 = vaddq_s32(acc2, vmovlbq_s16(o_));                                       \
        acc3 = vaddq_s32(acc3, vmovltq_s16(o_));                                       \
    } while (0)

/* Every tap of one block of 16 channels; LOAD(t) reads the 16 input bytes of tap t. */
#define MVE_DW_TAPS(LOAD)                                                              \
    do {                                                                               \
        for (t = 0; t + 2 <= n_taps; t += 2) {                                         \
            const int8x16_t xa = LOAD(t);                                              \
            const int8x16_t xb = LOAD(t + 1);                                          \
            const int8x16_t wa = vldrbq_s8(w);                                         \
            const int8x16_t wb = vldrbq_s8(w + 16);                                    \
            w += 32;                                                                   \
            MVE_DW_PAIR(xa, wa, xb, wb);                                               \
        }                                                                              \
        if (t < n_taps) {                                                              \
            const int8x16_t xa = LOAD(t);                                              \
            const int8x16_t wa = vldrbq_s8(w);                                         \
            w += 16;                                                                   \
            MVE_DW_SINGLE(xa, wa);                                                     \
        }                                                                              \
    } while (0)

/* tap t of an inside pixel: its base plus the tap's offset; of a border pixel: from
 * the table (the pad row for taps outside the image); the last channels only */
#define MVE_DW_TAB_PART(t) vldrbq_z_s8(taps[t] + c, part)
#define MVE_DW_IN_PART(t) vldrbq_z_s8(xc + off[t], part)

#if defined(__GNUC__) && defined(__OPTIMIZE__)
/* Not in unoptimized builds: there every inlined copy keeps its own vector temporaries
 * on the stack (over 8 KB for mve_dw_row at -O0). */
#define MVE_DW_INLINE inline __attribute__((always_inline))
#define MVE_DW_NOINLINE __attribute__((noinline))
#else
#define MVE_DW_INLINE inline
#define MVE_DW_NOINLINE
#endif

/* The 16 outputs of one block from its four sums, in channel order. */
static MVE_DW_INLINE int8x16_t mve_dw_output(int32x4_t acc0, int32x4_t acc1, int32x4_t acc2,
                                      int32x4_t acc3, const int32_t *q, int32_t general,
                                      int32_t output_offset, int8x16_t lo, int8x16_t hi)
{
    /* the clamp to int8 comes from the saturating narrowing; lo/hi clamp afterwards */
    const int32x4_t wide_lo = vdupq_n_s32(INT32_MIN);
    const int32x4_t wide_hi = vdupq_n_s32(INT32_MAX);
    int16x8_t e, o;

    if (general) {
        acc0 = mcu_mve_requant(acc0, vldrwq_s32(q + 48), vldrwq_s32(q + 16), vldrwq_s32(q + 32),
                               output_offset, wide_lo, wide_hi);
        acc1 = mcu_mve_requant(acc1, vldrwq_s32(q + 52), vldrwq_s32(q + 20), vldrwq_s32(q + 36),
                               output_offset, wide_lo, wide_hi);
        acc2 = mcu_mve_requant(acc2, vldrwq_s32(q + 56), vldrwq_s32(q + 24), vldrwq_s32(q + 40),
                               output_offset, wide_lo, wide_hi);
        acc3 = mcu_mve_requant(acc3, vldrwq_s32(q + 60), vldrwq_s32(q + 28), vldrwq_s32(q + 44),
                               output_offset, wide_lo, wide_hi);
    } else {
        acc0 = mcu_mve_rdbpot_right(vqrdmulhq_s32(acc0, vldrwq_s32(q + 16)), vldrwq_s32(q + 32));
        acc1 = mcu_mve_rdbpot_right(vqrdmulhq_s32(acc1, vldrwq_s32(q + 20)), vldrwq_s32(q + 36));
        acc2 = mcu_mve_rdbpot_right(vqrdmulhq_s32(acc2, vldrwq_s32(q + 24)), vldrwq_s32(q + 40));
        acc3 = mcu_mve_rdbpot_right(vqrdmulhq_s32(acc3, vldrwq_s32(q + 28)), vldrwq_s32(q + 44));
        acc0 = vaddq_n_s32(acc0, output_offset);
        acc1 = vaddq_n_s32(acc1, output_offset);
        acc2 = vaddq_n_s32(acc2, output_offset);
        acc3 = vaddq_n_s32(acc3, output_offset);
    }
    /* acc0 = channels 0 4 8 12, acc1 = 2 6 10 14, acc2 = 1 5 9 13, acc3 = 3 7 11 15 */
    e = vqmovntq_s32(vqmovnbq_s32(vreinterpretq_s16_s32(acc0), acc0), acc1);
    o = vqmovntq_s32(vqmovnbq_s32(vreinterpretq_s16_s32(acc2), acc2), acc3);
    return vminq_s8(vmaxq_s8(vqmovntq_s16(vqmovnbq_s16(vreinterpretq_s8_s16(e), e), o), lo), hi);
}


/* What every pixel of a call shares; a holds the fields of the assembly loop that do
 * not change from pixel to pixel. */
typedef struct {
    const mcu_mve_dw_params_t *p;
    int32_t off[MCU_MVE_DW_MAX_TAPS]; /* offset of tap t from tap (0, 0), inside pixels */
    int32_t n_taps;
    int32_t output_offset;
    int32_t general;
    int8x16_t lo, hi;
    int32_t x_lo, x_hi;               /* output columns with every tap inside along x */
    mcu_mve_dw_blocks_t a;
} mve_dw_ctx_t;

/*
 * One output pixel, or with c_n == 16 a group of 16 / channels pixels side by side
 * (stride 1: their inputs are contiguous too). inside: every tap is in the image and
 * x0 is the input of tap (0, 0); else taps[] holds each tap's input or the pad row.
 */
static MVE_DW_INLINE void mve_dw_pixel(mve_dw_ctx_t *k, int inside, const int8_t *x0,
                                       const int32_t *off, const int8_t *const *taps,
                                       int32_t c_n, int8_t *out)
{
    const int32_t n_taps = k->n_taps;
    const int32_t output_offset = k->output_offset;
    const int32_t general = k->general;
    const int8_t *w = k->p->filter;
    const int32_t *q = k->p->quant;
    int32_t t, c;

    c = c_n & ~15;
    if (c > 0) {
        mcu_mve_dw_blocks_t *a = &k->a;
        a->tab = inside ? (const void *)off : (const void *)taps;
        a->base = inside ? x0 : NULL;
        a->out = out;
        a->blocks = c >> 4;
        a->pixels = 1;
        a->base_adv = 0;
        mcu_mve_dw_blocks_s8(a);
        w += (size_t)c * (size_t)n_taps;
        q += (size_t)c * 4u;
    }
    if (c < c_n) {
        /* the last channels: predicated loads and store */
        const mve_pred16_t part = vctp8q((uint32_t)(c_n - c));
        const int8_t *xc = x0 + c;
        int32x4_t acc0 = vldrwq_s32(q);
        int32x4_t acc1 = vldrwq_s32(q + 4);
        int32x4_t acc2 = vldrwq_s32(q + 8);
        int32x4_t acc3 = vldrwq_s32(q + 12);
        if (inside) {
            MVE_DW_TAPS(MVE_DW_IN_PART);
        } else {
            MVE_DW_TAPS(MVE_DW_TAB_PART);
        }
        vstrbq_p_s8(out + c, mve_dw_output(acc0, acc1, acc2, acc3, q, general, output_offset,
                                           k->lo, k->hi), part);
    }
}

/* taps[] of a pixel with taps outside the image (those read the pad row); the others
 * are the pixel's tap (0, 0) plus the tap's offset (in address arithmetic: tap (0, 0)
 * itself may be outside the image). */
static void mve_dw_border(const mve_dw_ctx_t *k, const int8_t *in, int32_t iy0, int32_t ix0,
                          const int8_t **taps)
{
    const mcu_mve_dw_params_t *p = k->p;
    const uintptr_t x0 = (uintptr_t)in
                         + (uintptr_t)(((intptr_t)iy0 * p->in_w + ix0) * (intptr_t)p->channels);
    const int8_t *pad = p->pad;
    const int32_t k_w = p->k_w;
    const int32_t *off = k->off;
    uint32_t cols = 0; /* bit kx: column kx inside */
    int32_t ky, kx, ix;

    for (kx = 0, ix = ix0; kx < k_w; ++kx, ix += p->dil_w) {
        cols |= (uint32_t)((uint32_t)ix < (uint32_t)p->in_w) << kx;
    }
    for (ky = 0; ky < p->k_h; ++ky, taps += k_w, off += k_w) {
        const int32_t iy = iy0 + ky * p->dil_h;
        const uint32_t row = ((uint32_t)iy < (uint32_t)p->in_h) ? cols : 0u;
        for (kx = 0; kx < k_w; ++kx) {
            taps[kx] = ((row >> kx) & 1u) ? (const int8_t *)(x0 + (uintptr_t)(intptr_t)off[kx])
                                          : pad;
        }
    }
}

/* dst[0, n) = the pad value (every byte of the pad row is the input zero point). */
static void mve_dw_fill(int8_t *dst, int8x16_t pad, int32_t n)
{
    while (n > 0) {
        vstrbq_p_s8(dst, pad, vctp8q((uint32_t)n));
        dst += 16;
        n -= 16;
    }
}

/* dst[0, n) = src[0, n). */
static void mve_dw_copy(int8_t *dst, const int8_t *src, int32_t n)
{
    while (n > 0) {
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, pr), pr);
        dst += 16;
        src += 16;
        n -= 16;
    }
}

/*
 * Output pixels [ox0, ox1) of row oy (some of their taps outside the image) through the
 * band: the k_h input rows they read, columns ix0 .. ix0 + width - 1, copied with the pad
 * value where a row or column is outside the image. Every pixel is then an inside pixel
 * of the band, computed as the inside pixels of the image are.
 */
static MVE_DW_NOINLINE void mve_dw_band(mve_dw_ctx_t *k, const int8_t *in, int32_t oy,
                                        int32_t ox0, int32_t ox1, int8_t *output,
                                        int8_t *scratch)
{
    const mcu_mve_dw_params_t *p = k->p;
    const int32_t c_n = p->channels;
    const int32_t stride_w = p->stride_w;
    const int32_t ix0 = ox0 * stride_w - p->pad_left;
    const int32_t width = (ox1 - ox0 - 1) * stride_w + (p->k_w - 1) * p->dil_w + 1;
    const int32_t lo = ix0 < 0 ? (-ix0 < width ? -ix0 : width) : 0;  /* pad columns */
    const int32_t end = ix0 + width < p->in_w ? ix0 + width : p->in_w;
    const int32_t valid = end - (ix0 + lo) > 0 ? end - (ix0 + lo) : 0;
    const int32_t row_bytes = width * c_n;
    const int8x16_t pad = vldrbq_s8(p->pad);
    const int32_t group = p->group;
    /* the scratch: the taps' offsets in the band (int32, 16-byte aligned), then the band */
    int32_t *const off = (int32_t *)(void *)scratch;
    int8_t *const band = scratch + 4 * k->n_taps;
    int32_t ky, kx, t, ox;
    int8_t *dst = band;

    for (ky = 0; ky < p->k_h; ++ky, dst += row_bytes) {
        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h || valid == 0) {
            mve_dw_fill(dst, pad, row_bytes);
            continue;
        }
        mve_dw_fill(dst, pad, lo * c_n);
        mve_dw_copy(dst + lo * c_n,
                    in + ((size_t)iy * (size_t)p->in_w + (size_t)(ix0 + lo)) * (size_t)c_n,
                    valid * c_n);
        mve_dw_fill(dst + (lo + valid) * c_n, pad, (width - lo - valid) * c_n);
    }
    for (ky = 0, t = 0; ky < p->k_h; ++ky) {
        for (kx = 0; kx < p->k_w; ++kx, ++t) {
            off[t] = (ky * width + kx * p->dil_w) * c_n;
        }
    }
    ox = ox0;
    if (group > 1 || (c_n & 15) == 0) {
        /* whole blocks: the run in one call (groups of pixels with fewer channels) */
        const int32_t per = group > 1 ? group : 1;
        const int32_t n = (ox1 - ox0) / per;
        if (n > 0) {
            mcu_mve_dw_blocks_t *a = &k->a;
            a->tab = off;
            a->base = band;
            a->out = output + (size_t)ox0 * (size_t)c_n;
            a->blocks = group > 1 ? 1 : c_n >> 4;
            a->pixels = n;
            a->base_adv = per * stride_w * c_n - (group > 1 ? 16 : c_n);
            mcu_mve_dw_blocks_s8(a);
            ox += n * per;
        }
    }
    for (; ox < ox1; ++ox) {
        mve_dw_pixel(k, 1, band + (size_t)((ox - ox0) * stride_w) * (size_t)c_n, off, NULL, c_n,
                     output + (size_t)ox * (size_t)c_n);
    }
}

/* Output row oy of a batch: inside pixels (in groups where possible), then the others;
 * with a band (scratch) the others go through it. */
static void mve_dw_row(mve_dw_ctx_t *k, const int8_t *in, int32_t oy, int8_t *output,
                       int8_t *band)
{
    const mcu_mve_dw_params_t *p = k->p;
    const int8_t *taps[MCU_MVE_DW_MAX_TAPS];
    const int32_t c_n = p->channels;
    const int32_t group = p->group;
    const int32_t out_w = p->out_w;
    const int32_t stride_w = p->stride_w;
    const int32_t eff_h = (p->k_h - 1) * p->dil_h + 1;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int row_in = iy0 >= 0 && iy0 + eff_h <= p->in_h;
    const int8_t *in_row = in + (size_t)(row_in ? iy0 : 0) * (size_t)p->in_w * (size_t)c_n;
    /* output columns whose taps are all inside: [x_lo, x_hi) (empty unless row_in) */
    const int32_t x_lo = row_in ? k->x_lo : out_w;
    const int32_t x_hi = row_in ? k->x_hi : out_w;
    int32_t ox;

    if (band != NULL) {
        /* pixel groups (group > 1): [0, first) and [last, out_w) through the band, whole
         * groups of inside pixels in between */
        const int32_t first = (x_lo + group - 1) / group * group;
        const int32_t n = first < x_hi ? (x_hi - first) / group : 0;
        const int32_t last = first + n * group;
        if (!row_in || n == 0) {
            mve_dw_band(k, in, oy, 0, out_w, output, band);
            return;
        }
        if (first > 0) {
            mve_dw_band(k, in, oy, 0, first, output, band);
        }
        {
            mcu_mve_dw_blocks_t *a = &k->a;
            a->tab = k->off;
            a->base = in_row + (size_t)(first * stride_w - p->pad_left) * (size_t)c_n;
            a->out = output + (size_t)first * (size_t)c_n;
            a->blocks = 1;
            a->pixels = n;
            a->base_adv = group * stride_w * c_n - 16;
            mcu_mve_dw_blocks_s8(a);
        }
        if (last < out_w) {
            mve_dw_band(k, in, oy, last, out_w, output, band);
        }
        return;
    }
    for (ox = 0; ox < x_lo; ++ox) {
        mve_dw_border(k, in, iy0, ox * stride_w - p->pad_left, taps);
        mve_dw_pixel(k, 0, in_row, k->off, taps, c_n, output + (size_t)ox * (size_t)c_n);
    }
    {
        /* a run of inside pixels (or groups) in one call when whole blocks cover them */
        const int32_t width = group > 1 ? 16 : c_n;
        const int32_t per = group > 1 ? group : 1;
        const int32_t n = (x_hi - ox) / per;
        if ((width & 15) == 0 && n > 0) {
            mcu_mve_dw_blocks_t *a = &k->a;
            a->tab = k->off;
            a->base = in_row + (size_t)(ox * stride_w - p->pad_left) * (size_t)c_n;
            a->out = output + (size_t)ox * (size_t)c_n;
            a->blocks = width >> 4;
            a->pixels = n;
            a->base_adv = per * stride_w * c_n - width;
            mcu_mve_dw_blocks_s8(a);
            ox += n * per;
        }
    }
    for (; ox < x_hi; ++ox) {
        mve_dw_pixel(k, 1, in_row + (size_t)(ox * stride_w - p->pad_left) * (size_t)c_n, k->off,
                     taps, c_n, output + (size_t)ox * (size_t)c_n);
    }
    for (; ox < out_w; ++ox) {
        mve_dw_border(k, in, iy0, ox * stride_w - p->pad_left, taps);
        mve_dw_pixel(k, 0, in_row, k->off, taps, c_n, output + (size_t)ox * (size_t)c_n);
    }
}

void mcu_mve_depthwise_conv_s8(const mcu_mve_dw_params_t *p, const int8_t *input,
                               int8_t *output, int8_t *scratch)
{
    mve_dw_ctx_t k;
    const int32_t c_n = p->channels;
    const size_t in_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)c_n;
    const size_t row_size = (size_t)p->out_w * (size_t)c_n;
    int32_t b, oy, ky, kx, t;

    k.p = p;
    k.n_taps = p->k_h * p->k_w;
    k.output_offset = p->output_offset;
    k.general = p->general;
    {
        const int32_t eff_w = (p->k_w - 1) * p->dil_w + 1;
        k.x_lo = (p->pad_left + p->stride_w - 1) / p->stride_w;
        k.x_hi = (p->in_w - eff_w + p->pad_left) >= 0
                     ? (p->in_w - eff_w + p->pad_left) / p->stride_w + 1 : 0;
        if (k.x_hi > p->out_w) {
            k.x_hi = p->out_w;
        }
        if (k.x_lo > k.x_hi) {
            k.x_lo = k.x_hi = p->out_w;
        }
    }
    k.lo = vdupq_n_s8((int8_t)p->act_min);
    k.hi = vdupq_n_s8((int8_t)p->act_max);
    k.a.w = p->filter;
    k.a.q = p->quant;
    k.a.pairs = k.n_taps >> 1;
    k.a.odd = k.n_taps & 1;
    k.a.output_offset = p->output_offset;
    k.a.act_min = p->act_min;
    k.a.act_max = p->act_max;
    /* the int8 clamp is the saturating narrowing; act_min/act_max clamp only if tighter */
    k.a.flags = (p->general ? 1 : 0) | ((p->act_min > -128 || p->act_max < 127) ? 2 : 0);
    vstrbq_s8(k.a.lo, k.lo);
    vstrbq_s8(k.a.hi, k.hi);
    for (ky = 0, t = 0; ky < p->k_h; ++ky) {
        for (kx = 0; kx < p->k_w; ++kx, ++t) {
            k.off[t] = (ky * p->dil_h * p->in_w + kx * p->dil_w) * c_n;
        }
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * in_size;
        for (oy = 0; oy < p->out_h; ++oy) {
            mve_dw_row(&k, in, oy, output, scratch);
            output += row_size;
        }
    }
}
