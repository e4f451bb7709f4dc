/*
 * mve_dw_blocks_s8.h - the inner loop of the MVE DEPTHWISE_CONV_2D kernel (see
 * mve_depthwise_conv_s8.h for the data layout and the method), in assembly.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Only for cores with the MVE integer extension (Cortex-M55). Computes whole blocks of
 * 16 channels with the same products, sums and requantization as the intrinsics path
 * of mve_depthwise_conv_s8.c (used for a last partial block), so the same bytes. One
 * difference in form: when every shift is < 0 the output offset is added after the
 * saturating narrowing to int16 (|x| < 2^30 there, so sat8(sat16(sat16(x) + offset))
 * equals sat8(x + offset): the same clamp).
 */
#ifndef MCU_MVE_DW_BLOCKS_S8_H
#define MCU_MVE_DW_BLOCKS_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the block loop reads (the assembly uses these byte offsets; checked in the .c). */
typedef struct {
    const void *tab;            /*  0: per tap, an int32 offset (inside pixel) or a pointer */
    const int8_t *base;         /*  4: added to each entry: the pixel's input, or NULL      */
    const int8_t *w;            /*  8: filter of the first block                            */
    const int32_t *q;           /* 12: quant of the first block                             */
    int8_t *out;                /* 16                                                       */
    int32_t pairs;              /* 20: n_taps / 2                                           */
    int32_t odd;                /* 24: n_taps & 1                                           */
    int32_t blocks;             /* 28: full blocks of 16 channels, >= 1                     */
    int32_t output_offset;      /* 32                                                       */
    int32_t act_min, act_max;   /* 36, 40                                                   */
    int32_t flags;              /* 44: 1 general requantization, 2 clamp to [lo, hi]        */
    int32_t pixels;             /* 48: pixels (inside, equally spaced) to do, >= 1          */
    int32_t base_adv;           /* 52: added to base after a pixel's blocks                 */
    int8_t lo[16], hi[16];      /* 56, 72: act_min and act_max in every lane                */
} mcu_mve_dw_blocks_t;

/* The full blocks of 16 channels of a->pixels pixels (or pixel groups), as MVE_DW_TAPS
 * and mve_dw_output do them, in assembly: the sums in q4-q7, the pair step reloads the
 * second tap's input instead of keeping a ninth vector. Pixel i reads base + i * step
 * (step = base_adv + 16 * blocks) and writes its blocks after pixel i - 1's. */
void mcu_mve_dw_blocks_s8(const mcu_mve_dw_blocks_t *a);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MVE_DW_BLOCKS_S8_H */
