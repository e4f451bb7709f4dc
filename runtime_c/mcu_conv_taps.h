/*
 * mcu_conv_taps.h - which filter taps of a convolution window fall inside the image,
 * shared by the convolution kernels (CONV_2D, DEPTHWISE_CONV_2D and their variants).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_CONV_TAPS_H
#define MCU_CONV_TAPS_H

#include <stdint.h>

/*
 * Range [*start, *end) of filter taps t for which 0 <= origin + dil * t < size,
 * clipped to [0, k). origin is the input position of tap 0 (negative inside the
 * padding); dil >= 1; an empty range has *start == *end.
 */
static inline void mcu_conv_valid_taps(int32_t origin, int32_t dil, int32_t k, int32_t size,
                                       int32_t *start, int32_t *end)
{
    const int32_t room = size - origin;
    int32_t s = 0;
    int32_t e = 0;

    if (origin < 0) {
        s = (-origin + dil - 1) / dil;
    }
    if (room > 0) {
        e = (room + dil - 1) / dil;
    }
    if (e > k) {
        e = k;
    }
    if (s > e) {
        s = e;
    }
    *start = s;
    *end = e;
}

#endif /* MCU_CONV_TAPS_H */
