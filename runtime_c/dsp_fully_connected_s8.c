/*
 * dsp_fully_connected_s8.c - int8 FULLY_CONNECTED with the DSP extension (see
 * dsp_fully_connected_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>
#include <string.h>

#include "dsp_fully_connected_s8.h"

/* Widen input row `row` into a column at dst, `stride` words per group. */
static void dsp_fc_column(const mcu_dsp_fc_params_t *p, const int8_t *row, int8_t *staging,
                          int32_t *dst, int32_t stride)
{
    const int32_t groups = p->mm.groups;
    if (4 * groups != p->depth) {
        memcpy(staging, row, (size_t)p->depth); /* the zero tail was written once */
        row = staging;
    }
    mcu_dsp_widen_s8(row, groups, stride, dst);
}

void mcu_dsp_fully_connected_s8(const mcu_dsp_fc_params_t *p, const int8_t *input,
                                const int32_t *stream, int8_t *output, void *scratch)
{
    const mcu_dsp_fc_params_t pc = *p;
    const int32_t groups = pc.mm.groups;
    const int32_t n_out = pc.mm.n_out;
    const size_t depth = (size_t)pc.depth;
    int32_t *cols;
    int8_t *staging;
    int32_t b;

    if (scratch == NULL) {
        /* depth == 4 * groups: each input row is one raw column */
        mcu_dsp_seg_t seg;
        seg.groups = groups;
        for (b = 0; b < pc.batches; ++b) {
            seg.x = input + (size_t)b * depth;
            mcu_dsp_mat_mult_raw_s8(&pc.mm, stream, &seg, 1, output + (size_t)b * (size_t)n_out);
        }
        return;
    }
    cols = (int32_t *)scratch;
    staging = (int8_t *)(cols + 4 * groups);
    memset(staging + depth, 0, (size_t)(4 * groups) - depth);
    for (b = 0; b + 2 <= pc.batches; b += 2) {
        int8_t *out = output + (size_t)b * (size_t)n_out;
        dsp_fc_column(&pc, input + (size_t)b * depth, staging, cols, 4);
        dsp_fc_column(&pc, input + (size_t)(b + 1) * depth, staging, cols + 2, 4);
        mcu_dsp_mat_mult_s8(&pc.mm, stream, cols, 1, out, out + n_out);
    }
    if (b < pc.batches) {
        dsp_fc_column(&pc, input + (size_t)b * depth, staging, cols, 2);
        mcu_dsp_mat_mult_s8(&pc.mm, stream, cols, 0, output + (size_t)b * (size_t)n_out, NULL);
    }
}
