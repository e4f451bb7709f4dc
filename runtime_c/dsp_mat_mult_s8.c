/*
 * dsp_mat_mult_s8.c - SMLAD matrix-product core over one int16 column (see
 * dsp_mat_mult_s8.h for the data layout and the arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * A tile is a block of 6 rows x the column: per group of four terms, 1 LDRD for the
 * column's two words and 3 LDM of four weight words (two rows each), then 12 SMLAD: 16
 * instructions for 24 multiply-adds. Six accumulators, two inputs, four weight words
 * and two pointers take all 14 allocatable registers, so on Arm the blocks of the SSAT
 * modes are naked assembly functions (they compile at any -O level), each in two tails
 * (MCU_DSP_FAST_SAT with the sign fix, MCU_DSP_FAST_SAT_NOFIX without; reached through
 * the params' col_asm / cols_asm objects, see dsp_mat_mult_s8.h): one per block
 * size (6, 4, 2 rows) for a widened column, and a loop over consecutive raw columns
 * (mcu_dsp_mat_mult_cols_s8) that widens each column itself and, for up to
 * MCU_DSP_COLS_STACK_GROUPS groups, keeps it in its own frame and runs the 6-row
 * blocks fully unrolled. The other modes, an op whose params name no object, and
 * every block off Arm, are the C below (the same arithmetic).
 */
#include <stddef.h>

#include "dsp_mm_common.h"

#if MCU_ARM_DSP
/* n (>= 1) times four groups of src (LDR: any alignment) into dst (STRD: word
 * aligned). */
