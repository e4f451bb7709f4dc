/*
 * batch_matmul_s8.h - int8 BATCH_MATMUL kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_BATCH_MATMUL_S8_H
#define MCU_BATCH_MATMUL_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Batched matrix product with broadcasting of the batch dimensions.
 *
 * Data layout (ranks 2..5, extended to 5 at the front)
 *   lhs     [l0, l1, l2, rows, depth]   int8 ([.., depth, rows] in memory when adj_x)
 *   rhs     [r0, r1, r2, depth, cols]   int8 ([.., cols, depth] in memory when adj_y)
 *   output  [b0, b1, b2, rows, cols]    int8, row-major
 *   Each batch dimension is equal in lhs and rhs or 1 in one of them
 *   (broadcast: batch stride 0). lhs or rhs may be constant (weights).
 *
 * Computation, per output element:
 *   acc = sum_k (lhs[.., r, k] + lhs_offset) * (rhs[.., k, c] + rhs_offset)   (int32)
 *   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift)
 *               + output_offset, -128, 127)         (no fused activation)
 *
 * Value ranges: offsets in [-127, 128]; depth <= 33025, so acc fits int32.
 *
 * Scratch memory: none (the reference transposes operands into persistent
 * buffers first; strides make that unnecessary and the int32 sums are equal).
 *
 * Bit-exact with: tflite::reference_ops::BatchMatMul (FullyConnectedParams overload,
 *                 tensorflow/lite/kernels/internal/reference/batch_matmul.h), as called by
 *                 TFLM's micro/kernels/batch_matmul.cc EvalInt8
 */
void mcu_batch_matmul_s8(const mcu_batch_matmul_params_t *p, const int8_t *lhs,
                         const int8_t *rhs, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_BATCH_MATMUL_S8_H */
