/*
 * mul_s8.h - int8 MUL with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_MUL_S8_H
#define MCU_MUL_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized element-wise multiplication, int8 x int8 -> int8.
 *
 * Per element:
 *   y = output_offset + MultiplyByQuantizedMultiplier((x1 + input1_offset) *
 *                                                     (x2 + input2_offset),
 *                                                     output_multiplier, output_shift)
 *   out = clamp(y, act_min, act_max)
 *
 * Data layout: any shapes that broadcast (p->bcast, see mcu_broadcast_t);
 *   row-major, the output written densely.
 * Parameters (mcu_mul_params_t): offsets = -zero_point in [-127, 128], so the
 *   product is at most 65,536 in magnitude; multiplier/shift from
 *   QuantizeMultiplier(s1 * s2 / s_out), shift in [-31, 30]; act_min <= act_max.
 * In place: the output may share bytes with an input of the output's shape.
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::Mul and BroadcastMul6DSlow (int8)
 *   (tensorflow/lite/kernels/internal/reference/integer_ops/mul.h), with the
 *   constants of TFLM CalculateOpDataMul (micro/kernels/mul_common.cc).
 */
void mcu_mul_s8(const mcu_mul_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MUL_S8_H */
