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

/* Stream words of one block of four channels for ntaps taps (see the header). */
#define DW_BLOCK_WORDS(ntaps) (4 + 4 * ((ntaps) / 2) + 2 * ((ntaps) % 2) + 10)

/* floor(x / 2^31) as 0 or -1: ASR #31 (written without a signed shift). */
static inline int32_t dw_sign(int32_t x)
{
    return -(int32_t)((uint32_t)x >> 31);
}

/*
 * The requantized output value of one accumulator of channel j of a block (see the
 * header): RoundingDivideByPOT(SRDHM(acc_ref * 2^left, m), e) + zy before the clamp,
 * as (SMMLAR(acc, m, R + fix)) >> e. RoundingDivideByPOT rounds ties away from zero:
 * fix = -1 when SRDHM is negative and e >= 1. The sign of acc serves instead: they
 * differ only where SRDHM is 0 (acc < 0 but acc * m / 2^31 >= -1/2), and 0 is never a
 * tie for e >= 1 (no correction for e = 0). SIGNED_ALL: every e >= 1. q: the block's
 * 10 requantization words (m, R, m', R', e | e' << 8 | flag << 16 per pair of channels).
 */
static inline int32_t dw_requant(int32_t acc, const int32_t *q, int32_t j, int signed_all)
{
    const int32_t *h = q + 5 * (j >> 1);
    const int32_t m = h[2 * (j & 1)], r = h[1 + 2 * (j & 1)];
    const int32_t e = (int32_t)(((uint32_t)h[4] >> (8 * (j & 1))) & 0xFFu);
    const int32_t fix = (signed_all || e > 0) ? dw_sign(acc) : 0;
    return mcu_asr_s32(mcu_smmlar(acc, m, r + fix), e);
}

/* pos + off for a tap offset (which may lead from the image to the pad row). */
static inline const int8_t *dw_at(const int8_t *pos, intptr_t off)
{
    return (const int8_t *)((uintptr_t)pos + (uintptr_t)off);
}

#if MCU_ARM_DSP
/*
 * The 3x3 blocks in assembly: naked functions (every -O level compiles them; AAPCS, the
 * arguments in a dw9_args_t at r0). Registers: accumulators of channels 0..3 in r0-r3,
 * the stream at r4, the input position at r5, the column step (or the tap table) in r6,
 * the row step (or the stream end) in r7, the output (or, in the functions whose window
 * has a column or row outside the image, the pad row) at r8; r9-r12 and lr hold the
 * input words, their pairs and the weights. Stack: see DW9_ENTER.
 */
typedef struct { /* in the order of the registers r1..r10 it is loaded into */
    const int32_t *s;     /* [0]  the stream (the first block)                      */
    const int32_t *s_end; /* [4]  past the last whole block                          */
    int32_t npx;          /* [8]  pixels (>= 1)                                      */
    int32_t p_adv;        /* [12] bytes from the window after a pixel's blocks to the next */
    const int8_t *p;      /* [16] the window's first tap, channel 0                  */
    intptr_t cs;          /* [20] column step in bytes, or the tap table (intptr_t)  */
    int32_t rs;           /* [24] row step in bytes                                  */
    int8_t *o;            /* [28] the output (then where the last pixel left it)     */
    const int8_t *pad;    /* [32] the pad row                                        */
    int32_t o_adv;        /* [36] bytes from the output after a pixel's blocks to the next */
} dw9_args_t;

#define DW9_ARG __attribute__((unused))

/* A pair of taps: its input words in r9 (tap a) and r10 (tap b) become (a0 a1 b0 b1)
 * and (a2 a3 b2 b3) (PKHBT, PKHTB), then per channel (a_c, b_c) in int16 lanes
 * (SXTB16 / ROR #8), one SMLAD each with the pair's weight word of that channel. */
#define DW9_PAIR                                                                          \
    "pkhbt r11, r9, r10, lsl #16\n\t"                                                     \
    "pkhtb r10, r10, r9, asr #16\n\t"                                                     \
    "sxtb16 r9, r11\n\t"                                                                  \
    "sxtb16 r11, r11, ror #8\n\t"                                                         \
    "ldrd r12, lr, [r4], #8\n\t"                                                          \
    "smlad r0, r9, r12, r0\n\t"                                                           \
    "smlad r1, r11, lr, r1\n\t"                                                           \
    "sxtb16 r9, r10\n\t"                                                                  \
    "sxtb16 r10, r10, ror #8\n\t"                                                         \
    "ldrd r12, lr, [r4], #8\n\t"                                                          \
    "smlad r2, r9, r12, r2\n\t"                                                           \
    "smlad r3, r10, lr, r3\n\t"

