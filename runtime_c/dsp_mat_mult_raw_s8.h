/*
 * dsp_mat_mult_raw_s8.h - the DSP matrix-product core on one raw int8 column, widened
 * on the stack or in registers (no scratch); the stream is that of dsp_mat_mult_s8.h.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Bit-exact with: the accumulate / bias / requantize / clamp of
 * tflite::reference_integer_ops::ConvPerChannel and FullyConnected(PerChannel)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h, fully_connected.h).
 */
#ifndef MCU_DSP_MAT_MULT_RAW_S8_H
#define MCU_DSP_MAT_MULT_RAW_S8_H

#include <stdint.h>

#include "dsp_mat_mult_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A run of 4 * groups consecutive terms of a raw int8 column (any alignment). */
typedef struct {
    const int8_t *x;
    int32_t groups;
} mcu_dsp_seg_t;

/* Largest p->groups whose column is widened into a stack buffer (8 bytes a group;
 * 40: a 3x3 filter over up to 17 channels). */
#define MCU_DSP_RAW_STACK_GROUPS 40

/*
 * The same products for one raw int8 column, given as n_segs segments whose groups
 * add up to p->groups (in order). out[r] for every row r < n_out. Up to
 * MCU_DSP_RAW_STACK_GROUPS groups, the column is widened into a buffer on the stack and
 * mcu_dsp_mat_mult_s8 runs; beyond, each block reads the segments in place and widens
 * them in registers. Scratch memory: none.
 */
void mcu_dsp_mat_mult_raw_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                             const mcu_dsp_seg_t *segs, int32_t n_segs, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_MAT_MULT_RAW_S8_H */
