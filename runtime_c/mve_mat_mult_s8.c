/*
 * mve_mat_mult_s8.c - int8 matrix products with MVE (see mve_mat_mult_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Method: 2 rows x 4 output channels per pass. Each block of 16 taps loads the 16 input
 * bytes of both rows once and the 4 x 16 weight bytes with one walking pointer, then
 * 8 VMLADAVA.S8: 128 multiply-accumulates in 16 instructions. The last k % 16 taps use
 * zeroing tail-predicated loads of the rows (nothing is read past a row); the weights
 * are zero padded. The folded biases are added to the sums (modulo 2^32), which are
 * requantized 4 at a time (mve_requant.h). Rows of at most 16 values stay in registers
 * for every group of channels of a pair. VMLADAVA accumulates only in even registers
 * (r0, r2, ..., r14), and
 * with 8 sums GCC's own allocation inserts register moves into the loop and spills
 * around it, so the loop over groups of 4 channels and pairs of rows is a function in
 * assembly (mcu_mve_mm_groups_s8, GNU syntax); a partial last group of channels runs in
 * C (mve_mm_rest: its dot products in inline assembly with GCC's even-register "Te"
 * constraint) and is stored under a predicate.
 */
#include <stddef.h>

#include "mve_mat_mult_s8.h"
#include "mve_requant.h"

/* Rows a0..a3 (column va) and b0..b3 (column vb) += one group of 16 terms times the
 * four weight rows at w, which then moves past them. */
#define MVE_MM_GROUP(va, vb)                                                           \
    do {                                                                               \
        int8x16_t vw_ = vldrbq_s8(w);                                                  \
        a0 = vmladavaq_s8(a0, (va), vw_);                                              \
        b0 = vmladavaq_s8(b0, (vb), vw_);                                              \
        vw_ = vldrbq_s8(w + 16);                                                       \
        a1 = vmladavaq_s8(a1, (va), vw_);                                              \
        b1 = vmladavaq_s8(b1, (vb), vw_);                                              \
        vw_ = vldrbq_s8(w + 32);                                                       \
        a2 = vmladavaq_s8(a2, (va), vw_);                                              \
        b2 = vmladavaq_s8(b2, (vb), vw_);                                              \
        vw_ = vldrbq_s8(w + 48);                                                       \
        a3 = vmladavaq_s8(a3, (va), vw_);                                              \
        b3 = vmladavaq_s8(b3, (vb), vw_);                                              \
        w += 64;                                                                       \
    } while (0)

