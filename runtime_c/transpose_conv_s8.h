/*
 * transpose_conv_s8.h - int8 TRANSPOSE_CONV kernel (per-channel quantization).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_TRANSPOSE_CONV_S8_H
#define MCU_TRANSPOSE_CONV_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Transposed 2-D convolution, int8 in / int8 out, int32 bias.
 *
 * Input pixel (y, x) adds input * filter[oc, fy, fx, ic] to output pixel
 * (y * stride_h - pad_top + fy, x * stride_w - pad_left + fx) when that pixel
 * lies inside the output. The kernel gathers, for each output pixel, the
 * input pixels that reach it.
 *
 * Data layout
 *   input   [batches, in_h, in_w, in_c]            int8, NHWC
 *   filter  [out_c, k_h, k_w, in_c]                int8 (OHWI), zero point 0
 *   bias    [out_c]                                int32, may be NULL
 *   out_mult, out_shift [out_c]                    from tflite QuantizeMultiplier
 *   output  [batches, out_h, out_w, out_c]         int8, NHWC
 *
 * Parameters (mcu_conv_params_t)
 *   pad_top/pad_left >= 0: TFLite's SAME/VALID padding computed from the
 *   output size (ComputePaddingHeightWidth with the output as "input");
 *   dil_*, depth_multiplier are ignored (TRANSPOSE_CONV has no dilation);
 *   input_offset = -input_zero_point; output_offset = output_zero_point;
 *   act_min <= act_max in [-128, 127] (fused activation).
 *   Each output sums at most ceil(k_h / stride_h) * ceil(k_w / stride_w) * in_c
 *   products, at most 65,793, so the int32 sum is exact.
 *
 * Scratch memory: none. (The reference scatters into an int32 buffer the size
 * of the output, then requantizes; gathering gives the same int32 sums
 * without that buffer.)
 *
 * Bit-exact with: tflite::reference_integer_ops::TransposeConv (int8 overload,
 *                 tensorflow/lite/kernels/internal/reference/integer_ops/transpose_conv.h)
 */
void mcu_transpose_conv_s8(const mcu_conv_params_t *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias,
                           const int32_t *out_mult, const int32_t *out_shift,
                           int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_TRANSPOSE_CONV_S8_H */
