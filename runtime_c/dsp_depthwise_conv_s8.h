/*
 * dsp_depthwise_conv_s8.h - int8 DEPTHWISE_CONV_2D (depth multiplier 1) with the
 * Armv7E-M DSP instructions (SXTB16, SMLAxy, SMMULR, SSAT).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_DEPTHWISE_CONV_S8_H
#define MCU_DSP_DEPTHWISE_CONV_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Taps (k_h * k_w) the kernel keeps pointers for on the stack. */
#define MCU_DSP_DW_MAX_TAPS 64

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels;   /* input [batches, in_h, in_w, channels]          */
    int32_t out_h, out_w;           /* output [batches, out_h, out_w, channels]       */
    int32_t k_h, k_w;               /* k_h * k_w <= MCU_DSP_DW_MAX_TAPS               */
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t blocks;                 /* channels / 4 (whole blocks of four channels)   */
    int32_t every_shift_right;      /* 1: every channel has a right shift e >= 1      */
    int32_t full_range;             /* 1: act_min == -128 and act_max == 127          */
    int32_t act_min, act_max;
} mcu_dsp_dw_params_t;

/*
 * Per-channel quantized depthwise 2-D convolution, depth multiplier 1, int8 in / out.
 *
 * Data layout (everything but input and output is built by the generator)
 *   input    [batches, in_h, in_w, channels]       int8, NHWC, raw values (no offset)
 *   output   [batches, out_h, out_w, channels]     int8, NHWC
 *   stream   ceil(channels / 4) blocks of 4 + 2 * k_h * k_w + 12 int32, in the order
 *            the kernel reads them, for the channels c .. c + 3 of the block:
 *              bias'[c + j], j = 0..3: (bias[c + j] - zx * sum_k w[k][c + j])
 *                  * 2^(1 + left[c + j])  (input zero point zx folded in)
 *              per tap k (row-major over k_h, k_w) two words of two int16 lanes
 *                  (bottom, top): (w'[k][c], w'[k][c + 2]), (w'[k][c + 1], w'[k][c + 3]),
 *                  w' = w * 2^(1 + left)
 *              per pair of channels (c + 2h, c + 2h + 1), h = 0, 1: their right shifts
 *                  e, e', then (m, R), (m', R'): the multiplier and R = 2^(e-1) + zy * 2^e
 *                  (e = 0: R = zy), zy the output zero point
 *            (left, e) = (max(shift, 0), max(-shift, 0)); channels past the end are 0
 *   pad      [channels]                            int8, all zx: read for taps outside
 *            the image, which then add w * (zx - zx) = 0 as in the reference
 *
 * Per output value: acc = bias' + sum_k w'[k] * x[k] (int32, = 2 * acc_ref * 2^left),
 * s = SMMULR(acc, m) = SaturatingRoundingDoublingHighMul(acc_ref * 2^left, m), and
 * (SMMLAR(acc, m, R - (acc < 0 && e >= 1))) >> e = RoundingDivideByPOT(s, e) + zy,
 * clamped to [act_min, act_max]. (The reference corrects ties by the sign of s; the sign
 * of acc differs from it only where s = 0, which is no tie for e >= 1.)
 * The generator proves per channel that no sum above leaves int32 (from the weights, the
 * bias and the int8 input range) and uses the portable kernel otherwise.
 *
 * Method: channels in blocks of four per output pixel: one 32-bit load of four input
 * channels per tap, SXTB16 and SXTB16 ROR 8 give channels (0, 2) and (1, 3), SMLABB /
 * SMLATT multiply them by the widened weights; SMMLAR, an add, a shift and SSAT
 * requantize. Taps are found through a table of byte offsets per pixel (a constant one
 * inside the image, else one whose outside taps lead to the pad row). On Arm, a 3x3
 * kernel whose channels all shift right with the full int8 output range runs inline
 * assembly: whole rows of inside pixels (channels a multiple of four) address the taps
 * from row and column strides (106 instructions per block of 36 MACs, 9 per pixel), other
 * pixels through the table (112 per block). Other layers, and the host, run the same
 * arithmetic in C; the channels past the last block run one at a time.
 *
 * Scratch memory: none (two tables of MCU_DSP_DW_MAX_TAPS offsets on the stack).
 *
 * Bit-exact with: tflite::reference_integer_ops::DepthwiseConvPerChannel (tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h)
 */
void mcu_dsp_depthwise_conv_s8(const mcu_dsp_dw_params_t *p, const int8_t *input,
                               const int32_t *stream, const int8_t *pad, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_DEPTHWISE_CONV_S8_H */
