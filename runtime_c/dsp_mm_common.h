/*
 * dsp_mm_common.h - the pieces the DSP matrix-product kernels share (dsp_mat_mult_s8.c,
 * dsp_mat_mult_raw_s8.c): the requantizing tails of the stream's modes, a paired load,
 * the plain C block (any platform, any mode), the assembly of the Arm SSAT-mode block
 * loops and the objects that hold each tail's functions. See dsp_mat_mult_s8.h for the
 * stream and the arithmetic.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_MM_COMMON_H
#define MCU_DSP_MM_COMMON_H

#include <stdint.h>

#include "dsp_mat_mult_raw_s8.h"
#include "dsp_mat_mult_s8.h"
#include "mcu_arm_dsp.h"
#include "mcu_requant.h"

#if defined(__GNUC__)
#define DSP_INLINE static inline __attribute__((always_inline))
#else
#define DSP_INLINE static inline
#endif

/* Output of a fast-mode accumulator x2 = 2 * acc_ref (trailer m, R, e). */
DSP_INLINE int32_t dsp_fast(int32_t x2, int32_t m, int32_t r, int32_t e, int mode,
                            int32_t lo, int32_t hi)
{
    int32_t v = mcu_smmlar(x2, m, r);
    if (mode != MCU_DSP_FAST_SAT_NOFIX) {
        v += mcu_asr_s32(x2, 31); /* the sign fix (see dsp_mat_mult_s8.h) */
    }
    v = mcu_asr_s32(v, e);
    if (mode == MCU_DSP_FAST_SAT || mode == MCU_DSP_FAST_SAT_NOFIX) {
        return mcu_ssat(v, 8);
    }
    return mcu_clamp_s32(v, lo, hi);
}

/* Output of a generic-mode accumulator (trailer mult, shift). */
DSP_INLINE int32_t dsp_generic(int32_t acc, const int32_t *t, int32_t zp, int32_t lo,
                               int32_t hi)
{
    mcu_requant_t q;
    mcu_requant_prepare(t[0], t[1], &q);
    return mcu_clamp_s32(mcu_add_wrap_s32(mcu_requant_apply(acc, &q), zp), lo, hi);
}

/* Two words from p, then p += 2 (one LDRD with post-increment on Arm; GCC 12 does not
 * pair the loads itself). p must be 4-byte aligned. */
#if MCU_ARM_DSP
#define DSP_LD2(p, a, b)                                                                   \
    __asm__("ldrd %0, %1, [%2], #8"                                                        \
            : "=r"(a), "=r"(b), "+r"(p)                                                    \
            : "m"(*(const int32_t(*)[2])(p)))
#else
#define DSP_LD2(p, a, b) ((a) = (p)[0], (b) = (p)[1], (p) += 2)
#endif

/* Output of one accumulator with its 3-word trailer t. */
DSP_INLINE int32_t dsp_out(int32_t acc, const int32_t *t, int mode, int32_t zp, int32_t lo,
                           int32_t hi)
{
    if (mode == MCU_DSP_GENERIC) {
        return dsp_generic(acc, t, zp, lo, hi);
    }
    return dsp_fast(acc, t[0], t[1], t[2], mode, lo, hi);
}

/* Rows in the block of the stream that starts at row r (see dsp_mat_mult_s8.h). */
DSP_INLINE int32_t dsp_block_rows(int32_t n_out, int32_t r)
{
    const int32_t left = n_out - r;
    return left >= MCU_DSP_BLOCK ? MCU_DSP_BLOCK : (left + 1) & ~1;
}

/* The group's weights of a block of nb (2, 4 or 6) rows at w (advanced) times the
 * widened inputs (x02, x13), into a0..a5. */
#define DSP_ROWS(nb, w, x02, x13)                                                          \
    {                                                                                      \
        int32_t u0, u1;                                                                    \
        DSP_LD2(w, u0, u1);                                                                \
        a0 = mcu_smlad(u0, x02, a0);                                                       \
        a0 = mcu_smlad(u1, x13, a0);                                                       \
        DSP_LD2(w, u0, u1);                                                                \
        a1 = mcu_smlad(u0, x02, a1);                                                       \
        a1 = mcu_smlad(u1, x13, a1);                                                       \
        if ((nb) > 2) {                                                                    \
            DSP_LD2(w, u0, u1);                                                            \
            a2 = mcu_smlad(u0, x02, a2);                                                   \
            a2 = mcu_smlad(u1, x13, a2);                                                   \
            DSP_LD2(w, u0, u1);                                                            \
            a3 = mcu_smlad(u0, x02, a3);                                                   \
            a3 = mcu_smlad(u1, x13, a3);                                                   \
        }                                                                                  \
        if ((nb) > 4) {                                                                    \
            DSP_LD2(w, u0, u1);                                                            \
            a4 = mcu_smlad(u0, x02, a4);                                                   \
            a4 = mcu_smlad(u1, x13, a4);                                                   \
            DSP_LD2(w, u0, u1);                                                            \
            a5 = mcu_smlad(u0, x02, a5);                                                   \
            a5 = mcu_smlad(u1, x13, a5);                                                   \
        }                                                                                  \
    }

