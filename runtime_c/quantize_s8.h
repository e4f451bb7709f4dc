/*
 * quantize_s8.h - QUANTIZE (float -> int8, int8 -> int8) and DEQUANTIZE
 * (int8 -> float) kernels.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_QUANTIZE_S8_H
#define MCU_QUANTIZE_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Affine quantization float32 -> int8:
 *   q = clamp(roundf(x / scale) + zero_point, -128, 127)
 * The division is done in float (single precision) and roundf rounds half
 * away from zero, as std::round(float) does in the reference.
 *
 * Data layout: input and output are flat arrays of `size` elements.
 * Parameters: scale > 0 (the output tensor's float scale), zero_point in
 *   [-128, 127].
 * Out-of-int32-range values: the reference casts the rounded float straight
 * to int32 (undefined behaviour in C++; on x86 it yields INT32_MIN, so e.g.
 * +inf becomes -128 there). This kernel saturates instead (+big -> 127,
 * -big -> -128) and maps NaN to zero_point. Finite inputs with
 * |x / scale| < 2^31 are bit-exact.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::AffineQuantize<float, int8_t> (tensorflow/lite/kernels/internal/reference/quantize.h)
 */
void mcu_quantize_f32_s8(const mcu_quantize_params_t *p, const float *input, int8_t *output);

/*
 * Requantization int8 -> int8 (QUANTIZE with an int8 input):
 *   q = clamp(MultiplyByQuantizedMultiplier(x - input_zero_point, multiplier, shift)
 *             + output_zero_point, -128, 127)
 *
 * Data layout: flat arrays of `size` elements.
 * Parameters: multiplier/shift = QuantizeMultiplier(double(in_scale) / double(out_scale)),
 *   zero points in [-128, 127].
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::Requantize<int8_t, int8_t> (tensorflow/lite/kernels/internal/reference/requantize.h)
 */
void mcu_requantize_s8(const mcu_requantize_params_t *p, const int8_t *input, int8_t *output);

/*
 * Dequantization int8 -> float32:
 *   y = (float)((double)scale * (double)(x - zero_point))
 * computed as the single-precision product scale * (float)(x - zero_point),
 * which is the same IEEE value: |x - zero_point| < 2^24 is exact in float,
 * the double product of a 24-bit and a <= 24-bit significand is exact, so
 * both forms are one correct rounding of the same exact product. This avoids
 * soft-float double arithmetic on FPU-single cores (Cortex-M4F).
 *
 * Data layout: flat arrays of `size` elements.
 * Parameters: scale = input tensor's float scale, zero_point in [-128, 127].
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::Dequantize<int8_t, float> (tensorflow/lite/kernels/internal/reference/dequantize.h)
 */
void mcu_dequantize_s8_f32(const mcu_dequantize_params_t *p, const int8_t *input,
                           float *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_QUANTIZE_S8_H */
