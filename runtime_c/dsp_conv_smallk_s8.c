/*
 * dsp_conv_smallk_s8.c - input-stationary CONV_2D for short dot products: pointwise
 * over 8 or 16 input channels, and 3x3 over 3 channels (see dsp_conv_smallk_s8.h for
 * the data layout and the arithmetic).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * The run functions (one per dot product length and channel unroll, chosen by the
 * generator, so the linker keeps only those a model calls) are naked assembly on Arm
 * (explicit register lists, so every -O level compiles them): all 14 free registers
 * are in use in the channel loop, the pixel state lives on the stack. Per output
 * channel:
 *   K = 8:  LDM (8 words) + 4 SMLAD + SMMLAR, ASR, SSAT, STRB               = 9
 *   K = 16: 4 LDM + 8 SMLAD + SMMLAR, ASR, SSAT, STRB                        = 16
 *   K = 27: half A LDM, 4 SMLAD, LDM, 4 SMLAD, push (11); half B pop, LDM,
 *           5 SMLAD, LDM, SMLAD, SMMLAR, ASR, SSAT, STRB (13)               = 24
 * plus a TST / BEQ per 4 or 8 channels (the flag of the last record), and per pixel
 * about 12 (K = 8), 16 (K = 16) or 39 (K = 27) instructions of loads, widening and
 * pointers. Elsewhere (the host) the same names are C loops doing the same arithmetic,
 * ending a pixel at the same flag.
 */
#include "dsp_conv_smallk_s8.h"

#include "mcu_arm_dsp.h"
#include "mcu_requant.h"

#define RGB_RECORD_WORDS 9
/* Input columns of the border buffer (chunks of border pixels are copied into it). */
#define RGB_BORDER_COLS 16

#if MCU_ARM_DSP
/* The naked functions below read their arguments from r0-r3 and the stack. */
#define SMALLK_ARG __attribute__((unused))

/* One channel of K = 8: inputs r0-r3, record in r4-r11, records at r12, out at lr. */
#define SMALLK_K8_CH                                                                       \
    "ldmia r12!, {r4-r11}\n\t"                                                             \
    "smlad r4, r5, r0, r4\n\t"                                                             \
    "smlad r4, r6, r1, r4\n\t"                                                             \
    "smlad r4, r7, r2, r4\n\t"                                                             \
    "smlad r4, r8, r3, r4\n\t"                                                             \
    "smmlar r4, r4, r9, r10\n\t"                                                           \
    "asr r4, r4, r11\n\t"                                                                  \
    "ssat r4, #8, r4\n\t"                                                                  \
    "strb r4, [lr], #1\n\t"

/* Output pixels until out == out_end (at least one), in (any alignment) + step per
 * pixel; every channel record, `body` channels per loop (n_out a multiple of them).
 * Stack: in, step, records, out_end. */
#define SMALLK_K8_FN(name, body)                                                           \
    __attribute__((naked, noinline)) void name(                                            \
        const int8_t *in SMALLK_ARG, const int32_t *rec SMALLK_ARG,                        \
        int8_t *out SMALLK_ARG, int8_t *out_end SMALLK_ARG, int32_t step SMALLK_ARG)       \
    {                                                                                      \
        __asm__ volatile("push {r4-r11, lr}\n\t"                                           \
                         "ldr r4, [sp, #36]\n\t"                                           \
                         "sub sp, sp, #16\n\t"                                             \
                         "str r0, [sp]\n\t"                                                \
                         "str r4, [sp, #4]\n\t"                                            \
                         "str r1, [sp, #8]\n\t"                                            \
                         "str r3, [sp, #12]\n\t"                                           \
                         "mov lr, r2\n\t"                                                  \
                         "1:\n\t"                                                          \
                         "ldrd r4, r5, [sp]\n\t"                                           \
                         "ldr r0, [r4]\n\t"                                                \
                         "ldr r2, [r4, #4]\n\t"                                            \
                         "add r4, r4, r5\n\t"                                              \
                         "str r4, [sp]\n\t"                                                \
                         "sxtb16 r1, r0, ror #8\n\t"                                       \
                         "sxtb16 r0, r0\n\t"                                               \
                         "sxtb16 r3, r2, ror #8\n\t"                                       \
                         "sxtb16 r2, r2\n\t"                                               \
                         "ldr r12, [sp, #8]\n\t"                                           \
                         "2:\n\t" body                                                     \
                         "tst r11, #256\n\t"                                               \
                         "beq 2b\n\t"                                                      \
                         "ldr r4, [sp, #12]\n\t"                                           \
                         "cmp lr, r4\n\t"                                                  \
                         "bne 1b\n\t"                                                      \
                         "add sp, sp, #16\n\t"                                             \
                         "pop {r4-r11, pc}\n\t");                                          \
    }

