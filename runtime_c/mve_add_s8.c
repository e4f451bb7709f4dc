/*
 * mve_add_s8.c - int8 ADD with MVE (see the header).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "mve_add_s8.h"
#include "mve_requant.h"

/* The output of four elements (see the header). */
#define MVE_ADD_STEP(A, B, OUT)                                                          \
    do {                                                                                 \
        const int32x4_t s1_ = mcu_mve_rdbpot(                                            \
            vqrdmulhq_n_s32(vshlq_r_s32(vaddq_n_s32((A), off1), ls), m1), r1);          \
        const int32x4_t s2_ = mcu_mve_rdbpot(                                            \
            vqrdmulhq_n_s32(vshlq_r_s32(vaddq_n_s32((B), off2), ls), m2), r2);          \
        const int32x4_t o_ = vaddq_n_s32(                                                \
            mcu_mve_rdbpot(vqrdmulhq_n_s32(vaddq_s32(s1_, s2_), mo), ro), off_o);       \
        (OUT) = vminq_s32(vmaxq_s32(o_, lo), hi);                                        \
    } while (0)

void mcu_mve_add_s8(const mcu_add_params_t *p, const int8_t *input1, const int8_t *input2,
                    int8_t *output)
{
    /* locals: the int8 stores may alias anything reached through p */
    const int32_t n = p->size;
    const int32_t ls = p->left_shift;
    const int32_t off1 = p->input1_offset;
    const int32_t off2 = p->input2_offset;
    const int32_t off_o = p->output_offset;
    const int32_t m1 = p->input1_multiplier;
    const int32_t m2 = p->input2_multiplier;
    const int32_t mo = p->output_multiplier;
    /* the shifts are <= 0: they are the -right shifts mcu_mve_rdbpot takes */
    const int32x4_t r1 = vdupq_n_s32(p->input1_shift);
    const int32x4_t r2 = vdupq_n_s32(p->input2_shift);
    const int32x4_t ro = vdupq_n_s32(p->output_shift);
    const int32x4_t lo = vdupq_n_s32(p->act_min);
    const int32x4_t hi = vdupq_n_s32(p->act_max);
    int32_t i;

    for (i = 0; i + 4 <= n; i += 4) {
        int32x4_t o;
        MVE_ADD_STEP(vldrbq_s32(input1 + i), vldrbq_s32(input2 + i), o);
        vstrbq_s32(output + i, o);
    }
    if (i < n) {
        const mve_pred16_t pr = vctp32q((uint32_t)(n - i));
        int32x4_t o;
        MVE_ADD_STEP(vldrbq_z_s32(input1 + i, pr), vldrbq_z_s32(input2 + i, pr), o);
        vstrbq_p_s32(output + i, o, pr);
    }
}
