/*
 * mve_requant.h - requantization of four int32 accumulators at once with MVE (Helium).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Header-only, for the mve_*.c kernels (Cortex-M55 and other Armv8.1-M cores with the
 * integer MVE). Every lane gives exactly tflite::MultiplyByQuantizedMultiplier(x, mult,
 * shift) of the double-rounding build (kernels/internal/common.cc), the scalar
 * mcu_multiply_by_quantized_multiplier of mcu_requant.h:
 *
 *   left = max(shift, 0), right = max(-shift, 0)  (both computed by the generator)
 *   x * 2^left           VSHL (register): wraps like the reference's x * (1 << left)
 *   SRDHM(., mult)       VQRDMULH.S32: floor((a * b + 2^30) / 2^31), saturating only
 *                        a == b == INT32_MIN, which is gemmlowp's rounding (its nudge
 *                        1 - 2^30 for negative products turns truncation into that floor)
 *   RDBPOT(., right)     VRSHL by -right rounds half up; gemmlowp rounds half away from
 *                        zero, so 1 is first subtracted from negative values when right > 0
 *                        (VQADD: INT32_MIN stays INT32_MIN, whose quotient is exact
 *                        either way). Lanes with right == 0 are left untouched: the
 *                        sign bit of -right, ANDed in, is then 0.
 *
 * tests/e2e/test_mve_qemu.py runs these on QEMU (mps3-an547) against TFLite Micro.
 */
#ifndef MCU_MVE_REQUANT_H
#define MCU_MVE_REQUANT_H

#if !defined(__ARM_FEATURE_MVE) || !(__ARM_FEATURE_MVE & 1)
#error "the mve_* kernels need a core with the MVE integer extension (e.g. -mcpu=cortex-m55)"
#endif

#include <arm_mve.h>
#include <stdint.h>

/* gemmlowp RoundingDivideByPOT per lane; neg_right = -right, right in [0, 31]. */
static inline int32x4_t mcu_mve_rdbpot(int32x4_t x, int32x4_t neg_right)
{
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, neg_right), 31);
    return vrshlq_s32(vqaddq_s32(x, fixup), neg_right);
}

/* MultiplyByQuantizedMultiplier per lane, then + output_offset and the clamp. */
static inline int32x4_t mcu_mve_requant(int32x4_t acc, int32x4_t left, int32x4_t mult,
                                        int32x4_t neg_right, int32_t output_offset,
                                        int32x4_t act_min, int32x4_t act_max)
{
    int32x4_t v = mcu_mve_rdbpot(vqrdmulhq_s32(vshlq_s32(acc, left), mult), neg_right);
    v = vaddq_n_s32(v, output_offset);
    return vminq_s32(vmaxq_s32(v, act_min), act_max);
}

/* RDBPOT when right >= 1 in every lane (the AND of mcu_mve_rdbpot is then the identity). */
static inline int32x4_t mcu_mve_rdbpot_right(int32x4_t x, int32x4_t neg_right)
{
    return vrshlq_s32(vqaddq_s32(x, vshrq_n_s32(x, 31)), neg_right);
}

/* The same when right >= 1 and left == 0 in every lane: VSHL by 0 is then the identity,
 * and so is the AND (the sign bit of -right is set), so both are left out. */
static inline int32x4_t mcu_mve_requant_right(int32x4_t acc, int32x4_t mult, int32x4_t neg_right,
                                              int32_t output_offset, int32x4_t act_min,
                                              int32x4_t act_max)
{
    int32x4_t v = mcu_mve_rdbpot_right(vqrdmulhq_s32(acc, mult), neg_right);
    v = vaddq_n_s32(v, output_offset);
    return vminq_s32(vmaxq_s32(v, act_min), act_max);
}

/* The vector {a, b, c, d} from four general registers (two lane-pair moves on GCC). */
static inline int32x4_t mcu_mve_vec4(int32_t a, int32_t b, int32_t c, int32_t d)
{
#if defined(__GNUC__) && !defined(__clang__)
    int32x4_t v;
    __asm__("vmov %q0[2], %q0[0], %1, %3\n\tvmov %q0[3], %q0[1], %2, %4"
            : "=w"(v)
            : "r"(a), "r"(b), "r"(c), "r"(d));
    return v;
#else
    int32x4_t v = vdupq_n_s32(a);
    v = vsetq_lane_s32(b, v, 1);
    v = vsetq_lane_s32(c, v, 2);
    return vsetq_lane_s32(d, v, 3);
#endif
}

#endif /* MCU_MVE_REQUANT_H */
