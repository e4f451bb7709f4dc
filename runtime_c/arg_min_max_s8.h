/*
 * arg_min_max_s8.h - ARG_MAX and ARG_MIN on int8 input, int32 output.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_ARG_MIN_MAX_S8_H
#define MCU_ARG_MIN_MAX_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Index of the largest (is_max == 1) or smallest (is_max == 0) value along
 * one axis. Ties go to the lowest index (strict comparison, as the reference).
 * The quantization of the input does not matter: int8 order is real order.
 *
 * Data layout
 *   input   [outer, axis_size, inner]   int8, row-major
 *   output  [outer, inner]              int32, values in [0, axis_size)
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_ops::ArgMinMax
 *                 (tensorflow/lite/kernels/internal/reference/arg_min_max.h), as called by
 *                 TFLM's micro/kernels/arg_min_max.cc (int32 axis and output)
 */
void mcu_arg_min_max_s8(const mcu_arg_min_max_params_t *p, const int8_t *input,
                        int32_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_ARG_MIN_MAX_S8_H */
