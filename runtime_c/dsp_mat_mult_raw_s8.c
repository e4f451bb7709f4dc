/*
 * dsp_mat_mult_raw_s8.c - SMLAD matrix-product core over one raw int8 column widened
 * in registers (see dsp_mat_mult_raw_s8.h), for kernels that got no scratch.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * A tile is a block of 8 (or 4) rows x one column: per group of four inputs, 1 LDR and
 * 2 SXTB16 for the column, then per row 1 LDRD and 2 SMLAD: 27 instructions for 32
 * multiply-adds. Eight accumulators, two widened inputs, two weight words and two
 * pointers fill the 14 allocatable registers, which GCC does not manage without
 * spilling in the loop, so on Arm the loop (and the whole MCU_DSP_FAST_SAT block) is
 * written out in assembly; elsewhere it is the C below.
 */
#include "dsp_mat_mult_raw_s8.h"
#include "dsp_mm_common.h"

/* acc += the two weight words at w (post-incremented) times (x02, x13). */
#define DSP_MAC1(w, x02, x13, acc)                                                         \
    {                                                                                      \
        int32_t u0, u1;                                                                    \
        DSP_LD2(w, u0, u1);                                                                \
        acc = mcu_smlad(u0, x02, acc);                                                     \
        acc = mcu_smlad(u1, x13, acc);                                                     \
    }

/* One group of four raw inputs against a block of 4 (or 8) rows. */
#define DSP_RAW_GROUP(xp, w, block)                                                        \
    {                                                                                      \
        const int32_t xw = mcu_read_s8x4(xp);                                              \
        const int32_t x02 = mcu_sxtb16(xw);                                                \
        const int32_t x13 = mcu_sxtb16_ror8(xw);                                           \
        (xp) += 4;                                                                         \
        DSP_MAC1(w, x02, x13, a0)                                                          \
        DSP_MAC1(w, x02, x13, a1)                                                          \
        DSP_MAC1(w, x02, x13, a2)                                                          \
        DSP_MAC1(w, x02, x13, a3)                                                          \
        if ((block) == 8) {                                                                \
            DSP_MAC1(w, x02, x13, a4)                                                      \
            DSP_MAC1(w, x02, x13, a5)                                                      \
            DSP_MAC1(w, x02, x13, a6)                                                      \
            DSP_MAC1(w, x02, x13, a7)                                                      \
        }                                                                                  \
    }

#if MCU_ARM_DSP
/* One group of four raw inputs against 8 rows, in assembly (see DSP_RAW_GROUP). */
#define DSP_RAW8_ASM_GROUP                                                                 \
    "ldr %[x0], [%[xp]], #4\n\t"                                                           \
    "sxtb16 %[x1], %[x0], ror #8\n\t"                                                      \
    "sxtb16 %[x0], %[x0]\n\t"                                                              \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a0], %[u0], %[x0], %[a0]\n\t"                                                 \
    "smlad %[a0], %[u1], %[x1], %[a0]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a1], %[u0], %[x0], %[a1]\n\t"                                                 \
    "smlad %[a1], %[u1], %[x1], %[a1]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a2], %[u0], %[x0], %[a2]\n\t"                                                 \
    "smlad %[a2], %[u1], %[x1], %[a2]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a3], %[u0], %[x0], %[a3]\n\t"                                                 \
    "smlad %[a3], %[u1], %[x1], %[a3]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a4], %[u0], %[x0], %[a4]\n\t"                                                 \
    "smlad %[a4], %[u1], %[x1], %[a4]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a5], %[u0], %[x0], %[a5]\n\t"                                                 \
    "smlad %[a5], %[u1], %[x1], %[a5]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a6], %[u0], %[x0], %[a6]\n\t"                                                 \
    "smlad %[a6], %[u1], %[x1], %[a6]\n\t"                                                 \
    "ldrd %[u0], %[u1], [%[w]], #8\n\t"                                                    \
    "smlad %[a7], %[u0], %[x0], %[a7]\n\t"                                                 \
    "smlad %[a7], %[u1], %[x1], %[a7]\n\t"

