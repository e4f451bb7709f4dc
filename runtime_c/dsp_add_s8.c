/*
 * dsp_add_s8.c - int8 ADD with input tables and the DSP instructions (see dsp_add_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "dsp_add_s8.h"
#include "mcu_arm_dsp.h"
#include "mcu_requant.h"

/* One output value before the clamp, from t = 2 * raw_sum. */
static inline int32_t dsp_add_out(int32_t t, int32_t mult, int32_t rnd, int32_t e)
{
    const int32_t sign = -(int32_t)((uint32_t)t >> 31);
    return mcu_asr_s32(mcu_smmlar(t, mult, rnd + sign), e);
}

void mcu_dsp_add_s8(const mcu_dsp_add_params_t *p, const int8_t *input1,
                    const int8_t *input2, int8_t *output, const int32_t *tables)
{
    /* locals: the int8 stores could otherwise alias every parameter */
    const int32_t *t1 = tables;
    const int32_t *t2 = tables + 256;
    const int32_t mult = p->output_multiplier, rnd = p->round, e = p->shift;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32_t n = p->size;
    int32_t i = 0;

    if (p->full_range) {
        for (; i + 4 <= n; i += 4) {
            const int32_t s0 = t1[(uint8_t)input1[i]] + t2[(uint8_t)input2[i]];
            const int32_t s1 = t1[(uint8_t)input1[i + 1]] + t2[(uint8_t)input2[i + 1]];
            const int32_t s2 = t1[(uint8_t)input1[i + 2]] + t2[(uint8_t)input2[i + 2]];
            const int32_t s3 = t1[(uint8_t)input1[i + 3]] + t2[(uint8_t)input2[i + 3]];
            output[i] = (int8_t)mcu_ssat(dsp_add_out(s0, mult, rnd, e), 8);
            output[i + 1] = (int8_t)mcu_ssat(dsp_add_out(s1, mult, rnd, e), 8);
            output[i + 2] = (int8_t)mcu_ssat(dsp_add_out(s2, mult, rnd, e), 8);
            output[i + 3] = (int8_t)mcu_ssat(dsp_add_out(s3, mult, rnd, e), 8);
        }
    }
    for (; i < n; ++i) {
        const int32_t s = t1[(uint8_t)input1[i]] + t2[(uint8_t)input2[i]];
        output[i] = (int8_t)mcu_clamp_s32(dsp_add_out(s, mult, rnd, e), act_min, act_max);
    }
}
