/*
 * softmax_s8.h - int8 SOFTMAX kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_SOFTMAX_S8_H
#define MCU_SOFTMAX_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Quantized softmax over the last axis, int8 in -> int8 out.
 *
 * Data layout
 *   input   [outer, depth]   int8, any scale / zero point
 *   output  [outer, depth]   int8, scale 1/256, zero point -128 (TFLM rejects
 *                            any other output quantization for int8 -> int8)
 *
 * Parameters (mcu_softmax_params_t), as from TFLM CalculateSoftmaxParams:
 *   input_multiplier, input_left_shift: PreprocessSoftmaxScaling(beta, input_scale, 5)
 *     (left shift >= 0; the product beta * scale * 2^26 is capped at 2^31 - 1)
 *   diff_min = -CalculateInputRadius(5, input_left_shift) (<= 0)
 *
 * Limits inherited from the reference: the sum of exponentials (the row
 * maximum counts 1.0, every other element <= 1.0) must stay below 512,
 * otherwise TFLM aborts with a failed TFLITE_CHECK (exponent > 31). That can
 * only happen for depth >= 512, e.g. a 1000-wide row of nearly equal values.
 * This kernel does not abort: such rows come out as all -128 (the value the
 * rounding shift would produce). depth <= 511 is always safe; depth must stay
 * < 4096 so that the Q12.19 sum cannot overflow int32.
 *
 * Arithmetic: gemmlowp fixed point. Differences x - max(row) >= diff_min are
 * scaled to Q5.26, exponentiated to Q0.31 (exp_on_negative_values), summed in
 * Q12.19, the sum is inverted with one_over_one_plus_x_for_x_in_0_1 and each
 * exponential is scaled by it and shifted to the 1/256 grid, then - 128 and
 * clamped. Differences below diff_min give -128. The exponential is computed
 * twice per element (once for the sum, once for the output), as in the
 * reference, so that no scratch buffer is needed.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::Softmax<int8_t, int8_t> (quantized template) (tensorflow/lite/kernels/internal/reference/softmax.h)
 */
void mcu_softmax_s8(const mcu_softmax_params_t *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_SOFTMAX_S8_H */
