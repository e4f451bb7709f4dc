/*
 * mve_depthwise_conv_s8.h - int8 DEPTHWISE_CONV_2D with MVE (Helium), depth multiplier 1.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Only for cores with the MVE integer extension (Cortex-M55). Bit-exact with
 * tflite::reference_integer_ops::DepthwiseConvPerChannel for depth_multiplier == 1 and
 * filters without the value -128 (the generator checks both).
 *
 * Data layout (c16: channels rounded up to 16)
 *   input   [batches, in_h, in_w, channels]      int8, NHWC, raw values
 *   output  [batches, out_h, out_w, channels]    int8, NHWC
 *   filter  [c16 / 16][k_h * k_w][16]            int8: 16 channels of each tap in a row,
 *                                                zero padded
 *   quant   [c16 / 16][4][16] int32              per 16 channels: the folded biases
 *           (bias - input_zero_point * sum of the channel's taps, wrapped to int32), the
 *           multipliers, -max(-shift, 0) and max(shift, 0), each in the lane order
 *           0 4 8 12 2 6 10 14 1 5 9 13 3 7 11 15 (see below)
 *   pad     [c16] int8, every byte the input zero point: taps outside the image read it,
 *           so that with the folded bias they contribute nothing, as in the reference
 *   general 0 when every shift is < 0 (shorter requantization, see mve_requant.h)
 *   k_h * k_w <= MCU_MVE_DW_MAX_TAPS.
 *
 * With fewer than 16 channels (a divisor of 16) and stride_w 1, a vector holds 16 /
 * channels neighbouring pixels whose taps are all inside the image (their inputs and
 * outputs are contiguous), the filter and quant lanes repeating the channels.
 *
 * Method: 16 channels per vector (int8 lanes). VMULLB.S8 / VMULLT.S8 give the int16
 * products of the even / odd channels; two taps' products are added in int16 (exact:
 * |x * w| <= 128 * 127, so a pair sums to at most 32,512), then widened (VMOVLB / VMOVLT)
 * into four int32x4 sums holding channels {0 4 8 12}, {2 6 10 14}, {1 5 9 13},
 * {3 7 11 15}. Requantization 4 lanes at a time, exact; then VQMOVNB / VQMOVNT narrow the
 * four vectors back into channel order (saturating, so the int8 clamp is then two
 * VMAX/VMIN on 16 lanes). Whole blocks of 16 channels run in assembly
 * (mve_dw_blocks_s8.h), a run of inside pixels of an output row per call; a last
 * partial block runs in C with intrinsics, predicated loads and stores.
 *
 * Border pixels (some taps outside the image): with a scratch band, the k_h input rows
 * a run of them reads are copied into the band with the pad value around (rows and
 * columns outside the image), and the run is computed as inside pixels of the band;
 * without one, each border pixel gets a table of its taps' addresses (the pad row for
 * those outside). Either way a tap outside reads the input zero point, as in the
 * reference with its folded bias.
 */
#ifndef MCU_MVE_DEPTHWISE_CONV_S8_H
#define MCU_MVE_DEPTHWISE_CONV_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most filter taps (k_h * k_w) the kernel takes (a table of that many pointers is on
 * its stack). */
#define MCU_MVE_DW_MAX_TAPS 32

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t output_offset;       /* output_zero_point                 */
    int32_t act_min, act_max;
    int32_t general;
    int32_t group;               /* pixels per vector: 16 / channels when channels divides
                                  * 16 and stride_w == 1 (filter and quant then hold 16
                                  * lanes, lane l for channel l % channels), else 1 */
    const int8_t *filter;
    const int32_t *quant;
    const int8_t *pad;
} mcu_mve_dw_params_t;

/* scratch (16-byte aligned): 4 * k_h * k_w bytes for the taps' offsets in the band, then
 * the band, k_h * ((out_w - 1) * stride_w + (k_w - 1) * dil_w + 1) * channels bytes; or
 * NULL (then border pixels read through a table of tap addresses). Only used when
 * group > 1. */
void mcu_mve_depthwise_conv_s8(const mcu_mve_dw_params_t *p, const int8_t *input,
                               int8_t *output, int8_t *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MVE_DEPTHWISE_CONV_S8_H */
