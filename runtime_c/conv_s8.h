/*
 * conv_s8.h - int8 CONV_2D kernel.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_CONV_S8_H
#define MCU_CONV_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Per-channel quantized 2-D convolution, int8 in / int8 out, int32 bias.
 *
 * Data layout
 *   input   [batches, in_h, in_w, in_c]            int8, NHWC
 *   filter  [out_c, k_pad]                         int8: row oc is the OHWI filter
 *                                                  [k_h, k_w, in_c] of output channel
 *                                                  oc, then zeros up to k_pad
 *   bias    [out_c]                                int32, may be NULL
 *   out_mult, out_shift [out_c]                    Q0.31 multiplier / shift
 *                                                  as from tflite QuantizeMultiplier
 *   output  [batches, out_h, out_w, out_c]         int8, NHWC
 *
 * Parameters (mcu_conv_params_t)
 *   input_offset  = -input_zero_point, in [-127, 128]
 *   output_offset = output_zero_point, in [-128, 127]
 *   act_min <= act_max, both in [-128, 127]
 *   stride_*, dil_* >= 1; pad_top/pad_left >= 0 (TFLite SAME/VALID padding,
 *   any extra padding is at the bottom/right). depth_multiplier is ignored.
 *   Grouped convolution is not supported: filter depth must equal in_c.
 *   k_pad >= k_h * k_w * in_c is the filter row length.
 *   Taps falling outside the image contribute nothing (as in the reference).
 *   The int32 accumulator is exact as long as k_h * k_w * in_c <= 65793.
 *
 * Method: output pixels two at a time (a pair when both have the same valid
 * taps, e.g. two interior pixels), all output channels two at a time, with the
 * dot-product tiles of mat_mult_s8.h:
 *   - scratch == NULL: straight from the input, one dot product per run of
 *     contiguous valid taps (a whole filter row when dil_w == 1): no copy;
 *   - scratch != NULL: each pixel's patch is first copied into a column of k_pad
 *     int16 values, x + input_offset (0 for taps outside the image and for the
 *     padding, which meets zero weights), so every input value is widened once
 *     for all output channels and each output is one dot product of k_pad terms.
 *
 * Scratch memory: NULL, or MCU_CONV_S8_SCRATCH_BYTES(k_pad) bytes, 2-byte aligned.
 *
 * Bit-exact with: tflite::reference_integer_ops::ConvPerChannel (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h)
 */
#define MCU_CONV_S8_SCRATCH_BYTES(k_pad) (2 * (k_pad) * 2)

void mcu_conv_s8(const mcu_conv_params_t *p, const int8_t *input, const int8_t *filter,
                 const int32_t *bias, const int32_t *out_mult, const int32_t *out_shift,
                 int8_t *output, int16_t *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCU_CONV_S8_H */