/* Channels [c0, n_out) in C with intrinsics (used for the last, partial group). */
static void mve_mm_rest(const mcu_mve_mm_t *m, int32_t c0, const int8_t *x0, const int8_t *x1,
                        int8_t *out0, int8_t *out1)
{
    /* locals: the int8 output stores may alias anything reached through m */
    const int8_t *w = m->weights + (size_t)c0 * (size_t)(((m->k + 15) >> 4) << 4);
    const int32_t *q = m->quant + (size_t)c0 * 4u;
    const int32_t k = m->k;
    const int32_t n_out = m->n_out;
    const int32_t output_offset = m->output_offset;
    const int32_t general = m->general;
    const int32x4_t lo = vdupq_n_s32(m->act_min);
    const int32x4_t hi = vdupq_n_s32(m->act_max);
    const int32_t full = k >> 4;
    const int32_t tail = k & 15;
    int32_t c;

    for (c = c0; c < n_out; c += 4, q += 16) {
        const int8_t *xa = x0;
        const int8_t *xb = x1;
        int32_t n = full;
        int32_t a0 = q[4], a1 = q[5], a2 = q[6], a3 = q[7];
        int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3;

#if defined(__OPTIMIZE__)
        /* 12 register operands, 8 of them even: at -O0 GCC cannot allocate them (r7 is
         * the frame pointer), so unoptimized builds take the intrinsics loop below. */
        if (n != 0) {
            __asm__ volatile(
                "1:\n\t"
                "vldrb.8 q0, [%[xa]], #16\n\t"
                "vldrb.8 q2, [%[w]], #16\n\t"
                "vldrb.8 q1, [%[xb]], #16\n\t"
                "vmladava.s8 %[a0], q0, q2\n\t"
                "vldrb.8 q3, [%[w]], #16\n\t"
                "vmladava.s8 %[b0], q1, q2\n\t"
                "vmladava.s8 %[a1], q0, q3\n\t"
                "vldrb.8 q2, [%[w]], #16\n\t"
                "vmladava.s8 %[b1], q1, q3\n\t"
                "vmladava.s8 %[a2], q0, q2\n\t"
                "vldrb.8 q3, [%[w]], #16\n\t"
                "vmladava.s8 %[b2], q1, q2\n\t"
                "subs %[n], %[n], #1\n\t"
                "vmladava.s8 %[a3], q0, q3\n\t"
                "vmladava.s8 %[b3], q1, q3\n\t"
                "bne 1b\n"
                : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3),
                  [b0] "+Te"(b0), [b1] "+Te"(b1), [b2] "+Te"(b2), [b3] "+Te"(b3),
                  [xa] "+r"(xa), [xb] "+r"(xb), [w] "+r"(w), [n] "+r"(n)
                :
                : "q0", "q1", "q2", "q3", "cc", "memory");
        }
#else
        for (; n != 0; --n) {
            const int8x16_t va = vldrbq_s8(xa);
            const int8x16_t vb = vldrbq_s8(xb);
            MVE_MM_GROUP(va, vb);
            xa += 16;
            xb += 16;
        }
#endif
        if (tail != 0) {
            /* zeroing predicated loads: lanes past the row read nothing and give 0 */
            const mve_pred16_t tp = vctp8q((uint32_t)tail);
            const int8x16_t va = vldrbq_z_s8(xa, tp);
            const int8x16_t vb = vldrbq_z_s8(xb, tp);
            MVE_MM_GROUP(va, vb);
        }
        {
            const int32x4_t vmult = vldrwq_s32(q + 8);
            const int32x4_t vright = vldrwq_s32(q);
            int32x4_t ra = mcu_mve_vec4(a0, a1, a2, a3);
            int32x4_t rb = mcu_mve_vec4(b0, b1, b2, b3);
            if (general) {
                const int32x4_t vleft = vldrwq_s32(q + 12);
                ra = mcu_mve_requant(ra, vleft, vmult, vright, output_offset, lo, hi);
                rb = mcu_mve_requant(rb, vleft, vmult, vright, output_offset, lo, hi);
            } else {
                ra = mcu_mve_requant_right(ra, vmult, vright, output_offset, lo, hi);
                rb = mcu_mve_requant_right(rb, vmult, vright, output_offset, lo, hi);
            }
            if (n_out - c >= 4) {
                vstrbq_s32(out1 + c, rb);
                vstrbq_s32(out0 + c, ra);
            } else {
                const mve_pred16_t p = vctp32q((uint32_t)(n_out - c));
                vstrbq_p_s32(out1 + c, rb, p);
                vstrbq_p_s32(out0 + c, ra, p);
            }
        }
    }
}

/* What the assembly loop reads and updates (offsets fixed, checked below). */
typedef struct {
    const int8_t *x0, *x1;      /*  0,  4: the two rows of the current pair (advanced) */
    int8_t *o0, *o1;            /*  8, 12: outputs of the next group (advanced)        */
    int32_t full;               /* 16: (k >> 4) - 1, read when k > 16                    */
    int32_t tail;               /* 20: k & 15                                           */
    const int32_t *quant_end;   /* 24: quant + 16 * n_groups: the end of a pair         */
    int32_t output_offset;      /* 28                                                   */
    int32_t spare;              /* 32: k, read by the k <= 16 loop only                 */
    int32_t act_min, act_max;   /* 36, 40                                               */
    int32_t n_groups;           /* 44: groups per pair                                  */
    int32_t pairs;              /* 48: pairs left (>= 1)                                */
    int32_t x_step;             /* 52: added to x0 and x1 after each pair               */
    int32_t o_step;             /* 56: added to o0 and o1 after each pair               */
    const int8_t *weights;      /* 60                                                   */
    const int32_t *quant;       /* 64                                                   */
} mve_mm_ctx_t;

