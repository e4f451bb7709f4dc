/*
 * add_s8.c - int8 ADD kernel with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "add_s8.h"
#include "mcu_requant.h"

/*
 * The three rescalings of the reference AddFunc, prepared once per call.
 * mcu_requant_apply equals MultiplyByQuantizedMultiplierSmallerThanOneExp for
 * the shifts <= 0 that QuantizeMultiplierSmallerThanOneExp gives (checked in
 * mcu_add_s8, which otherwise uses the step-by-step functions).
 */
typedef struct {
    mcu_requant_t in1, in2, out;
    const int32_t *t1, *t2; /* the scaled inputs, indexed by the int8 value, or NULL */
} add_plan_t;

/* The scaled value of one input element (the first half of the reference AddFunc). */
static int32_t add_scaled(int32_t x, int32_t offset, int32_t left_shift,
                          const mcu_requant_t *q)
{
    return mcu_requant_apply(mcu_shl_wrap_s32(x + offset, left_shift), q);
}

/* One output element from two int8 inputs. */
static int8_t add_fast(const mcu_add_params_t *p, const add_plan_t *a, int32_t x1, int32_t x2)
{
    int32_t s1, s2, raw;

    if (a->t1 != NULL) {
        s1 = a->t1[x1];
        s2 = a->t2[x2];
    } else {
        s1 = add_scaled(x1, p->input1_offset, p->left_shift, &a->in1);
        s2 = add_scaled(x2, p->input2_offset, p->left_shift, &a->in2);
    }
    raw = mcu_add_wrap_s32(mcu_requant_apply(mcu_add_wrap_s32(s1, s2), &a->out),
                           p->output_offset);
    return (int8_t)mcu_clamp_s32(raw, p->act_min, p->act_max);
}

/* One output element; mirrors the reference AddFunc step by step (any shifts). */
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

/* n output elements from inputs read every step1 / step2 elements. */
static void add_run(const mcu_add_params_t *p, const add_plan_t *a, const int8_t *in1,
                    const int8_t *in2, int8_t *out, int32_t n, int32_t step1, int32_t step2)
{
    int32_t i;

    if (a == NULL) {
        for (i = 0; i < n; ++i) {
            out[i] = add_one(p, in1[i * step1], in2[i * step2]);
        }
    } else if (step1 == 1 && step2 == 1 && a->t1 != NULL) {
        /* the common large case: two table reads and one rescaling per element
         * (locals: the int8 stores could otherwise alias every parameter) */
        const int32_t *t1 = a->t1;
        const int32_t *t2 = a->t2;
        const mcu_requant_t q = a->out;
        const int32_t output_offset = p->output_offset;
        const int32_t act_min = p->act_min;
        const int32_t act_max = p->act_max;
        for (i = 0; i < n; ++i) {
            const int32_t raw = mcu_add_wrap_s32(
                mcu_requant_apply(mcu_add_wrap_s32(t1[in1[i]], t2[in2[i]]), &q), output_offset);
            out[i] = (int8_t)mcu_clamp_s32(raw, act_min, act_max);
        }
    } else if (step1 == 1 && step2 == 1) {
        for (i = 0; i < n; ++i) {
            out[i] = add_fast(p, a, in1[i], in2[i]);
        }
    } else {
        for (i = 0; i < n; ++i) {
            out[i] = add_fast(p, a, in1[i * step1], in2[i * step2]);
        }
    }
}

void mcu_add_s8(const mcu_add_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output, const int32_t *tables)
{
    add_plan_t plan;
    const add_plan_t *a = NULL;

    if (p->input1_shift <= 0 && p->input2_shift <= 0 && p->output_shift <= 0) {
        mcu_requant_prepare(p->input1_multiplier, p->input1_shift, &plan.in1);
        mcu_requant_prepare(p->input2_multiplier, p->input2_shift, &plan.in2);
        mcu_requant_prepare(p->output_multiplier, p->output_shift, &plan.out);
        plan.t1 = (tables != NULL) ? tables + 128 : NULL;
        plan.t2 = (tables != NULL) ? tables + 384 : NULL;
        a = &plan;
    }
    if (!p->broadcast) {
        add_run(p, a, input1, input2, output, p->size, 1, 1);
    } else {
        const int32_t *d = p->out_dims;
        const int32_t *s1 = p->in1_strides;
        const int32_t *s2 = p->in2_strides;
        int32_t i0, i1, i2, i3, i4;

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
                            add_run(p, a, input1 + base1, input2 + base2, output, d[5], s1[5],
                                    s2[5]);
                            output += d[5];
                        }
                    }
                }
            }
        }
    }
}
