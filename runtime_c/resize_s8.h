/*
 * resize_s8.h - RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR for int8.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_RESIZE_S8_H
#define MCU_RESIZE_S8_H

#include <stdint.h>

#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * mcu_resize_nearest_s8
 *
 * Layout:  input [batches, in_h, in_w, depth], output [batches, out_h, out_w,
 *          depth], int8 NHWC; output[b][y][x][:] = input[b][y_map[y]][x_map[x]][:].
 * Ranges:  y_map[y] in [0, in_h), x_map[x] in [0, in_w). The generator computes
 *          the maps with TFLite's float32 GetNearestNeighbor (align_corners,
 *          half_pixel_centers), so the kernel itself does no float arithmetic.
 * Scratch: none. Input and output must not overlap.
 * Bit-exact with: tflite::reference_ops::ResizeNearestNeighbor
 *          (tensorflow/lite/kernels/internal/reference/resize_nearest_neighbor.h)
 */
void mcu_resize_nearest_s8(const mcu_resize_nearest_params_t *p, const int8_t *input,
                           int8_t *output);

/*
 * mcu_resize_bilinear_s8
 *
 * Layout:  input [batches, in_h, in_w, depth], output [batches, out_h, out_w,
 *          depth], int8 NHWC. The raw int8 values are interpolated (no zero
 *          point is applied, none is needed: the weights sum to 1).
 * Per output row y (and likewise per column x with width_scale_10):
 *          s  = y * height_scale_10 (+ height_scale_10 / 2 - 512 with
 *               half_pixel_centers), in Q10;
 *          y0 = max(s / 1024, 0), y1 = min((s + 1023) / 1024, in_h - 1)
 *               (C division, truncating);
 *          wy1 = s - 1024 * y0, wy0 = 1024 - wy1.
 *          acc = in[y0][x0] * wy0 * wx0 + in[y1][x0] * wy1 * wx0
 *              + in[y0][x1] * wy0 * wx1 + in[y1][x1] * wy1 * wx1   (int64)
 *          out = (acc + (acc > 0 ? 2^19 : -2^19)) / 2^20       (truncating)
 * Ranges:  the scales are TFLite's: ((1024 * in + out / 2) / out), or with
 *          align_corners ((1024 * (in - 1) + (out - 1) / 2) / (out - 1)); the
 *          generator checks that every y0, x0 lies inside the input.
 * Scratch: none. Input and output must not overlap.
 * Bit-exact with: tflite::reference_ops::ResizeBilinearInteger, double-rounding
 *          build (tensorflow/lite/kernels/internal/reference/resize_bilinear.h)
 */
void mcu_resize_bilinear_s8(const mcu_resize_bilinear_params_t *p, const int8_t *input,
                            int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_RESIZE_S8_H */
