/*
 * dsp_depthwise_conv_s8.c - int8 DEPTHWISE_CONV_2D with the DSP instructions
 * (see dsp_depthwise_conv_s8.h for the layouts and the arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "dsp_depthwise_conv_s8.h"
#include "mcu_arm_dsp.h"
#include "mcu_requant.h"

/* floor(x / 2^31) as 0 or -1: ASR #31 (written without a signed shift). */
static inline int32_t dw_sign(int32_t x)
{
    return -(int32_t)((uint32_t)x >> 31);
}

/*
 * The requantized output value of one accumulator of channel j of a block (see the
 * header): RoundingDivideByPOT(SRDHM(acc_ref * 2^left, m), e) + zy before the clamp,
 * as (SMMULR(acc, m) + R + fix) >> e. RoundingDivideByPOT rounds ties away from zero:
 * fix = -1 when SRDHM is negative and e >= 1. The sign of acc serves instead: they
 * differ only where SRDHM is 0 (acc < 0 but acc * m / 2^31 >= -1/2), and 0 is never a
 * tie for e >= 1 (no correction for e = 0). SIGNED_ALL: every e >= 1.
 */
static inline int32_t dw_requant(int32_t acc, const int32_t *q, int32_t j, int signed_all)
{
    const int32_t *h = q + 6 * (j >> 1); /* (e, e', m, R, m', R') of channels 2h, 2h + 1 */
    const int32_t e = h[j & 1], m = h[2 + 2 * (j & 1)], r = h[3 + 2 * (j & 1)];
    const int32_t fix = (signed_all || e > 0) ? dw_sign(acc) : 0;
    return mcu_asr_s32(mcu_smmlar(acc, m, r + fix), e);
}

/* pos + off for a tap offset (which may lead from the image to the pad row). */
static inline const int8_t *dw_at(const int8_t *pos, intptr_t off)
{
    return (const int8_t *)((uintptr_t)pos + (uintptr_t)off);
}

#if MCU_ARM_DSP
/* One tap of a block of four channels: its byte offset from table slot TOFF, four
 * input channels at offset + pos, the two weight words from the stream. */
#define DW_TAP_ASM(TOFF)                                                                      \
    "ldr %[tp], [%[t], #" #TOFF "]\n\t"                                                       \
    "ldr %[x], [%[tp], %[pos]]\n\t"                                                           \
    "ldrd %[w0], %[w1], [%[s]], #8\n\t"                                                       \
    "sxtb16 %[tp], %[x]\n\t"                                                                  \
    "sxtb16 %[x], %[x], ror #8\n\t"                                                           \
    "smlabb %[a0], %[tp], %[w0], %[a0]\n\t"                                                   \
    "smlatt %[a2], %[tp], %[w0], %[a2]\n\t"                                                   \
    "smlabb %[a1], %[x], %[w1], %[a1]\n\t"                                                    \
    "smlatt %[a3], %[x], %[w1], %[a3]\n\t"

/* Requantize (dw_requant with every e >= 1), saturate and store one channel: (m, R) from
 * the stream into T and x, the shift in register E, the store to DST. */
#define DW_OUT_ASM(T, A, E, DST)                                                              \
    "ldrd %[" T "], %[x], [%[s]], #8\n\t"                                                     \
    "add %[x], %[x], %[" #A "], asr #31\n\t"                                                  \
    "smmlar %[" #A "], %[" #A "], %[" T "], %[x]\n\t"                                         \
    "asr %[" #A "], %[" #A "], %[" #E "]\n\t"                                                 \
    "ssat %[" #A "], #8, %[" #A "]\n\t"                                                       \
    "strb %[" #A "], " DST "\n\t"
/* The four channels of a block; the stream and the output move past them. */
#define DW_OUT4_ASM(T)                                                                        \
    "ldrd %[w0], %[w1], [%[s]], #8\n\t"                                                       \
    DW_OUT_ASM(T, a0, w0, "[%[o]], #4") DW_OUT_ASM(T, a1, w1, "[%[o], #-3]")                  \
    "ldrd %[w0], %[w1], [%[s]], #8\n\t"                                                       \
    DW_OUT_ASM(T, a2, w0, "[%[o], #-2]") DW_OUT_ASM(T, a3, w1, "[%[o], #-1]")

