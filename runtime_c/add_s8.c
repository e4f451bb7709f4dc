/*
 * add_s8.c - int8 ADD kernel with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "add_s8.h"
#include "mcu_requant.h"

/* One output element; mirrors the reference AddFunc step by step. */
static int8_t add_one(const mcu_add_params_t *p, int32_t x1, int32_t x2)
{
    const int32_t shifted1 = mcu_shl_wrap_s32(x1 + p->input1_offset, p->left_shift);
    const int32_t shifted2 = mcu_shl_wrap_s32(x2 + p->input2_offset, p->left_shift);
    const int32_t scaled1 = mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
        shifted1, p->input1_multiplier, p->input1_shift);
    const int32_t scaled2 = mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
        shifted2, p->input2_multiplier, p->input2_shift);
    const int32_t raw_sum = mcu_add_wrap_s32(scaled1, scaled2);
    const int32_t raw_out = mcu_add_wrap_s32(
        mcu_multiply_by_quantized_multiplier_smaller_than_one_exp(
            raw_sum, p->output_multiplier, p->output_shift),
        p->output_offset);
    return (int8_t)mcu_clamp_s32(raw_out, p->act_min, p->act_max);
}

void mcu_add_s8(const mcu_add_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output)
{
    if (!p->broadcast) {
        int32_t i;
        for (i = 0; i < p->size; ++i) {
            output[i] = add_one(p, input1[i], input2[i]);
        }
    } else {
        const int32_t *d = p->out_dims;
        const int32_t *s1 = p->in1_strides;
        const int32_t *s2 = p->in2_strides;
        int32_t i0, i1, i2, i3, i4, i5;

        /* Walk the output in row-major order; input offsets follow the
         * (possibly zero) strides, exactly like the 6-D reference walk. */
        for (i0 = 0; i0 < d[0]; ++i0) {
            for (i1 = 0; i1 < d[1]; ++i1) {
                for (i2 = 0; i2 < d[2]; ++i2) {
                    for (i3 = 0; i3 < d[3]; ++i3) {
                        for (i4 = 0; i4 < d[4]; ++i4) {
                            const int32_t base1 = i0 * s1[0] + i1 * s1[1] + i2 * s1[2] +
                                                  i3 * s1[3] + i4 * s1[4];
                            const int32_t base2 = i0 * s2[0] + i1 * s2[1] + i2 * s2[2] +
                                                  i3 * s2[3] + i4 * s2[4];
                            const int8_t *in1 = input1 + base1;
                            const int8_t *in2 = input2 + base2;
                            for (i5 = 0; i5 < d[5]; ++i5) {
                                *output++ = add_one(p, in1[i5 * s1[5]], in2[i5 * s2[5]]);
                            }
                        }
                    }
                }
            }
        }
    }
}
