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

/* Stream words of one block of four channels for ntaps taps, the last DW_REQ_WORDS of
 * them for the requantization (see the header). */
#define DW_REQ_WORDS 11
#define DW_BLOCK_WORDS(ntaps) (4 + 4 * ((ntaps) / 2) + 2 * ((ntaps) % 2) + DW_REQ_WORDS)

/* floor(x / 2^31) as 0 or -1: ASR #31 (written without a signed shift). */
static inline int32_t dw_sign(int32_t x)
{
    return -(int32_t)((uint32_t)x >> 31);
}

/*
 * The requantized output value of one accumulator (see the header), e in the bottom
 * byte of ew: RoundingDivideByPOT(SRDHM(acc_ref * 2^left, m), e) + zy before the clamp,
 * as (SMMLAR(acc, m, R + fix)) >> e. RoundingDivideByPOT rounds ties away from zero:
 * fix = -1 when SRDHM is negative and e >= 1. The sign of acc serves instead: they
 * differ only where SRDHM is 0 (acc < 0 but acc * m / 2^31 >= -1/2), and 0 is never a
 * tie for e >= 1 (no correction for e = 0). SIGNED_ALL: every e >= 1.
 */
static inline int32_t dw_rq(int32_t acc, int32_t m, int32_t r, uint32_t ew, int signed_all)
{
    const int32_t e = (int32_t)(ew & 0xFFu);
    const int32_t fix = (signed_all || e > 0) ? dw_sign(acc) : 0;
    return mcu_asr_s32(mcu_smmlar(acc, m, r + fix), e);
}

/* dw_rq for channel j of the block whose DW_REQ_WORDS requantization words are at q:
 * channels 0, 1: m, R, m', R', e, e'; channels 2, 3: m, R, m', R', e | e' << 8 | flag << 31. */