typedef char mve_mm_ctx_layout_check[(offsetof(mve_mm_ctx_t, quant) == 64 &&
                                      sizeof(void *) == 4) ? 1 : -1];

/* ctx->pairs pairs of rows, every full group of 4 channels (n_groups >= 1) of each:
 * k > 16 (ctx->full >= 1) with a tail (k % 16 != 0) or without, or k <= 16 (_small_);
 * shifts all < 0 (_fast_: the shorter requantization of mve_requant.h) or any. */
void mcu_mve_mm_groups_s8(mve_mm_ctx_t *ctx);
void mcu_mve_mm_groups_fast_s8(mve_mm_ctx_t *ctx);
void mcu_mve_mm_groups_notail_s8(mve_mm_ctx_t *ctx);
void mcu_mve_mm_groups_fast_notail_s8(mve_mm_ctx_t *ctx);
void mcu_mve_mm_small_s8(mve_mm_ctx_t *ctx);
void mcu_mve_mm_small_fast_s8(mve_mm_ctx_t *ctx);

/*
 * The loop over pairs of rows and groups of 4 channels in assembly. Registers (AAPCS:
 * r4-r11, lr and d8-d15 are saved): the 8 sums in the even registers r0 r2 r4 r6 r8 r10
 * r12 lr (VMLADAV's only choice; a0..a3 row a, b0..b3 row b), r3 row a, r5 row b, r7
 * the weights, r9 the quant, r11 the context, r1 the block count and a temp; q4/q5 the
 * clamp, q6/q7 requantization temps. The sums start at zero (the first block's VMLADAV)
 * and the folded biases are added as a vector, modulo 2^32 like every other sum, so
 * the int32 values are those of mve_mm_rest. After the first block of 16 taps the
 * others go two per loop pass after an odd one (ctx->full holds the block count - 1).
 * With k <= 16 (_small_) both rows of a pair stay in q0/q1 for every group (loaded
 * once per pair under the predicate of k = ctx->spare; lanes past k meet zero weights).
 * The last quant load (neg_right, at offset 0) steps r9 to the next group.
 */
#define MVE_MM_BLOCK(OP) \
    "    vldrb.8 q0, [r3], #16\n" \
    "    vldrb.8 q2, [r7], #16\n" \
    "    vldrb.8 q1, [r5], #16\n" \
    "    " OP " r0, q0, q2\n" \
    "    vldrb.8 q3, [r7], #16\n" \
    "    " OP " r8, q1, q2\n" \
    "    " OP " r2, q0, q3\n" \
    "    vldrb.8 q2, [r7], #16\n" \
    "    " OP " r10, q1, q3\n" \
    "    " OP " r4, q0, q2\n" \
    "    vldrb.8 q3, [r7], #16\n" \
    "    " OP " r12, q1, q2\n" \
    "    " OP " r6, q0, q3\n" \
    "    " OP " lr, q1, q3\n" \

#define MVE_MM_ENTRY \
    "    push {r4-r11, lr}\n" \
    "    vpush {d8-d15}\n" \
    "    mov r11, r0\n" \
    "    ldr r0, [r11, #36]\n" \
    "    vdup.32 q4, r0\n" \
    "    ldr r0, [r11, #40]\n" \
    "    vdup.32 q5, r0\n" \

#define MVE_MM_PAIR \
    "0:\n" \
    "    ldr r7, [r11, #60]\n" \
    "    ldr r9, [r11, #64]\n" \

#define MVE_MM_KBLOCKS \
    "1:\n" \
    "    ldrd r3, r5, [r11]\n" \
    "    ldr r1, [r11, #16]\n" \
    MVE_MM_BLOCK("vmladav.s8") \
    "    lsrs r1, r1, #1\n" \
    "    bcc 2f\n" \
    MVE_MM_BLOCK("vmladava.s8") \
    "2:\n" \
    "    cbz r1, 3f\n" \
    "6:\n" \
    MVE_MM_BLOCK("vmladava.s8") \
    MVE_MM_BLOCK("vmladava.s8") \
    "    subs r1, r1, #1\n" \
    "    bne 6b\n" \
    "3:\n" \

