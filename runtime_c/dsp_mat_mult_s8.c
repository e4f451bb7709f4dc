/*
 * dsp_mat_mult_s8.c - SMLAD matrix-product core over int16 columns (see
 * dsp_mat_mult_s8.h for the data layout and the arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * A tile is one row pair x one or two columns: per group of four terms it loads the
 * pair's four weight words (2 LDRD) and each column's two words (1 LDRD), and does
 * 4 SMLAD per column: 12 instructions for 16 multiply-adds with two columns. The tile
 * function is instantiated per (columns, mode) so the inner loop has no branches; on
 * Arm the two-column MCU_DSP_FAST_SAT case is written out in assembly.
 */
#include "dsp_mm_common.h"

#if MCU_ARM_DSP
/* n (>= 1) times four groups of src (LDR: any alignment) into dst (STRD: word
 * aligned), dst post-incremented by `inc` bytes per group. */
#define DSP_WIDEN4_ASM(inc)                                                                \
    __asm__ volatile("1:\n\t"                                                              \
                     "ldr %[x0], [%[src]], #4\n\t"                                         \
                     "ldr %[x1], [%[src]], #4\n\t"                                         \
                     "ldr %[x2], [%[src]], #4\n\t"                                         \
                     "ldr %[x3], [%[src]], #4\n\t"                                         \
                     "sxtb16 %[y0], %[x0], ror #8\n\t"                                     \
                     "sxtb16 %[x0], %[x0]\n\t"                                             \
                     "strd %[x0], %[y0], [%[dst]], #" inc "\n\t"                           \
                     "sxtb16 %[y0], %[x1], ror #8\n\t"                                     \
                     "sxtb16 %[x1], %[x1]\n\t"                                             \
                     "strd %[x1], %[y0], [%[dst]], #" inc "\n\t"                           \
                     "sxtb16 %[y0], %[x2], ror #8\n\t"                                     \
                     "sxtb16 %[x2], %[x2]\n\t"                                             \
                     "strd %[x2], %[y0], [%[dst]], #" inc "\n\t"                           \
                     "sxtb16 %[y0], %[x3], ror #8\n\t"                                     \
                     "sxtb16 %[x3], %[x3]\n\t"                                             \
                     "strd %[x3], %[y0], [%[dst]], #" inc "\n\t"                           \
                     "subs %[n], %[n], #1\n\t"                                             \
                     "bne 1b\n\t"                                                          \
                     : [src] "+r"(src), [dst] "+r"(dst), [n] "+r"(n), [x0] "=&r"(x0),       \
                       [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [y0] "=&r"(y0)       \
                     :                                                                     \
                     : "cc", "memory")
#endif

void mcu_dsp_widen_s8(const int8_t *src, int32_t groups, int32_t stride, int32_t *dst)
{
    int32_t g;
#if MCU_ARM_DSP
    /* 18 instructions per four groups (the C loop takes 9 per group) */
    int32_t n = groups >> 2;
    if (n > 0) {
        int32_t x0, x1, x2, x3, y0;
        if (stride == 4) {
            DSP_WIDEN4_ASM("16");
        } else {
            DSP_WIDEN4_ASM("8");
        }
        groups &= 3;
    }
#endif
    for (g = 0; g < groups; ++g) {
        const int32_t x = mcu_read_s8x4(src);
        dst[0] = mcu_sxtb16(x);
        dst[1] = mcu_sxtb16_ror8(x);
        src += 4;
        dst += stride;
    }
}

#define DSP_STEP(w, c, ncol)                                                               \
    {                                                                                      \
        int32_t wa0, wa1, wb0, wb1, x0, x1;                                                \
        DSP_LD2(w, wa0, wa1);                                                              \
        DSP_LD2(w, wb0, wb1);                                                              \
        DSP_LD2(c, x0, x1);                                                                \
        a0 = mcu_smlad(wa0, x0, a0);                                                       \
        b0 = mcu_smlad(wb0, x0, b0);                                                       \
        a0 = mcu_smlad(wa1, x1, a0);                                                       \
        b0 = mcu_smlad(wb1, x1, b0);                                                       \
        if ((ncol) == 2) {                                                                 \
            DSP_LD2(c, x0, x1);                                                            \
            a1 = mcu_smlad(wa0, x0, a1);                                                   \
            b1 = mcu_smlad(wb0, x0, b1);                                                   \
            a1 = mcu_smlad(wa1, x1, a1);                                                   \
            b1 = mcu_smlad(wb1, x1, b1);                                                   \
        }                                                                                  \
    }

/* Every row pair against one (ncol 1) or two (ncol 2) columns. */
DSP_INLINE void dsp_rows(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                         const int32_t *cols, int8_t *out0, int8_t *out1, int ncol, int mode)
{
    const int32_t groups = p->groups;
    const int32_t n_out = p->n_out;
    const int32_t lo = p->act_min;
    const int32_t hi = p->act_max;
    const int32_t zp = p->output_offset;
    const int32_t *s = stream;
    int32_t r;

    for (r = 0; r < n_out; r += 2) {
        int32_t a0 = s[0], b0 = s[1];
        int32_t a1 = a0, b1 = b0;
        const int32_t *w = s + 2;
        const int32_t *c = cols;
        int32_t g = groups;
        const int has_b = r + 1 < n_out;
        int32_t oa0, ob0, oa1 = 0, ob1 = 0;

        for (; g >= 4; g -= 4) {
            DSP_STEP(w, c, ncol)
            DSP_STEP(w, c, ncol)
            DSP_STEP(w, c, ncol)
            DSP_STEP(w, c, ncol)
        }
        for (; g > 0; --g) {
            DSP_STEP(w, c, ncol)
        }
        /* w is at the trailer: A's three words, then B's */
        if (mode == MCU_DSP_GENERIC) {
            oa0 = dsp_generic(a0, w, zp, lo, hi);
            ob0 = dsp_generic(b0, w + 3, zp, lo, hi);
            if (ncol == 2) {
                oa1 = dsp_generic(a1, w, zp, lo, hi);
                ob1 = dsp_generic(b1, w + 3, zp, lo, hi);
            }
        } else {
            oa0 = dsp_fast(a0, w[0], w[1], w[2], mode, lo, hi);
            ob0 = dsp_fast(b0, w[3], w[4], w[5], mode, lo, hi);
            if (ncol == 2) {
                oa1 = dsp_fast(a1, w[0], w[1], w[2], mode, lo, hi);
                ob1 = dsp_fast(b1, w[3], w[4], w[5], mode, lo, hi);
            }
        }
        out0[r] = (int8_t)oa0;
        if (ncol == 2) {
            out1[r] = (int8_t)oa1;
        }
        if (has_b) {
            out0[r + 1] = (int8_t)ob0;
            if (ncol == 2) {
                out1[r + 1] = (int8_t)ob1;
            }
        }
        s = w + 6;
    }
}

#if MCU_ARM_DSP
/* One group of two columns against a row pair (see DSP_STEP), in assembly. */
#define DSP_MM2_ASM_STEP                                                                   \
    "ldrd %[wa0], %[wa1], [%[w]], #8\n\t"                                                  \
    "ldrd %[wb0], %[wb1], [%[w]], #8\n\t"                                                  \
    "ldrd %[x0], %[x1], [%[c]], #8\n\t"                                                    \
    "smlad %[a0], %[wa0], %[x0], %[a0]\n\t"                                                \
    "smlad %[b0], %[wb0], %[x0], %[b0]\n\t"                                                \
    "smlad %[a0], %[wa1], %[x1], %[a0]\n\t"                                                \
    "smlad %[b0], %[wb1], %[x1], %[b0]\n\t"                                                \
    "ldrd %[x0], %[x1], [%[c]], #8\n\t"                                                    \
    "smlad %[a1], %[wa0], %[x0], %[a1]\n\t"                                                \
    "smlad %[b1], %[wb0], %[x0], %[b1]\n\t"                                                \
    "smlad %[a1], %[wa1], %[x1], %[a1]\n\t"                                                \
    "smlad %[b1], %[wb1], %[x1], %[b1]\n\t"

/* Fast-mode output of accumulator acc (trailer m in x0, R in x1, e in wa0), SSAT, one
 * byte stored at [ptr], ptr += 1. */
#define DSP_MM2_ASM_OUT(acc, ptr)                                                          \
    "smmlar %[wa1], %[" acc "], %[x0], %[x1]\n\t"                                          \
    "add %[wa1], %[wa1], %[" acc "], asr #31\n\t"                                          \
    "asr %[wa1], %[wa1], %[wa0]\n\t"                                                       \
    "ssat %[wa1], #8, %[wa1]\n\t"                                                          \
    "strb %[wa1], [%[" ptr "]], #1\n\t"

/* `pairs` (>= 1) row pairs x two interleaved columns in MCU_DSP_FAST_SAT mode (what
 * dsp_rows does with two columns), in assembly: 12 instructions per 16 multiply-adds
 * and 26 for the four outputs of a pair. Returns the stream after the last pair. */
static __attribute__((noinline)) const int32_t *dsp_mm2_sat_asm(const int32_t *s,
                                                                const int32_t *cols,
                                                                int32_t groups, int32_t pairs,
                                                                int8_t *out0, int8_t *out1)
{
    const int32_t *w = s;
    const int32_t *cm = cols;
    int32_t g4 = groups >> 2, g1 = groups & 3, left = pairs;
    int8_t *o0 = out0, *o1 = out1;
    const int32_t *c;
    int32_t a0, b0, a1, b1, wa0, wa1, wb0, wb1, x0, x1, n;
    __asm__ volatile(
        "5:\n\t"
        "ldrd %[a0], %[b0], [%[w]], #8\n\t"
        "mov %[a1], %[a0]\n\t"
        "mov %[b1], %[b0]\n\t"
        "ldr %[c], %[cm]\n\t"
        "ldr %[n], %[g4]\n\t"
        "cmp %[n], #0\n\t"
        "beq 2f\n\t"
        "1:\n\t" DSP_MM2_ASM_STEP DSP_MM2_ASM_STEP DSP_MM2_ASM_STEP DSP_MM2_ASM_STEP
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "2:\n\t"
        /* groups % 4: C = bit 1, Z = !bit 0 (the steps leave the flags alone) */
        "ldr %[n], %[g1]\n\t"
        "lsls %[n], %[n], #31\n\t"
        "bcc 3f\n\t" DSP_MM2_ASM_STEP DSP_MM2_ASM_STEP
        "3:\n\t"
        "beq 4f\n\t" DSP_MM2_ASM_STEP
        "4:\n\t"
        "ldr %[c], %[o0]\n\t"
        "ldr %[n], %[o1]\n\t"
        "ldrd %[x0], %[x1], [%[w]], #8\n\t"
        "ldr %[wa0], [%[w]], #4\n\t"
        DSP_MM2_ASM_OUT("a0", "c") DSP_MM2_ASM_OUT("a1", "n")
        "ldrd %[x0], %[x1], [%[w]], #8\n\t"
        "ldr %[wa0], [%[w]], #4\n\t"
        DSP_MM2_ASM_OUT("b0", "c") DSP_MM2_ASM_OUT("b1", "n")
        "str %[c], %[o0]\n\t"
        "str %[n], %[o1]\n\t"
        "ldr %[n], %[left]\n\t"
        "subs %[n], %[n], #1\n\t"
        "str %[n], %[left]\n\t"
        "bne 5b\n\t"
        : [w] "+r"(w), [c] "=&r"(c), [n] "=&r"(n), [a0] "=&r"(a0), [b0] "=&r"(b0),
          [a1] "=&r"(a1), [b1] "=&r"(b1), [wa0] "=&r"(wa0), [wa1] "=&r"(wa1),
          [wb0] "=&r"(wb0), [wb1] "=&r"(wb1), [x0] "=&r"(x0), [x1] "=&r"(x1),
          [left] "+m"(left), [o0] "+m"(o0), [o1] "+m"(o1)
        : [cm] "m"(cm), [g4] "m"(g4), [g1] "m"(g1)
        : "cc", "memory");
    return w;
}
#endif

void mcu_dsp_mat_mult_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                         const int32_t *cols, int two_cols, int8_t *out0, int8_t *out1)
{
    mcu_dsp_mm_params_t pc = *p;
#if MCU_ARM_DSP
    if (two_cols && pc.mode == MCU_DSP_FAST_SAT && pc.n_out >= 2) {
        const int32_t pairs = pc.n_out >> 1;
        stream = dsp_mm2_sat_asm(stream, cols, pc.groups, pairs, out0, out1);
        if ((pc.n_out & 1) == 0) {
            return;
        }
        /* the last, single row: below */
        out0 += 2 * pairs;
        out1 += 2 * pairs;
        pc.n_out = 1;
    }
#endif
    if (two_cols) {
        switch (pc.mode) {
        case MCU_DSP_FAST_SAT:
            dsp_rows(&pc, stream, cols, out0, out1, 2, MCU_DSP_FAST_SAT);
            break;
        case MCU_DSP_FAST_CLAMP:
            dsp_rows(&pc, stream, cols, out0, out1, 2, MCU_DSP_FAST_CLAMP);
            break;
        default:
            dsp_rows(&pc, stream, cols, out0, out1, 2, MCU_DSP_GENERIC);
            break;
        }
    } else {
        switch (pc.mode) {
        case MCU_DSP_FAST_SAT:
            dsp_rows(&pc, stream, cols, out0, out0, 1, MCU_DSP_FAST_SAT);
            break;
        case MCU_DSP_FAST_CLAMP:
            dsp_rows(&pc, stream, cols, out0, out0, 1, MCU_DSP_FAST_CLAMP);
            break;
        default:
            dsp_rows(&pc, stream, cols, out0, out0, 1, MCU_DSP_GENERIC);
            break;
        }
    }
}
