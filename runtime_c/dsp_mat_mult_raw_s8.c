/*
 * dsp_mat_mult_raw_s8.c - SMLAD matrix-product core over one raw int8 column (see
 * dsp_mat_mult_raw_s8.h), for kernels that got no scratch.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * A column of at most MCU_DSP_RAW_STACK_GROUPS groups is widened once into a stack
 * buffer and handed to mcu_dsp_mat_mult_s8 (16 instructions per 24 multiply-adds).
 * A longer one is widened in registers by every block of 6 rows: per group of four
 * inputs 1 LDR and 2 SXTB16, then 3 LDM of four weight words and 12 SMLAD: 18
 * instructions for 24 multiply-adds. That takes all 14 allocatable registers, so on
 * Arm the blocks of the SSAT modes are naked assembly functions, one per block size (6,
 * 4, 2 rows; they compile at any -O level) and tail (with / without the sign fix,
 * through the params' raw_asm object); the other modes and every block off Arm are the
 * C below (the same arithmetic).
 */
#include "dsp_mat_mult_raw_s8.h"
#include "dsp_mm_common.h"

/* One block of nb (2, 4 or 6) rows against one raw int8 column given as segments
 * (consecutive runs of the dot product's terms); stores the first n_store outputs.
 * Returns the next block. */
DSP_INLINE const int32_t *dsp_raw_block(const mcu_dsp_mm_params_t *p, const int32_t *s,
                                        const mcu_dsp_seg_t *segs, int32_t n_segs,
                                        int8_t *out, int32_t n_store, int32_t nb)
{
    DSP_BLOCK_START(s, nb)
    int32_t i, g;
    for (i = 0; i < n_segs; ++i) {
        const int8_t *xp = segs[i].x;
        for (g = segs[i].groups; g > 0; --g) {
            const int32_t xw = mcu_read_s8x4(xp);
            const int32_t x02 = mcu_sxtb16(xw);
            const int32_t x13 = mcu_sxtb16_ror8(xw);
            xp += 4;
            DSP_ROWS(nb, w, x02, x13)
        }
    }
    return dsp_block_out(p, w, a0, a1, a2, a3, a4, a5, out, n_store, nb);
}

typedef const int32_t *(*dsp_raw_block_fn)(const mcu_dsp_mm_params_t *p, const int32_t *s,
                                           const mcu_dsp_seg_t *segs, int32_t n_segs,
                                           int8_t *out, int32_t n_store);

#define DSP_RAW_BLOCK_FN(name, nb)                                                         \
    static const int32_t *name(const mcu_dsp_mm_params_t *p, const int32_t *s,             \
                               const mcu_dsp_seg_t *segs, int32_t n_segs, int8_t *out,     \
                               int32_t n_store)                                            \
    {                                                                                      \
        return dsp_raw_block(p, s, segs, n_segs, out, n_store, nb);                        \
    }

DSP_RAW_BLOCK_FN(dsp_raw2, 2)
DSP_RAW_BLOCK_FN(dsp_raw4, 4)
DSP_RAW_BLOCK_FN(dsp_raw6, 6)

#if MCU_ARM_DSP
/* n_blocks (>= 1) blocks of nb (6, 4 or 2) rows in an SSAT mode (tail `fix`) against the
 * raw column given as segments of >= 1 groups (what dsp_raw6 / 4 / 2 do), in
 * assembly: the accumulators stay in registers from a block's start through every
 * segment to the epilogue. Returns the stream after the last block. Frame: [sp] next
 * segment, [sp, #4] segments left, [sp, #8] end of the segment, [sp, #12] the loop's
 * address, [sp, #16] out, [sp, #20] blocks left, [sp, #24] segs, [sp, #28] n_segs; the
 * fifth argument at [sp, #72]. `bytes`: of a group's code. */
#define DSP_MM_RAW_FN(name, nb, bytes, fix)                                                \
    DSP_NAKED static const int32_t *name(                                                  \
        DSP_NAKED_ARG const int32_t *s, DSP_NAKED_ARG const mcu_dsp_seg_t *segs,           \
        DSP_NAKED_ARG int32_t n_segs, DSP_NAKED_ARG int8_t *out,                           \
        DSP_NAKED_ARG int32_t n_blocks)                                                    \
    {                                                                                      \
        __asm__ volatile("push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"                 \
                         "sub sp, sp, #36\n\t"                                             \
                         "str r1, [sp, #24]\n\t"                                           \
                         "str r2, [sp, #28]\n\t"                                           \
                         "str r3, [sp, #16]\n\t"                                           \
                         "ldr r4, [sp, #72]\n\t"                                           \
                         "str r4, [sp, #20]\n\t" DSP_MM_ASM_LOOP_BASE("r4")                 \
                         "str r4, [sp, #12]\n\t"                                           \
                         "0:\n\t" DSP_MM_ASM_HEAD_##nb "ldr r10, [sp, #24]\n\t"            \
                         "ldr r11, [sp, #28]\n\t"                                          \
                         "str r11, [sp, #4]\n\t"                                           \
                         "2:\n\t"                                                          \
                         "ldmia r10!, {r1, r11}\n\t"                                       \
                         "str r10, [sp]\n\t"                                               \
                         "add r10, r1, r11, lsl #2\n\t"                                    \
                         "str r10, [sp, #8]\n\t"                                           \
                         "ldr r12, [sp, #12]\n\t"                                          \
                         DSP_MM_ASM_ENTRY("r10", "r12", "r11", "r11", "lr", bytes)         \
                         "bx r10\n\t"                                                      \
                         DSP_MM_ASM_LOOP("ldr r8, [r1], #4\n\t"                             \
                                         "sxtb16 r9, r8, ror #8\n\t"                        \
                                         "sxtb16 r8, r8\n\t" DSP_MM_ASM_W_##nb,             \
                                         "8")                                              \
                         "ldr r11, [sp, #4]\n\t"                                           \
                         "ldr r10, [sp]\n\t"                                               \
                         "subs r11, r11, #1\n\t"                                           \
                         "str r11, [sp, #4]\n\t"                                           \
                         "bne 2b\n\t"                                                      \
                         "ldr r1, [sp, #16]\n\t" DSP_MM_ASM_OUT_##nb(fix)                   \
                         "str r1, [sp, #16]\n\t"                                           \
                         "ldr r11, [sp, #20]\n\t"                                          \
                         "subs r11, r11, #1\n\t"                                           \
                         "str r11, [sp, #20]\n\t"                                          \
                         "bne 0b\n\t"                                                      \
                         "add sp, sp, #36\n\t"                                             \
                         "pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");                \
    }