#define MVE_MM_TAIL \
    "    ldr r1, [r11, #20]\n" \
    "    vctp.8 r1\n" \
    "    vpstt\n" \
    "    vldrbt.8 q0, [r3]\n" \
    "    vldrbt.8 q1, [r5]\n" \
    "    vldrb.8 q2, [r7], #16\n" \
    "    vldrb.8 q3, [r7], #16\n" \
    "    vmladava.s8 r0, q0, q2\n" \
    "    vmladava.s8 r8, q1, q2\n" \
    "    vldrb.8 q2, [r7], #16\n" \
    "    vmladava.s8 r2, q0, q3\n" \
    "    vmladava.s8 r10, q1, q3\n" \
    "    vldrb.8 q3, [r7], #16\n" \
    "    vmladava.s8 r4, q0, q2\n" \
    "    vmladava.s8 r12, q1, q2\n" \
    "    vmladava.s8 r6, q0, q3\n" \
    "    vmladava.s8 lr, q1, q3\n" \

#define MVE_MM_SMALL_PAIR \
    "0:\n" \
    "    ldrd r3, r5, [r11]\n" \
    "    ldr r1, [r11, #32]\n" \
    "    vctp.8 r1\n" \
    "    vpstt\n" \
    "    vldrbt.8 q0, [r3]\n" \
    "    vldrbt.8 q1, [r5]\n" \
    "    ldrd r3, r5, [r11, #8]\n" \
    "    ldr r7, [r11, #60]\n" \
    "    ldr r9, [r11, #64]\n" \

#define MVE_MM_SMALL_BLOCK \
    "1:\n" \
    "    vldrb.8 q2, [r7], #16\n" \
    "    vmladav.s8 r0, q0, q2\n" \
    "    vmladav.s8 r8, q1, q2\n" \
    "    vldrb.8 q3, [r7], #16\n" \
    "    vmladav.s8 r2, q0, q3\n" \
    "    vmladav.s8 r10, q1, q3\n" \
    "    vldrb.8 q2, [r7], #16\n" \
    "    vmladav.s8 r4, q0, q2\n" \
    "    vmladav.s8 r12, q1, q2\n" \
    "    vldrb.8 q3, [r7], #16\n" \
    "    vmladav.s8 r6, q0, q3\n" \
    "    vmladav.s8 lr, q1, q3\n" \

/* the sums into q2 (row a) and q3 (row b), plus the folded biases */
#define MVE_MM_VECTORS \
    "    vmov q2[2], q2[0], r0, r4\n" \
    "    vmov q2[3], q2[1], r2, r6\n" \
    "    vmov q3[2], q3[0], r8, r12\n" \
    "    vmov q3[3], q3[1], r10, lr\n" \
    "    vldrw.u32 q6, [r9, #16]\n" \
    "    vadd.i32 q2, q2, q6\n" \
    "    vadd.i32 q3, q3, q6\n" \

#define MVE_MM_GENERAL \
    "    vldrw.u32 q6, [r9, #48]\n" \
    "    vshl.s32 q2, q2, q6\n" \
    "    vshl.s32 q3, q3, q6\n" \
    "    vldrw.u32 q6, [r9, #32]\n" \
    "    vqrdmulh.s32 q2, q2, q6\n" \
    "    vqrdmulh.s32 q3, q3, q6\n" \
    "    vldrw.u32 q6, [r9], #64\n" \
    "    vand q7, q2, q6\n" \
    "    vshr.s32 q7, q7, #31\n" \
    "    vqadd.s32 q2, q2, q7\n" \
    "    vand q7, q3, q6\n" \
    "    vshr.s32 q7, q7, #31\n" \
    "    vqadd.s32 q3, q3, q7\n" \