/* The last (ninth) tap alone, its input word in r9: channels (0, 2) and (1, 3). */
#define DW9_SINGLE                                                                        \
    "ldrd r12, lr, [r4], #8\n\t"                                                          \
    "sxtb16 r10, r9\n\t"                                                                  \
    "sxtb16 r9, r9, ror #8\n\t"                                                           \
    "smlabb r0, r10, r12, r0\n\t"                                                         \
    "smlatt r2, r10, r12, r2\n\t"                                                         \
    "smlabb r1, r9, lr, r1\n\t"                                                           \
    "smlatt r3, r9, lr, r3\n\t"

/* Requantize two accumulators A, B (channels 2h, 2h + 1) from (m, R, m', R', e | e' << 8)
 * (one LDM): FA, FB the sign corrections (an ADD each) or nothing. */
#define DW9_FIXA(A, R) "add " R ", " R ", " A ", asr #31\n\t"
#define DW9_REQ2(A, B, FA, FB)                                                            \
    "ldmia r4!, {r9, r10, r11, r12, lr}\n\t"                                              \
    FA "smmlar " A ", " A ", r9, r10\n\t"                                                 \
    "asr " A ", " A ", lr\n\t"                                                            \
    "ssat " A ", #8, " A "\n\t"                                                           \
    FB "smmlar " B ", " B ", r11, r12\n\t"                                                \
    "lsr lr, lr, #8\n\t"                                                                  \
    "asr " B ", " B ", lr\n\t"                                                            \
    "ssat " B ", #8, " B "\n\t"
#define DW9_REQ4_FIX                                                                      \
    DW9_REQ2("r0", "r1", DW9_FIXA("r0", "r10"), DW9_FIXA("r1", "r12"))                    \
    DW9_REQ2("r2", "r3", DW9_FIXA("r2", "r10"), DW9_FIXA("r3", "r12"))
#define DW9_REQ4_NOFIX DW9_REQ2("r0", "r1", "", "") DW9_REQ2("r2", "r3", "", "")
/* The four bytes to the output at O (post-incremented). */
#define DW9_STORE4_AT(O)                                                                  \
    "strb r0, [" O "], #4\n\t"                                                            \
    "strb r1, [" O ", #-3]\n\t"                                                           \
    "strb r2, [" O ", #-2]\n\t"                                                           \
    "strb r3, [" O ", #-1]\n\t"
/* Output in r8; or on the stack (r8 the pad row, moved on with the block). */
#define DW9_STORE4 DW9_STORE4_AT("r8")
#define DW9_STORE4_SP                                                                     \
    "ldr r9, [sp, #20]\n\t"                                                               \
    DW9_STORE4_AT("r9")                                                                   \
    "str r9, [sp, #20]\n\t"                                                               \
    "add r8, r8, #4\n\t"

/* Entry: save, load the arguments into r1..r10 (one LDM: p, cs, rs, o land in r5-r8),
 * spill the arguments pointer, stream, stream end, pixel count, pixel advance, output
 * pad row and output advance: [sp] = args, [sp, #4] = s, #8 = s_end, #12 = npx,
 * #16 = p_adv, #20 = o, #24 = pad, #28 = o_adv. */
#define DW9_ENTER                                                                         \
    "push {r4-r11, lr}\n\t"                                                               \
    "ldmia r0, {r1, r2, r3, r4, r5, r6, r7, r8, r9, r10}\n\t"                             \
    "push {r0, r1, r2, r3, r4, r8, r9, r10}\n\t"
/* Exit: the output pointer (in r8 or on the stack) back into the arguments. */
#define DW9_OUT_R8 ""
#define DW9_OUT_SP "ldr r8, [sp, #20]\n\t"
#define DW9_LEAVE(OUT)                                                                    \
    OUT                                                                                   \
    "ldr r9, [sp]\n\t"                                                                    \
    "str r8, [r9, #28]\n\t"                                                               \
    "add sp, sp, #32\n\t"                                                                 \
    "pop {r4-r11, pc}\n\t"

