/*
 * fully_connected_s8.c - int8 FULLY_CONNECTED kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "fully_connected_s8.h"
#include "mat_mult_s8.h"

/*
 * MCU_FC_X16 > 0 (every target but a Cortex-M): a single input row of
 * MCU_FC_X16_MIN_DEPTH to MCU_FC_X16 values feeding at least MCU_FC_X16_MIN_OUT outputs
 * is first widened to int16 with the input offset added, in a stack buffer of
 * MCU_FC_X16 int16, then multiplied by mcu_mat_mult_s16: the offset add and widening
 * happen once instead of once per tile of 4 outputs (gcc -O2 on x86-64: ~13 % less
 * time on arm_kws_dnn_s). A Cortex-M keeps mcu_mat_mult_s8 (no stack buffer, fewest
 * instructions there). Same arithmetic either way: x + offset is exact in int16.
 */
#ifndef MCU_FC_X16
#if defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
#define MCU_FC_X16 0
#else
#define MCU_FC_X16 256
#endif
#endif
#define MCU_FC_X16_MIN_DEPTH 64
#define MCU_FC_X16_MIN_OUT 8

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
#if MCU_FC_X16 > 0
    if (p->batches == 1 && depth >= MCU_FC_X16_MIN_DEPTH && depth <= MCU_FC_X16 &&
        n_out >= MCU_FC_X16_MIN_OUT) {
        int16_t x16[MCU_FC_X16];
        mcu_s8_to_s16_offset(input, depth, p->input_offset, x16);
        mcu_mat_mult_s16(x16, NULL, depth, filter, depth, n_out, &o, output, NULL);
        return;
    }
#endif
    /* two input rows at a time (tiles of 2 x 2), then a last single row (4 x 1) */
    for (b = 0; b < p->batches; b += 2) {
        const int8_t *x0 = input + (size_t)b * (size_t)depth;
        int8_t *out0 = output + (size_t)b * (size_t)n_out;
        const int pair = b + 1 < p->batches;
        mcu_mat_mult_s8(x0, pair ? x0 + depth : NULL, depth, p->input_offset, filter, depth,
                        n_out, &o, out0, out0 + n_out);
    }
}
