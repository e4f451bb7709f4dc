/*
 * batch_matmul_s8.c - int8 BATCH_MATMUL kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "batch_matmul_s8.h"
#include "mcu_requant.h"

void mcu_batch_matmul_s8(const mcu_batch_matmul_params_t *p, const int8_t *lhs,
                         const int8_t *rhs, int8_t *output)
{
    const int32_t rows = p->rows;
    const int32_t cols = p->cols;
    const int32_t depth = p->depth;
    int32_t b0, b1, b2, r, c, k;

    for (b0 = 0; b0 < p->batch_dims[0]; ++b0) {
        for (b1 = 0; b1 < p->batch_dims[1]; ++b1) {
            for (b2 = 0; b2 < p->batch_dims[2]; ++b2) {
                const int8_t *lhs_mat = lhs + b0 * p->lhs_batch_strides[0] +
                                        b1 * p->lhs_batch_strides[1] +
                                        b2 * p->lhs_batch_strides[2];
                const int8_t *rhs_mat = rhs + b0 * p->rhs_batch_strides[0] +
                                        b1 * p->rhs_batch_strides[1] +
                                        b2 * p->rhs_batch_strides[2];
                for (r = 0; r < rows; ++r) {
                    const int8_t *lhs_row = lhs_mat + r * p->lhs_row_stride;
                    for (c = 0; c < cols; ++c) {
                        const int8_t *rhs_col = rhs_mat + c * p->rhs_col_stride;
                        int32_t acc = 0;
                        for (k = 0; k < depth; ++k) {
                            acc += ((int32_t)lhs_row[k * p->lhs_depth_stride] + p->lhs_offset) *
                                   ((int32_t)rhs_col[k * p->rhs_depth_stride] + p->rhs_offset);
                        }
                        acc = mcu_multiply_by_quantized_multiplier(acc, p->multiplier,
                                                                   p->shift);
                        acc = mcu_add_wrap_s32(acc, p->output_offset);
                        *output++ = (int8_t)mcu_clamp_s32(acc, INT8_MIN, INT8_MAX);
                    }
                }
            }
        }
    }
}
