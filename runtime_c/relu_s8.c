/*
 * relu_s8.c - standalone RELU / RELU6 for int8.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "relu_s8.h"
#include "mcu_requant.h"

/*
 * mcu_relu_s8
 *
 * Layout:  any shape, flat; input and output hold p->size int8 values.
 * Ranges:  zero points in [-128, 127]; act_min <= act_max within [-128, 127];
 *          multiplier/shift from QuantizeMultiplier(input_scale / output_scale).
 * Scratch: none. In place: output may be the same buffer as input (each
 *          element is read once, before its own slot is written).
 * Bit-exact with: tflite::ReluQuantized<int8_t> (micro/kernels/activations_common.cc)
 *          for RELU; for RELU6, tflite::Relu6Quantized<int8_t> (a plain clamp),
 *          which this routine reproduces with the identity multiplier
 *          (1 << 30, shift 1) and equal zero points.
 */
void mcu_relu_s8(const mcu_relu_params_t *p, const int8_t *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t x = (int32_t)input[i] - p->input_zero_point;
        const int32_t y = p->output_zero_point
                          + mcu_multiply_by_quantized_multiplier(x, p->multiplier, p->shift);
        output[i] = (int8_t)mcu_clamp_s32(y, p->act_min, p->act_max);
    }
}
