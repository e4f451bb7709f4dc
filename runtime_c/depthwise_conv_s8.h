/*
 * depthwise_conv_s8.h - int8 DEPTHWISE_CONV_2D kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DEPTHWISE_CONV_S8_H
#define MCU_DEPTHWISE_CONV_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Per-channel quantized depthwise 2-D convolution, int8 in / int8 out.
 *
 * Data layout
 *   input   [batches, in_h, in_w, in_c]            int8, NHWC
 *   filter  [1, k_h, k_w, out_c]                   int8, zero point 0
 *   bias    [out_c]                                int32, may be NULL
 *   out_mult, out_shift [out_c]                    Q0.31 multiplier / shift
 *   output  [batches, out_h, out_w, out_c]         int8, NHWC
 *   out_c == in_c * depth_multiplier; output channel oc = ic * depth_multiplier + m
 *   reads input channel ic.
 *
 * Parameters (mcu_conv_params_t)
 *   input_offset  = -input_zero_point, in [-127, 128]
 *   output_offset = output_zero_point, in [-128, 127]
 *   act_min <= act_max, both in [-128, 127]
 *   any depth_multiplier >= 1, any k_h/k_w (1-D and non-square kernels),
 *   stride_*, dil_* >= 1, pad_top/pad_left >= 0. Taps outside the image are
 *   skipped.
 *
 * Method: output channels in blocks of 16 and 8 (the rest one at a time), each
 * block over all output pixels with its requantization prepared once, the channel
 * loop innermost: contiguous in the filter, the output and (depth multiplier 1) the
 * input; with one input channel (any multiplier) every channel reads the same input
 * value. Other layouts (several input channels and a multiplier > 1) run one channel
 * at a time. Taps outside the image are skipped per output pixel.
 *
 * Scratch memory: none (the prepared requantization of a block, 16 x 32 bytes, and its
 * accumulators live on the stack).
 *
 * Bit-exact with: tflite::reference_integer_ops::DepthwiseConvPerChannel (tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h)
 */
void mcu_depthwise_conv_s8(const mcu_conv_params_t *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias,
                           const int32_t *out_mult, const int32_t *out_shift,
                           int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DEPTHWISE_CONV_S8_H */
