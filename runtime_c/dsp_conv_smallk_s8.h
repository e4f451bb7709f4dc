/*
 * dsp_conv_smallk_s8.h - int8 CONV_2D with a short dot product for cores with the DSP
 * extension (SMLAD, SMMLAR, SSAT): pointwise (1x1) over 8 or 16 input channels, and
 * 3x3 over 3 input channels (an RGB first layer, K = 27).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * With so few terms per output the per-output tail dominates, so the kernels are
 * "input-stationary": each output pixel's inputs are widened once into registers
 * (SXTB16 / SXTB16 ROR #8), then every output channel's record is streamed past them,
 * the dot product an SMLAD chain starting from the record's bias, then a
 * four-instruction tail (SMMLAR, ASR, SSAT, STRB).
 *
 * Arithmetic (the generator, mcu_codegen/ops/simd/dsp_conv_smallk.py, only selects
 * these kernels when it is exact): every channel has shift -e with 1 <= e <= 21,
 * multiplier m >= 2^30 and |bias| + sum|w| * max|x - zx| < 2^30, so x2 = 2 * acc_ref
 * fits in int32 (the weights are stored doubled, the input zero point zx folded into
 * the bias: x2 starts at 2 * (bias - zx * sum(w)) and multiplies raw inputs; taps
 * outside the image hold zx, which the fold cancels); the output zero point is -128 and
 * the activation range the whole int8 range. With R = 2^(e-1) - 128 * 2^e,
 *   out = SSAT8(SMMLAR(x2, m, R) >> e)
 * SMMLAR(x2, m, 0) is SaturatingRoundingDoublingHighMul(acc_ref, m) (= v) exactly.
 * RoundingDivideByPOT rounds ties of a negative v away from zero where ">> e" of
 * v + 2^(e-1) rounds them up; for v < 0 both results are <= -128 and saturate to -128,
 * so no sign correction is needed. A channel whose output is the same c for every
 * input is stored with zero weights and x2 start, trailer (2^30, 2c + 1, 1).
 *
 * The trailer is (m, R, e | flag): flag MCU_DSP_SMALLK_LAST (bit 8; ASR by a register
 * only uses its bottom byte) marks the last channel. A run function tests it after
 * every 4 (x4) or 8 (x8) channels, so n_out must be a multiple of that.
 *
 * Bit-exact with: tflite::reference_integer_ops::ConvPerChannel
 * (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h).
 * Scratch memory: none. Stack: the RGB kernel keeps 4 * n_out bytes of partial sums.
 */
#ifndef MCU_DSP_CONV_SMALLK_S8_H
#define MCU_DSP_CONV_SMALLK_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MCU_DSP_SMALLK_LAST 256
/* Most output channels of the RGB kernel (its partial sums are on the stack). */
#define MCU_DSP_RGB_MAX_OUT 64

/*
 * Pointwise: output pixels from out until out_end, inputs at in (any alignment), in +
 * step, ... (in_c = 8 for k8, 16 for k16); every channel record for each.
 *
 * Data layout
 *   input   [batches, in_h, in_w, in_c] int8, NHWC
 *   records one per output channel, 4 + in_c / 2 int32 words:
 *             [0]                x2 start
 *             [1 + 2g], [2 + 2g] group g (terms 4g..4g+3): (2w0, 2w2), (2w1, 2w3),
 *                                int16 lanes, bottom lane first
 *             then               m, R, e | flag
 *   output  [batches, out_h, out_w, n_out] int8, NHWC
 */
typedef void (*mcu_dsp_smallk_run_t)(const int8_t *in, const int32_t *rec, int8_t *out,
                                     int8_t *out_end, int32_t step);
void mcu_dsp_smallk_k8x4(const int8_t *in, const int32_t *rec, int8_t *out,
                         int8_t *out_end, int32_t step);
void mcu_dsp_smallk_k8x8(const int8_t *in, const int32_t *rec, int8_t *out,
                         int8_t *out_end, int32_t step);
