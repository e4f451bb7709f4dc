/*
 * relu_s8.h - standalone RELU / RELU6 for int8.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_RELU_S8_H
#define MCU_RELU_S8_H

#include <stdint.h>

#include "mcu_nn_types.h"

void mcu_relu_s8(const mcu_relu_params_t *p, const int8_t *input, int8_t *output);

#endif /* MCU_RELU_S8_H */
