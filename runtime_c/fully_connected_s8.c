/*
 * fully_connected_s8.c - int8 FULLY_CONNECTED kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "fully_connected_s8.h"
#include "mat_mult_s8.h"

void mcu_fully_connected_s8(const mcu_fc_params_t *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias,
                            const int32_t *out_mult, const int32_t *out_shift,
                            int8_t *output)
{
    const int32_t depth = p->depth;
    const int32_t n_out = p->out_features;
    mcu_mm_out_t o;
    int32_t b;

    o.bias = bias;
    o.mult = out_mult;
    o.shift = out_shift;
    o.per_channel = p->per_channel;
    o.output_offset = p->output_offset;
    o.act_min = p->act_min;
    o.act_max = p->act_max;
    /* two input rows at a time (tiles of 2 x 2), then a last single row (4 x 1) */
    for (b = 0; b < p->batches; b += 2) {
        const int8_t *x0 = input + (size_t)b * (size_t)depth;
        int8_t *out0 = output + (size_t)b * (size_t)n_out;
        const int pair = b + 1 < p->batches;
        mcu_mat_mult_s8(x0, pair ? x0 + depth : NULL, depth, p->input_offset, filter, depth,
                        n_out, &o, out0, out0 + n_out);
    }
}