void mcu_dsp_smallk_k16x4(const int8_t *in, const int32_t *rec, int8_t *out,
                          int8_t *out_end, int32_t step);
void mcu_dsp_smallk_k16x8(const int8_t *in, const int32_t *rec, int8_t *out,
                          int8_t *out_end, int32_t step);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w;        /* input  [batches, in_h, in_w, 4 * groups]          */
    int32_t out_h, out_w;      /* output [batches, out_h, out_w, n_out]             */
    int32_t stride_h, stride_w;
    int32_t groups;            /* in_c / 4: 2 or 4                                  */
    int32_t n_out;             /* output channels                                   */
} mcu_dsp_conv_smallk_params_t;

/* The 1x1 convolution (no padding), with the run function of its in_c and n_out. */
void mcu_dsp_conv_smallk_s8(const mcu_dsp_conv_smallk_params_t *p, const int8_t *input,
                            const int32_t *records, int8_t *output,
                            mcu_dsp_smallk_run_t run);

/*
 * 3x3 filter over 3 input channels (dilation_w 1): output pixels from out until
 * out_end, patch rows at in + r * rs (r = 0, 1, 2; any alignment), in + step per pixel.
 * Each patch is widened into registers in two halves (8 and 6 words); half A's partial
 * sums of every channel are pushed on the stack, half B pops them and finishes.
 *
 * Data layout
 *   input   [batches, in_h, in_w, 3] int8, NHWC
 *   records int32 words:
 *             A records, channels n_out - 1 down to 0, 9 words each: x2 start, then
 *               (w, w) pairs against the inputs A0..A7 below; the high lane of A7's
 *               word (its input lane is 0) is 1 on channel 0 (the last A record);
 *             one word 4 * n_out;
 *             B records, channels 0 up to n_out - 1, 9 words each: pairs against
 *               B0..B5, then m, R, e | flag.
 *           With p_r[j] the 9 inputs of filter row r (tap j / 3, channel j % 3):
 *             A0 (p0[0], p0[2])  A1 (p0[1], p0[3])  A2 (p0[4], p0[6])  A3 (p0[5], p0[7])
 *             A4 (p1[0], p1[2])  A5 (p1[1], p1[3])  A6 (p0[8], p1[8])  A7 (p2[8], 0)
 *             B0 (p1[4], p1[6])  B1 (p1[5], p1[7])  B2 (p2[0], p2[2])  B3 (p2[1], p2[3])
 *             B4 (p2[4], p2[6])  B5 (p2[5], p2[7])
 *   output  [batches, out_h, out_w, n_out] int8
 * Padding: runs cover the output pixels whose patch is inside the image; the others
 * are copied, pad_value outside the image, into a buffer of three rows first.
 */
typedef void (*mcu_dsp_rgb_run_t)(const int8_t *in, const int32_t *rec, int8_t *out,
                                  int8_t *out_end, int32_t rs, int32_t step);
void mcu_dsp_rgb_x4(const int8_t *in, const int32_t *rec, int8_t *out, int8_t *out_end,
                    int32_t rs, int32_t step);
void mcu_dsp_rgb_x8(const int8_t *in, const int32_t *rec, int8_t *out, int8_t *out_end,
                    int32_t rs, int32_t step);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w;        /* input  [batches, in_h, in_w, 3]                  */
    int32_t out_h, out_w;      /* output [batches, out_h, out_w, n_out]            */
    int32_t stride_h, stride_w;
    int32_t dil_h;             /* dilation_w is 1 */
    int32_t pad_top, pad_left;
    int32_t pad_value;         /* the input zero point */
    int32_t n_out;             /* <= MCU_DSP_RGB_MAX_OUT */
} mcu_dsp_conv_rgb_params_t;

void mcu_dsp_conv_rgb_s8(const mcu_dsp_conv_rgb_params_t *p, const int8_t *input,
                         const int32_t *records, int8_t *output, mcu_dsp_rgb_run_t run);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_CONV_SMALLK_S8_H */