DSP_MM_RAW_FN(dsp_mm6_raw_sat, 6, "72", DSP_MM_ASM_FIX)
DSP_MM_RAW_FN(dsp_mm4_raw_sat, 4, "52", DSP_MM_ASM_FIX)
DSP_MM_RAW_FN(dsp_mm2_raw_sat, 2, "32", DSP_MM_ASM_FIX)
DSP_MM_RAW_FN(dsp_mm6_raw_nofix, 6, "72", DSP_MM_ASM_NOFIX)
DSP_MM_RAW_FN(dsp_mm4_raw_nofix, 4, "52", DSP_MM_ASM_NOFIX)
DSP_MM_RAW_FN(dsp_mm2_raw_nofix, 2, "32", DSP_MM_ASM_NOFIX)
#endif

/* The segments widened into a column on the stack, then mcu_dsp_mat_mult_s8 (its own
 * function: the buffer stays out of the caller's frame). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dsp_raw_stack(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                          const mcu_dsp_seg_t *segs, int32_t n_segs, int8_t *out)
{
    int32_t col[2 * MCU_DSP_RAW_STACK_GROUPS];
    int32_t *dst = col;
    int32_t i;
    for (i = 0; i < n_segs; ++i) {
        dst = mcu_dsp_widen_s8(segs[i].x, segs[i].groups, dst);
    }
    mcu_dsp_mat_mult_s8(p, stream, col, out);
}

void mcu_dsp_mat_mult_raw_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                             const mcu_dsp_seg_t *segs, int32_t n_segs, int8_t *out)
{
    const int32_t n_out = p->n_out;
    const int32_t *s = stream;
    int32_t r = 0;

    if (p->groups <= MCU_DSP_RAW_STACK_GROUPS) {
        dsp_raw_stack(p, stream, segs, n_segs, out);
        return;
    }
#if MCU_ARM_DSP
    if (p->raw_asm != NULL) {
        const mcu_dsp_mm_raw_asm_t *a = p->raw_asm;
        const int32_t full = n_out / MCU_DSP_BLOCK;
        int32_t nb, left;
        dsp_mm_raw_asm_fn fn;
        if (full > 0) {
            s = a->b6(s, segs, n_segs, out, full);
            r = MCU_DSP_BLOCK * full;
        }
        left = n_out - r;
        if (left == 0) {
            return;
        }
        nb = dsp_block_rows(n_out, r);
        fn = nb == 6 ? a->b6 : nb == 4 ? a->b4 : a->b2;
        if (left == nb) {
            (void)fn(s, segs, n_segs, out + r, 1);
        } else {
            /* an odd count: the block through a buffer */
            int8_t tmp[MCU_DSP_BLOCK];
            int32_t j;
            (void)fn(s, segs, n_segs, tmp, 1);
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
        const dsp_raw_block_fn fn = nb == 6 ? dsp_raw6 : nb == 4 ? dsp_raw4 : dsp_raw2;
        s = fn(p, s, segs, n_segs, out + r, left < nb ? left : nb);
        r += nb;
    }
}

/* The assembly of each tail (an op's params name the one it needs: see
 * dsp_mat_mult_s8.h). */
#if MCU_ARM_DSP
#define DSP_MM_RAW3(f6, f4, f2) , f6, f4, f2
#else
#define DSP_MM_RAW3(f6, f4, f2)
#endif
const mcu_dsp_mm_raw_asm_t mcu_dsp_mm_raw_sat = {
    MCU_DSP_FAST_SAT DSP_MM_RAW3(dsp_mm6_raw_sat, dsp_mm4_raw_sat, dsp_mm2_raw_sat)};
const mcu_dsp_mm_raw_asm_t mcu_dsp_mm_raw_nofix = {
    MCU_DSP_FAST_SAT_NOFIX
    DSP_MM_RAW3(dsp_mm6_raw_nofix, dsp_mm4_raw_nofix, dsp_mm2_raw_nofix)};
