/*
 * dsp_mm_common.h - the pieces the DSP matrix-product kernels share (dsp_mat_mult_s8.c,
 * dsp_mat_mult_raw_s8.c): the requantizing tails of the stream's modes and a paired
 * load. See dsp_mat_mult_s8.h for the arithmetic.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_MM_COMMON_H
#define MCU_DSP_MM_COMMON_H

#include <stdint.h>

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
    int32_t v = mcu_asr_s32(mcu_smmlar(x2, m, r) + mcu_asr_s32(x2, 31), e);
    if (mode == MCU_DSP_FAST_SAT) {
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

#endif /* MCU_DSP_MM_COMMON_H */
