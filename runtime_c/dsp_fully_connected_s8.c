/*
 * dsp_fully_connected_s8.c - int8 FULLY_CONNECTED with the DSP extension (see
 * dsp_fully_connected_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>
#include <string.h>

#include "dsp_fully_connected_s8.h"

/* Widen input row `row` into a column at dst. */
static void dsp_fc_column(const mcu_dsp_fc_params_t *p, const int8_t *row, int8_t *staging,
                          int32_t *dst)
{
    const int32_t groups = p->mm.groups;
    if (4 * groups != p->depth) {
        memcpy(staging, row, (size_t)p->depth); /* the zero tail was written once */
        row = staging;
    }
    (void)mcu_dsp_widen_s8(row, groups, dst);
}

/* Every input row as a raw column (depth == 4 * groups), widened in turn into col
 * (NULL: on the stack, see mcu_dsp_mat_mult_cols_s8). */
static void dsp_fc_rows(const mcu_dsp_fc_params_t *p, const int8_t *input,
                        const int32_t *stream, int8_t *output, int32_t *col)
{
    mcu_dsp_cols_t c;
    c.x = input;
    c.x_step = p->depth;
    c.n_cols = p->batches;
    c.col = col;
    mcu_dsp_mat_mult_cols_s8(&p->mm, stream, &c, output);
}

void mcu_dsp_fully_connected_s8(const mcu_dsp_fc_params_t *p, const int8_t *input,
                                const int32_t *stream, int8_t *output, void *scratch)
{
    const mcu_dsp_fc_params_t pc = *p;
    const int32_t groups = pc.mm.groups;
    const int32_t n_out = pc.mm.n_out;
    const size_t depth = (size_t)pc.depth;
    int32_t *col;
    int8_t *staging;
    int32_t b;

    if (4 * groups == pc.depth) {
        if (scratch != NULL) {
            dsp_fc_rows(&pc, input, stream, output, (int32_t *)scratch);
            return;
        }
        if (groups <= MCU_DSP_COLS_STACK_GROUPS) {
            dsp_fc_rows(&pc, input, stream, output, NULL); /* column on the stack */
            return;
        }
    }
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
    col = (int32_t *)scratch;
    staging = (int8_t *)(col + 2 * groups);
    memset(staging + depth, 0, (size_t)(4 * groups) - depth);
    for (b = 0; b < pc.batches; ++b) {
        dsp_fc_column(&pc, input + (size_t)b * depth, staging, col);
        mcu_dsp_mat_mult_s8(&pc.mm, stream, col, output + (size_t)b * (size_t)n_out);
    }
}
