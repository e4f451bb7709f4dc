/*
 * svdf_s8.h - SVDF (singular value decomposition filter), int8 input and
 * output, int8 or int16 state and time weights.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_SVDF_S8_H
#define MCU_SVDF_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One invocation of an SVDF layer; the state keeps the last memory_size
 * feature activations of every filter across invocations.
 *
 * Data layout
 *   input            [batches, input_size]                      int8
 *   weights_feature  [num_filters, input_size]                  int8 (zero point unused)
 *   weights_time     [num_filters, memory_size]                 int8 / int16 (zero point unused)
 *   bias             [num_units]                                int32
 *   state            [batches, num_filters, memory_size]        int8 / int16, read and updated
 *   output           [batches, num_units]                       int8
 *   Filter f belongs to unit f / rank.
 *
 * Per invocation:
 *   1. the whole state moves one element towards its start (the oldest
 *      activation of each filter drops out);
 *   2. state[b][f][memory_size - 1] = state_zero_point
 *        + clamp_T(rescale(sum_c weights_feature[f][c] * (input[b][c] - input_zero_point)))
 *      stored with two's complement wrap-around when it leaves T's range, as
 *      the reference's static_cast does;
 *   3. output[b][u] = clamp8(output_zero_point + rescale(bias[u]
 *        + sum over the unit's filters and memory of
 *          weights_time[f][m] * (state[b][f][m] - state_zero_point))).
 *   The time sums wrap around in int32 like the reference's int arithmetic.
 *   The layer's fused activation is not applied (TFLite Micro's integer SVDF
 *   ignores it too).
 *
 * Scratch memory: none (TFLite Micro keeps the per-filter sums and the per-unit
 * outputs in two int32 scratch buffers; summing each unit's filters directly
 * gives the same int32 results).
 *
 * Bit-exact with: tflite::EvalIntegerSvdfReference<int8_t> (mcu_svdf_s8) and
 *   <int16_t> (mcu_svdf_s8_s16) (tensorflow/lite/micro/kernels/svdf_common.cc).
 */
void mcu_svdf_s8(const mcu_svdf_params_t *p, const int8_t *input,
                 const int8_t *weights_feature, const int8_t *weights_time,
                 const int32_t *bias, int8_t *state, int8_t *output);

void mcu_svdf_s8_s16(const mcu_svdf_params_t *p, const int8_t *input,
                     const int8_t *weights_feature, const int16_t *weights_time,
                     const int32_t *bias, int16_t *state, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_SVDF_S8_H */
