/*
 * mve_mat_mult_s8.h - int8 matrix products with MVE (Helium): the core of the MVE
 * CONV_2D and FULLY_CONNECTED kernels, and FULLY_CONNECTED itself.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Only for cores with the MVE integer extension (Cortex-M55): compiling it elsewhere
 * is an #error. Bit-exact with tflite::reference_integer_ops::FullyConnected (per-tensor
 * or per-channel) and, row by row, with ConvPerChannel (see mve_conv_s8.h).
 *
 * Data layout
 *   row x    [k] int8, the raw input values (zero point not subtracted)
 *   weights  [n4 / 4][k16 / 16][4][16] int8, n4 = n_out rounded up to 4 and k16 = k
 *            rounded up to 16: blocks of 16 taps of 4 output channels, so that one
 *            pointer walks the weights of 4 channels; padding is zeros.
 *   quant    [n4 / 4][4][4] int32: per group of 4 channels, the 4 -max(-shift, 0),
 *            the 4 folded biases bias[c] - input_zero_point * sum_i w[c][i] (wrapped to
 *            int32: the generator folds the input offset in, so the dot products are of
 *            raw int8 values and one VMLADAVA.S8 does 16 multiply-accumulates), the 4
 *            multipliers (QuantizeMultiplier) and the 4 max(shift, 0) (a per-tensor
 *            scale is repeated); padding channels are all zeros
 *   general  0 when every channel has shift < 0 (no left shift, a right shift >= 1):
 *            the requantization then skips two operations that are identities
 *   output   [n_out] int8 per row
 *
 * Sums are taken modulo 2^32 in every order, so the folded bias gives the reference's
 * int32 accumulator exactly (it is exact whenever the reference's is, and both wrap
 * alike otherwise). Each output goes through mve_requant.h.
 */
#ifndef MCU_MVE_MAT_MULT_S8_H
#define MCU_MVE_MAT_MULT_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const int8_t *weights;      /* [n4 / 4][k16 / 16][4][16], see above */
    const int32_t *quant;       /* [n4 / 4][4][4], see above            */
    int32_t k;                  /* row length (dot product terms), >= 1 */
    int32_t n_out;              /* output channels, >= 1                */
    int32_t output_offset;      /* output zero point                    */
    int32_t act_min, act_max;   /* activation clamp, int8 range         */
    int32_t general;            /* see above                            */
} mcu_mve_mm_t;

/* FULLY_CONNECTED: input [batches, k], output [batches, n_out]. */
typedef struct {
    int32_t batches;
    mcu_mve_mm_t mm;
} mcu_mve_fc_params_t;

/*
 * out0[c] and out1[c] for every output channel c, from rows x0 and x1 (x1 may equal
 * x0 and out1 out0 for a single row: the same values are then written twice).
 */
void mcu_mve_mm_rows2_s8(const mcu_mve_mm_t *m, const int8_t *x0, const int8_t *x1,
                         int8_t *out0, int8_t *out1);

/*
 * pairs pairs of rows: pair i is rows x0 + i * x_step and x1 + i * x_step, its outputs
 * out0 + 2 * i * n_out and out1 + 2 * i * n_out (consecutive pixels of the output).
 */
void mcu_mve_mm_pairs_s8(const mcu_mve_mm_t *m, const int8_t *x0, const int8_t *x1,
                         int32_t x_step, int32_t pairs, int8_t *out0, int8_t *out1);

void mcu_mve_fully_connected_s8(const mcu_mve_fc_params_t *p, const int8_t *input,
                                int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MVE_MAT_MULT_S8_H */
