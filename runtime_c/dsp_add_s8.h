/*
 * dsp_add_s8.h - int8 ADD of two same-shape tensors with generation-time input tables
 * and the Armv7E-M DSP instructions (SMMLAR, SSAT).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_DSP_ADD_S8_H
#define MCU_DSP_ADD_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t size;                /* elements of each input and of the output        */
    int32_t output_multiplier;   /* the reference's output multiplier m             */
    int32_t round;               /* 2^(e-1) + output_zero_point * 2^e               */
    int32_t shift;               /* e = -output_shift >= 1                          */
    int32_t full_range;          /* 1: act_min == -128 and act_max == 127           */
    int32_t act_min, act_max;
} mcu_dsp_add_params_t;

/*
 * output[i] = ADD(input1[i], input2[i]) for i < size, int8, each input with its own
 * scale and zero point (no broadcasting).
 *
 * Data layout
 *   input1, input2, output  [size]   int8 (output may be the same storage as an input)
 *   tables  [2][256] int32, built by the generator, indexed by the input byte as uint8:
 *           tables[k][(uint8_t)x] = 2 * MultiplyByQuantizedMultiplierSmallerThanOneExp(
 *           (x + input_offset_k) * 2^left_shift, input_multiplier_k, input_shift_k),
 *           the first half of the reference AddFunc, doubled
 *
 * Per element t = tables[0][x1] + tables[1][x2] (2 * raw_sum), then
 *   (SMMLAR(t, m, round + (t < 0 ? -1 : 0))) >> e
 * which is RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(raw_sum, m), e) +
 * output_zero_point: SMMULR(2 raw_sum, m) is the high multiply, and the sign of t stands
 * for the sign of its result in the tie correction (they differ only where it is 0, not
 * a tie for e >= 1). Clamped to [act_min, act_max]. The generator checks that every sum
 * stays in int32 and that e >= 1, else the portable kernel runs.
 *
 * Scratch memory: none.
 *
 * Bit-exact with: tflite::reference_integer_ops::Add / AddElementwise (int8) (tensorflow/lite/kernels/internal/reference/integer_ops/add.h)
 */
void mcu_dsp_add_s8(const mcu_dsp_add_params_t *p, const int8_t *input1,
                    const int8_t *input2, int8_t *output, const int32_t *tables);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_ADD_S8_H */
