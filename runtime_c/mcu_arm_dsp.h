/*
 * mcu_arm_dsp.h - the Armv7E-M DSP instructions the "dsp" kernels use, as inline
 * functions: the instruction itself where the compiler targets a core with the DSP
 * extension (__ARM_FEATURE_DSP: Cortex-M4, M7, M33, M55), else C that computes the
 * same bits, so a "dsp" build also runs on the host (slowly) for tests.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Packed values are int32_t holding two int16 lanes (bits 15..0 "bottom", 31..16
 * "top") or four int8 lanes. Every sum wraps modulo 2^32, as the instructions do
 * (SMLAD sets the Q flag on overflow and still wraps; nothing here reads Q).
 * Semantics: Arm Architecture Reference Manual for Armv7-M, section A7.7.
 */
#ifndef MCU_ARM_DSP_H
#define MCU_ARM_DSP_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define MCU_ARM_DSP 1
#include <arm_acle.h>
#else
#define MCU_ARM_DSP 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Four int8 values from any address, as one packed word (one LDR on Arm). */
static inline int32_t mcu_read_s8x4(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Two int16 values from any address, as one packed word. */
static inline int32_t mcu_read_s16x2(const int16_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Store one packed word (two int16 or four int8 lanes) to any address. */
static inline void mcu_write_s32(void *p, int32_t v)
{
    memcpy(p, &v, 4);
}

#if !MCU_ARM_DSP
/* Lane helpers of the C emulation. */
static inline int32_t mcu__lo16(int32_t v) { return (int16_t)(uint16_t)((uint32_t)v & 0xFFFFu); }
static inline int32_t mcu__hi16(int32_t v) { return (int16_t)(uint16_t)((uint32_t)v >> 16); }
static inline int32_t mcu__byte(int32_t v, int i)
{
    return (int8_t)(uint8_t)(((uint32_t)v >> (8 * i)) & 0xFFu);
}
static inline int32_t mcu__pack16(int32_t lo, int32_t hi)
{
    return (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
}
#endif

/* SXTB16: bytes 0 and 2 sign-extended into the bottom and top lanes. */
static inline int32_t mcu_sxtb16(int32_t x)
{
#if MCU_ARM_DSP
    return (int32_t)__sxtb16((uint32_t)x);
#else
    return mcu__pack16(mcu__byte(x, 0), mcu__byte(x, 2));
#endif
}

/* SXTB16 with ROR #8: bytes 1 and 3 sign-extended into the bottom and top lanes. */
static inline int32_t mcu_sxtb16_ror8(int32_t x)
{
#if MCU_ARM_DSP
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
#else
    return mcu__pack16(mcu__byte(x, 1), mcu__byte(x, 3));
#endif
}

/* SXTAB16: a + SXTB16(x), lane by lane (each lane wraps in 16 bits). */
static inline int32_t mcu_sxtab16(int32_t a, int32_t x)
{
#if MCU_ARM_DSP
    return (int32_t)__sxtab16((uint32_t)a, (uint32_t)x);
#else
    return mcu__pack16(mcu__lo16(a) + mcu__byte(x, 0), mcu__hi16(a) + mcu__byte(x, 2));
#endif
}

/* SXTAB16 with ROR #8: a + SXTB16_ROR8(x), lane by lane. */
static inline int32_t mcu_sxtab16_ror8(int32_t a, int32_t x)
{
#if MCU_ARM_DSP
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
#else
    return mcu__pack16(mcu__lo16(a) + mcu__byte(x, 1), mcu__hi16(a) + mcu__byte(x, 3));
#endif
}

/* SMLAD: acc + a.bottom * b.bottom + a.top * b.top (wrapping). */
static inline int32_t mcu_smlad(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    return (int32_t)__smlad((uint32_t)a, (uint32_t)b, acc);
#else
    const int64_t s = (int64_t)mcu__lo16(a) * mcu__lo16(b) + (int64_t)mcu__hi16(a) * mcu__hi16(b);
    return (int32_t)(uint32_t)((uint32_t)acc + (uint32_t)(uint64_t)s);
#endif
}

/* SMLADX: acc + a.bottom * b.top + a.top * b.bottom (wrapping). */
static inline int32_t mcu_smladx(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    return (int32_t)__smladx((uint32_t)a, (uint32_t)b, acc);
#else
    const int64_t s = (int64_t)mcu__lo16(a) * mcu__hi16(b) + (int64_t)mcu__hi16(a) * mcu__lo16(b);
    return (int32_t)(uint32_t)((uint32_t)acc + (uint32_t)(uint64_t)s);
#endif
}

/* SMUAD: a.bottom * b.bottom + a.top * b.top (wrapping). */
static inline int32_t mcu_smuad(int32_t a, int32_t b)
{
#if MCU_ARM_DSP
    return (int32_t)__smuad((uint32_t)a, (uint32_t)b);
#else
    return mcu_smlad(a, b, 0);
#endif
}

/* SMLABB / SMLATT / SMLABT / SMLATB: acc + one 16 x 16 product (wrapping). */
static inline int32_t mcu_smlabb(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    return __smlabb(a, b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(mcu__lo16(a) * mcu__lo16(b)));
#endif
}

static inline int32_t mcu_smlatt(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    return __smlatt(a, b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(mcu__hi16(a) * mcu__hi16(b)));
#endif
}

static inline int32_t mcu_smlabt(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    return __smlabt(a, b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(mcu__lo16(a) * mcu__hi16(b)));
#endif
}

static inline int32_t mcu_smlatb(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    return __smlatb(a, b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(mcu__hi16(a) * mcu__lo16(b)));
#endif
}

/* PKHBT: bottom lane of a, top lane from b << shift (shift a constant 0..31); plain
 * C, which GCC turns into PKHBT (its arm_acle.h has no __pkhbt). */
#define mcu_pkhbt(a, b, shift)                                                            \
    ((int32_t)(((uint32_t)(a) & 0xFFFFu) | (((uint32_t)(b) << (shift)) & 0xFFFF0000u)))

/* PKHTB with shift 16: top lane of a, bottom lane from the top lane of b. */
static inline int32_t mcu_pkhtb16(int32_t a, int32_t b)
{
    return (int32_t)(((uint32_t)a & 0xFFFF0000u) | ((uint32_t)b >> 16));
}

/* SADD16 / SSUB16: lane-wise add / subtract, each lane wrapping in 16 bits. */
static inline int32_t mcu_sadd16(int32_t a, int32_t b)
{
#if MCU_ARM_DSP
    return (int32_t)__sadd16((uint32_t)a, (uint32_t)b);
#else
    return mcu__pack16(mcu__lo16(a) + mcu__lo16(b), mcu__hi16(a) + mcu__hi16(b));
#endif
}

static inline int32_t mcu_ssub16(int32_t a, int32_t b)
{
#if MCU_ARM_DSP
    return (int32_t)__ssub16((uint32_t)a, (uint32_t)b);
#else
    return mcu__pack16(mcu__lo16(a) - mcu__lo16(b), mcu__hi16(a) - mcu__hi16(b));
#endif
}

/* SSAT: v clamped to the signed range of `bits` bits (a constant 1..32). */
#if MCU_ARM_DSP
#define mcu_ssat(v, bits) ((int32_t)__ssat((v), (bits)))
#else
#define mcu_ssat(v, bits) mcu__ssat((v), (bits))
static inline int32_t mcu__ssat(int32_t v, int bits)
{
    const int32_t hi = (int32_t)(((uint32_t)1 << (bits - 1)) - 1u);
    const int32_t lo = -hi - 1;
    return v < lo ? lo : (v > hi ? hi : v);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* MCU_ARM_DSP_H */

/* ---- appended for the DSP depthwise / pooling / add kernels ------------------------ */
#ifndef MCU_ARM_DSP_DW_H
#define MCU_ARM_DSP_DW_H

/* Lane-wise signed maximum of four int8 lanes: SSUB8 sets the GE flag of each lane where
 * a >= b, SEL then takes those lanes from a and the others from b. */
static inline int32_t mcu_max_s8x4(int32_t a, int32_t b)
{
#if MCU_ARM_DSP
    int32_t r;
    __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
    return r;
#else
    uint32_t r = 0;
    int i;
    for (i = 0; i < 4; ++i) {
        const int32_t x = mcu__byte(a, i);
        const int32_t y = mcu__byte(b, i);
        r |= (uint32_t)(uint8_t)(int8_t)(x >= y ? x : y) << (8 * i);
    }
    return (int32_t)r;
#endif
}

#endif /* MCU_ARM_DSP_DW_H */

/* ---- appended for the DSP CONV_2D / FULLY_CONNECTED kernels ------------------------ */
#ifndef MCU_ARM_DSP_MM_H
#define MCU_ARM_DSP_MM_H

/* SMMLAR: acc + ((a * b + 2^31) >> 32), the high word of acc * 2^32 + a * b + 2^31
 * (wrapping). With a = 2x: acc + SaturatingRoundingDoublingHighMul(x, b) for every
 * |x| < 2^30 (see dsp_mat_mult_s8.h). */
static inline int32_t mcu_smmlar(int32_t a, int32_t b, int32_t acc)
{
#if MCU_ARM_DSP
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
#else
    const uint64_t u = (uint64_t)((int64_t)a * (int64_t)b) + ((uint64_t)(uint32_t)acc << 32)
                       + ((uint64_t)1 << 31);
    const uint32_t hi = (uint32_t)(u >> 32);
    return (hi <= (uint32_t)INT32_MAX) ? (int32_t)hi
                                       : (int32_t)(hi - 0x80000000u) - INT32_MAX - 1;
#endif
}

#endif /* MCU_ARM_DSP_MM_H */
