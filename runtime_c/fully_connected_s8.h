/*
 * fully_connected_s8.h - int8 FULLY_CONNECTED kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_FULLY_CONNECTED_S8_H
#define MCU_FULLY_CONNECTED_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized fully connected layer, int8 in / int8 weights / int8 out.
 *
 * Data layout
 *   input   [batches, depth]                       int8, row-major
 *   filter  [out_features, depth]                  int8, row-major
 *   bias    [out_features]                         int32, may be NULL
 *   out_mult, out_shift                            per_channel == 1: out_features entries
 *                                                  per_channel == 0: one entry
 *   output  [batches, out_features]                int8
 *
 * Parameters (mcu_fc_params_t)
 *   input_offset  = -input_zero_point, in [-127, 128]
 *   filter_offset must be 0 (symmetric int8 weights, which TFLite Micro requires;
 *                 the reference applies it only in per-tensor mode)
 *   output_offset = output_zero_point, in [-128, 127]
 *   act_min <= act_max, both in [-128, 127]
 *   The int32 accumulator is exact as long as depth <= 65793.
 *
 * Method: mcu_mat_mult_s8 on two input rows at a time (a last odd row alone),
 * the input offset added on the fly. Off a Cortex-M, a single row of 64 to 256 values
 * (at least 8 outputs) is widened to int16 with the offset once, then
 * mcu_mat_mult_s16 (see MCU_FC_X16 in fully_connected_s8.c).
 *
 * Scratch memory: none (off a Cortex-M, up to 512 bytes of stack for that row).
 *
 * Bit-exact with: tflite::reference_integer_ops::FullyConnected (per_channel == 0) and
 *                 tflite::reference_integer_ops::FullyConnectedPerChannel (per_channel == 1)
 *                 (tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h)
 */
void mcu_fully_connected_s8(const mcu_fc_params_t *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias,
                            const int32_t *out_mult, const int32_t *out_shift,
                            int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_FULLY_CONNECTED_S8_H */
