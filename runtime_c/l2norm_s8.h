/*
 * l2norm_s8.h - int8 L2_NORMALIZATION kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_L2NORM_S8_H
#define MCU_L2NORM_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * x / sqrt(sum(x^2)) along the last axis, x = input - input_zero_point.
 *
 * Data layout
 *   input   [outer, depth]   int8, row-major (any rank, last axis = depth)
 *   output  [outer, depth]   int8 with scale 1/128 and zero point 0: the
 *                            result is written as round(128 * x / |x|),
 *                            clamped to [-128, 127]
 *
 * Computation, per row: acc = sum of x^2 (int32); (mult, shift) =
 * GetInvSqrtQuantizedMultiplierExp(acc, -1); out = clamp(
 * MultiplyByQuantizedMultiplier(x, mult, shift + 7), -128, 127). A row of
 * zeros (acc <= 1) uses the multiplier INT32_MAX with shift 0.
 *
 * Value ranges: depth <= 33025, so acc (at most 255^2 per element) fits int32.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::L2Normalization
 *                 (tensorflow/lite/kernels/internal/reference/integer_ops/l2normalization.h)
 */
void mcu_l2_normalization_s8(const mcu_l2norm_params_t *p, const int8_t *input,
                             int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_L2NORM_S8_H */
