/*
 * mve_add_s8.h - int8 ADD of two same-shaped tensors with MVE (Helium).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Only for cores with the MVE integer extension (Cortex-M55). Bit-exact with
 * tflite::reference_integer_ops::Add (AddElementwise, int8): per element
 *   scaled_i = MultiplyByQuantizedMultiplierSmallerThanOneExp((x_i + offset_i) << left_shift,
 *                                                             multiplier_i, shift_i)
 *   out = clamp(MultiplyByQuantizedMultiplierSmallerThanOneExp(scaled_1 + scaled_2,
 *               output_multiplier, output_shift) + output_offset, act_min, act_max)
 * with every shift in [-31, 0] (the generator checks it), four elements per vector
 * (int32 lanes; mve_requant.h's rounding). Uses the size, offsets, left_shift,
 * multipliers, shifts and activation range of mcu_add_params_t; the inputs and the
 * output have `size` elements each (no broadcasting). The output may be one of the
 * inputs (each element is read before it is written).
 */
#ifndef MCU_MVE_ADD_S8_H
#define MCU_MVE_ADD_S8_H

#include <stdint.h>

#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

void mcu_mve_add_s8(const mcu_add_params_t *p, const int8_t *input1, const int8_t *input2,
                    int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MVE_ADD_S8_H */
