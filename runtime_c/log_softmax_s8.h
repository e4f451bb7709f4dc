/*
 * log_softmax_s8.h - int8 LOG_SOFTMAX kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_LOG_SOFTMAX_S8_H
#define MCU_LOG_SOFTMAX_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized log(softmax(x)) over the last axis, int8 in -> int8 out.
 *
 * Data layout
 *   input   [outer, depth]   int8, any scale / zero point
 *   output  [outer, depth]   int8, scale 16/256, zero point 127 (TFLM rejects
 *                            any other output quantization)
 *
 * Parameters (mcu_log_softmax_params_t), as TFLM log_softmax.cc CalculateOpData:
 *   input_multiplier, input_left_shift, reverse_scaling_divisor and
 *   reverse_scaling_right_shift from PreprocessLogSoftmaxScalingExp(1.0,
 *   input_scale, 5); diff_min = -CalculateInputRadius(5, input_left_shift).
 *   input_left_shift is in [1, 31]; at 31 (input scale >= 16) diff_min is 0, so
 *   only a zero difference is ever multiplied. depth <= 4095, so that the Q12.19
 *   sum of exponentials cannot overflow.
 *
 * Arithmetic: gemmlowp fixed point. Each difference x - max(row) >= diff_min is
 * scaled to Q5.26 and exponentiated (exp_on_negative_values), the Q12.19 sum's
 * logarithm is taken in Q5.26 (log_x_for_x_greater_than_or_equal_to_1), and
 * each output is (scaled difference - log sum) / 2^22 + 127, clamped; outputs
 * whose difference is at most the adjusted minimum are -128.
 *
 * In place: the output may be the input (each row is read fully before the
 *   last pass writes element c right after reading it).
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::LogSoftmaxQuantized<int8_t>
 *   (tensorflow/lite/kernels/internal/reference/log_softmax.h) with
 *   tflite::log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>
 *   (tensorflow/lite/kernels/internal/common.h).
 */
void mcu_log_softmax_s8(const mcu_log_softmax_params_t *p, const int8_t *input,
                        int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_LOG_SOFTMAX_S8_H */