/* The tap addresses of the row functions: columns 0, 1, 2 of the current row (r5), or
 * the pad row (r8) for a row or column outside the image. */
#define DW9_C0 "[r5]"
#define DW9_C1 "[r5, r6]"
#define DW9_C2 "[r5, r6, lsl #1]"
#define DW9_PAD "[r8]"
/* The start of each pixel: the stream (and the pad row); the end of a pixel: the
 * output (in r8 or on the stack) moves on by o_adv. */
#define DW9_PX_S "ldr r4, [sp, #4]\n\t"
#define DW9_PX_SPAD DW9_PX_S "ldr r8, [sp, #24]\n\t"
#define DW9_PX_OADV_R8 "ldr r10, [sp, #28]\n\t" "add r8, r8, r10\n\t"
#define DW9_PX_OADV                                                                       \
    "ldr r9, [sp, #20]\n\t"                                                               \
    "ldr r10, [sp, #28]\n\t"                                                              \
    "add r9, r9, r10\n\t"                                                                 \
    "str r9, [sp, #20]\n\t"

/*
 * npx output pixels, each all its blocks: taps at rows p, p + rs, p + 2 rs and columns
 * + 0, + cs, + 2 cs (Tyx, each either that address or the pad row), so no offsets are
 * loaded. Per block of 36 MACs: 1 + 4 * 14 + 8 (taps) + 4 (rows) + 16 (requantize
 * without the sign fix; 20 with it) + 4 (store) + 2 (loop: the last block's flag, bit 8
 * of e | e' << 8 >> 8) = 91 or 95 instructions; 3 more with taps at the pad row (the
 * output on the stack). Per pixel 9 more (11 with the pad row).
 */
#define DW9_ROW_FN(NAME, REQ4, T00, T01, T02, T10, T11, T12, T20, T21, T22, PXSTART,        \
                   STORE, PXEND, OUT)                                                     \
    __attribute__((naked, noinline)) static void NAME(const dw9_args_t *a DW9_ARG)        \
    {                                                                                     \
        __asm__ volatile(                                                                 \
            DW9_ENTER                                                                     \
            "2:\n\t"                                                                      \
            PXSTART                                                                       \
            "1:\n\t"                                                                      \
            "ldmia r4!, {r0, r1, r2, r3}\n\t"                                             \
            "ldr r9, " T00 "\n\t"                                                         \
            "ldr r10, " T01 "\n\t"                                                        \
            DW9_PAIR                                                                      \
            "ldr r9, " T02 "\n\t"                                                         \
            "add r5, r5, r7\n\t"                                                          \
            "ldr r10, " T10 "\n\t"                                                        \
            DW9_PAIR                                                                      \
            "ldr r9, " T11 "\n\t"                                                         \
            "ldr r10, " T12 "\n\t"                                                        \
            DW9_PAIR                                                                      \
            "add r5, r5, r7\n\t"                                                          \
            "ldr r9, " T20 "\n\t"                                                         \
            "ldr r10, " T21 "\n\t"                                                        \
            DW9_PAIR                                                                      \
            "ldr r9, " T22 "\n\t"                                                         \
            DW9_SINGLE                                                                    \
            "sub r5, r5, r7, lsl #1\n\t"                                                  \
            "add r5, r5, #4\n\t"                                                          \
            REQ4 STORE                                                                    \
            "tst lr, #256\n\t"                                                            \
            "beq 1b\n\t"                                                                  \
            PXEND                                                                         \
            "ldr r10, [sp, #16]\n\t"                                                      \
            "add r5, r5, r10\n\t"                                                         \
            "ldr r10, [sp, #12]\n\t"                                                      \
            "subs r10, r10, #1\n\t"                                                       \
            "str r10, [sp, #12]\n\t"                                                      \
            "bne 2b\n\t"                                                                  \
            DW9_LEAVE(OUT));                                                              \
    }