static inline int32_t dw_requant(int32_t acc, const int32_t *q, int32_t j, int signed_all)
{
    const int32_t *h = q + 6 * (j >> 1);
    const int32_t m = h[2 * (j & 1)], r = h[1 + 2 * (j & 1)];
    const uint32_t ew = (j >> 1) ? (uint32_t)h[4] >> (8 * (j & 1)) : (uint32_t)h[4 + (j & 1)];
    return dw_rq(acc, m, r, ew, signed_all);
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
 * the stream at r4, the window at r5 (its current row, channel of the block), the column
 * step (or the tap table) in r6, the row step in r7; r8-r12 and lr hold the input words,
 * their pairs and the weights. The output is addressed from the window (r5 + d, d on the
 * stack) and a tap outside the image reads the pad word on the stack, so no register
 * holds either.
 */
typedef struct { /* p, cs, rs go to r5-r7, the rest to the stack ([sp] .. [sp, #36]) */
    const int8_t *p;     /* [0]  the window's first tap, channel 0                       */
    intptr_t cs;         /* [4]  column step in bytes, or the tap table (intptr_t)       */
    int32_t rs;          /* [8]  row step in bytes                                       */
    int32_t p_adv;       /* [12] [sp]: bytes from the window after a pixel's blocks to the next */
    intptr_t d;          /* [16] [sp, #4]: output - (window + 4) of the first block      */
    intptr_t d_adv;      /* [20] [sp, #8]: d of the next pixel - d                       */
    uintptr_t p_end;     /* [24] [sp, #12]: the window after the last pixel              */
    const int32_t *s;    /* [28] [sp, #16]: the stream (the first block)                 */
    int32_t padw;        /* [32] [sp, #20]: four bytes of the pad row (all zx)           */
    int32_t rows;        /* [36] [sp, #24]: rows of pixels (>= 1), each up to p_end      */
    intptr_t row_p;      /* [40] [sp, #28]: from p_end to the next row's first window    */
    intptr_t row_d;      /* [44] [sp, #32]: d of a row's first pixel - d after its last  */
    intptr_t row_end;    /* [48] [sp, #36]: p_end of the next row - p_end                */
} dw9_args_t;

#define DW9_ARG __attribute__((unused))

/* A pair of taps, its input words loaded to r9 (tap a) and r10 (tap b) by LA, LB, the
 * pair's weight words of channels 0, 1 in r12, lr: (a0 a1 b0 b1) and (a2 a3 b2 b3)
 * (PKHBT, PKHTB), per channel (a_c, b_c) in int16 lanes (SXTB16 / ROR #8), one SMLAD
 * each. The LDM in the middle loads the weight words of channels 2, 3 (r8, r11) and
 * those of channels 0, 1 of the next pair (or the odd last tap's two words) to r12, lr:
 * the stream is read in its order, four words per LDM. */
#define DW9_PAIR(LA, LB)                                                                  \
    LA LB                                                                                 \
    "pkhbt r11, r9, r10, lsl #16\n\t"                                                     \
    "pkhtb r10, r10, r9, asr #16\n\t"                                                     \
    "sxtb16 r9, r11\n\t"                                                                  \
    "sxtb16 r11, r11, ror #8\n\t"                                                         \
    "smlad r0, r9, r12, r0\n\t"                                                           \
    "smlad r1, r11, lr, r1\n\t"                                                           \
    "sxtb16 r9, r10\n\t"                                                                  \
    "sxtb16 r10, r10, ror #8\n\t"                                                         \
    "ldmia r4!, {r8, r11, r12, lr}\n\t"                                                   \
    "smlad r2, r9, r8, r2\n\t"                                                            \
    "smlad r3, r10, r11, r3\n\t"

/* The last (ninth) tap alone, its input word in r9, its weight words in r12, lr:
 * channels (0, 2) and (1, 3). */
#define DW9_SINGLE                                                                        \
    "sxtb16 r10, r9\n\t"                                                                  \
    "sxtb16 r9, r9, ror #8\n\t"                                                           \
    "smlabb r0, r10, r12, r0\n\t"                                                         \
    "smlatt r2, r10, r12, r2\n\t"                                                         \
    "smlabb r1, r9, lr, r1\n\t"                                                           \
    "smlatt r3, r9, lr, r3\n\t"

/* Requantize the accumulators r0, r1 from (m, R, m', R', e, e') (one LDM), then r2, r3
 * from (m, R, m', R', e | e' << 8 | flag << 31) (one LDM; ASRS moves e' to the bottom
 * byte, the only one a shift register's value counts by, and its N flag is the last
 * block's flag): SMMLAR, ASR, SSAT each. FIX: the sign corrections (an ADD each to R). */
#define DW9_FIXA(A, R) "add " R ", " R ", " A ", asr #31\n\t"
#define DW9_REQ4(F0, F1, F2, F3)                                                          \
    "ldmia r4!, {r8, r9, r10, r11, r12, lr}\n\t"                                          \
    F0 "smmlar r0, r0, r8, r9\n\t"                                                        \
    "asr r0, r0, r12\n\t"                                                                 \
    "ssat r0, #8, r0\n\t"                                                                 \
    F1 "smmlar r1, r1, r10, r11\n\t"                                                      \
    "asr r1, r1, lr\n\t"                                                                  \
    "ssat r1, #8, r1\n\t"                                                                 \
    "ldmia r4!, {r9, r10, r11, r12, lr}\n\t"                                              \
    F2 "smmlar r2, r2, r9, r10\n\t"                                                       \
    "asr r2, r2, lr\n\t"                                                                  \
    "ssat r2, #8, r2\n\t"                                                                 \
    F3 "smmlar r3, r3, r11, r12\n\t"                                                      \
    "asrs lr, lr, #8\n\t"                                                                 \
    "asr r3, r3, lr\n\t"                                                                  \
    "ssat r3, #8, r3\n\t"
#define DW9_REQ4_FIX                                                                      \
    DW9_REQ4(DW9_FIXA("r0", "r9"), DW9_FIXA("r1", "r11"), DW9_FIXA("r2", "r10"),          \
             DW9_FIXA("r3", "r12"))
#define DW9_REQ4_NOFIX DW9_REQ4("", "", "", "")
/* The four bytes (BFI) to the output at r5 + d with one STR (r5 already at the next
 * block, d on the stack). */
#define DW9_STORE4                                                                        \
    "bfi r0, r1, #8, #8\n\t"                                                              \
    "bfi r0, r2, #16, #8\n\t"                                                             \
    "bfi r0, r3, #24, #8\n\t"                                                             \
    "ldr r8, [sp, #4]\n\t"                                                                \
    "str r0, [r5, r8]\n\t"

/* Entry: save, p, cs, rs to r5-r7, spill the rest ([sp] .. [sp, #36]; one LDM reloads
 * the first five for the next pixel), the stream to r4. Exit: drop them, restore. */
#define DW9_ENTER                                                                         \
    "push {r4-r11, lr}\n\t"                                                               \
    "ldmia r0!, {r5, r6, r7}\n\t"                                                         \
    "ldmia r0, {r1, r2, r3, r4, r8, r9, r10, r11, r12, lr}\n\t"                           \
    "push {r1, r2, r3, r4, r8, r9, r10, r11, r12, lr}\n\t"                                \
    "mov r4, r8\n\t"
#define DW9_LEAVE                                                                         \
    "add sp, sp, #40\n\t"                                                                 \
    "pop {r4-r11, pc}\n\t"

/* The tap loads (to register R): columns 0, 1, 2 of the current row (r5), the pad word
 * for a row or column outside the image, or tap k through the table of byte offsets at
 * r6 (outside taps lead to the pad row). */
#define DW9_C0(R) "ldr " R ", [r5]\n\t"
#define DW9_C1(R) "ldr " R ", [r5, r6]\n\t"
#define DW9_C2(R) "ldr " R ", [r5, r6, lsl #1]\n\t"
#define DW9_PAD(R) "ldr " R ", [sp, #20]\n\t"
/* The odd tap's load (the block's last), also moving r5 on to the next block. */
#define DW9_C0P(R) "ldr " R ", [r5], #4\n\t"
#define DW9_PADP(R) DW9_PAD(R) "add r5, r5, #4\n\t"
#define DW9_K8P(R) DW9_K8(R) "add r5, r5, #4\n\t"
#define DW9_K(OFF, R) "ldr " R ", [r6, #" #OFF "]\n\t" "ldr " R ", [r5, " R "]\n\t"
#define DW9_K0(R) DW9_K(0, R)
#define DW9_K1(R) DW9_K(4, R)
#define DW9_K2(R) DW9_K(8, R)
#define DW9_K3(R) DW9_K(12, R)
#define DW9_K4(R) DW9_K(16, R)
#define DW9_K5(R) DW9_K(20, R)
#define DW9_K6(R) DW9_K(24, R)
#define DW9_K7(R) DW9_K(28, R)
#define DW9_K8(R) DW9_K(32, R)
/* Row moves: down one row (MV) and back to the first (BACK); none with the table. */
#define DW9_MV "add r5, r5, r7\n\t"
#define DW9_BACK "sub r5, r5, r7, lsl #1\n\t"

/*
 * Rows of output pixels: from p while the window has not reached p_end (p_adv after
 * each), then on to the next row (row_p, row_d, row_end); each pixel all its blocks,
 * the taps Tyx (load macros above; T20, the odd tap, moves r5 on to the next block).
 * Per block of 36 MACs: 1 (LDM: bias and the first weights) + 4 * 11 (pairs, one LDM
 * of weights each) + 6 (the odd tap) + 9 tap loads + 3 row moves (the 4th, + 4, in the
 * odd tap's load; not where that tap reads the pad word) + 15 (requantize; 19 with the
 * sign fix) + 5 (store) + 1 (loop, on the last block's flag) = 84 (88 with the sign
 * fix); through the table 9 more loads and one move: 91 (95). Per pixel 5 more, 7
 * where d moves (stride not 1, columns); per row 13.
 */
#define DW9_FN(NAME, REQ4, T00, T01, T02, T10, T11, T12, T20, T21, T22, MV, BACK)          \
    __attribute__((naked, noinline)) static void NAME(const dw9_args_t *a DW9_ARG)        \
    {                                                                                     \
        __asm__ volatile(                                                                 \
            DW9_ENTER                                                                     \
            "1:\n\t"                                                                      \
            "ldmia r4!, {r0, r1, r2, r3, r12, lr}\n\t"                                    \
            DW9_PAIR(T00("r9"), T01("r10"))                                               \
            DW9_PAIR(T02("r9"), MV T10("r10"))                                            \
            DW9_PAIR(T11("r9"), T12("r10"))                                               \
            DW9_PAIR(MV T21("r9"), T22("r10"))                                            \
            T20("r9")                                                                     \
            DW9_SINGLE                                                                    \
            BACK                                                                          \
            REQ4 DW9_STORE4                                                               \
            "bpl 1b\n\t"                                                                  \
            "ldmia sp, {r0, r1, r2, r3, r4}\n\t"                                          \
            "add r5, r5, r0\n\t"                                                          \
            "cbz r2, 2f\n\t"                                                              \
            "add r1, r1, r2\n\t"                                                          \
            "str r1, [sp, #4]\n\t"                                                        \
            "2:\n\t"                                                                      \
            "cmp r5, r3\n\t"                                                              \
            "bne 1b\n\t"                                                                  \
            "ldr r0, [sp, #24]\n\t"                                                       \
            "subs r0, r0, #1\n\t"                                                         \
            "beq 3f\n\t"                                                                  \
            "str r0, [sp, #24]\n\t"                                                       \
            "ldr r0, [sp, #28]\n\t"                                                       \
            "add r5, r5, r0\n\t"                                                          \
            "ldr r0, [sp, #32]\n\t"                                                       \
            "add r1, r1, r0\n\t"                                                          \
            "str r1, [sp, #4]\n\t"                                                        \
            "ldr r0, [sp, #36]\n\t"                                                       \
            "add r3, r3, r0\n\t"                                                          \
            "str r3, [sp, #12]\n\t"                                                       \
            "b 1b\n\t"                                                                    \
            "3:\n\t"                                                                      \
            DW9_LEAVE);                                                                   \
    }
/* The taps of a window inside the image (C), with one outside column or row (P), or
 * all through the table. */
#define DW9_ROW_IN DW9_C0, DW9_C1, DW9_C2, DW9_C0, DW9_C1, DW9_C2, DW9_C0P, DW9_C1, DW9_C2
#define DW9_ROW_LEFT DW9_PAD, DW9_C1, DW9_C2, DW9_PAD, DW9_C1, DW9_C2, DW9_PADP, DW9_C1, DW9_C2
#define DW9_ROW_RIGHT DW9_C0, DW9_C1, DW9_PAD, DW9_C0, DW9_C1, DW9_PAD, DW9_C0P, DW9_C1, DW9_PAD
#define DW9_ROW_TOP DW9_PAD, DW9_PAD, DW9_PAD, DW9_C0, DW9_C1, DW9_C2, DW9_C0P, DW9_C1, DW9_C2
#define DW9_ROW_BOTTOM DW9_C0, DW9_C1, DW9_C2, DW9_C0, DW9_C1, DW9_C2, DW9_PADP, DW9_PAD, DW9_PAD
#define DW9_ROWS DW9_MV, DW9_BACK
/* (the table is in the stream's order: taps 0-5, then 7, 8 and 6 last) */
#define DW9_TAB DW9_K0, DW9_K1, DW9_K2, DW9_K3, DW9_K4, DW9_K5, DW9_K8P, DW9_K6, DW9_K7, "", ""

/* Macro arguments that expand to several (the tap lists) need one more expansion. */
#define DW9_FN_X(...) DW9_FN(__VA_ARGS__)
DW9_FN_X(dw9_row_fix, DW9_REQ4_FIX, DW9_ROW_IN, DW9_ROWS)
DW9_FN_X(dw9_row_nofix, DW9_REQ4_NOFIX, DW9_ROW_IN, DW9_ROWS)
/* One column or row of the window outside the image (reading the pad word): the layers
 * without the sign fix only (the others take the table). */
DW9_FN_X(dw9_left_nofix, DW9_REQ4_NOFIX, DW9_ROW_LEFT, DW9_ROWS)
DW9_FN_X(dw9_right_nofix, DW9_REQ4_NOFIX, DW9_ROW_RIGHT, DW9_ROWS)
DW9_FN_X(dw9_top_nofix, DW9_REQ4_NOFIX, DW9_ROW_TOP, DW9_ROWS)
DW9_FN_X(dw9_bottom_nofix, DW9_REQ4_NOFIX, DW9_ROW_BOTTOM, DW9_ROWS)
DW9_FN_X(dw9_tab_fix, DW9_REQ4_FIX, DW9_TAB)
DW9_FN_X(dw9_tab_nofix, DW9_REQ4_NOFIX, DW9_TAB)
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
    /* dw_requant of channels 0..3, the word indices spelled out */
    a[0] = dw_rq(a[0], s[0], s[1], (uint32_t)s[4], signed_all);
    a[1] = dw_rq(a[1], s[2], s[3], (uint32_t)s[5], signed_all);
    a[2] = dw_rq(a[2], s[6], s[7], (uint32_t)s[10], signed_all);
    a[3] = dw_rq(a[3], s[8], s[9], (uint32_t)s[10] >> 8, signed_all);
    for (j = 0; j < 4; ++j) {
        o[j] = (int8_t)(full ? mcu_ssat(a[j], 8) : mcu_clamp_s32(a[j], act_min, act_max));
    }
    *sp = s + DW_REQ_WORDS;
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
    const int32_t *q = s + DW_BLOCK_WORDS(ntaps) - DW_REQ_WORDS;
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

/* A table of tap offsets (row-major) into the stream's tap order: a 3x3 kernel's last
 * row as columns 1, 2 (a pair), then 0 (the odd tap, which the assembly loads last with
 * a post-increment). */
static void dw_order(const mcu_dsp_dw_params_t *p, intptr_t *t)
{
    if (p->k_h == 3 && p->k_w == 3) {
        const intptr_t t6 = t[6];
        t[6] = t[7];
        t[7] = t[8];
        t[8] = t6;
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

/* Run fn over rows of npx pixels from window p, output o, the next pixel's window
 * in_step and its output out_step bytes on, the next row's row_in and row_out bytes on
 * (whole: bytes of the whole blocks of a pixel). */
static void dw9_run(void (*fn)(const dw9_args_t *), dw9_args_t *a, const int8_t *p,
                    int8_t *o, int32_t npx, intptr_t in_step, intptr_t out_step,
                    int32_t rows, intptr_t row_in, intptr_t row_out, int32_t whole)
{
    a->p = p;
    a->p_adv = (int32_t)(in_step - whole);
    a->d = (intptr_t)((uintptr_t)o - (uintptr_t)p - 4u);
    a->d_adv = out_step - in_step;
    a->p_end = (uintptr_t)p + (uintptr_t)((intptr_t)npx * in_step);
    a->rows = rows;
    a->row_p = row_in - (intptr_t)npx * in_step;
    a->row_d = row_out - row_in - (intptr_t)npx * a->d_adv;
    a->row_end = row_in;
    fn(a);
}

/* One border pixel through the table (rows iy0.. of `in`, pad at `pad`). */
static void dw9_table_px(const mcu_dsp_dw_params_t *p, dw9_args_t *a, const int8_t *in,
                         const int8_t *pad, const intptr_t *inner, intptr_t *edge,
                         int32_t oy, int32_t ox, int8_t *o)
{
    const int32_t iy0 = DW9_IY(p, oy), ix0 = DW9_IX(p, ox);
    const int row_inside = iy0 >= 0 && iy0 + 2 * p->dil_h < p->in_h;
    const int8_t *base = in;

    if (row_inside) {
        base = in + (size_t)iy0 * (size_t)p->in_w * (size_t)p->channels;
        dw_edge9_cols(inner, (intptr_t)pad - (intptr_t)base, ix0, p->dil_w,
                      (uint32_t)p->in_w, p->channels, edge);
    } else {
        dw_edge9(p, (intptr_t)pad - (intptr_t)in, iy0, ix0, edge);
    }
    dw_order(p, edge);
    a->cs = (intptr_t)edge;
    dw9_run(p->no_fix ? dw9_tab_nofix : dw9_tab_fix, a, base, o, 1, 4 * p->blocks, 0, 1, 0, 0,
            4 * p->blocks);
}

/*
 * One image whose channels are whole blocks (3x3, the assembly paths): the inside
 * windows (one call), then the border columns of the inside rows (a
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
    const intptr_t cs = (intptr_t)p->dil_w * channels;
    const intptr_t col_in = (intptr_t)p->stride_w * channels; /* the next column's window */
    const intptr_t row_in = (intptr_t)p->stride_h * in_row;   /* the next row's window */
    dw9_args_t a;
    int32_t oy, ox;

    a.s = stream;
    a.rs = p->dil_h * in_w * channels;
    a.padw = mcu_read_s8x4(pad);
    if (y_lo < y_hi && x_lo < x_hi) { /* every inside window in one call */
        a.cs = cs;
        dw9_run(p->no_fix ? dw9_row_nofix : dw9_row_fix, &a,
                dw_at(in, ((intptr_t)DW9_IY(p, y_lo) * in_w + DW9_IX(p, x_lo)) * channels),
                out + ((size_t)y_lo * (size_t)out_w + (size_t)x_lo) * (size_t)channels,
                x_hi - x_lo, col_in, channels, y_hi - y_lo, row_in,
                (intptr_t)out_w * channels, whole);
    }
    for (ox = 0; ox < out_w && y_lo < y_hi; ++ox) {
        const int32_t ix0 = DW9_IX(p, ox), ix1 = ix0 + p->dil_w, ix2 = ix1 + p->dil_w;
        const int c0 = ix0 >= 0, c1 = ix1 >= 0 && ix1 < in_w, c2 = ix2 < in_w;
        if (ox >= x_lo && ox < x_hi) {
            ox = x_hi - 1; /* the inside columns: done above */
        } else if (p->no_fix && c1 && c0 != c2) { /* the column of pixels in one call */
            a.cs = cs;
            dw9_run(c0 ? dw9_right_nofix : dw9_left_nofix, &a,
                    dw_at(in, (intptr_t)DW9_IY(p, y_lo) * in_row + (intptr_t)ix0 * channels),
                    out + ((size_t)y_lo * (size_t)out_w + (size_t)ox) * (size_t)channels,
                    y_hi - y_lo, row_in, (intptr_t)out_w * channels, 1, 0, 0, whole);
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
            a.cs = cs;
            dw9_run(r0 ? dw9_bottom_nofix : dw9_top_nofix, &a,
                    dw_at(in, (intptr_t)iy0 * in_row + (intptr_t)DW9_IX(p, x_lo) * channels),
                    row_out + (size_t)x_lo * (size_t)channels, x_hi - x_lo, col_in, channels,
                    1, 0, 0, whole);
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
    dw_order(p, inner);
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
                    dw_order(p, edge);
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