#define SMALLK_K8_CH4 SMALLK_K8_CH SMALLK_K8_CH SMALLK_K8_CH SMALLK_K8_CH
SMALLK_K8_FN(mcu_dsp_smallk_k8x4, SMALLK_K8_CH4)
SMALLK_K8_FN(mcu_dsp_smallk_k8x8, SMALLK_K8_CH4 SMALLK_K8_CH4)

/* One channel of K = 16: inputs r0-r7, accumulator r8, record words through r9-r11. */
#define SMALLK_K16_CH                                                                      \
    "ldmia r12!, {r8-r11}\n\t"                                                             \
    "smlad r8, r9, r0, r8\n\t"                                                             \
    "smlad r8, r10, r1, r8\n\t"                                                            \
    "smlad r8, r11, r2, r8\n\t"                                                            \
    "ldmia r12!, {r9-r11}\n\t"                                                             \
    "smlad r8, r9, r3, r8\n\t"                                                             \
    "smlad r8, r10, r4, r8\n\t"                                                            \
    "smlad r8, r11, r5, r8\n\t"                                                            \
    "ldmia r12!, {r9-r11}\n\t"                                                             \
    "smlad r8, r9, r6, r8\n\t"                                                             \
    "smlad r8, r10, r7, r8\n\t"                                                            \
    "ldmia r12!, {r9, r10}\n\t"                                                            \
    "smmlar r8, r8, r11, r9\n\t"                                                           \
    "asr r8, r8, r10\n\t"                                                                  \
    "ssat r8, #8, r8\n\t"                                                                  \
    "strb r8, [lr], #1\n\t"

/* As SMALLK_K8_FN, for K = 16. */
#define SMALLK_K16_FN(name, body)                                                          \
    __attribute__((naked, noinline)) void name(                                            \
        const int8_t *in SMALLK_ARG, const int32_t *rec SMALLK_ARG,                        \
        int8_t *out SMALLK_ARG, int8_t *out_end SMALLK_ARG, int32_t step SMALLK_ARG)       \
    {                                                                                      \
        __asm__ volatile("push {r4-r11, lr}\n\t"                                           \
                         "ldr r4, [sp, #36]\n\t"                                           \
                         "sub sp, sp, #16\n\t"                                             \
                         "str r0, [sp]\n\t"                                                \
                         "str r4, [sp, #4]\n\t"                                            \
                         "str r1, [sp, #8]\n\t"                                            \
                         "str r3, [sp, #12]\n\t"                                           \
                         "mov lr, r2\n\t"                                                  \
                         "1:\n\t"                                                          \
                         "ldrd r8, r9, [sp]\n\t"                                           \
                         "ldr r0, [r8]\n\t"                                                \
                         "ldr r2, [r8, #4]\n\t"                                            \
                         "ldr r4, [r8, #8]\n\t"                                            \
                         "ldr r6, [r8, #12]\n\t"                                           \
                         "add r8, r8, r9\n\t"                                              \
                         "str r8, [sp]\n\t"                                                \
                         "sxtb16 r1, r0, ror #8\n\t"                                       \
                         "sxtb16 r0, r0\n\t"                                               \
                         "sxtb16 r3, r2, ror #8\n\t"                                       \
                         "sxtb16 r2, r2\n\t"                                               \
                         "sxtb16 r5, r4, ror #8\n\t"                                       \
                         "sxtb16 r4, r4\n\t"                                               \
                         "sxtb16 r7, r6, ror #8\n\t"                                       \
                         "sxtb16 r6, r6\n\t"                                               \
                         "ldr r12, [sp, #8]\n\t"                                           \
                         "2:\n\t" body                                                     \
                         "tst r10, #256\n\t"                                               \
                         "beq 2b\n\t"                                                      \
                         "ldr r4, [sp, #12]\n\t"                                           \
                         "cmp lr, r4\n\t"                                                  \
                         "bne 1b\n\t"                                                      \
                         "add sp, sp, #16\n\t"                                             \
                         "pop {r4-r11, pc}\n\t");                                          \
    }

