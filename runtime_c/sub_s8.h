/*
 * sub_s8.h - int8 SUB with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_SUB_S8_H
#define MCU_SUB_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized element-wise subtraction, int8 - int8 -> int8.
 *
 * Per element (as ADD, with a difference):
 *   a = MultiplyByQuantizedMultiplierSmallerThanOneExp((x1 + input1_offset) << left_shift,
 *                                                      input1_multiplier, input1_shift)
 *   b = the same for x2 with the input2_* constants
 *   y = MultiplyByQuantizedMultiplierSmallerThanOneExp(a - b, output_multiplier,
 *                                                      output_shift) + output_offset
 *   out = clamp(y, act_min, act_max)
 *
 * Data layout: any shapes that broadcast (p->bcast, see mcu_broadcast_t).
 * Parameters (mcu_sub_params_t): left_shift = 20; offsets = -zero_point; every
 *   shift <= 0; the multipliers are ADD's (TFLM CalculateOpDataSub,
 *   micro/kernels/sub_common.cc, as the tflite-micro package computes them).
 * In place: the output may share bytes with an input of the output's shape.
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::Sub (int8) / SubElementwise and
 *   BroadcastQuantSubSlow (tensorflow/lite/kernels/internal/reference/sub.h).
 */
void mcu_sub_s8(const mcu_sub_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_SUB_S8_H */