#define MVE_MM_FAST \
    "    vldrw.u32 q6, [r9, #32]\n" \
    "    vqrdmulh.s32 q2, q2, q6\n" \
    "    vqrdmulh.s32 q3, q3, q6\n" \
    "    vldrw.u32 q6, [r9], #64\n" \
    "    vshr.s32 q7, q2, #31\n" \
    "    vqadd.s32 q2, q2, q7\n" \
    "    vshr.s32 q7, q3, #31\n" \
    "    vqadd.s32 q3, q3, q7\n" \

#define MVE_MM_END(STORE, SAVE) \
    "    vrshl.s32 q2, q2, q6\n" \
    "    vrshl.s32 q3, q3, q6\n" \
    "    ldr r1, [r11, #28]\n" \
    "    vadd.i32 q2, q2, r1\n" \
    "    vadd.i32 q3, q3, r1\n" \
    "    vmax.s32 q2, q2, q4\n" \
    "    vmax.s32 q3, q3, q4\n" \
    "    vmin.s32 q2, q2, q5\n" \
    "    vmin.s32 q3, q3, q5\n" \
    STORE \
    "    ldr r1, [r11, #24]\n" \
    "    cmp r9, r1\n" \
    "    bne 1b\n" \
    SAVE \
    "    ldrd r0, r2, [r11]\n" \
    "    ldr r4, [r11, #52]\n" \
    "    add r0, r0, r4\n" \
    "    add r2, r2, r4\n" \
    "    strd r0, r2, [r11]\n" \
    "    ldrd r0, r2, [r11, #8]\n" \
    "    ldr r4, [r11, #56]\n" \
    "    add r0, r0, r4\n" \
    "    add r2, r2, r4\n" \
    "    strd r0, r2, [r11, #8]\n" \
    "    ldr r0, [r11, #48]\n" \
    "    subs r0, r0, #1\n" \
    "    str r0, [r11, #48]\n" \
    "    bne 0b\n" \
    "    vpop {d8-d15}\n" \
    "    pop {r4-r11, pc}\n" \

/* the outputs: through the context (k > 16), or in r3/r5 for a pair (k <= 16) */
#define MVE_MM_STORE_CTX \
    "    ldrd r0, r2, [r11, #8]\n" \
    "    vstrb.32 q2, [r0], #4\n" \
    "    vstrb.32 q3, [r2], #4\n" \
    "    strd r0, r2, [r11, #8]\n"
#define MVE_MM_STORE_REG \
    "    vstrb.32 q2, [r3], #4\n" \
    "    vstrb.32 q3, [r5], #4\n"
#define MVE_MM_SAVE_REG \
    "    strd r3, r5, [r11, #8]\n"

#define MVE_MM_FUNCTION(NAME, PAIR, MACS, REQUANT, STORE, SAVE)                           \
    "    .pushsection .text." NAME ",\"ax\",%progbits\n"                                   \
    "    .syntax unified\n"                                                                 \
    "    .thumb\n"                                                                          \
    "    .p2align 2\n"                                                                      \
    "    .global " NAME "\n"                                                                \
    "    .type " NAME ", %function\n"                                                       \
    "    .thumb_func\n"                                                                     \
    NAME ":\n"                                                                              \
    MVE_MM_ENTRY PAIR MACS MVE_MM_VECTORS REQUANT MVE_MM_END(STORE, SAVE)                  \
    "    .size " NAME ", .-" NAME "\n"                                                      \
    "    .popsection\n"

#define MVE_MM_BIG(NAME, MACS, REQUANT) \
    MVE_MM_FUNCTION(NAME, MVE_MM_PAIR, MACS, REQUANT, MVE_MM_STORE_CTX, "")
#define MVE_MM_SMALL(NAME, REQUANT) \
    MVE_MM_FUNCTION(NAME, MVE_MM_SMALL_PAIR, MVE_MM_SMALL_BLOCK, REQUANT, MVE_MM_STORE_REG, \
                    MVE_MM_SAVE_REG)