#define SMALLK_K16_CH4 SMALLK_K16_CH SMALLK_K16_CH SMALLK_K16_CH SMALLK_K16_CH
SMALLK_K16_FN(mcu_dsp_smallk_k16x4, SMALLK_K16_CH4)
SMALLK_K16_FN(mcu_dsp_smallk_k16x8, SMALLK_K16_CH4 SMALLK_K16_CH4)

/* Half A of one channel: inputs r0-r7, accumulator r8, pushed. */
#define RGB_A_CH                                                                           \
    "ldmia r12!, {r8-r11, lr}\n\t"                                                         \
    "smlad r8, r9, r0, r8\n\t"                                                             \
    "smlad r8, r10, r1, r8\n\t"                                                            \
    "smlad r8, r11, r2, r8\n\t"                                                            \
    "smlad r8, lr, r3, r8\n\t"                                                             \
    "ldmia r12!, {r9-r11, lr}\n\t"                                                         \
    "smlad r8, r9, r4, r8\n\t"                                                             \
    "smlad r8, r10, r5, r8\n\t"                                                            \
    "smlad r8, r11, r6, r8\n\t"                                                            \
    "smlad r8, lr, r7, r8\n\t"                                                             \
    "str r8, [sp, #-4]!\n\t"

/* Half B of one channel: inputs r0-r5, the popped partial in r6, output at lr. */
#define RGB_B_CH                                                                           \
    "ldr r6, [sp], #4\n\t"                                                                 \
    "ldmia r12!, {r7-r11}\n\t"                                                             \
    "smlad r6, r7, r0, r6\n\t"                                                             \
    "smlad r6, r8, r1, r6\n\t"                                                             \
    "smlad r6, r9, r2, r6\n\t"                                                             \
    "smlad r6, r10, r3, r6\n\t"                                                            \
    "smlad r6, r11, r4, r6\n\t"                                                            \
    "ldmia r12!, {r7-r10}\n\t"                                                             \
    "smlad r6, r7, r5, r6\n\t"                                                             \
    "smmlar r6, r6, r8, r9\n\t"                                                            \
    "asr r6, r6, r10\n\t"                                                                  \
    "ssat r6, #8, r6\n\t"                                                                  \
    "strb r6, [lr], #1\n\t"

/* Output pixels until out == out_end (at least one): patch rows at in + r * rs, in +
 * step per pixel; `bodyA` / `bodyB` channels per loop (n_out a multiple of them).
 * Stack frame: in, rs, step, out, out_end, records, row 1, row 2; below it the partial
 * sums of half A. */
