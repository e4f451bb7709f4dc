/*
 * resize_s8.c - RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR for int8 (see resize_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "resize_s8.h"

#include <string.h>

void mcu_resize_nearest_s8(const mcu_resize_nearest_params_t *p, const int8_t *input,
                           int8_t *output)
{
    const size_t depth = (size_t)p->depth;
    int32_t b;
    int32_t y;
    int32_t x;

    for (b = 0; b < p->batches; ++b) {
        for (y = 0; y < p->out_h; ++y) {
            const size_t row = (size_t)b * (size_t)p->in_h + (size_t)p->y_map[y];
            const int8_t *in_row = input + row * (size_t)p->in_w * depth;
            for (x = 0; x < p->out_w; ++x) {
                memcpy(output, in_row + (size_t)p->x_map[x] * depth, depth);
                output += depth;
            }
        }
    }
}

/* TFLite's ComputeInterpolationValuesInteger: the Q10 source coordinate of an
 * output coordinate and the two neighbouring source indices. */
static void interpolation_values(int32_t value, int32_t scale_10, int32_t half_pixel_centers,
                                 int32_t input_size, int32_t *scaled, int32_t *lower,
                                 int32_t *upper)
{
    int32_t s = value * scale_10;
    int32_t lo;
    int32_t hi;

    if (half_pixel_centers) {
        s = s + scale_10 / 2 - (1 << 9);
    }
    lo = s / (1 << 10);
    hi = (s + (1 << 10) - 1) / (1 << 10);
    *scaled = s;
    *lower = (lo > 0) ? lo : 0;
    *upper = (hi < input_size - 1) ? hi : input_size - 1;
}

void mcu_resize_bilinear_s8(const mcu_resize_bilinear_params_t *p, const int8_t *input,
                            int8_t *output)
{
    const size_t depth = (size_t)p->depth;
    const size_t row_stride = (size_t)p->in_w * depth;
    int32_t b;
    int32_t y;
    int32_t x;
    size_t c;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *image = input + (size_t)b * (size_t)p->in_h * row_stride;
        for (y = 0; y < p->out_h; ++y) {
            int32_t sy;
            int32_t y0;
            int32_t y1;
            int32_t wy0;
            int32_t wy1;
            interpolation_values(y, p->height_scale_10, p->half_pixel_centers, p->in_h,
                                 &sy, &y0, &y1);
            wy1 = sy - (1 << 10) * y0;
            wy0 = (1 << 10) - wy1;
            for (x = 0; x < p->out_w; ++x) {
                int32_t sx;
                int32_t x0;
                int32_t x1;
                int32_t wx0;
                int32_t wx1;
                const int8_t *p00;
                const int8_t *p10;
                const int8_t *p01;
                const int8_t *p11;
                interpolation_values(x, p->width_scale_10, p->half_pixel_centers, p->in_w,
                                     &sx, &x0, &x1);
                wx1 = sx - (1 << 10) * x0;
                wx0 = (1 << 10) - wx1;
                p00 = image + (size_t)y0 * row_stride + (size_t)x0 * depth;
                p10 = image + (size_t)y1 * row_stride + (size_t)x0 * depth;
                p01 = image + (size_t)y0 * row_stride + (size_t)x1 * depth;
                p11 = image + (size_t)y1 * row_stride + (size_t)x1 * depth;
                for (c = 0; c < depth; ++c) {
                    const int64_t acc = (int64_t)p00[c] * wy0 * wx0 + (int64_t)p10[c] * wy1 * wx0
                                        + (int64_t)p01[c] * wy0 * wx1
                                        + (int64_t)p11[c] * wy1 * wx1;
                    const int64_t round = (acc > 0) ? ((int64_t)1 << 19) : -((int64_t)1 << 19);
                    *output++ = (int8_t)((acc + round) / ((int64_t)1 << 20));
                }
            }
        }
    }
}