__asm__(MVE_MM_BIG("mcu_mve_mm_groups_s8", MVE_MM_KBLOCKS MVE_MM_TAIL, MVE_MM_GENERAL)
        MVE_MM_BIG("mcu_mve_mm_groups_notail_s8", MVE_MM_KBLOCKS, MVE_MM_GENERAL)
        MVE_MM_BIG("mcu_mve_mm_groups_fast_s8", MVE_MM_KBLOCKS MVE_MM_TAIL, MVE_MM_FAST)
        MVE_MM_BIG("mcu_mve_mm_groups_fast_notail_s8", MVE_MM_KBLOCKS, MVE_MM_FAST)
        MVE_MM_SMALL("mcu_mve_mm_small_s8", MVE_MM_GENERAL)
        MVE_MM_SMALL("mcu_mve_mm_small_fast_s8", MVE_MM_FAST));

void mcu_mve_mm_pairs_s8(const mcu_mve_mm_t *m, const int8_t *x0, const int8_t *x1,
                         int32_t x_step, int32_t pairs, int8_t *out0, int8_t *out1)
{
    const int32_t n_out = m->n_out;
    const int32_t groups = n_out >> 2;

    if (pairs <= 0) {
        return;
    }
    if ((n_out & 3) != 0 && pairs > 1) {
        int32_t i;
        for (i = 0; i < pairs; ++i) {
            mcu_mve_mm_pairs_s8(m, x0, x1, 0, 1, out0, out1);
            x0 += x_step;
            x1 += x_step;
            out0 += 2 * n_out;
            out1 += 2 * n_out;
        }
        return;
    }
    if (groups > 0) {
        mve_mm_ctx_t ctx;
        ctx.x0 = x0;
        ctx.x1 = x1;
        ctx.o0 = out0;
        ctx.o1 = out1;
        ctx.full = (m->k >> 4) - 1; /* k > 16 loop: blocks after the first */
        ctx.tail = m->k & 15;
        ctx.quant_end = m->quant + 16 * groups;
        ctx.output_offset = m->output_offset;
        ctx.spare = 0;
        ctx.act_min = m->act_min;
        ctx.act_max = m->act_max;
        ctx.n_groups = groups;
        ctx.pairs = pairs;
        ctx.x_step = x_step;
        ctx.o_step = 2 * n_out - 4 * groups;
        ctx.weights = m->weights;
        ctx.quant = m->quant;
        if (m->k <= 16) {
            ctx.spare = m->k;
            if (m->general) {
                mcu_mve_mm_small_s8(&ctx);
            } else {
                mcu_mve_mm_small_fast_s8(&ctx);
            }
        } else if (ctx.tail != 0) {
            if (m->general) {
                mcu_mve_mm_groups_s8(&ctx);
            } else {
                mcu_mve_mm_groups_fast_s8(&ctx);
            }
        } else if (m->general) {
            mcu_mve_mm_groups_notail_s8(&ctx);
        } else {
            mcu_mve_mm_groups_fast_notail_s8(&ctx);
        }
    }
    if ((n_out & 3) != 0) {
        mve_mm_rest(m, groups * 4, x0, x1, out0, out1);
    }
}

void mcu_mve_mm_rows2_s8(const mcu_mve_mm_t *m, const int8_t *x0, const int8_t *x1,
                         int8_t *out0, int8_t *out1)
{
    mcu_mve_mm_pairs_s8(m, x0, x1, 0, 1, out0, out1);
}

void mcu_mve_fully_connected_s8(const mcu_mve_fc_params_t *p, const int8_t *input,
                                int8_t *output)
{
    const int32_t batches = p->batches;
    const int32_t k = p->mm.k;
    const int32_t n_out = p->mm.n_out;

    mcu_mve_mm_pairs_s8(&p->mm, input, input + k, 2 * k, batches >> 1, output, output + n_out);
    if ((batches & 1) != 0) {
        const int8_t *x = input + (size_t)(batches - 1) * (size_t)k;
        int8_t *o = output + (size_t)(batches - 1) * (size_t)n_out;
        mcu_mve_mm_rows2_s8(&p->mm, x, x, o, o);
    }
}