#define RGB_FN(name, bodyA, bodyB)                                                         \
    __attribute__((naked, noinline)) void name(                                            \
        const int8_t *in SMALLK_ARG, const int32_t *rec SMALLK_ARG,                        \
        int8_t *out SMALLK_ARG, int8_t *out_end SMALLK_ARG, int32_t rs SMALLK_ARG,         \
        int32_t step SMALLK_ARG)                                                           \
    {                                                                                      \
        __asm__ volatile("push {r4-r11, lr}\n\t"                                           \
                         "ldrd r4, r5, [sp, #36]\n\t"                                      \
                         "sub sp, sp, #32\n\t"                                             \
                         "strd r0, r4, [sp]\n\t"                                           \
                         "strd r5, r2, [sp, #8]\n\t"                                       \
                         "strd r3, r1, [sp, #16]\n\t"                                      \
                         "1:\n\t"                                                          \
                         "ldrd r8, r9, [sp]\n\t"                                           \
                         "ldr r7, [sp, #8]\n\t"                                            \
                         "add r10, r8, r9\n\t"                                             \
                         "add r11, r10, r9\n\t"                                            \
                         "add r7, r8, r7\n\t"                                              \
                         "str r7, [sp]\n\t"                                                \
                         "strd r10, r11, [sp, #24]\n\t"                                    \
                         "ldr r0, [r8]\n\t"                                                \
                         "ldr r2, [r8, #4]\n\t"                                            \
                         "ldr r4, [r10]\n\t"                                               \
                         "ldrsb r6, [r8, #8]\n\t"                                          \
                         "ldrsb r7, [r10, #8]\n\t"                                         \
                         "pkhbt r6, r6, r7, lsl #16\n\t"                                   \
                         "ldrsb r7, [r11, #8]\n\t"                                         \
                         "uxth r7, r7\n\t"                                                 \
                         "sxtb16 r1, r0, ror #8\n\t"                                       \
                         "sxtb16 r0, r0\n\t"                                               \
                         "sxtb16 r3, r2, ror #8\n\t"                                       \
                         "sxtb16 r2, r2\n\t"                                               \
                         "sxtb16 r5, r4, ror #8\n\t"                                       \
                         "sxtb16 r4, r4\n\t"                                               \
                         "ldr r12, [sp, #20]\n\t"                                          \
                         "2:\n\t" bodyA                                                    \
                         "tst lr, #65536\n\t"                                              \
                         "beq 2b\n\t"                                                      \
                         "ldr r6, [r12], #4\n\t"                                           \
                         "add r6, sp, r6\n\t"                                              \
                         "ldrd r10, r11, [r6, #24]\n\t"                                    \
                         "ldr r0, [r10, #4]\n\t"                                           \
                         "ldr r2, [r11]\n\t"                                               \
                         "ldr r4, [r11, #4]\n\t"                                           \
                         "sxtb16 r1, r0, ror #8\n\t"                                       \
                         "sxtb16 r0, r0\n\t"                                               \
                         "sxtb16 r3, r2, ror #8\n\t"                                       \
                         "sxtb16 r2, r2\n\t"                                               \
                         "sxtb16 r5, r4, ror #8\n\t"                                       \
                         "sxtb16 r4, r4\n\t"                                               \
                         "ldr lr, [r6, #12]\n\t"                                           \
                         "3:\n\t" bodyB                                                    \
                         "tst r10, #256\n\t"                                               \
                         "beq 3b\n\t"                                                      \
                         "str lr, [sp, #12]\n\t"                                           \
                         "ldr r8, [sp, #16]\n\t"                                           \
                         "cmp lr, r8\n\t"                                                  \
                         "bne 1b\n\t"                                                      \
                         "add sp, sp, #32\n\t"                                             \
                         "pop {r4-r11, pc}\n\t");                                          \
    }

#define RGB_A_CH4 RGB_A_CH RGB_A_CH RGB_A_CH RGB_A_CH
#define RGB_B_CH4 RGB_B_CH RGB_B_CH RGB_B_CH RGB_B_CH
RGB_FN(mcu_dsp_rgb_x4, RGB_A_CH4, RGB_B_CH4)
RGB_FN(mcu_dsp_rgb_x8, RGB_A_CH4 RGB_A_CH4, RGB_B_CH4 RGB_B_CH4)
#else /* !MCU_ARM_DSP: the same runs in C */

/* The output of accumulator x2 with trailer t = (m, R, e | flag). */
static int8_t smallk_out(int32_t x2, const int32_t *t)
{
    return (int8_t)mcu_ssat(mcu_asr_s32(mcu_smmlar(x2, t[0], t[1]), t[2] & 0xFF), 8);
}

/* mcu_dsp_smallk_k* with `groups` groups of four terms, `unroll` channels per flag test. */
static void smallk_c(const int8_t *in, const int32_t *rec, int8_t *out, int8_t *out_end,
                     int32_t step, int32_t groups, int32_t unroll)
{
    int32_t x[8];
    int32_t g, u;
    do {
        const int32_t *r = rec;
        int last = 0;
        for (g = 0; g < groups; ++g) {
            const int32_t v = mcu_read_s8x4(in + 4 * g);
            x[2 * g] = mcu_sxtb16(v);
            x[2 * g + 1] = mcu_sxtb16_ror8(v);
        }
        while (!last) {
            for (u = 0; u < unroll; ++u) {
                int32_t acc = r[0];
                for (g = 0; g < 2 * groups; ++g) {
                    acc = mcu_smlad(r[1 + g], x[g], acc);
                }
                r += 1 + 2 * groups;
                *out++ = smallk_out(acc, r);
                last = (r[2] & MCU_DSP_SMALLK_LAST) != 0;
                r += 3;
            }
        }
        in += step;
    } while (out != out_end);
}

