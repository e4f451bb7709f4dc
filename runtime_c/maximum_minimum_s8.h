/*
 * maximum_minimum_s8.h - int8 MAXIMUM and MINIMUM with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_MAXIMUM_MINIMUM_S8_H
#define MCU_MAXIMUM_MINIMUM_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Element-wise max(x1, x2) / min(x1, x2) of the raw int8 values.
 *
 * No requantization: TFLite Micro's kernel has no Prepare and compares the
 * stored bytes whatever the tensors' scales and zero points (the converter
 * gives both inputs and the output one quantization).
 *
 * Data layout: any shapes that broadcast (g, see mcu_broadcast_t).
 * In place: the output may share bytes with an input of the output's shape.
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::MaximumMinimumBroadcastSlow with
 *   MaximumOp / MinimumOp (tensorflow/lite/kernels/internal/reference/maximum_minimum.h,
 *   tensorflow/lite/micro/kernels/maximum_minimum.h).
 */
void mcu_maximum_s8(const mcu_broadcast_t *g, const int8_t *input1, const int8_t *input2,
                    int8_t *output);
void mcu_minimum_s8(const mcu_broadcast_t *g, const int8_t *input1, const int8_t *input2,
                    int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MAXIMUM_MINIMUM_S8_H */
