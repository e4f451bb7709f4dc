/*
 * dsp_depthwise_conv_s8.h - int8 DEPTHWISE_CONV_2D (depth multiplier 1) with the
 * Armv7E-M DSP instructions (SXTB16, PKHBT, SMLAD, SMMLAR, SSAT).
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
    int32_t no_fix;                 /* 1: zy == -128, full range, every e >= 1 (below) */
} mcu_dsp_dw_params_t;

/*
 * Per-channel quantized depthwise 2-D convolution, depth multiplier 1, int8 in / out.
 *
 * Data layout (everything but input and output is built by the generator)
 *   input    [batches, in_h, in_w, channels]       int8, NHWC, raw values (no offset)
 *   output   [batches, out_h, out_w, channels]     int8, NHWC
 *   stream   ceil(channels / 4) blocks of 4 + 4 * (T / 2) + 2 * (T % 2) + 11 int32
 *            (T = k_h * k_w taps, row-major, but a 3x3 kernel's in the order 0-5, 7, 8,
 *            6), in the order the kernel reads them, for the channels c .. c + 3 of the
 *            block:
 *              bias'[c + j], j = 0..3: (bias[c + j] - zx * sum_k w[k][c + j])
 *                  * 2^(1 + left[c + j])  (input zero point zx folded in)
 *              per pair of taps (2i, 2i + 1), one word per channel c + j, j = 0..3, of
 *                  two int16 lanes (bottom, top): (w'[2i][c + j], w'[2i + 1][c + j]),
 *                  w' = w * 2^(1 + left)
 *              an odd last tap k: (w'[k][c], w'[k][c + 2]), (w'[k][c + 1], w'[k][c + 3])
 *              channels c, c + 1: (m, R), (m', R'), e, e'; channels c + 2, c + 3:
 *                  (m, R), (m', R'), e | e' << 8 | f << 31: the multipliers,
 *                  R = 2^(e-1) + zy * 2^e (e = 0: R = zy) with zy the output zero
 *                  point, the right shifts, and f = 1 in the last whole block (else 0;
 *                  only the bottom byte of a shift register counts)
 *            (left, e) = (max(shift, 0), max(-shift, 0)); channels past the end are 0
 *   pad      [channels]                            int8, all zx: read for taps outside
 *            the image, which then add w * (zx - zx) = 0 as in the reference
 *
 * Per output value: acc = bias' + sum_k w'[k] * x[k] (int32, = 2 * acc_ref * 2^left),
 * s = SMMULR(acc, m) = SaturatingRoundingDoublingHighMul(acc_ref * 2^left, m), and
 * (SMMLAR(acc, m, R - (acc < 0 && e >= 1))) >> e = RoundingDivideByPOT(s, e) + zy,
 * clamped to [act_min, act_max]. (The reference corrects ties by the sign of s; the sign
 * of acc differs from it only where s = 0, which is no tie for e >= 1.) With no_fix
 * (zy = -128, range [-128, 127], every e >= 1) the Arm assembly leaves the correction
 * out: it only applies where acc < 0, so s <= 0; s = 0 rounds to 0 either way (e >= 1)
 * and s < 0 gives at most zy = -128, which saturates to -128 either way (as in
 * dsp_conv_smallk_s8.h).
 * The generator proves per channel that no sum above leaves int32 (from the weights, the
 * bias and the int8 input range) and uses the portable kernel otherwise.
 *
 * Method: channels in blocks of four per output pixel. Two taps at a time: their two
 * 32-bit input words (four channels each) become (a0 a1 b0 b1) and (a2 a3 b2 b3)
 * (PKHBT, PKHTB), SXTB16 and SXTB16 ROR 8 of those give each channel's two taps as
 * int16 lanes, and one SMLAD per channel multiplies them by the pair's weight word; an
 * odd last tap goes through SXTB16 and SMLABB / SMLATT (per block of 36 MACs: 9 loads,
 * 8 PKH, 18 SXTB16, 16 SMLAD + 4 SMLAxy, 5 LDM of bias and weights). SMMLAR, a shift
 * and SSAT requantize. Taps are found through a table of byte offsets per pixel (a constant one
 * inside the image, else one whose outside taps lead to the pad row).
 * On Arm, a 3x3 kernel whose channels all shift right with the full int8 output range
 * runs naked assembly functions (any -O level; dsp_depthwise_conv_s8.c) for every whole
 * block: the inside pixels (one call) address the taps from row and column strides: 84
 * instructions per block without the correction, 88 with it (the four outputs packed
 * by BFI, one STR). Without the correction, a window with one column outside the image
 * (a column of border pixels per call) or one row outside (the inside pixels of a
 * border row per call) reads the pad word instead: 84 or 85. Other border pixels go
 * through their table (91 / 95). Other layers, the channels past the last whole block (one at a
 * time) and the host run the same arithmetic in C.
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