/* The taps of a window inside the image (C), or with one outside column or row (P). */
#define DW9_ROW_IN DW9_C0, DW9_C1, DW9_C2, DW9_C0, DW9_C1, DW9_C2, DW9_C0, DW9_C1, DW9_C2
#define DW9_ROW_LEFT DW9_PAD, DW9_C1, DW9_C2, DW9_PAD, DW9_C1, DW9_C2, DW9_PAD, DW9_C1, DW9_C2
#define DW9_ROW_RIGHT DW9_C0, DW9_C1, DW9_PAD, DW9_C0, DW9_C1, DW9_PAD, DW9_C0, DW9_C1, DW9_PAD
#define DW9_ROW_TOP DW9_PAD, DW9_PAD, DW9_PAD, DW9_C0, DW9_C1, DW9_C2, DW9_C0, DW9_C1, DW9_C2
#define DW9_ROW_BOTTOM DW9_C0, DW9_C1, DW9_C2, DW9_C0, DW9_C1, DW9_C2, DW9_PAD, DW9_PAD, DW9_PAD
#define DW9_PADFN DW9_PX_SPAD, DW9_STORE4_SP, DW9_PX_OADV, DW9_OUT_SP

/*
 * One output pixel (npx is not read), all its blocks, the taps at p + table[k] (the
 * table of nine byte offsets in r6, offsets of outside taps leading to the pad row).
 * Per block: 97 (without the sign fix) or 101 instructions.
 */
#define DW9_TAB_LD2(OA, OB)                                                               \
    "ldr r9, [r6, #" #OA "]\n\t"                                                          \
    "ldr r10, [r6, #" #OB "]\n\t"                                                         \
    "ldr r9, [r5, r9]\n\t"                                                                \
    "ldr r10, [r5, r10]\n\t"
#define DW9_TAB_FN(NAME, REQ4)                                                            \
    __attribute__((naked, noinline)) static void NAME(const dw9_args_t *a DW9_ARG)        \
    {                                                                                     \
        __asm__ volatile(                                                                 \
            DW9_ENTER                                                                     \
            "mov r4, r1\n\t"                                                              \
            "mov r7, r2\n\t"                                                              \
            "1:\n\t"                                                                      \
            "ldmia r4!, {r0, r1, r2, r3}\n\t"                                             \
            DW9_TAB_LD2(0, 4) DW9_PAIR                                                    \
            DW9_TAB_LD2(8, 12) DW9_PAIR                                                   \
            DW9_TAB_LD2(16, 20) DW9_PAIR                                                  \
            DW9_TAB_LD2(24, 28) DW9_PAIR                                                  \
            "ldr r9, [r6, #32]\n\t"                                                       \
            "ldr r9, [r5, r9]\n\t"                                                        \
            DW9_SINGLE                                                                    \
            "add r5, r5, #4\n\t"                                                          \
            REQ4 DW9_STORE4                                                               \
            "cmp r4, r7\n\t"                                                              \
            "bne 1b\n\t"                                                                  \
            DW9_LEAVE(DW9_OUT_R8));                                                       \
    }

/* Macro arguments that expand to several (the tap lists) need one more expansion. */
#define DW9_ROW_FN_X(...) DW9_ROW_FN(__VA_ARGS__)
DW9_ROW_FN_X(dw9_row_fix, DW9_REQ4_FIX, DW9_ROW_IN, DW9_PX_S, DW9_STORE4, DW9_PX_OADV_R8,
             DW9_OUT_R8)
DW9_ROW_FN_X(dw9_row_nofix, DW9_REQ4_NOFIX, DW9_ROW_IN, DW9_PX_S, DW9_STORE4, DW9_PX_OADV_R8,
             DW9_OUT_R8)
/* One column or row of the window outside the image (reading the pad row): the layers
 * without the sign fix only (the others take the table). */
DW9_ROW_FN_X(dw9_left_nofix, DW9_REQ4_NOFIX, DW9_ROW_LEFT, DW9_PADFN)
DW9_ROW_FN_X(dw9_right_nofix, DW9_REQ4_NOFIX, DW9_ROW_RIGHT, DW9_PADFN)
DW9_ROW_FN_X(dw9_top_nofix, DW9_REQ4_NOFIX, DW9_ROW_TOP, DW9_PADFN)
DW9_ROW_FN_X(dw9_bottom_nofix, DW9_REQ4_NOFIX, DW9_ROW_BOTTOM, DW9_PADFN)
DW9_TAB_FN(dw9_tab_fix, DW9_REQ4_FIX)
DW9_TAB_FN(dw9_tab_nofix, DW9_REQ4_NOFIX)
#endif

