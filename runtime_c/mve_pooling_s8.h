/*
 * mve_pooling_s8.h - int8 AVERAGE_POOL_2D and MAX_POOL_2D with MVE (Helium).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Only for cores with the MVE integer extension (Cortex-M55). Bit-exact with
 * tflite::reference_integer_ops::AveragePool and MaxPool (int8), and with the portable
 * pooling_s8.c (an empty window gives 0 / -128 before the clamp, as there).
 *
 * Data layout: input [batches, in_h, in_w, channels], output [batches, out_h, out_w,
 * channels], int8 NHWC; input and output share quantization. The window of an output
 * pixel is clipped to the image (TFLite's padding); the average divides by the number
 * of taps inside it.
 *
 * Method: 16 channels per vector. Max: VMAX over the window's taps. Average: the taps
 * summed in int16 lanes (even / odd channels widened by VMOVLB / VMOVLT), exact for
 * windows of at most 256 taps (|sum| <= 128 * 256; the generator checks k_h * k_w <= 256);
 * then each channel's rounded division as the reference writes it (SDIV, truncating:
 * (sum +- count / 2) / count).
 */
#ifndef MCU_MVE_POOLING_S8_H
#define MCU_MVE_POOLING_S8_H

#include <stdint.h>

#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

void mcu_mve_avg_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output);
void mcu_mve_max_pool_s8(const mcu_pool_params_t *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MVE_POOLING_S8_H */