/* Accumulators a0..a(nb-1) of a block from its head at s; w = its first group. */
#define DSP_BLOCK_START(s, nb)                                                             \
    int32_t a0 = (s)[0], a1 = (s)[1], a2 = 0, a3 = 0, a4 = 0, a5 = 0;                      \
    const int32_t *w = (s) + (nb);                                                         \
    if ((nb) > 2) {                                                                        \
        a2 = (s)[2];                                                                       \
        a3 = (s)[3];                                                                       \
    }                                                                                      \
    if ((nb) > 4) {                                                                        \
        a4 = (s)[4];                                                                       \
        a5 = (s)[5];                                                                       \
    }

/* The first n_store outputs of a block of nb rows (accumulators a0..a5, w at the
 * trailer); returns the next block. */
DSP_INLINE const int32_t *dsp_block_out(const mcu_dsp_mm_params_t *p, const int32_t *w,
                                        int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                        int32_t a4, int32_t a5, int8_t *out, int32_t n_store,
                                        int32_t nb)
{
    int32_t acc[6];
    int32_t j;
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5;
    for (j = 0; j < n_store; ++j) {
        out[j] = (int8_t)dsp_out(acc[j], w + 3 * j, p->mode, p->output_offset, p->act_min,
                                 p->act_max);
    }
    return w + 3 * nb;
}

#if MCU_ARM_DSP
/*
 * Assembly of the SSAT modes' block loops, for naked functions (AAPCS; see
 * DSP_MM_ASM_FN): the accumulators of a block of nb = 6, 4 or 2 rows in r2..r7, the
 * stream pointer in r0, the column pointer in r1, the widened inputs in r8 (x02) and
 * r9 (x13), two rows' weight words of a group in r10, r11, r12, lr (one LDM).
 */
/* The naked functions' attributes. aligned(4): their ADR of a local label is resolved by
 * the assembler from the label's offset in the section, and ADR adds to Align(PC, 4), so
 * it is exact only when the function starts on a 4-byte boundary; GCC aligns functions
 * to 2 bytes at -Os, where the computed loop entry then landed mid-instruction. */
#define DSP_NAKED __attribute__((naked, noinline, aligned(4)))

/* A parameter of a naked function (read by its assembly only). */
#define DSP_NAKED_ARG __attribute__((unused))

/* The weights of one group of two rows (accumulators a, b) against x02 and x13. */
#define DSP_MM_ASM_W2(a, b)                                                                \
    "ldmia r0!, {r10, r11, r12, lr}\n\t"                                                   \
    "smlad " a ", r10, r8, " a "\n\t"                                                      \
    "smlad " a ", r11, r9, " a "\n\t"                                                      \
    "smlad " b ", r12, r8, " b "\n\t"                                                      \
    "smlad " b ", lr, r9, " b "\n\t"
#define DSP_MM_ASM_W_2 DSP_MM_ASM_W2("r2", "r3")
#define DSP_MM_ASM_W_4 DSP_MM_ASM_W_2 DSP_MM_ASM_W2("r4", "r5")
#define DSP_MM_ASM_W_6 DSP_MM_ASM_W_4 DSP_MM_ASM_W2("r6", "r7")

/* The accumulators' start: one LDM. */
#define DSP_MM_ASM_HEAD_2 "ldmia r0!, {r2, r3}\n\t"
#define DSP_MM_ASM_HEAD_4 "ldmia r0!, {r2, r3, r4, r5}\n\t"
#define DSP_MM_ASM_HEAD_6 "ldmia r0!, {r2, r3, r4, r5, r6, r7}\n\t"

/* The sign fix of accumulator a into the SMMLAR result in register r
 * (MCU_DSP_FAST_SAT), and its absence (MCU_DSP_FAST_SAT_NOFIX: see dsp_mat_mult_s8.h). */
#define DSP_MM_ASM_FIX(a, r) "add " r ", " r ", " a ", asr #31\n\t"
#define DSP_MM_ASM_NOFIX(a, r) ""

/* Outputs of accumulators a and b (fast mode, SSAT; `fix`: DSP_MM_ASM_FIX or
 * DSP_MM_ASM_NOFIX): their trailers (m, R, e) loaded with one LDM, one byte each stored
 * at r1 (post-incremented). */
#define DSP_MM_ASM_OUT2(a, b, fix)                                                         \
    "ldmia r0!, {r8, r9, r10, r11, r12, lr}\n\t"                                           \
    "smmlar r8, " a ", r8, r9\n\t" fix(a, "r8")                                            \
    "asr r8, r8, r10\n\t"                                                                  \
    "ssat r8, #8, r8\n\t"                                                                  \
    "strb r8, [r1], #1\n\t"                                                                \
    "smmlar r11, " b ", r11, r12\n\t" fix(b, "r11")                                        \
    "asr r11, r11, lr\n\t"                                                                 \
    "ssat r11, #8, r11\n\t"                                                                \
    "strb r11, [r1], #1\n\t"