/* One block of four channels, any tap count and mode (the portable form of the
 * above, and the host's emulation of it): pairs of taps through PKHBT / PKHTB and
 * SMLAD, an odd last tap through SMLABB / SMLATT. */
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
    for (k = 0; k + 1 < ntaps; k += 2) {
        const int32_t xa = mcu_read_s8x4(dw_at(pos, t[k]));
        const int32_t xb = mcu_read_s8x4(dw_at(pos, t[k + 1]));
        const int32_t lo = mcu_pkhbt(xa, xb, 16); /* a0 a1 b0 b1 */
        const int32_t hi = mcu_pkhtb16(xb, xa);   /* a2 a3 b2 b3 */
        a[0] = mcu_smlad(mcu_sxtb16(lo), s[0], a[0]);
        a[1] = mcu_smlad(mcu_sxtb16_ror8(lo), s[1], a[1]);
        a[2] = mcu_smlad(mcu_sxtb16(hi), s[2], a[2]);
        a[3] = mcu_smlad(mcu_sxtb16_ror8(hi), s[3], a[3]);
        s += 4;
    }
    if (k < ntaps) {
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
    *sp = s + 10;
    *op = o + 4;
    *posp = pos + 4;
}

/* The channels past the last whole block (fewer than four), one at a time: channel j
 * is the word j of each pair of taps, lane (j >> 1) of word (j & 1) of an odd last tap. */
static void dw_tail(const int32_t *s, int8_t *o, const int8_t *pos, const intptr_t *t,
                    int32_t ntaps, int32_t n, int signed_all, int32_t act_min,
                    int32_t act_max)
{
    const int32_t pairs = ntaps / 2;
    const int32_t *q = s + DW_BLOCK_WORDS(ntaps) - 10;
    int32_t k, j;

    for (j = 0; j < n; ++j) {
        int32_t acc = s[j];
        for (k = 0; k < pairs; ++k) {
            const int32_t wv = s[4 + 4 * k + j];
            acc = mcu_smlabb((int32_t)dw_at(pos, t[2 * k])[j], wv, acc);
            acc = mcu_smlabt((int32_t)dw_at(pos, t[2 * k + 1])[j], wv, acc);
        }
        if (ntaps % 2) {
            const int32_t wv = s[4 + 4 * pairs + (j & 1)];
            const int32_t xv = dw_at(pos, t[ntaps - 1])[j];
            acc = (j & 2) ? mcu_smlabt(xv, wv, acc) : mcu_smlabb(xv, wv, acc);
        }
        o[j] = (int8_t)mcu_clamp_s32(dw_requant(acc, q, j, signed_all), act_min, act_max);
    }
}

/* The tap offsets of the window at (iy0, ix0) that leaves the image, from `in`: taps
 * outside read the pad row instead (outside = pad - in). */
