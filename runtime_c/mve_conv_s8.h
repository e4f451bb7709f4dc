/*
 * mve_conv_s8.h - int8 CONV_2D with MVE (Helium), per-channel quantization.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Only for cores with the MVE integer extension (Cortex-M55). Bit-exact with
 * tflite::reference_integer_ops::ConvPerChannel.
 *
 * Data layout
 *   input   [batches, in_h, in_w, in_c]      int8, NHWC, raw values
 *   output  [batches, out_h, out_w, out_c]   int8, NHWC (out_c = mm.n_out)
 *   mm      the filter as a matrix of k columns (row of output channel c: the OHWI
 *           filter [k_h, k_w, in_c] of c; k = k_h * k_w * in_c when direct == 1, else
 *           that rounded up to a multiple of 16 with zero weights, so that the patch rows
 *           need no tail-predicated block: their last columns hold whatever the scratch
 *           held, which the zero weights turn into nothing), the
 *           bias folded with the input zero point and the requantization, as
 *           mve_mat_mult_s8.h describes
 *   scratch rows * k + 16 bytes (16-byte aligned) unless direct == 1, else unused (may be
 *           NULL). NULL when direct == 0: the rows go on the stack (2 * MCU_MVE_CONV_STACK_K
 *           + 16 bytes), for when the planner had no free bytes; then
 *           k <= MCU_MVE_CONV_STACK_K. (The 16 spare bytes take whole-vector stores.)
 *
 * Each output pixel's patch is one row of k raw input values (im2col into the scratch;
 * taps outside the image hold pad_value, the input zero point, so that with the folded
 * bias they contribute nothing, as in the reference). direct == 1 (a 1x1 filter without
 * padding) reads the rows from the input itself. Rows go in pairs through
 * mcu_mve_mm_pairs_s8, as many pairs per call as are equally spaced.
 */
#ifndef MCU_MVE_CONV_S8_H
#define MCU_MVE_CONV_S8_H

#include <stdint.h>

#include "mve_mat_mult_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest patch row the kernel keeps on the stack when it has no scratch. */
#define MCU_MVE_CONV_STACK_K 512

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;   /* TFLite padding (extra goes bottom/right)  */
    int32_t pad_value;           /* input zero point, in [-128, 127]          */
    int32_t direct;              /* 1: 1x1 filter, no padding (no im2col)      */
    int32_t rows;                /* patch rows the scratch holds (even, >= 2)  */
    mcu_mve_mm_t mm;
} mcu_mve_conv_params_t;

void mcu_mve_conv_s8(const mcu_mve_conv_params_t *p, const int8_t *input, int8_t *output,
                     int8_t *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MVE_CONV_S8_H */
