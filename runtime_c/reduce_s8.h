/*
 * reduce_s8.h - int8 MEAN, SUM and REDUCE_MAX kernels.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_REDUCE_S8_H
#define MCU_REDUCE_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Sum over the reduced axes, then requantize: MEAN and SUM.
 *
 * Data layout
 *   input   any shape, row-major int8; the kept and reduced dimensions are
 *           described by mcu_reduce_params_t (input element strides)
 *   output  [out_size] int8, the kept dimensions in row-major order (the
 *           output tensor's order with or without keep_dims)
 *
 * Computation, per output element:
 *   acc = sum of the inner_size int8 inputs + sum_offset      (int32, exact)
 *   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift)
 *               + output_offset, -128, 127)
 * For SUM, (multiplier, shift) = QuantizeMultiplier(input_scale / output_scale).
 * For MEAN, the generator folds 1 / inner_size into them exactly as the
 * reference does at run time (a multiplier scaled by 2^k / n, k = floor(log2 n)
 * clamped to <= 32 and <= 31 + shift).
 *
 * Value ranges: inner_size <= 2^23, so acc never overflows; shift in [-31, 30].
 *
 * Scratch memory: none (the reference keeps an int32 sum per output element in
 * the arena; summing one output at a time gives the same int32 sums).
 *
 * Bit-exact with: tflite::reference_ops::QuantizedMeanOrSum
 *                 (tensorflow/lite/kernels/internal/reference/reduce.h), as called by
 *                 TFLM's EvalMeanHelper / EvalSumHelper (micro/kernels/reduce_common.cc)
 */
void mcu_reduce_sum_s8(const mcu_reduce_params_t *p, const int8_t *input, int8_t *output);

/*
 * Maximum over the reduced axes (input and output share scale and zero point,
 * so no requantization happens). Layout as mcu_reduce_sum_s8; only out_size,
 * the dims/strides and inner_size are used.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::ReduceGeneric<int8_t> with the max reducer
 *                 (tensorflow/lite/kernels/internal/reference/reduce.h), as called by
 *                 TFLM's EvalMaxHelper (micro/kernels/reduce_common.cc)
 */
void mcu_reduce_max_s8(const mcu_reduce_params_t *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_REDUCE_S8_H */