#define DSP_MM_ASM_OUT_2(fix) DSP_MM_ASM_OUT2("r2", "r3", fix)
#define DSP_MM_ASM_OUT_4(fix) DSP_MM_ASM_OUT_2(fix) DSP_MM_ASM_OUT2("r4", "r5", fix)
#define DSP_MM_ASM_OUT_6(fix) DSP_MM_ASM_OUT_4(fix) DSP_MM_ASM_OUT2("r6", "r7", fix)

/* The code of one group of nb rows is 10 * nb bytes after the input load (4 bytes: LDRD
 * of a widened column; 12: LDR + 2 SXTB16 of a raw one): every instruction in it is
 * 32-bit (LDM of high registers, SMLAD, SXTB16, LDRD, post-indexed LDR), which the
 * computed loop entry relies on. */

/* The loop's entry for a run of n (register, >= 1) groups, into register dst: base
 * (register: the address of label 1 with the Thumb bit set) + ((-n) % 4) groups of
 * `bytes`, so that whole passes follow (a Duff's device). Uses registers t and u. */
#define DSP_MM_ASM_ENTRY(dst, base, n, t, u, bytes)                                        \
    DSP_MM_ASM_ENTRY_N(dst, base, n, t, u, bytes, "3")
/* The same for a loop of (mask + 1) groups a pass. */
#define DSP_MM_ASM_ENTRY_N(dst, base, n, t, u, bytes, mask)                                \
    "rsb " t ", " n ", #0\n\t"                                                              \
    "and " t ", " t ", #" mask "\n\t"                                                       \
    "mov " u ", #" bytes "\n\t"                                                             \
    "mla " dst ", " t ", " u ", " base "\n\t"

/* The address of label 1 (forward) with the Thumb bit set, into register dst. */
#define DSP_MM_ASM_LOOP_BASE(dst)                                                          \
    "adr " dst ", 1f\n\t"                                                                  \
    "orr " dst ", " dst ", #1\n\t"

/* The four-group loop at local label `label` (entered through DSP_MM_ASM_ENTRY), until
 * r1 reaches [sp, #end]. */
#define DSP_MM_ASM_LOOP_AT(label, group, end)                                              \
    label ":\n\t" group group group group                                                  \
    "ldr r10, [sp, #" end "]\n\t"                                                          \
    "cmp r1, r10\n\t"                                                                      \
    "bne " label "b\n\t"
#define DSP_MM_ASM_LOOP(group, end) DSP_MM_ASM_LOOP_AT("1", group, end)
/* The same with eight groups a pass (entered through DSP_MM_ASM_ENTRY_N, mask 7). */
#define DSP_MM_ASM_LOOP8_AT(label, group, end)                                             \
    DSP_MM_ASM_LOOP_AT(label, group group, end)

/* The address of local label `label` (forward) with the Thumb bit set, into dst. */
#define DSP_MM_ASM_LABEL_ADDR(dst, label)                                                  \
    "adr " dst ", " label "f\n\t"                                                          \
    "orr " dst ", " dst ", #1\n\t"

/* The job of dsp_mm_cols_* (word offsets fixed: the assembly reads it with LDM). */
typedef struct {
    const int32_t *stream;
    const int8_t *x;
    int32_t x_step;
    int32_t n_cols;
    int32_t *col;
    int32_t groups;
    int8_t *out;
    int32_t n_out;
} dsp_mm_cols_job_t;

typedef const int32_t *(*dsp_mm_col_asm_fn)(const int32_t *s, const int32_t *col,
                                            int32_t groups, int8_t *out, int32_t n_blocks);
typedef const int32_t *(*dsp_mm_raw_asm_fn)(const int32_t *s, const mcu_dsp_seg_t *segs,
                                            int32_t n_segs, int8_t *out, int32_t n_blocks);
typedef void (*dsp_mm_cols_asm_fn)(const dsp_mm_cols_job_t *j);
#endif

/* The assembly of one SSAT tail (see mcu_dsp_mm_params_t): blocks of 6, 4 and 2 rows
 * against a widened column, against a raw one, a column loop; off Arm only the mode. */
struct mcu_dsp_mm_col_asm {
    int32_t mode; /* MCU_DSP_FAST_SAT or MCU_DSP_FAST_SAT_NOFIX */
#if MCU_ARM_DSP
    dsp_mm_col_asm_fn b6, b4, b2;
#endif
};
struct mcu_dsp_mm_raw_asm {
    int32_t mode;
#if MCU_ARM_DSP
    dsp_mm_raw_asm_fn b6, b4, b2;
#endif
};
struct mcu_dsp_mm_cols_asm {
    int32_t mode;
    int32_t frame; /* 1: the column in the loop's frame (groups <= 32, col unused) */
#if MCU_ARM_DSP
    dsp_mm_cols_asm_fn fn;
#endif
};

#endif /* MCU_DSP_MM_COMMON_H */
