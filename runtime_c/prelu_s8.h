/*
 * prelu_s8.h - int8 PRELU with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_PRELU_S8_H
#define MCU_PRELU_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parametric ReLU, int8 input, int8 alpha -> int8.
 *
 * Per element, with v = x + input_offset:
 *   v >= 0: y = MultiplyByQuantizedMultiplier(v, output_multiplier_1, output_shift_1)
 *   v <  0: y = MultiplyByQuantizedMultiplier(v * (alpha + alpha_offset),
 *                                             output_multiplier_2, output_shift_2)
 *   out = clamp(y + output_offset, -128, 127)
 *
 * Data layout: input (input1) and alpha (input2) broadcast against each other
 *   (p->bcast, see mcu_broadcast_t); alpha may be a constant or a tensor.
 * Parameters (mcu_prelu_params_t): offsets = -zero_point; shifts in [-31, 30].
 * In place: the output may share bytes with an input of the output's shape.
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::BroadcastPrelu4DSlow<int8_t, int8_t>
 *   (tensorflow/lite/kernels/internal/reference/prelu.h), constants from TFLM
 *   CalculatePreluParams (micro/kernels/prelu_common.cc).
 */
void mcu_prelu_s8(const mcu_prelu_params_t *p, const int8_t *input, const int8_t *alpha,
                  int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_PRELU_S8_H */
