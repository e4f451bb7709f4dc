/*
 * pooling_s8.h - int8 AVERAGE_POOL_2D and MAX_POOL_2D kernels.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_POOLING_S8_H
#define MCU_POOLING_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Average pooling, int8 in / int8 out (input and output share scale and
 * zero point, so no requantization happens).
 *
 * Data layout
 *   input   [batches, in_h, in_w, channels]        int8, NHWC
 *   output  [batches, out_h, out_w, channels]      int8, NHWC
 *
 * Parameters (mcu_pool_params_t)
 *   k_h, k_w, stride_* >= 1; pad_top/pad_left >= 0 (TFLite padding with
 *   dilation 1). The window is clipped to the image and the average is taken
 *   over the number of valid taps only (padding is not counted). The sum is
 *   rounded half away from zero in the reference's peculiar way:
 *     sum > 0 ? (sum + n/2) / n : (sum - n/2) / n     (C truncating division)
 *   then clamped to [act_min, act_max] (int8 range).
 *   A window with no valid tap makes the reference fail (TFLM returns an
 *   error); the generator must never emit such a geometry. This kernel then
 *   writes clamp(0) for that element instead of dividing by zero.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::AveragePool (int8 overload) (tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h)
 */
void mcu_avg_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output);

/*
 * Max pooling, int8 in / int8 out, same layouts and geometry rules as
 * mcu_avg_pool_s8. The running maximum starts at -128 and the result is
 * clamped to [act_min, act_max].
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::MaxPool (int8 overload) (tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h)
 */
void mcu_max_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_POOLING_S8_H */
