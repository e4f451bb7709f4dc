/*
 * dsp_fully_connected_s8.h - int8 FULLY_CONNECTED kernel for cores with the DSP
 * extension (SMLAD).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_FULLY_CONNECTED_S8_H
#define MCU_DSP_FULLY_CONNECTED_S8_H

#include <stdint.h>

#include "dsp_mat_mult_raw_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;             /* input rows: input is [batches, depth]          */
    int32_t depth;
    mcu_dsp_mm_params_t mm;      /* groups = ceil(depth / 4), n_out = out_features */
} mcu_dsp_fc_params_t;

/*
 * Quantized fully connected layer, int8 in / int8 weights / int8 out.
 *
 * Data layout
 *   input   [batches, depth]          int8, row-major
 *   stream  the filter [out_features, depth], bias and requantization (per tensor
 *           multipliers repeated for every row), prepared by the generator as
 *           described in dsp_mat_mult_s8.h
 *   output  [batches, out_features]   int8
 *
 * Method: with scratch, each input row widened once into an int16 column (a row whose
 * depth is not a multiple of 4 is first copied and zero padded), then
 * mcu_dsp_mat_mult_s8 over every block of outputs; without scratch (depth a multiple
 * of 4 only), mcu_dsp_mat_mult_raw_s8 on each raw input row.
 *
 * Scratch memory: MCU_DSP_FC_S8_SCRATCH_BYTES(groups), 4-byte aligned, or NULL when
 * depth is a multiple of 4.
 *
 * Bit-exact with: tflite::reference_integer_ops::FullyConnected and
 * FullyConnectedPerChannel (tensorflow/lite/kernels/internal/reference/integer_ops/
 * fully_connected.h)
 */
#define MCU_DSP_FC_S8_SCRATCH_BYTES(groups) (12 * (groups))

void mcu_dsp_fully_connected_s8(const mcu_dsp_fc_params_t *p, const int8_t *input,
                                const int32_t *stream, int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_FULLY_CONNECTED_S8_H */