static void dw_edge(const mcu_dsp_dw_params_t *p, intptr_t outside, int32_t iy0,
                    int32_t ix0, intptr_t *edge)
{
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

#if MCU_ARM_DSP
/* dw_edge for a 3x3 kernel, straight-line (the assembly paths' border pixels). */
static void dw_edge9(const mcu_dsp_dw_params_t *p, intptr_t outside, int32_t iy0,
                     int32_t ix0, intptr_t *edge)
{
    const uint32_t in_w = (uint32_t)p->in_w, in_h = (uint32_t)p->in_h;
    const int32_t channels = p->channels, dw = p->dil_w, dh = p->dil_h;
    const intptr_t rs = (intptr_t)p->in_w * channels;
    const int32_t ix1 = ix0 + dw, ix2 = ix1 + dw, iy1 = iy0 + dh, iy2 = iy1 + dh;
    const int c0 = (uint32_t)ix0 < in_w, c1 = (uint32_t)ix1 < in_w, c2 = (uint32_t)ix2 < in_w;
    const intptr_t o0 = (intptr_t)ix0 * channels, o1 = (intptr_t)ix1 * channels;
    const intptr_t o2 = (intptr_t)ix2 * channels;
    int32_t ky;

    for (ky = 0; ky < 3; ++ky, edge += 3) {
        const int32_t iy = ky == 0 ? iy0 : (ky == 1 ? iy1 : iy2);
        if ((uint32_t)iy >= in_h) {
            edge[0] = outside;
            edge[1] = outside;
            edge[2] = outside;
        } else {
            const intptr_t row = (intptr_t)iy * rs;
            edge[0] = c0 ? row + o0 : outside;
            edge[1] = c1 ? row + o1 : outside;
            edge[2] = c2 ? row + o2 : outside;
        }
    }
}
#endif

#if MCU_ARM_DSP
/* The tap offsets of a 3x3 window whose rows lie inside the image but not all its
 * columns, from the window's first row (inner: the offsets inside the image, ix0 the
 * first column, outside = pad - that row). */
static void dw_edge9_cols(const intptr_t *inner, intptr_t outside, int32_t ix0, int32_t dw,
                          uint32_t in_w, int32_t channels, intptr_t *edge)
{
    const intptr_t off = (intptr_t)ix0 * channels;
    const int c0 = (uint32_t)ix0 < in_w, c1 = (uint32_t)(ix0 + dw) < in_w;
    const int c2 = (uint32_t)(ix0 + 2 * dw) < in_w;
    int32_t k;

    for (k = 0; k < 9; k += 3) {
        edge[k] = c0 ? inner[k] + off : outside;
        edge[k + 1] = c1 ? inner[k + 1] + off : outside;
        edge[k + 2] = c2 ? inner[k + 2] + off : outside;
    }
}
#endif

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

#if MCU_ARM_DSP
/* The window position (iy0, ix0) of output (oy, ox). */
#define DW9_IY(p, oy) ((oy) * (p)->stride_h - (p)->pad_top)
#define DW9_IX(p, ox) ((ox) * (p)->stride_w - (p)->pad_left)

/* One border pixel through the table (rows iy0.. of `in`, pad at `pad`). */
static void dw9_table_px(const mcu_dsp_dw_params_t *p, dw9_args_t *a, const int8_t *in,
                         const int8_t *pad, const intptr_t *inner, intptr_t *edge,
                         int32_t oy, int32_t ox, int8_t *o)
{
    const int32_t iy0 = DW9_IY(p, oy), ix0 = DW9_IX(p, ox);
    const int row_inside = iy0 >= 0 && iy0 + 2 * p->dil_h < p->in_h;

    if (row_inside) {
        const int8_t *row = in + (size_t)iy0 * (size_t)p->in_w * (size_t)p->channels;
        dw_edge9_cols(inner, (intptr_t)pad - (intptr_t)row, ix0, p->dil_w, (uint32_t)p->in_w,
                      p->channels, edge);
        a->p = row;
    } else {
        dw_edge9(p, (intptr_t)pad - (intptr_t)in, iy0, ix0, edge);
        a->p = in;
    }
    a->o = o;
    a->npx = 1;
    a->cs = (intptr_t)edge;
    (p->no_fix ? dw9_tab_nofix : dw9_tab_fix)(a);
}

/*
 * One image whose channels are whole blocks (3x3, the assembly paths): the inside
 * windows row by row (one call each), then the border columns of the inside rows (a
 * column of pixels per call where the window has one column outside, without the sign
 * fix), then the border rows (their inside columns per call where one window row lies
 * outside), every other pixel through its table.
 */
static void dw9_image(const mcu_dsp_dw_params_t *p, const int8_t *in, const int32_t *stream,
                      const int8_t *pad, int8_t *out, const intptr_t *inner, intptr_t *edge,
                      int32_t y_lo, int32_t y_hi, int32_t x_lo, int32_t x_hi)
{
    const int32_t channels = p->channels, out_w = p->out_w, in_w = p->in_w;
    const int32_t whole = 4 * p->blocks; /* bytes of the whole blocks of a pixel */
    const intptr_t in_row = (intptr_t)in_w * channels;
    dw9_args_t a;
    int32_t oy, ox;

    a.s = stream;
    a.s_end = stream + (size_t)p->blocks * DW_BLOCK_WORDS(9);
    a.rs = p->dil_h * in_w * channels;
    a.pad = pad;
    for (oy = y_lo; oy < y_hi && x_lo < x_hi; ++oy) {
        a.p = dw_at(in, ((intptr_t)DW9_IY(p, oy) * in_w + DW9_IX(p, x_lo)) * channels);
        a.o = out + ((size_t)oy * (size_t)out_w + (size_t)x_lo) * (size_t)channels;
        a.npx = x_hi - x_lo;
        a.cs = (intptr_t)p->dil_w * channels;
        a.p_adv = p->stride_w * channels - whole;
        a.o_adv = channels - whole;
        (p->no_fix ? dw9_row_nofix : dw9_row_fix)(&a);
    }
    for (ox = 0; ox < out_w && y_lo < y_hi; ++ox) {
        const int32_t ix0 = DW9_IX(p, ox), ix1 = ix0 + p->dil_w, ix2 = ix1 + p->dil_w;
        const int c0 = ix0 >= 0, c1 = ix1 >= 0 && ix1 < in_w, c2 = ix2 < in_w;
        if (ox >= x_lo && ox < x_hi) {
            ox = x_hi - 1; /* the inside columns: done above */
        } else if (p->no_fix && c1 && c0 != c2) { /* the column of pixels in one call */
            a.p = dw_at(in, (intptr_t)DW9_IY(p, y_lo) * in_row + (intptr_t)ix0 * channels);
            a.o = out + ((size_t)y_lo * (size_t)out_w + (size_t)ox) * (size_t)channels;
            a.npx = y_hi - y_lo;
            a.cs = (intptr_t)p->dil_w * channels;
            a.p_adv = (int32_t)(p->stride_h * in_row) - whole;
            a.o_adv = out_w * channels - whole;
            (c0 ? dw9_right_nofix : dw9_left_nofix)(&a);
        } else {
            for (oy = y_lo; oy < y_hi; ++oy) {
                dw9_table_px(p, &a, in, pad, inner, edge, oy, ox,
                             out + ((size_t)oy * (size_t)out_w + (size_t)ox) * (size_t)channels);
            }
        }
    }
    for (oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = DW9_IY(p, oy), iy1 = iy0 + p->dil_h, iy2 = iy1 + p->dil_h;
        const int r0 = iy0 >= 0, r1 = iy1 >= 0 && iy1 < p->in_h, r2 = iy2 < p->in_h;
        int8_t *row_out = out + (size_t)oy * (size_t)out_w * (size_t)channels;
        const int runs = p->no_fix && r1 && r0 != r2 && x_lo < x_hi;
        if (oy >= y_lo && oy < y_hi) {
            oy = y_hi - 1; /* the inside rows: done above */
            continue;
        }
        if (runs) { /* the inside columns in one call */
            a.p = dw_at(in, (intptr_t)iy0 * in_row + (intptr_t)DW9_IX(p, x_lo) * channels);
            a.o = row_out + (size_t)x_lo * (size_t)channels;
            a.npx = x_hi - x_lo;
            a.cs = (intptr_t)p->dil_w * channels;
            a.p_adv = p->stride_w * channels - whole;
            a.o_adv = channels - whole;
            (r0 ? dw9_bottom_nofix : dw9_top_nofix)(&a);
        }
        for (ox = 0; ox < out_w; ++ox) {
            if (!runs || ox < x_lo || ox >= x_hi) {
                dw9_table_px(p, &a, in, pad, inner, edge, oy, ox,
                             row_out + (size_t)ox * (size_t)channels);
            }
        }
    }
}
#endif

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
    /* 1: the assembly ran every whole block, only the channels past them are left */
    const int fast = MCU_ARM_DSP && ntaps == 9 && signed_all && full && blocks > 0;
    const size_t image = (size_t)p->in_h * (size_t)p->in_w * (size_t)channels;
    const size_t step = (size_t)p->stride_w * (size_t)channels;
    int32_t b, oy, ox, blk, ky, kx, y_lo, y_hi, x_lo, x_hi;
    int8_t *o = output;

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
#if MCU_ARM_DSP
    if (fast) {
        for (b = 0; b < p->batches; ++b) {
            dw9_image(p, input + (size_t)b * image, stream, pad,
                      output + (size_t)b * (size_t)p->out_h * (size_t)p->out_w * (size_t)channels,
                      inner, edge, y_lo, y_hi, x_lo, x_hi);
        }
        if (rest == 0) {
            return;
        }
    }
#endif
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
                const intptr_t *t = inner;
                const int8_t *pos = px;
                const int32_t *s = stream;
                if (!inside) {
                    dw_edge(p, (intptr_t)pad - (intptr_t)in, iy0,
                            ox * p->stride_w - p->pad_left, edge);
                    t = edge;
                    pos = in;
                }
                if (fast) { /* the blocks are done */
                    s += (size_t)blocks * DW_BLOCK_WORDS(9);
                    o += 4 * blocks;
                    pos += 4 * blocks;
                } else {
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