#define DSP_WIDEN4_ASM                                                                     \
    __asm__ volatile("1:\n\t"                                                              \
                     "ldr %[x0], [%[src]], #4\n\t"                                         \
                     "ldr %[x1], [%[src]], #4\n\t"                                         \
                     "ldr %[x2], [%[src]], #4\n\t"                                         \
                     "ldr %[x3], [%[src]], #4\n\t"                                         \
                     "sxtb16 %[y0], %[x0], ror #8\n\t"                                     \
                     "sxtb16 %[x0], %[x0]\n\t"                                             \
                     "strd %[x0], %[y0], [%[dst]], #8\n\t"                                 \
                     "sxtb16 %[y0], %[x1], ror #8\n\t"                                     \
                     "sxtb16 %[x1], %[x1]\n\t"                                             \
                     "strd %[x1], %[y0], [%[dst]], #8\n\t"                                 \
                     "sxtb16 %[y0], %[x2], ror #8\n\t"                                     \
                     "sxtb16 %[x2], %[x2]\n\t"                                             \
                     "strd %[x2], %[y0], [%[dst]], #8\n\t"                                 \
                     "sxtb16 %[y0], %[x3], ror #8\n\t"                                     \
                     "sxtb16 %[x3], %[x3]\n\t"                                             \
                     "strd %[x3], %[y0], [%[dst]], #8\n\t"                                 \
                     "subs %[n], %[n], #1\n\t"                                             \
                     "bne 1b\n\t"                                                          \
                     : [src] "+r"(src), [dst] "+r"(dst), [n] "+r"(n), [x0] "=&r"(x0),       \
                       [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [y0] "=&r"(y0)       \
                     :                                                                     \
                     : "cc", "memory")
#endif

int32_t *mcu_dsp_widen_s8(const int8_t *src, int32_t groups, int32_t *dst)
{
    int32_t g;
#if MCU_ARM_DSP
    /* 18 instructions per four groups (the C loop takes 9 per group) */
    int32_t n = groups >> 2;
    if (n > 0) {
        int32_t x0, x1, x2, x3, y0;
        DSP_WIDEN4_ASM;
        groups &= 3;
    }
#endif
    for (g = 0; g < groups; ++g) {
        const int32_t x = mcu_read_s8x4(src);
        dst[0] = mcu_sxtb16(x);
        dst[1] = mcu_sxtb16_ror8(x);
        src += 4;
        dst += 2;
    }
    return dst;
}

/* One block of nb (2, 4 or 6) rows against the column; stores the first n_store
 * outputs. Returns the next block. */
DSP_INLINE const int32_t *dsp_col_block(const mcu_dsp_mm_params_t *p, const int32_t *s,
                                        const int32_t *col, int8_t *out, int32_t n_store,
                                        int32_t nb)
{
    DSP_BLOCK_START(s, nb)
    const int32_t *c = col;
    int32_t g;
    for (g = p->groups; g > 0; --g) {
        int32_t x02, x13;
        DSP_LD2(c, x02, x13);
        DSP_ROWS(nb, w, x02, x13)
    }
    return dsp_block_out(p, w, a0, a1, a2, a3, a4, a5, out, n_store, nb);
}

typedef const int32_t *(*dsp_col_block_fn)(const mcu_dsp_mm_params_t *p, const int32_t *s,
                                           const int32_t *col, int8_t *out, int32_t n_store);

#define DSP_COL_BLOCK_FN(name, nb)                                                         \
    static const int32_t *name(const mcu_dsp_mm_params_t *p, const int32_t *s,             \
                               const int32_t *col, int8_t *out, int32_t n_store)           \
    {                                                                                      \
        return dsp_col_block(p, s, col, out, n_store, nb);                                 \
    }

DSP_COL_BLOCK_FN(dsp_col2, 2)
DSP_COL_BLOCK_FN(dsp_col4, 4)
DSP_COL_BLOCK_FN(dsp_col6, 6)

#if MCU_ARM_DSP
/* n_blocks (>= 1) blocks of nb (6, 4 or 2) rows in an SSAT mode (tail `fix`) against
 * the column of groups >= 1 groups (what dsp_col6 / 4 / 2 do), in assembly: per block 1
 * LDM for the accumulators, 3 to enter the four-group loop, per group 1 LDRD and nb / 2
 * (LDM + 4 SMLAD), 3 per pass, 5 (4 without the fix) + 1 / 2 per output. Returns the
 * stream after the last block. Frame: [sp] col, [sp, #4] col + 8 * groups, [sp, #8] the
 * loop's entry, [sp, #12] out, [sp, #16] blocks left; the fifth argument at [sp, #56].
 * `bytes`: of a group's code. */
#define DSP_MM_COL_FN(name, nb, bytes, mask, loop, fix)                                       \
    DSP_NAKED static const int32_t *name(                                                  \
        DSP_NAKED_ARG const int32_t *s, DSP_NAKED_ARG const int32_t *col,                  \
        DSP_NAKED_ARG int32_t groups, DSP_NAKED_ARG int8_t *out,                           \
        DSP_NAKED_ARG int32_t n_blocks)                                                    \
    {                                                                                      \
        __asm__ volatile("push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"                 \
                         "sub sp, sp, #20\n\t"                                             \
                         "str r1, [sp]\n\t"                                                \
                         "add r4, r1, r2, lsl #3\n\t"                                      \
                         "str r4, [sp, #4]\n\t" DSP_MM_ASM_LOOP_BASE("r5")                  \
                         DSP_MM_ASM_ENTRY_N("r4", "r5", "r2", "r6", "r7", bytes, mask)     \
                         "str r4, [sp, #8]\n\t"                                            \
                         "str r3, [sp, #12]\n\t"                                           \
                         "ldr r4, [sp, #56]\n\t"                                           \
                         "str r4, [sp, #16]\n\t"                                           \
                         "0:\n\t" DSP_MM_ASM_HEAD_##nb "ldr r1, [sp]\n\t"                  \
                         "ldr r10, [sp, #8]\n\t"                                           \
                         "bx r10\n\t"                                                      \
                         loop("1", "ldrd r8, r9, [r1], #8\n\t" DSP_MM_ASM_W_##nb, "4")       \
                         "ldr r1, [sp, #12]\n\t" DSP_MM_ASM_OUT_##nb(fix)                   \
                         "str r1, [sp, #12]\n\t"                                           \
                         "ldr r11, [sp, #16]\n\t"                                          \
                         "subs r11, r11, #1\n\t"                                           \
                         "str r11, [sp, #16]\n\t"                                          \
                         "bne 0b\n\t"                                                      \
                         "add sp, sp, #20\n\t"                                             \
                         "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");                \
    }

DSP_MM_COL_FN(dsp_mm6_col_sat, 6, "64", "7", DSP_MM_ASM_LOOP8_AT, DSP_MM_ASM_FIX)
DSP_MM_COL_FN(dsp_mm4_col_sat, 4, "44", "3", DSP_MM_ASM_LOOP_AT, DSP_MM_ASM_FIX)
DSP_MM_COL_FN(dsp_mm2_col_sat, 2, "24", "3", DSP_MM_ASM_LOOP_AT, DSP_MM_ASM_FIX)
DSP_MM_COL_FN(dsp_mm6_col_nofix, 6, "64", "7", DSP_MM_ASM_LOOP8_AT, DSP_MM_ASM_NOFIX)
DSP_MM_COL_FN(dsp_mm4_col_nofix, 4, "44", "3", DSP_MM_ASM_LOOP_AT, DSP_MM_ASM_NOFIX)
DSP_MM_COL_FN(dsp_mm2_col_nofix, 2, "24", "3", DSP_MM_ASM_LOOP_AT, DSP_MM_ASM_NOFIX)
#endif

void mcu_dsp_mat_mult_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                         const int32_t *col, int8_t *out)
{
    const int32_t n_out = p->n_out;
    const int32_t *s = stream;
    int32_t r = 0;

#if MCU_ARM_DSP
    if (p->col_asm != NULL) {
        const mcu_dsp_mm_col_asm_t *a = p->col_asm;
        const int32_t full = n_out / MCU_DSP_BLOCK;
        int32_t nb, left;
        dsp_mm_col_asm_fn fn;
        if (full > 0) {
            s = a->b6(s, col, p->groups, out, full);
            r = MCU_DSP_BLOCK * full;
        }
        left = n_out - r;
        if (left == 0) {
            return;
        }
        nb = dsp_block_rows(n_out, r);
        fn = nb == 6 ? a->b6 : nb == 4 ? a->b4 : a->b2;
        if (left == nb) {
            (void)fn(s, col, p->groups, out + r, 1);
        } else {
            /* an odd count: the block through a buffer */
            int8_t tmp[MCU_DSP_BLOCK];
            int32_t j;
            (void)fn(s, col, p->groups, tmp, 1);
            for (j = 0; j < left; ++j) {
                out[r + j] = tmp[j];
            }
        }
        return;
    }
#endif
    while (r < n_out) {
        const int32_t nb = dsp_block_rows(n_out, r);
        const int32_t left = n_out - r;
        const dsp_col_block_fn fn = nb == 6 ? dsp_col6 : nb == 4 ? dsp_col4 : dsp_col2;
        s = fn(p, s, col, out + r, left < nb ? left : nb);
        r += nb;
    }
}

#if MCU_ARM_DSP
/* Widen one group: raw word at r1 into (x02, x13) at r2 (16 bytes of code). */
#define DSP_MM_ASM_WIDEN                                                                   \
    "ldr r8, [r1], #4\n\t"                                                                 \
    "sxtb16 r9, r8, ror #8\n\t"                                                            \
    "sxtb16 r8, r8\n\t"                                                                    \
    "strd r8, r9, [r2], #8\n\t"

/* Blocks of nb rows (HEAD, loop at `label` entered at [sp, #entry], outputs). */
#define DSP_MM_ASM_COLS_BLOCK(nb, label, entry, loop, fix)                                 \
    DSP_MM_ASM_HEAD_##nb "ldr r1, [sp, #12]\n\t"                                           \
    "ldr r10, [sp, #" entry "]\n\t"                                                        \
    "bx r10\n\t"                                                                           \
    loop(label, "ldrd r8, r9, [r1], #8\n\t" DSP_MM_ASM_W_##nb, "16")                       \
    "ldr r1, [sp, #20]\n\t" DSP_MM_ASM_OUT_##nb(fix) "str r1, [sp, #20]\n\t"

/* Every column of job j (n_out even, >= 2) in an SSAT mode (tail `fix`): per column, widen
 * (4 instructions a group), the blocks of 6 rows (eight groups a pass), then the last
 * block of 4 or 2, as dsp_mm6_col_sat etc. do. Frame: [sp] x, [sp, #4] x_step,
 * [sp, #8] columns left, [sp, #12] col, [sp, #16] col + 8 * groups, [sp, #20] out,
 * [sp, #24] stream, [sp, #28] blocks of 6, [sp, #32] blocks left, [sp, #36] rows of the last block,
 * [sp, #40 .. #52] the entries of the widening loop and of the 6-, 4- and 2-row loops. */
#define DSP_MM_COLS_FN(name, fix)                                                          \
DSP_NAKED static void name(DSP_NAKED_ARG const dsp_mm_cols_job_t *j)                      \
{                                                                                          \
    __asm__ volatile(                                                                      \
        "push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"                                  \
        "sub sp, sp, #60\n\t"                                                              \
        "ldmia r0, {r1, r2, r3, r4, r5, r6, r7, r8}\n\t"                                   \
        "str r2, [sp]\n\t"                                                                 \
        "str r3, [sp, #4]\n\t"                                                             \
        "str r4, [sp, #8]\n\t"                                                             \
        "str r5, [sp, #12]\n\t"                                                            \
        "add r9, r5, r6, lsl #3\n\t"                                                       \
        "str r9, [sp, #16]\n\t"                                                            \
        "str r7, [sp, #20]\n\t"                                                            \
        "str r1, [sp, #24]\n\t"                                                            \
        "mov r9, #6\n\t"                                                                   \
        "udiv r10, r8, r9\n\t"                                                             \
        "str r10, [sp, #28]\n\t"                                                           \
        "mls r11, r10, r9, r8\n\t"                                                         \
        "str r11, [sp, #36]\n\t"                                                           \
        DSP_MM_ASM_LABEL_ADDR("r5", "11")                                                  \
        DSP_MM_ASM_ENTRY("r4", "r5", "r6", "r7", "r8", "16")                               \
        "str r4, [sp, #40]\n\t"                                                            \
        DSP_MM_ASM_LABEL_ADDR("r5", "13")                                                  \
        DSP_MM_ASM_ENTRY_N("r4", "r5", "r6", "r7", "r8", "64", "7")                        \
        "str r4, [sp, #44]\n\t"                                                            \
        DSP_MM_ASM_LABEL_ADDR("r5", "15")                                                  \
        DSP_MM_ASM_ENTRY("r4", "r5", "r6", "r7", "r8", "44")                               \
        "str r4, [sp, #48]\n\t"                                                            \
        DSP_MM_ASM_LABEL_ADDR("r5", "17")                                                  \
        DSP_MM_ASM_ENTRY("r4", "r5", "r6", "r7", "r8", "24")                               \
        "str r4, [sp, #52]\n\t"                                                            \
        /* a column: widen it */                                                           \
        "10:\n\t"                                                                          \
        "ldr r1, [sp]\n\t"                                                                 \
        "ldr r2, [sp, #12]\n\t"                                                            \
        "ldr r3, [sp, #16]\n\t"                                                            \
        "ldr r10, [sp, #40]\n\t"                                                           \
        "bx r10\n\t"                                                                       \
        "11:\n\t" DSP_MM_ASM_WIDEN DSP_MM_ASM_WIDEN DSP_MM_ASM_WIDEN DSP_MM_ASM_WIDEN      \
        "cmp r2, r3\n\t"                                                                   \
        "bne 11b\n\t"                                                                      \
        "ldr r1, [sp]\n\t"                                                                 \
        "ldr r10, [sp, #4]\n\t"                                                            \
        "add r1, r1, r10\n\t"                                                              \
        "str r1, [sp]\n\t"                                                                 \
        "ldr r0, [sp, #24]\n\t"                                                            \
        "ldr r11, [sp, #28]\n\t"                                                           \
        "cmp r11, #0\n\t"                                                                  \
        "beq 19f\n\t"                                                                      \
        "str r11, [sp, #32]\n\t"                                                           \
        /* the blocks of 6 rows */                                                         \
        "12:\n\t" DSP_MM_ASM_COLS_BLOCK(6, "13", "44", DSP_MM_ASM_LOOP8_AT, fix)           \
        "ldr r11, [sp, #32]\n\t"                                                           \
        "subs r11, r11, #1\n\t"                                                            \
        "str r11, [sp, #32]\n\t"                                                           \
        "bne 12b\n\t"                                                                      \
        /* the last block: 4, 2 or no rows */                                              \
        "19:\n\t"                                                                          \
        "ldr r11, [sp, #36]\n\t"                                                           \
        "cmp r11, #4\n\t"                                                                  \
        "beq 14f\n\t"                                                                      \
        "cmp r11, #2\n\t"                                                                  \
        "bne 18f\n\t"                                                                      \
        DSP_MM_ASM_COLS_BLOCK(2, "17", "52", DSP_MM_ASM_LOOP_AT, fix)                      \
        "b 18f\n\t"                                                                        \
        "14:\n\t" DSP_MM_ASM_COLS_BLOCK(4, "15", "48", DSP_MM_ASM_LOOP_AT, fix)            \
        /* the next column */                                                              \
        "18:\n\t"                                                                          \
        "ldr r11, [sp, #8]\n\t"                                                            \
        "subs r11, r11, #1\n\t"                                                            \
        "str r11, [sp, #8]\n\t"                                                            \
        "bne 10b\n\t"                                                                      \
        "add sp, sp, #60\n\t"                                                              \
        "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");                                 \
}

DSP_MM_COLS_FN(dsp_mm_cols_sat, DSP_MM_ASM_FIX)
DSP_MM_COLS_FN(dsp_mm_cols_nofix, DSP_MM_ASM_NOFIX)
#endif

#if MCU_ARM_DSP
/* One group of the unrolled 6-row loop: the column's words at [sp, #off] (64 bytes of
 * code). */
#define DSP_MM_ASM_U6(off) "ldrd r8, r9, [sp, #" off "]\n\t" DSP_MM_ASM_W_6
#define DSP_MM_ASM_U6X4(a, b, c, d)                                                        \
    DSP_MM_ASM_U6(a) DSP_MM_ASM_U6(b) DSP_MM_ASM_U6(c) DSP_MM_ASM_U6(d)

/* Blocks of nb (4 or 2) rows over the column at [sp, #288] .. sp + 256 (pointer r6, end
 * r7; the loop at `label` entered at [sp, #entry]), outputs at r1. */
#define DSP_MM_ASM_FRAME_BLOCK(nb, label, entry, fix)                                      \
    DSP_MM_ASM_HEAD_##nb "ldr r6, [sp, #288]\n\t"                                           \
    "add r7, sp, #256\n\t"                                                                 \
    "ldr r10, [sp, #" entry "]\n\t"                                                        \
    "bx r10\n\t" label ":\n\t"                                                             \
    "ldrd r8, r9, [r6], #8\n\t" DSP_MM_ASM_W_##nb "ldrd r8, r9, [r6], #8\n\t"              \
    DSP_MM_ASM_W_##nb "ldrd r8, r9, [r6], #8\n\t" DSP_MM_ASM_W_##nb                         \
    "ldrd r8, r9, [r6], #8\n\t" DSP_MM_ASM_W_##nb "cmp r6, r7\n\t"                          \
    "bne " label "b\n\t" DSP_MM_ASM_OUT_##nb(fix)

/* dsp_mm_cols_sat for groups <= MCU_DSP_COLS_STACK_GROUPS (32), the column in this
 * function's frame, its last group at sp + 248: the 6-row blocks run a fully unrolled
 * sequence of 32 groups entered at group 32 - groups (the column's words at fixed
 * offsets from sp), so the output pointer stays in r1 and no pass is counted: per
 * block 1 LDM, 2 to enter, 16 per group, 32 for the six outputs, 3 to loop. Frame:
 * [sp .. sp + 255] the column, [sp, #256] x, [sp, #260] x_step, [sp, #264] columns
 * left, [sp, #268] stream, [sp, #272] the end of the 6-row blocks, [sp, #276] rows of
 * the last block, [sp, #280] the 6-row entry, [sp, #284] the widening loop's entry,
 * [sp, #288] the column's start, [sp, #292], [sp, #296] the 4- and 2-row loops'
 * entries. The job's col is not used. */
#define DSP_MM_COLS_FRAME_FN(name, fix)                                                    \
DSP_NAKED static void name(DSP_NAKED_ARG const dsp_mm_cols_job_t *j)                      \
{                                                                                          \
    __asm__ volatile(                                                                      \
        "push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"                                  \
        "sub sp, sp, #300\n\t"                                                             \
        "ldmia r0, {r1, r2, r3, r4, r5, r6, r7, r8}\n\t"                                   \
        "str r2, [sp, #256]\n\t"                                                           \
        "str r3, [sp, #260]\n\t"                                                           \
        "str r4, [sp, #264]\n\t"                                                           \
        "str r1, [sp, #268]\n\t"                                                           \
        "add r9, sp, #256\n\t"                                                             \
        "sub r9, r9, r6, lsl #3\n\t"                                                       \
        "str r9, [sp, #288]\n\t"                                                           \
        "mov r9, #6\n\t"                                                                   \
        "udiv r10, r8, r9\n\t"                                                             \
        "mls r11, r10, r9, r8\n\t"                                                         \
        "str r11, [sp, #276]\n\t"                                                          \
        /* a block of 6 rows is 96 + 48 * groups bytes */                                  \
        "mov r9, #48\n\t"                                                                  \
        "mul r9, r6, r9\n\t"                                                               \
        "add r9, r9, #96\n\t"                                                              \
        "mla r9, r10, r9, r1\n\t"                                                          \
        "str r9, [sp, #272]\n\t"                                                           \
        DSP_MM_ASM_LABEL_ADDR("r5", "13")                                                  \
        "rsb r4, r6, #32\n\t"                                                              \
        "add r5, r5, r4, lsl #6\n\t"                                                       \
        "str r5, [sp, #280]\n\t"                                                           \
        DSP_MM_ASM_LABEL_ADDR("r5", "11")                                                  \
        DSP_MM_ASM_ENTRY("r4", "r5", "r6", "r9", "r10", "16")                              \
        "str r4, [sp, #284]\n\t"                                                           \
        DSP_MM_ASM_LABEL_ADDR("r5", "15")                                                  \
        DSP_MM_ASM_ENTRY("r4", "r5", "r6", "r9", "r10", "44")                              \
        "str r4, [sp, #292]\n\t"                                                           \
        DSP_MM_ASM_LABEL_ADDR("r5", "17")                                                  \
        DSP_MM_ASM_ENTRY("r4", "r5", "r6", "r9", "r10", "24")                              \
        "str r4, [sp, #296]\n\t"                                                           \
        "mov r1, r7\n\t"                                                                   \
        /* a column: widen it (source r2, destination r3) */                               \
        "10:\n\t"                                                                          \
        "ldr r2, [sp, #256]\n\t"                                                           \
        "ldr r3, [sp, #288]\n\t"                                                           \
        "add r10, sp, #256\n\t"                                                            \
        "ldr r11, [sp, #284]\n\t"                                                          \
        "bx r11\n\t"                                                                       \
        "11:\n\t"                                                                          \
        "ldr r8, [r2], #4\n\t"                                                             \
        "sxtb16 r9, r8, ror #8\n\t"                                                        \
        "sxtb16 r8, r8\n\t"                                                                \
        "strd r8, r9, [r3], #8\n\t"                                                        \
        "ldr r8, [r2], #4\n\t"                                                             \
        "sxtb16 r9, r8, ror #8\n\t"                                                        \
        "sxtb16 r8, r8\n\t"                                                                \
        "strd r8, r9, [r3], #8\n\t"                                                        \
        "ldr r8, [r2], #4\n\t"                                                             \
        "sxtb16 r9, r8, ror #8\n\t"                                                        \
        "sxtb16 r8, r8\n\t"                                                                \
        "strd r8, r9, [r3], #8\n\t"                                                        \
        "ldr r8, [r2], #4\n\t"                                                             \
        "sxtb16 r9, r8, ror #8\n\t"                                                        \
        "sxtb16 r8, r8\n\t"                                                                \
        "strd r8, r9, [r3], #8\n\t"                                                        \
        "cmp r3, r10\n\t"                                                                  \
        "bne 11b\n\t"                                                                      \
        "ldr r2, [sp, #256]\n\t"                                                           \
        "ldr r10, [sp, #260]\n\t"                                                          \
        "add r2, r2, r10\n\t"                                                              \
        "str r2, [sp, #256]\n\t"                                                           \
        "ldr r0, [sp, #268]\n\t"                                                           \
        "ldr r11, [sp, #272]\n\t"                                                          \
        "cmp r0, r11\n\t"                                                                  \
        "beq 19f\n\t"                                                                      \
        /* the blocks of 6 rows */                                                         \
        "12:\n\t" DSP_MM_ASM_HEAD_6                                                        \
        "ldr r10, [sp, #280]\n\t"                                                          \
        "bx r10\n\t"                                                                       \
        "13:\n\t"                                                                          \
        DSP_MM_ASM_U6X4("0", "8", "16", "24") DSP_MM_ASM_U6X4("32", "40", "48", "56")      \
        DSP_MM_ASM_U6X4("64", "72", "80", "88") DSP_MM_ASM_U6X4("96", "104", "112", "120") \
        DSP_MM_ASM_U6X4("128", "136", "144", "152") DSP_MM_ASM_U6X4("160", "168", "176", "184")\
        DSP_MM_ASM_U6X4("192", "200", "208", "216") DSP_MM_ASM_U6X4("224", "232", "240", "248")\
        DSP_MM_ASM_OUT_6(fix)                                                              \
        "ldr r11, [sp, #272]\n\t"                                                          \
        "cmp r0, r11\n\t"                                                                  \
        "bne 12b\n\t"                                                                      \
        /* the last block: 4, 2 or no rows */                                              \
        "19:\n\t"                                                                          \
        "ldr r11, [sp, #276]\n\t"                                                          \
        "cmp r11, #4\n\t"                                                                  \
        "beq 14f\n\t"                                                                      \
        "cmp r11, #2\n\t"                                                                  \
        "bne 18f\n\t"                                                                      \
        DSP_MM_ASM_FRAME_BLOCK(2, "17", "296", fix)                                        \
        "b 18f\n\t"                                                                        \
        "14:\n\t" DSP_MM_ASM_FRAME_BLOCK(4, "15", "292", fix)                              \
        /* the next column */                                                              \
        "18:\n\t"                                                                          \
        "ldr r11, [sp, #264]\n\t"                                                          \
        "subs r11, r11, #1\n\t"                                                            \
        "str r11, [sp, #264]\n\t"                                                          \
        "bne 10b\n\t"                                                                      \
        "add sp, sp, #300\n\t"                                                             \
        "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");                                 \
}

DSP_MM_COLS_FRAME_FN(dsp_mm_cols_frame_sat, DSP_MM_ASM_FIX)
DSP_MM_COLS_FRAME_FN(dsp_mm_cols_frame_nofix, DSP_MM_ASM_NOFIX)
#endif

/* mcu_dsp_mat_mult_cols_s8's C loop with the column on the stack (c->col NULL). */
static void dsp_cols_stack(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                           const mcu_dsp_cols_t *c, int8_t *out)
{
    int32_t col[2 * MCU_DSP_COLS_STACK_GROUPS];
    mcu_dsp_cols_t cs = *c;
    cs.col = col;
    mcu_dsp_mat_mult_cols_s8(p, stream, &cs, out);
}

void mcu_dsp_mat_mult_cols_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                              const mcu_dsp_cols_t *c, int8_t *out)
{
    const int8_t *x = c->x;
    int32_t n;
#if MCU_ARM_DSP
    if (p->cols_asm != NULL && (p->n_out & 1) == 0
        && (p->cols_asm->frame ? p->groups <= MCU_DSP_COLS_STACK_GROUPS : c->col != NULL)) {
        dsp_mm_cols_job_t j;
        j.stream = stream;
        j.x = x;
        j.x_step = c->x_step;
        j.n_cols = c->n_cols;
        j.col = c->col;
        j.groups = p->groups;
        j.out = out;
        j.n_out = p->n_out;
        p->cols_asm->fn(&j);
        return;
    }
#endif
    if (c->col == NULL) {
        dsp_cols_stack(p, stream, c, out);
        return;
    }
    for (n = c->n_cols; n > 0; --n) {
        (void)mcu_dsp_widen_s8(x, p->groups, c->col);
        mcu_dsp_mat_mult_s8(p, stream, c->col, out);
        x += c->x_step;
        out += p->n_out;
    }
}

/* The assembly of each tail (an op's params name the ones it needs: see
 * dsp_mat_mult_s8.h). */
#if MCU_ARM_DSP
#define DSP_MM_ASM3(f6, f4, f2) , f6, f4, f2
#define DSP_MM_ASM1(f) , f
#else
#define DSP_MM_ASM3(f6, f4, f2)
#define DSP_MM_ASM1(f)
#endif
const mcu_dsp_mm_col_asm_t mcu_dsp_mm_col_sat = {
    MCU_DSP_FAST_SAT DSP_MM_ASM3(dsp_mm6_col_sat, dsp_mm4_col_sat, dsp_mm2_col_sat)};
const mcu_dsp_mm_col_asm_t mcu_dsp_mm_col_nofix = {
    MCU_DSP_FAST_SAT_NOFIX
    DSP_MM_ASM3(dsp_mm6_col_nofix, dsp_mm4_col_nofix, dsp_mm2_col_nofix)};
const mcu_dsp_mm_cols_asm_t mcu_dsp_mm_cols_sat = {
    MCU_DSP_FAST_SAT, 0 DSP_MM_ASM1(dsp_mm_cols_sat)};
const mcu_dsp_mm_cols_asm_t mcu_dsp_mm_cols_nofix = {
    MCU_DSP_FAST_SAT_NOFIX, 0 DSP_MM_ASM1(dsp_mm_cols_nofix)};
const mcu_dsp_mm_cols_asm_t mcu_dsp_mm_cols_frame_sat = {
    MCU_DSP_FAST_SAT, 1 DSP_MM_ASM1(dsp_mm_cols_frame_sat)};
const mcu_dsp_mm_cols_asm_t mcu_dsp_mm_cols_frame_nofix = {
    MCU_DSP_FAST_SAT_NOFIX, 1 DSP_MM_ASM1(dsp_mm_cols_frame_nofix)};