/* n >= 1 whole blocks of four channels of a 3x3 kernel whose channels all shift right,
 * full int8 range: 112 instructions per block. Advances the stream s, the output o and
 * the input position pos past the blocks. */
static inline void dw_blocks9_fast(const int32_t **s, int8_t **o, const int8_t **pos,
                                   const intptr_t *t, int32_t n)
{
    int32_t a0, a1, a2, a3, tp, x, w0, w1;

    __asm__ volatile(
        "1:\n\t"
        "ldrd %[a0], %[a1], [%[s]], #8\n\t"
        "ldrd %[a2], %[a3], [%[s]], #8\n\t"
        DW_TAP_ASM(0) DW_TAP_ASM(4) DW_TAP_ASM(8) DW_TAP_ASM(12) DW_TAP_ASM(16)
        DW_TAP_ASM(20) DW_TAP_ASM(24) DW_TAP_ASM(28) DW_TAP_ASM(32)
        DW_OUT4_ASM("tp")
        "add %[pos], %[pos], #4\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [s] "+r"(*s),
          [o] "+r"(*o), [pos] "+r"(*pos), [n] "+r"(n), [tp] "=&r"(tp), [x] "=&r"(x),
          [w0] "=&r"(w0), [w1] "=&r"(w1)
        : [t] "r"(t)
        : "cc", "memory");
}

/* One tap of an inside window: four input channels at ROW + COL, the two weight words
 * from the stream. */
#define DW_TAPR_ASM(ROW, COL)                                                                 \
    "ldr %[x], [%[" ROW "]" COL "]\n\t"                                                       \
    "ldrd %[w0], %[w1], [%[s]], #8\n\t"                                                       \
    "sxtb16 %[r], %[x]\n\t"                                                                   \
    "sxtb16 %[x], %[x], ror #8\n\t"                                                           \
    "smlabb %[a0], %[r], %[w0], %[a0]\n\t"                                                    \
    "smlatt %[a2], %[r], %[w0], %[a2]\n\t"                                                    \
    "smlabb %[a1], %[x], %[w1], %[a1]\n\t"                                                    \
    "smlatt %[a3], %[x], %[w1], %[a3]\n\t"
#define DW_ROW3_ASM(ROW)                                                                      \
    DW_TAPR_ASM(ROW, "") DW_TAPR_ASM(ROW, ", %[cs]") DW_TAPR_ASM(ROW, ", %[cs], lsl #1")
/*
 * px >= 1 output pixels in a row whose windows lie inside the image, each all its n >= 1
 * blocks of four channels (channels == 4 n): rows pos, pos + rs, pos + 2 rs
 * (rs = dil_h * in_w * channels), columns + 0, + cs, + 2 cs (cs = dil_w * channels),
 * so no tap offsets are loaded: 106 instructions per block, 9 per pixel. After a pixel
 * the stream goes back by `rewind` bytes and pos moves on by `advance` bytes.
 */
static inline void dw_row9_inside(const int32_t *s, int8_t **o, const int8_t *pos,
                                  int32_t rs, int32_t cs, int32_t n, int32_t px,
                                  int32_t rewind, int32_t advance)
{
    int32_t a0, a1, a2, a3, r, x, w0, w1, blocks;

    __asm__ volatile(
        "2:\n\t"
        "ldr %[n], %[blocks]\n\t"
        "1:\n\t"
        "ldrd %[a0], %[a1], [%[s]], #8\n\t"
        "ldrd %[a2], %[a3], [%[s]], #8\n\t"
        DW_ROW3_ASM("pos")
        "add %[pos], %[pos], %[rs]\n\t"
        DW_ROW3_ASM("pos")
        "add %[pos], %[pos], %[rs]\n\t"
        DW_ROW3_ASM("pos")
        "sub %[pos], %[pos], %[rs], lsl #1\n\t"
        DW_OUT4_ASM("r")
        "add %[pos], %[pos], #4\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "ldr %[r], %[rewind]\n\t"
        "sub %[s], %[s], %[r]\n\t"
        "ldr %[r], %[advance]\n\t"
        "add %[pos], %[pos], %[r]\n\t"
        "ldr %[r], %[px]\n\t"
        "subs %[r], %[r], #1\n\t"
        "str %[r], %[px]\n\t"
        "bne 2b\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [s] "+r"(s),
          [o] "+r"(*o), [pos] "+r"(pos), [n] "=&r"(blocks), [r] "=&r"(r), [x] "=&r"(x),
          [w0] "=&r"(w0), [w1] "=&r"(w1), [px] "+m"(px)
        : [rs] "r"(rs), [cs] "r"(cs), [blocks] "m"(n), [rewind] "m"(rewind),
          [advance] "m"(advance)
        : "cc", "memory");
}
#endif

