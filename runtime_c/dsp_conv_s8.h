/*
 * dsp_conv_s8.h - int8 CONV_2D kernel for cores with the DSP extension (SMLAD).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_CONV_S8_H
#define MCU_DSP_CONV_S8_H

#include <stdint.h>

#include "dsp_mat_mult_raw_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;    /* input  [batches, in_h, in_w, in_c]    */
    int32_t out_h, out_w;        /* output [batches, out_h, out_w, mm.n_out] */
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;   /* TFLite padding (extra goes bottom/right) */
    int32_t pad_value;           /* input zero point: what taps outside the image hold */
    int32_t direct;              /* 1: k_h = k_w = 1, in_c = 4 * groups and every
                                  * output pixel reads an input pixel (no padding): the
                                  * columns are the input pixels themselves */
    mcu_dsp_mm_params_t mm;      /* groups = ceil(k_h * k_w * in_c / 4)   */
} mcu_dsp_conv_params_t;

/*
 * Per-channel quantized 2-D convolution, int8 in / int8 out.
 *
 * Data layout
 *   input   [batches, in_h, in_w, in_c]   int8, NHWC
 *   stream  the filter [out_c, k_h, k_w, in_c] (rows in OHWI order), bias and
 *           requantization of every output channel, prepared by the generator as
 *           described in dsp_mat_mult_s8.h
 *   output  [batches, out_h, out_w, out_c] int8, NHWC
 *
 * Method: a direct convolution (1x1, no padding) reads each output pixel's input
 * pixel in place as a column (mcu_dsp_mat_mult_cols_s8: widened in turn into the
 * scratch, or on the stack up to MCU_DSP_COLS_STACK_GROUPS groups). Otherwise, with
 * scratch, each output pixel's patch (k_h * k_w * in_c values in filter order,
 * pad_value outside the image, zeros up to 4 * groups) is gathered and widened once
 * into an int16 column (SXTB16 order), then mcu_dsp_mat_mult_s8 runs every block of
 * output channels over it (filter rows of 4 values, e.g. 10x4 over one channel, are
 * one shifted load each; a 3x3 filter over 3 channels, e.g. an RGB input, is widened
 * straight from its three input rows, groups that straddle two rows merged from two
 * loads). Without scratch the patch is read in place (one run per filter row inside
 * the image, else one per tap; taps outside read `pad`) and widened into a column on
 * the stack (up to MCU_DSP_RAW_STACK_GROUPS groups), else handed to
 * mcu_dsp_mat_mult_raw_s8 as segments widened in registers. That needs direct, or
 * in_c % 4 == 0 and k_h * k_w <= MCU_DSP_CONV_S8_MAX_SEGMENTS.
 *
 * pad: k_w * in_c int8 copies of the input zero point (no-scratch, non-direct
 * convolutions only; else may be NULL).
 * Scratch memory: MCU_DSP_CONV_S8_SCRATCH_BYTES(groups), 4-byte aligned, or NULL
 * (see above).
 *
 * Bit-exact with: tflite::reference_integer_ops::ConvPerChannel
 * (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h)
 */
#define MCU_DSP_CONV_S8_SCRATCH_BYTES(groups) (12 * (groups))
/* Most segments of a patch read in place (the bound on k_h * k_w without scratch). */
#define MCU_DSP_CONV_S8_MAX_SEGMENTS 32

void mcu_dsp_conv_s8(const mcu_dsp_conv_params_t *p, const int8_t *input,
                     const int32_t *stream, const int8_t *pad, int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_CONV_S8_H */
