/*
 * svdf_s8.c - SVDF, int8 input and output, int8 or int16 state. See svdf_s8.h.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <string.h>

#include "svdf_s8.h"
#include "mcu_requant.h"

/* Feature matmul of filter f, batch row x: the rescaled activation before the
 * state zero point is added, clamped to [lo, hi] (the state type's range). */
static int32_t mcu_svdf_feature(const mcu_svdf_params_t *p, const int8_t *x,
                                const int8_t *w, int32_t lo, int32_t hi)
{
    int32_t acc = 0;
    int32_t c;

    for (c = 0; c < p->input_size; ++c) {
        acc += (int32_t)w[c] * ((int32_t)x[c] - p->input_zero_point);
    }
    acc = mcu_multiply_by_quantized_multiplier(acc, p->feature_multiplier, p->feature_shift);
    return mcu_clamp_s32(acc, lo, hi);
}

/* bias + the unit's time sums -> int8 output value. */
static int8_t mcu_svdf_output(const mcu_svdf_params_t *p, int32_t acc)
{
    acc = mcu_multiply_by_quantized_multiplier(acc, p->output_multiplier, p->output_shift);
    acc = mcu_add_wrap_s32(acc, p->output_zero_point);
    return (int8_t)mcu_clamp_s32(acc, INT8_MIN, INT8_MAX);
}

void mcu_svdf_s8(const mcu_svdf_params_t *p, const int8_t *input,
                 const int8_t *weights_feature, const int8_t *weights_time,
                 const int32_t *bias, int8_t *state, int8_t *output)
{
    const int32_t filters = p->num_filters;
    const int32_t memory = p->memory_size;
    const int32_t row = filters * memory;
    const int32_t total = p->batches * row;
    int32_t b, f, u, r, m;

    if (total > 1) {
        memmove(state, state + 1, (size_t)(total - 1) * sizeof(*state));
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * p->input_size;
        for (f = 0; f < filters; ++f) {
            const int32_t v = mcu_svdf_feature(p, x, weights_feature + f * p->input_size,
                                               INT8_MIN, INT8_MAX);
            state[b * row + f * memory + memory - 1] = mcu_wrap_s8(p->state_zero_point + v);
        }
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *s = state + b * row;
        for (u = 0; u < p->num_units; ++u) {
            int32_t acc = bias[u];
            for (r = 0; r < p->rank; ++r) {
                f = u * p->rank + r;
                for (m = 0; m < memory; ++m) {
                    acc = mcu_add_wrap_s32(acc, (int32_t)weights_time[f * memory + m] *
                                                    ((int32_t)s[f * memory + m] -
                                                     p->state_zero_point));
                }
            }
            output[b * p->num_units + u] = mcu_svdf_output(p, acc);
        }
    }
}

void mcu_svdf_s8_s16(const mcu_svdf_params_t *p, const int8_t *input,
                     const int8_t *weights_feature, const int16_t *weights_time,
                     const int32_t *bias, int16_t *state, int8_t *output)
{
    const int32_t filters = p->num_filters;
    const int32_t memory = p->memory_size;
    const int32_t row = filters * memory;
    const int32_t total = p->batches * row;
    int32_t b, f, u, r, m;

    if (total > 1) {
        memmove(state, state + 1, (size_t)(total - 1) * sizeof(*state));
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * p->input_size;
        for (f = 0; f < filters; ++f) {
            const int32_t v = mcu_svdf_feature(p, x, weights_feature + f * p->input_size,
                                               INT16_MIN, INT16_MAX);
            state[b * row + f * memory + memory - 1] = mcu_wrap_s16(p->state_zero_point + v);
        }
    }
    for (b = 0; b < p->batches; ++b) {
        const int16_t *s = state + b * row;
        for (u = 0; u < p->num_units; ++u) {
            int32_t acc = bias[u];
            for (r = 0; r < p->rank; ++r) {
                f = u * p->rank + r;
                for (m = 0; m < memory; ++m) {
                    /* (state - zero point) spans up to 65,535: the product may wrap. */
                    acc = mcu_add_wrap_s32(acc, mcu_mul_wrap_s32(
                        weights_time[f * memory + m],
                        (int32_t)s[f * memory + m] - p->state_zero_point));
                }
            }
            output[b * p->num_units + u] = mcu_svdf_output(p, acc);
        }
    }
}
