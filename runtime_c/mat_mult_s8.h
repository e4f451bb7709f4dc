/*
 * mat_mult_s8.h - int8 dot-product tiles and requantized matrix products, the
 * core shared by CONV_2D (and DEPTHWISE_CONV_2D with one input channel) and
 * FULLY_CONNECTED.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Inputs stay int8: the input offset (-input_zero_point) is added to each
 * input value inside the loop, in 16 bits (x + offset is in [-255, 255]), so
 * no copy of the input is needed. Every dot product runs one loop over its
 * first n & ~15 terms, a trip count compilers can see is a multiple of 16 (gcc
 * vectorizes it at -O2 with 16-bit multiply-add pairs, SSE2 pmaddwd, and sums
 * the lanes once at the end), then a scalar loop over the rest. A tile computes
 * 2 rows x 2 columns or 4 rows x 1 column, so every value loaded is used more
 * than once; on a scalar core it is a short MLA loop.
 *
 * Products: |w * (x + offset)| <= 128 * 255 = 32640, so a dot product of n
 * terms is exact in int32 for n <= 65,793 (the generator checks the sums it
 * asks for).
 */
#ifndef MCU_MAT_MULT_S8_H
#define MCU_MAT_MULT_S8_H

#include <stdint.h>

#include "mcu_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The length of the vectorizable blocks of every dot product. */
#define MCU_MAT_MULT_BLOCK 16

/*
 * acc[0..3] += sum_{i < n} of w0[i] * (x0[i] + offset), w0[i] * (x1[i] + offset),
 *                          w1[i] * (x0[i] + offset), w1[i] * (x1[i] + offset).
 */
void mcu_dot_s8_2x2(const int8_t *x0, const int8_t *x1, const int8_t *w0, const int8_t *w1,
                    int32_t n, int32_t offset, int32_t acc[4]);

/* acc[j] += sum_{i < n} wj[i] * (x0[i] + offset), j = 0..3. */
void mcu_dot_s8_4x1(const int8_t *x0, const int8_t *w0, const int8_t *w1, const int8_t *w2,
                    const int8_t *w3, int32_t n, int32_t offset, int32_t acc[4]);

/* sum_{i < n} w0[i] * (x0[i] + offset). */
int32_t mcu_dot_s8_1x1(const int8_t *x0, const int8_t *w0, int32_t n, int32_t offset);

/* The same tiles on int16 columns that already hold x + offset (in [-255, 255]). */
void mcu_dot_s16_2x2(const int16_t *x0, const int16_t *x1, const int8_t *w0, const int8_t *w1,
                     int32_t n, int32_t acc[4]);
void mcu_dot_s16_4x1(const int16_t *x0, const int8_t *w0, const int8_t *w1, const int8_t *w2,
                     const int8_t *w3, int32_t n, int32_t acc[4]);
int32_t mcu_dot_s16_1x1(const int16_t *x0, const int8_t *w0, int32_t n);

/* dst[i] = src[i] + offset as int16 for i < n (dst and src must not overlap). */
void mcu_s8_to_s16_offset(const int8_t *src, int32_t n, int32_t offset, int16_t *dst);

/* How accumulators become int8 outputs (the tail of the reference kernels). */
typedef struct {
    const int32_t *bias;      /* [n_out] or NULL                                   */
    const int32_t *mult;      /* [n_out] (per_channel) or [1]: QuantizeMultiplier   */
    const int32_t *shift;     /* same length as mult                               */
    int32_t per_channel;      /* 1: one multiplier per output row, 0: one for all   */
    int32_t output_offset;    /* output_zero_point                                 */
    int32_t act_min, act_max; /* activation clamp, int8 range                      */
} mcu_mm_out_t;

/* The requantization of output row r, prepared once for the accumulators of a tile. */
static inline void mcu_mm_prepare(const mcu_mm_out_t *o, int32_t r, mcu_requant_t *q)
{
    const int32_t i = o->per_channel ? r : 0;
    mcu_requant_prepare(o->mult[i], o->shift[i], q);
}

/* clamp(MultiplyByQuantizedMultiplier(acc + bias[r]) + output_offset) of row r. */
static inline int8_t mcu_mm_output(const mcu_mm_out_t *o, int32_t r, const mcu_requant_t *q,
                                   int32_t acc)
{
    if (o->bias != NULL) {
        acc = mcu_add_wrap_s32(acc, o->bias[r]);
    }
    acc = mcu_add_wrap_s32(mcu_requant_apply(acc, q), o->output_offset);
    return (int8_t)mcu_clamp_s32(acc, o->act_min, o->act_max);
}

/*
 * Requantized products of one or two input columns with every filter row.
 *
 * Data layout
 *   x0, x1   [k] int8 each; x1 NULL for a single column
 *   filter   [n_out] rows of k int8 values, row r at filter + r * row_stride
 *   out0     out0[r] = the output of row r with column x0 (int8)
 *   out1     out1[r] = the output of row r with column x1 (unused when x1 is NULL)
 *
 * For every column c and row r:
 *   acc = sum_i filter[r][i] * (xc[i] + offset)
 *   out = clamp(MultiplyByQuantizedMultiplier(acc + bias[r], mult[r], shift[r])
 *               + output_offset, act_min, act_max)
 *
 * Scratch memory: none.
 *
 * Bit-exact with: the accumulate / bias / requantize / clamp of
 * tflite::reference_integer_ops::ConvPerChannel and FullyConnected
 * (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h, fully_connected.h).
 */
void mcu_mat_mult_s8(const int8_t *x0, const int8_t *x1, int32_t k, int32_t offset,
                     const int8_t *filter, int32_t row_stride, int32_t n_out,
                     const mcu_mm_out_t *o, int8_t *out0, int8_t *out1);

/* mcu_mat_mult_s8 on int16 columns x0, x1 (x1 may be NULL) that already hold
 * x + offset: each input value is widened once for all rows. */
void mcu_mat_mult_s16(const int16_t *x0, const int16_t *x1, int32_t k, const int8_t *filter,
                      int32_t row_stride, int32_t n_out, const mcu_mm_out_t *o, int8_t *out0,
                      int8_t *out1);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MAT_MULT_S8_H */