/* One block of four channels, any tap count and mode (the portable form of the
 * above, and the host's emulation of it). */
static inline void dw_block(const int32_t **sp, int8_t **op, const int8_t **posp,
                            const intptr_t *t, int32_t ntaps, int signed_all, int full,
                            int32_t act_min, int32_t act_max)
{
    const int32_t *s = *sp;
    const int8_t *pos = *posp;
    int8_t *o = *op;
    int32_t a[4];
    int32_t k, j;

    a[0] = s[0];
    a[1] = s[1];
    a[2] = s[2];
    a[3] = s[3];
    s += 4;
    for (k = 0; k < ntaps; ++k) {
        const int32_t x = mcu_read_s8x4(dw_at(pos, t[k]));
        const int32_t xe = mcu_sxtb16(x);
        const int32_t xo = mcu_sxtb16_ror8(x);
        a[0] = mcu_smlabb(xe, s[0], a[0]);
        a[2] = mcu_smlatt(xe, s[0], a[2]);
        a[1] = mcu_smlabb(xo, s[1], a[1]);
        a[3] = mcu_smlatt(xo, s[1], a[3]);
        s += 2;
    }
    for (j = 0; j < 4; ++j) {
        const int32_t v = dw_requant(a[j], s, j, signed_all);
        o[j] = (int8_t)(full ? mcu_ssat(v, 8) : mcu_clamp_s32(v, act_min, act_max));
    }
    *sp = s + 12;
    *op = o + 4;
    *posp = pos + 4;
}

/* The channels past the last whole block (fewer than four), one at a time: channel j
 * of the block is lane (j >> 1) of word (j & 1). */
static void dw_tail(const int32_t *s, int8_t *o, const int8_t *pos, const intptr_t *t,
                    int32_t ntaps, int32_t n, int signed_all, int32_t act_min,
                    int32_t act_max)
{
    int32_t k, j;

    for (j = 0; j < n; ++j) {
        int32_t acc = s[j];
        for (k = 0; k < ntaps; ++k) {
            const int32_t wv = s[4 + 2 * k + (j & 1)];
            const int32_t wl = (j & 2) ? mcu_pkhtb16(0, wv) : wv;
            acc = mcu_smlabb((int32_t)dw_at(pos, t[k])[j], wl, acc);
        }
        o[j] = (int8_t)mcu_clamp_s32(dw_requant(acc, s + 4 + 2 * ntaps, j, signed_all),
                                     act_min, act_max);
    }
}

/* The tap offsets of the window at (iy0, ix0) that leaves the image, from `in`: taps
 * outside read the pad row instead. */
static void dw_edge(const mcu_dsp_dw_params_t *p, const int8_t *in, const int8_t *pad,
                    int32_t iy0, int32_t ix0, intptr_t *edge)
{
    const intptr_t outside = (intptr_t)pad - (intptr_t)in;
    const int32_t k_h = p->k_h, k_w = p->k_w, in_h = p->in_h, in_w = p->in_w;
    const int32_t dil_w = p->dil_w, channels = p->channels;
    const intptr_t col_step = (intptr_t)dil_w * channels;
    int32_t ky, kx, iy = iy0;

    for (ky = 0; ky < k_h; ++ky, iy += p->dil_h) {
        if (iy < 0 || iy >= in_h) {
            for (kx = 0; kx < k_w; ++kx) {
                *edge++ = outside;
            }
        } else {
            intptr_t off = ((intptr_t)iy * in_w + ix0) * channels;
            int32_t ix = ix0;
            for (kx = 0; kx < k_w; ++kx, ix += dil_w, off += col_step) {
                *edge++ = ((uint32_t)ix < (uint32_t)in_w) ? off : outside;
            }
        }
    }
}