void mcu_dsp_smallk_k8x4(const int8_t *in, const int32_t *rec, int8_t *out,
                         int8_t *out_end, int32_t step)
{
    smallk_c(in, rec, out, out_end, step, 2, 4);
}

void mcu_dsp_smallk_k8x8(const int8_t *in, const int32_t *rec, int8_t *out,
                         int8_t *out_end, int32_t step)
{
    smallk_c(in, rec, out, out_end, step, 2, 8);
}

void mcu_dsp_smallk_k16x4(const int8_t *in, const int32_t *rec, int8_t *out,
                          int8_t *out_end, int32_t step)
{
    smallk_c(in, rec, out, out_end, step, 4, 4);
}

void mcu_dsp_smallk_k16x8(const int8_t *in, const int32_t *rec, int8_t *out,
                          int8_t *out_end, int32_t step)
{
    smallk_c(in, rec, out, out_end, step, 4, 8);
}

/* mcu_dsp_rgb_x*: half A's partial sums (channels n - 1 .. 0) go to a stack of at most
 * MCU_DSP_RGB_MAX_OUT, half B pops them (channels 0 .. n - 1). */
static void rgb_c(const int8_t *in, const int32_t *rec, int8_t *out, int8_t *out_end,
                  int32_t rs, int32_t step, int32_t unroll)
{
    int32_t partial[MCU_DSP_RGB_MAX_OUT];
    do {
        const int8_t *r0 = in, *r1 = in + rs, *r2 = in + 2 * rs;
        const int32_t *r = rec;
        int32_t x[14];
        int32_t v, n = 0, j, u;
        int last = 0;
        v = mcu_read_s8x4(r0);
        x[0] = mcu_sxtb16(v);
        x[1] = mcu_sxtb16_ror8(v);
        v = mcu_read_s8x4(r0 + 4);
        x[2] = mcu_sxtb16(v);
        x[3] = mcu_sxtb16_ror8(v);
        v = mcu_read_s8x4(r1);
        x[4] = mcu_sxtb16(v);
        x[5] = mcu_sxtb16_ror8(v);
        x[6] = (int32_t)((uint32_t)(uint16_t)r0[8] | ((uint32_t)(uint16_t)r1[8] << 16));
        x[7] = (int32_t)(uint16_t)r2[8];
        v = mcu_read_s8x4(r1 + 4);
        x[8] = mcu_sxtb16(v);
        x[9] = mcu_sxtb16_ror8(v);
        v = mcu_read_s8x4(r2);
        x[10] = mcu_sxtb16(v);
        x[11] = mcu_sxtb16_ror8(v);
        v = mcu_read_s8x4(r2 + 4);
        x[12] = mcu_sxtb16(v);
        x[13] = mcu_sxtb16_ror8(v);
        while (!last) { /* half A */
            for (u = 0; u < unroll; ++u) {
                int32_t acc = r[0];
                for (j = 0; j < 8; ++j) {
                    acc = mcu_smlad(r[1 + j], x[j], acc);
                }
                last = (r[8] & 0x10000) != 0;
                partial[n++] = acc;
                r += RGB_RECORD_WORDS;
            }
        }
        ++r; /* the word 4 * n_out */
        last = 0;
        while (!last) { /* half B */
            for (u = 0; u < unroll; ++u) {
                int32_t acc = partial[--n];
                for (j = 0; j < 6; ++j) {
                    acc = mcu_smlad(r[j], x[8 + j], acc);
                }
                *out++ = smallk_out(acc, r + 6);
                last = (r[8] & MCU_DSP_SMALLK_LAST) != 0;
                r += RGB_RECORD_WORDS;
            }
        }
        in += step;
    } while (out != out_end);
}

