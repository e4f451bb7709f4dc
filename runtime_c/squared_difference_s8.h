/*
 * squared_difference_s8.h - int8 SQUARED_DIFFERENCE with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_SQUARED_DIFFERENCE_S8_H
#define MCU_SQUARED_DIFFERENCE_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized (x1 - x2)^2, int8 -> int8.
 *
 * Per element:
 *   a = MultiplyByQuantizedMultiplierSmallerThanOneExp((x1 + input1_offset) << 7,
 *                                                      input1_multiplier, input1_shift)
 *   b = the same for x2 with the input2_* constants
 *   y = MultiplyByQuantizedMultiplier((a - b) * (a - b), output_multiplier,
 *                                     output_shift) + output_offset
 *   out = clamp(y, -128, 127)
 *
 * Data layout: any shapes that broadcast (p->bcast, see mcu_broadcast_t).
 * Parameters (mcu_sub_params_t): left_shift = 7, so |a - b| <= 32,640 and the
 *   square stays below 2^31; input shifts <= 0; output_shift in [-31, 30] (the
 *   output multiplier may exceed one); act_min = -128, act_max = 127 (the op
 *   has no fused activation).
 * In place: the output may share bytes with an input of the output's shape.
 * Scratch memory: none.
 *
 * Bit-exact with: the int8 SquaredDifference(x, y, ArithmeticParams) of
 *   tensorflow/lite/micro/kernels/squared_difference.cc, walked by
 *   tflite::reference_integer_ops::ElementWise / BroadcastBinaryFunction6DSlow
 *   (tensorflow/lite/kernels/internal/reference/integer_ops/add.h).
 */
void mcu_squared_difference_s8(const mcu_sub_params_t *p, const int8_t *input1,
                               const int8_t *input2, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_SQUARED_DIFFERENCE_S8_H */
