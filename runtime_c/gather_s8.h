/*
 * gather_s8.h - GATHER for int8 values with int32 coordinates.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_GATHER_S8_H
#define MCU_GATHER_S8_H

#include <stdint.h>

#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * mcu_gather_s8
 *
 * Layout:  input  [batch_size, outer_size, axis_size, inner_size]  int8
 *          coords [batch_size, coord_size]                          int32
 *          output [batch_size, outer_size, coord_size, inner_size]  int8
 *          (the TFLite shapes collapsed around batch_dims and axis), i.e.
 *          output[b][o][c][:] = input[b][o][coords[b][c]][:].
 * Ranges:  every coordinate in [0, axis_size): the generator only accepts
 *          constant coordinates and checks them (TFLM does not check them at
 *          run time and would read outside the input).
 * Scratch: none. Input and output must not overlap.
 * Bit-exact with: the int8 Gather<int8_t, int32_t> of TFLM (micro/kernels/gather.cc).
 */
void mcu_gather_s8(const mcu_gather_params_t *p, const int8_t *input, const int32_t *coords,
                   int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_GATHER_S8_H */