void mcu_dsp_rgb_x4(const int8_t *in, const int32_t *rec, int8_t *out, int8_t *out_end,
                    int32_t rs, int32_t step)
{
    rgb_c(in, rec, out, out_end, rs, step, 4);
}

void mcu_dsp_rgb_x8(const int8_t *in, const int32_t *rec, int8_t *out, int8_t *out_end,
                    int32_t rs, int32_t step)
{
    rgb_c(in, rec, out, out_end, rs, step, 8);
}
#endif

void mcu_dsp_conv_smallk_s8(const mcu_dsp_conv_smallk_params_t *p, const int8_t *input,
                            const int32_t *records, int8_t *output,
                            mcu_dsp_smallk_run_t run)
{
    const int32_t in_c = 4 * p->groups;
    int32_t b, y;
    if (p->stride_h == 1 && p->stride_w == 1 && p->out_h == p->in_h &&
        p->out_w == p->in_w) {
        /* every input pixel, in order: one run */
        run(input, records, output, output + p->batches * p->out_h * p->out_w * p->n_out,
            in_c);
        return;
    }
    for (b = 0; b < p->batches; ++b) {
        for (y = 0; y < p->out_h; ++y) {
            const int8_t *row = input + ((b * p->in_h + y * p->stride_h) * p->in_w) * in_c;
            run(row, records, output, output + p->out_w * p->n_out, p->stride_w * in_c);
            output += p->out_w * p->n_out;
        }
    }
}

void mcu_dsp_conv_rgb_s8(const mcu_dsp_conv_rgb_params_t *p, const int8_t *input,
                         const int32_t *records, int8_t *output,
                         mcu_dsp_rgb_run_t run)
{
    const int32_t rs = p->dil_h * p->in_w * 3;
    int8_t buf[3 * 3 * RGB_BORDER_COLS];
    int32_t b, oy, ox, ky;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *image = input + b * p->in_h * p->in_w * 3;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy = oy * p->stride_h - p->pad_top;
            const int rows_in = iy >= 0 && iy + 2 * p->dil_h < p->in_h;
            /* interior output columns: ox * stride_w - pad_left in [0, in_w - 3] */
            int32_t lo = 0, hi = 0;
            if (rows_in && p->in_w >= 3) {
                lo = (p->pad_left + p->stride_w - 1) / p->stride_w;
                hi = (p->in_w - 3 + p->pad_left) / p->stride_w + 1;
                hi = hi < p->out_w ? hi : p->out_w;
                lo = lo < hi ? lo : hi;
            }
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix = ox * p->stride_w - p->pad_left;
                if (ox == lo && lo < hi) {
                    run(image + (iy * p->in_w + ix) * 3, records, output,
                        output + (hi - lo) * p->n_out, rs, p->stride_w * 3);
                    output += (hi - lo) * p->n_out;
                    ox = hi - 1;
                    continue;
                }
                /* border pixels, up to a chunk of them: their patches copied into a
                 * buffer of three rows, pad_value outside the image */
                {
                    int32_t end = ox + 1 + (RGB_BORDER_COLS - 3) / p->stride_w;
                    int32_t n, cols, col;
                    end = end < p->out_w ? end : p->out_w;
                    end = (ox < lo && end > lo) ? lo : end;
                    n = end - ox;
                    cols = (n - 1) * p->stride_w + 3;
                    for (ky = 0; ky < 3; ++ky) {
                        const int32_t y = iy + ky * p->dil_h;
                        const int row_in = y >= 0 && y < p->in_h;
                        int8_t *dst = buf + 3 * RGB_BORDER_COLS * ky;
                        for (col = 0; col < cols; ++col, dst += 3) {
                            const int32_t x = ix + col;
                            if (row_in && x >= 0 && x < p->in_w) {
                                const int8_t *src = image + (y * p->in_w + x) * 3;
                                dst[0] = src[0];
                                dst[1] = src[1];
                                dst[2] = src[2];
                            } else {
                                dst[0] = dst[1] = dst[2] = (int8_t)p->pad_value;
                            }
                        }
                    }
                    run(buf, records, output, output + n * p->n_out, 3 * RGB_BORDER_COLS,
                        3 * p->stride_w);
                    output += n * p->n_out;
                    ox = end - 1;
                }
            }
        }
    }
}
