/*
 * add_s8.h - int8 ADD kernel with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_ADD_S8_H
#define MCU_ADD_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized element-wise addition, int8 + int8 -> int8.
 *
 * Per element (AddFunc of the reference):
 *   a = (x1 + input1_offset) * 2^left_shift
 *   b = (x2 + input2_offset) * 2^left_shift
 *   a = MultiplyByQuantizedMultiplierSmallerThanOneExp(a, input1_multiplier, input1_shift)
 *   b = MultiplyByQuantizedMultiplierSmallerThanOneExp(b, input2_multiplier, input2_shift)
 *   y = MultiplyByQuantizedMultiplierSmallerThanOneExp(a + b, output_multiplier,
 *                                                      output_shift) + output_offset
 *   out = clamp(y, act_min, act_max)
 *
 * Data layout
 *   broadcast == 0: input1, input2 and output are flat arrays of `size`
 *                   elements (identical shapes).
 *   broadcast != 0: output has shape out_dims[0..5] (row-major, padded at the
 *                   front with 1s); element (i0..i5) of inputN is read at
 *                   sum_k ik * inN_strides[k], where the stride is 0 on every
 *                   dimension that inputN broadcasts over.
 *
 * Parameters (mcu_add_params_t)
 *   left_shift = 20 for int8
 *   input1_offset, input2_offset = -zero_point, in [-127, 128]
 *   input*_shift, output_shift <= 0 (right shifts, QuantizeMultiplierSmallerThanOneExp)
 *   output_offset = output_zero_point, act_min <= act_max in [-128, 127]
 *
 * The three rescalings are prepared once per call (mcu_requant_prepare, the same
 * numbers as MultiplyByQuantizedMultiplierSmallerThanOneExp for the shifts <= 0 that
 * TFLite computes; other shifts take the step-by-step path).
 *
 * tables: NULL, or [2][256] int32 (const, built by the generator): tables[0][x1 + 128]
 * is `a` and tables[1][x2 + 128] is `b` for every int8 value (the same arithmetic as
 * above, evaluated at build time); each element then reads its a and b.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::Add and tflite::reference_integer_ops::BroadcastAdd6DSlow /
 *                 BroadcastAdd4DSlow (int8) (tensorflow/lite/kernels/internal/reference/integer_ops/add.h)
 */
void mcu_add_s8(const mcu_add_params_t *p, const int8_t *input1, const int8_t *input2,
                int8_t *output, const int32_t *tables);

#ifdef __cplusplus
}
#endif

#endif /* MCU_ADD_S8_H */
