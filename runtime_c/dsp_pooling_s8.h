/*
 * dsp_pooling_s8.h - int8 AVERAGE_POOL_2D and MAX_POOL_2D, four channels per 32-bit word
 * with the Armv7E-M DSP instructions (SXTAB16; SSUB8 + SEL).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_POOLING_S8_H
#define MCU_DSP_POOLING_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Average pooling, int8 in / int8 out (input and output share quantization), the same
 * parameters, layouts and results as mcu_avg_pool_s8 (pooling_s8.h).
 *
 * Data layout
 *   input   [batches, in_h, in_w, channels]        int8, NHWC
 *   output  [batches, out_h, out_w, channels]      int8, NHWC
 *
 * Requires k_h * k_w <= 256: the sums of four channels then fit the int16 lanes of two
 * words (|sum| <= 256 * 128), accumulated with SXTAB16 and SXTAB16 ROR 8 (three
 * instructions per four input values). Each sum is rounded as the reference does:
 *   sum > 0 ? (sum + n/2) / n : (sum - n/2) / n    (n = the valid taps of the window)
 * then clamped to [act_min, act_max]. Channels past a multiple of four run one by one.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::AveragePool (int8 overload) (tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h)
 */
void mcu_dsp_avg_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output);

/*
 * Max pooling, same layouts and geometry rules as mcu_dsp_avg_pool_s8 (any window): the
 * running maximum of four channels in one word (SSUB8 sets the per-lane GE flags, SEL
 * keeps the larger lanes), starting at -128, then clamped to [act_min, act_max] lane by
 * lane and stored as one word.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::MaxPool (int8 overload) (tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h)
 */
void mcu_dsp_max_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_POOLING_S8_H */