/* cnt (>= 1, a local in memory) iterations of two groups of xp against the 8 rows at w,
 * into a0..a7: 58 instructions per 64 multiply-adds. All 14 allocatable registers
 * hold operands, so the trip count stays in memory. Advances xp and w. */
#define DSP_RAW8_LOOP(xp, w, cnt)                                                            \
    {                                                                                      \
        int32_t x0_, x1_, u0_, u1_;                                                        \
        __asm__ volatile("1:\n\t" DSP_RAW8_ASM_GROUP DSP_RAW8_ASM_GROUP                     \
                         "ldr %[u0], %[n]\n\t"                                              \
                         "subs %[u0], %[u0], #1\n\t"                                        \
                         "str %[u0], %[n]\n\t"                                              \
                         "bne 1b\n\t"                                                       \
                         : [xp] "+r"(xp), [w] "+r"(w), [n] "+m"(cnt), [a0] "+r"(a0),       \
                           [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [a4] "+r"(a4),     \
                           [a5] "+r"(a5), [a6] "+r"(a6), [a7] "+r"(a7), [x0] "=&r"(x0_),   \
                           [x1] "=&r"(x1_), [u0] "=&r"(u0_), [u1] "=&r"(u1_)               \
                         :                                                                 \
                         : "cc", "memory");                                                \
    }

/* Output of accumulator a (fast mode, SSAT): trailer (m, R, e) at w, byte at xp. */
#define DSP_RAW8_ASM_OUT(a)                                                                \
    "ldrd %[x0], %[x1], [%[w]], #8\n\t"                                                    \
    "ldr %[u0], [%[w]], #4\n\t"                                                            \
    "smmlar %[x0], %[" a "], %[x0], %[x1]\n\t"                                             \
    "add %[x0], %[x0], %[" a "], asr #31\n\t"                                              \
    "asr %[x0], %[x0], %[u0]\n\t"                                                          \
    "ssat %[x0], #8, %[x0]\n\t"                                                            \
    "strb %[x0], [%[xp]], #1\n\t"

/* n_blocks (>= 1) whole blocks of 8 rows in MCU_DSP_FAST_SAT mode (dsp_raw_block with
 * block 8 and all 8 outputs stored), in assembly: the 8 accumulators stay in
 * registers from a block's start through every segment to the epilogue; loop bounds
 * live in memory. Four groups per iteration (111 instructions per 128 multiply-adds),
 * ended by comparing xp with the segment's end. Returns the stream after the last
 * block. */
static __attribute__((noinline)) const int32_t *dsp_raw8_sat_asm(const int32_t *s,
                                                                 const mcu_dsp_seg_t *segs,
                                                                 int32_t n_segs, int8_t *out,
                                                                 int32_t n_blocks)
{
    const int32_t *w = s;
    const mcu_dsp_seg_t *seg = segs;
    const mcu_dsp_seg_t *const segs0 = segs;
    int32_t n_left = n_segs;
    int32_t blocks = n_blocks;
    int8_t *o = out;
    const int8_t *end;
    int32_t odd;
    const int8_t *xp;
    int32_t a0, a1, a2, a3, a4, a5, a6, a7, x0, x1, u0, u1;
    __asm__ volatile(
        "0:\n\t"
        "ldrd %[a0], %[a1], [%[w]], #8\n\t"
        "ldrd %[a2], %[a3], [%[w]], #8\n\t"
        "ldrd %[a4], %[a5], [%[w]], #8\n\t"
        "ldrd %[a6], %[a7], [%[w]], #8\n\t"
        "2:\n\t"
        "ldr %[u0], %[seg]\n\t"
        "ldrd %[xp], %[u1], [%[u0]], #8\n\t"
        "str %[u0], %[seg]\n\t"
        "str %[u1], %[odd]\n\t"
        "lsrs %[u0], %[u1], #2\n\t"
        "beq 3f\n\t"
        "add %[u0], %[xp], %[u0], lsl #4\n\t"
        "str %[u0], %[end]\n\t"
        "1:\n\t" DSP_RAW8_ASM_GROUP DSP_RAW8_ASM_GROUP DSP_RAW8_ASM_GROUP
        DSP_RAW8_ASM_GROUP
        "ldr %[u0], %[end]\n\t"
        "cmp %[xp], %[u0]\n\t"
        "bne 1b\n\t"
        "3:\n\t"
        /* groups % 4: C = bit 1, Z = !bit 0 (the groups leave the flags alone) */
        "ldr %[u1], %[odd]\n\t"
        "lsls %[u1], %[u1], #31\n\t"
        "bcc 6f\n\t" DSP_RAW8_ASM_GROUP DSP_RAW8_ASM_GROUP
        "6:\n\t"
        "beq 4f\n\t" DSP_RAW8_ASM_GROUP
        "4:\n\t"
        "ldr %[u0], %[n_left]\n\t"
        "subs %[u0], %[u0], #1\n\t"
        "str %[u0], %[n_left]\n\t"
        "bne 2b\n\t"
        "ldr %[xp], %[o]\n\t"
        DSP_RAW8_ASM_OUT("a0") DSP_RAW8_ASM_OUT("a1") DSP_RAW8_ASM_OUT("a2")
        DSP_RAW8_ASM_OUT("a3") DSP_RAW8_ASM_OUT("a4") DSP_RAW8_ASM_OUT("a5")
        DSP_RAW8_ASM_OUT("a6") DSP_RAW8_ASM_OUT("a7")
        /* the next block, from the first segment */
        "str %[xp], %[o]\n\t"
        "ldr %[u0], %[blocks]\n\t"
        "subs %[u0], %[u0], #1\n\t"
        "beq 9f\n\t"
        "str %[u0], %[blocks]\n\t"
        "ldr %[u0], %[segs0]\n\t"
        "str %[u0], %[seg]\n\t"
        "ldr %[u0], %[nsegs0]\n\t"
        "str %[u0], %[n_left]\n\t"
        "b 0b\n\t"
        "9:\n\t"
        : [xp] "=&r"(xp), [w] "+r"(w), [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2),
          [a3] "=&r"(a3), [a4] "=&r"(a4), [a5] "=&r"(a5), [a6] "=&r"(a6), [a7] "=&r"(a7),
          [x0] "=&r"(x0), [x1] "=&r"(x1), [u0] "=&r"(u0), [u1] "=&r"(u1), [seg] "+m"(seg),
          [n_left] "+m"(n_left), [end] "=m"(end), [odd] "=m"(odd), [o] "+m"(o),
          [blocks] "+m"(blocks)
        : [segs0] "m"(segs0), [nsegs0] "m"(n_segs)
        : "cc", "memory");
    return w;
}
#endif

/* One block of 4 or 8 rows against one raw int8 column given as segments
 * (consecutive runs of the dot product's terms); stores the first n_store outputs.
 * Returns the next block. */
DSP_INLINE const int32_t *dsp_raw_block(const mcu_dsp_mm_params_t *p, const int32_t *s,
                                        const mcu_dsp_seg_t *segs, int32_t n_segs,
                                        int8_t *out, int32_t n_store, int mode, int block)
{
    const int32_t lo = p->act_min;
    const int32_t hi = p->act_max;
    const int32_t zp = p->output_offset;
    int32_t acc[8];
    int32_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
    int32_t a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    const int32_t *w = s + block;
    int32_t g, i, j;

    if (block == 8) {
        a4 = s[4];
        a5 = s[5];
        a6 = s[6];
        a7 = s[7];
    }
    for (i = 0; i < n_segs; ++i) {
        const int8_t *xp = segs[i].x;
        const int32_t n = segs[i].groups;
#if MCU_ARM_DSP
        if (block == 8) {
            /* 15 live values: GCC would spill accumulators in the loop */
            int32_t pairs = n >> 1;
            if (pairs > 0) {
                DSP_RAW8_LOOP(xp, w, pairs)
            }
        } else
#endif
        {
            for (g = n >> 1; g > 0; --g) {
                DSP_RAW_GROUP(xp, w, block)
                DSP_RAW_GROUP(xp, w, block)
            }
        }
        if (n & 1) {
            DSP_RAW_GROUP(xp, w, block)
        }
    }
    /* w is at the trailer: three words per row */
    if (n_store == block) {
        out[0] = (int8_t)dsp_out(a0, w, mode, zp, lo, hi);
        out[1] = (int8_t)dsp_out(a1, w + 3, mode, zp, lo, hi);
        out[2] = (int8_t)dsp_out(a2, w + 6, mode, zp, lo, hi);
        out[3] = (int8_t)dsp_out(a3, w + 9, mode, zp, lo, hi);
        if (block == 8) {
            out[4] = (int8_t)dsp_out(a4, w + 12, mode, zp, lo, hi);
            out[5] = (int8_t)dsp_out(a5, w + 15, mode, zp, lo, hi);
            out[6] = (int8_t)dsp_out(a6, w + 18, mode, zp, lo, hi);
            out[7] = (int8_t)dsp_out(a7, w + 21, mode, zp, lo, hi);
        }
    } else {
        acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
        acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
        for (j = 0; j < n_store; ++j) {
            out[j] = (int8_t)dsp_out(acc[j], w + 3 * j, mode, zp, lo, hi);
        }
    }
    return w + 3 * block;
}

typedef const int32_t *(*dsp_raw_block_fn)(const mcu_dsp_mm_params_t *p, const int32_t *s,
                                           const mcu_dsp_seg_t *segs, int32_t n_segs,
                                           int8_t *out, int32_t n_store);

/* One function per (mode, block): small, so the register-hungry loop gets them all. */
#define DSP_RAW_BLOCK_FN(name, mode, block)                                                \
    static const int32_t *name(const mcu_dsp_mm_params_t *p, const int32_t *s,             \
                               const mcu_dsp_seg_t *segs, int32_t n_segs, int8_t *out,     \
                               int32_t n_store)                                            \
    {                                                                                      \
        return dsp_raw_block(p, s, segs, n_segs, out, n_store, mode, block);               \
    }

DSP_RAW_BLOCK_FN(dsp_raw8_sat, MCU_DSP_FAST_SAT, 8)
DSP_RAW_BLOCK_FN(dsp_raw8_clamp, MCU_DSP_FAST_CLAMP, 8)
DSP_RAW_BLOCK_FN(dsp_raw8_generic, MCU_DSP_GENERIC, 8)
DSP_RAW_BLOCK_FN(dsp_raw4_sat, MCU_DSP_FAST_SAT, 4)
DSP_RAW_BLOCK_FN(dsp_raw4_clamp, MCU_DSP_FAST_CLAMP, 4)
DSP_RAW_BLOCK_FN(dsp_raw4_generic, MCU_DSP_GENERIC, 4)

void mcu_dsp_mat_mult_raw_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                             const mcu_dsp_seg_t *segs, int32_t n_segs, int8_t *out)
{
    const mcu_dsp_mm_params_t pc = *p;
    const int32_t block = pc.block == 8 ? 8 : 4;
    dsp_raw_block_fn fn;
    const int32_t *s = stream;
    int32_t r;

    if (block == 8) {
        fn = pc.mode == MCU_DSP_FAST_SAT     ? dsp_raw8_sat
             : pc.mode == MCU_DSP_FAST_CLAMP ? dsp_raw8_clamp
                                             : dsp_raw8_generic;
    } else {
        fn = pc.mode == MCU_DSP_FAST_SAT     ? dsp_raw4_sat
             : pc.mode == MCU_DSP_FAST_CLAMP ? dsp_raw4_clamp
                                             : dsp_raw4_generic;
    }
    r = 0;
#if MCU_ARM_DSP
    if (fn == dsp_raw8_sat && pc.n_out >= 8) {
        /* the whole blocks in assembly, the partial one below */
        s = dsp_raw8_sat_asm(s, segs, n_segs, out, pc.n_out >> 3);
        r = pc.n_out & ~7;
    }
#endif
    for (; r < pc.n_out; r += block) {
        const int32_t left = pc.n_out - r;
        s = fn(&pc, s, segs, n_segs, out + r, left < block ? left : block);
    }
}
