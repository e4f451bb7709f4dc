/*
 * fully_connected_s8.c - int8 FULLY_CONNECTED kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "fully_connected_s8.h"
#include "mcu_requant.h"

void mcu_fully_connected_s8(const mcu_fc_params_t *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias,
                            const int32_t *out_mult, const int32_t *out_shift,
                            int8_t *output)
{
    const int32_t depth = p->depth;
    const int32_t out_features = p->out_features;
    const int32_t input_offset = p->input_offset;
    /* The per-channel reference routine has no filter offset at all. */
    const int32_t filter_offset = p->per_channel ? 0 : p->filter_offset;
    const int32_t output_offset = p->output_offset;
    const int32_t act_min = p->act_min;
    const int32_t act_max = p->act_max;
    int32_t b, oc, d;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_row = input + b * depth;
        for (oc = 0; oc < out_features; ++oc) {
            const int8_t *w_row = filter + oc * depth;
            const int32_t q = p->per_channel ? oc : 0;
            int32_t acc = 0;
            if (filter_offset == 0) {
                for (d = 0; d < depth; ++d) {
                    acc += (int32_t)w_row[d] * ((int32_t)in_row[d] + input_offset);
                }
            } else {
                for (d = 0; d < depth; ++d) {
                    acc += ((int32_t)w_row[d] + filter_offset) *
                           ((int32_t)in_row[d] + input_offset);
                }
            }
            if (bias != NULL) {
                acc = mcu_add_wrap_s32(acc, bias[oc]);
            }
            acc = mcu_multiply_by_quantized_multiplier(acc, out_mult[q], out_shift[q]);
            acc = mcu_add_wrap_s32(acc, output_offset);
            acc = mcu_clamp_s32(acc, act_min, act_max);
            *output++ = (int8_t)acc;
        }
    }
}