/* The first output index whose window starts at or after 0 and the first whose window
 * ends past `size` (windows in between lie inside). */
static void dw_inside(int32_t out, int32_t stride, int32_t pad, int32_t span, int32_t size,
                      int32_t *lo, int32_t *hi)
{
    int32_t i = 0;

    while (i < out && i * stride - pad < 0) {
        ++i;
    }
    *lo = i;
    while (i < out && i * stride - pad + span <= size) {
        ++i;
    }
    *hi = i;
}

void mcu_dsp_depthwise_conv_s8(const mcu_dsp_dw_params_t *p, const int8_t *input,
                               const int32_t *stream, const int8_t *pad, int8_t *output)
{
    intptr_t inner[MCU_DSP_DW_MAX_TAPS];
    intptr_t edge[MCU_DSP_DW_MAX_TAPS];
    const int32_t channels = p->channels, blocks = p->blocks, rest = channels - 4 * blocks;
    const int32_t ntaps = p->k_h * p->k_w;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int signed_all = p->every_shift_right != 0;
    const int full = p->full_range != 0;
    const int fast = MCU_ARM_DSP && ntaps == 9 && signed_all && full && blocks > 0;
    const size_t image = (size_t)p->in_h * (size_t)p->in_w * (size_t)channels;
    const size_t step = (size_t)p->stride_w * (size_t)channels;
    const int32_t row_step = p->dil_h * p->in_w * channels, col_step = p->dil_w * channels;
    const int32_t stream_block = 4 * (4 + 2 * ntaps + 12); /* bytes per block */
    int32_t b, oy, ox, blk, ky, kx, y_lo, y_hi, x_lo, x_hi;
    int8_t *o = output;

    (void)row_step; /* the assembly paths only */
    (void)col_step;
    (void)stream_block;
    for (ky = 0; ky < p->k_h; ++ky) {
        for (kx = 0; kx < p->k_w; ++kx) {
            inner[ky * p->k_w + kx] =
                (intptr_t)(ky * p->dil_h * p->in_w + kx * p->dil_w) * channels;
        }
    }
    dw_inside(p->out_h, p->stride_h, p->pad_top, (p->k_h - 1) * p->dil_h + 1, p->in_h, &y_lo,
              &y_hi);
    dw_inside(p->out_w, p->stride_w, p->pad_left, (p->k_w - 1) * p->dil_w + 1, p->in_w, &x_lo,
              &x_hi);
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * image;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int row_inside = oy >= y_lo && oy < y_hi;
            /* the pixel of the first inside window of the row (only formed when inside) */
            const int8_t *px =
                row_inside ? in + ((size_t)iy0 * (size_t)p->in_w +
                                   (size_t)(x_lo * p->stride_w - p->pad_left)) * (size_t)channels
                           : in;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int inside = row_inside && ox >= x_lo && ox < x_hi;
#if MCU_ARM_DSP
                if (fast && inside && rest == 0) { /* the whole run of inside pixels */
                    dw_row9_inside(stream, &o, px, row_step, col_step, blocks, x_hi - ox,
                                   blocks * stream_block, (int32_t)step - 4 * blocks);
                    ox = x_hi - 1;
                    continue;
                }
#endif
                const intptr_t *t = inner;
                const int8_t *pos = px;
                const int32_t *s = stream;
                if (!inside) {
                    dw_edge(p, in, pad, iy0, ox * p->stride_w - p->pad_left, edge);
                    t = edge;
                    pos = in;
                }
#if MCU_ARM_DSP
                if (fast) {
                    dw_blocks9_fast(&s, &o, &pos, t, blocks);
                }
#endif
                if (!fast) {
                    for (blk = 0; blk < blocks; ++blk) {
                        dw_block(&s, &o, &pos, t, ntaps, signed_all, full, act_min, act_max);
                    }
                }
                if (rest > 0) {
                    dw_tail(s, o, pos, t, ntaps, rest, signed_all, act_min, act_max);
                    o += rest;
                }
                if (inside && ox + 1 < x_hi) {
                    px += step;
                }
            }
        }
    }
}
