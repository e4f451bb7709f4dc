/*
 * lut_s8.h - int8 element-wise activation by table lookup.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_LUT_S8_H
#define MCU_LUT_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * output[i] = table[input[i] + 128] for 0 <= i < size.
 *
 * An int8 activation's output depends on its input byte alone, so the code
 * generator evaluates TFLite Micro's own arithmetic for all 256 inputs and
 * emits the results as `table` (const, 256 bytes of flash per op; the entry
 * for input x is at x + 128). Used for LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU
 * and ELU.
 *
 * Data layout: any shape, flat; input and output hold `size` int8 values.
 * In place: the output may be the input (element i is read before it is written).
 * Scratch memory: none.
 *
 * Bit-exact with (table contents, mcu_codegen/ops/tables.py):
 *   LOGISTIC   tflite::reference_integer_ops::Logistic (int8) (reference/integer_ops/logistic.h)
 *   TANH       tflite::reference_integer_ops::Tanh (int8) (reference/integer_ops/tanh.h)
 *   HARD_SWISH tflite::reference_ops::HardSwish<int8_t> (reference/hard_swish.h)
 *   LEAKY_RELU tflite::reference_ops::QuantizeLeakyRelu<int8_t> (reference/leaky_relu.h)
 *   ELU        TFLM's own table, PopulateLookupTable<int8_t> (micro/kernels/elu.cc)
 */
void mcu_lut_s8(const int8_t table[256], int32_t size, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_LUT_S8_H */
