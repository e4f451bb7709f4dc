/*
 * lstm_s8.h - UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights,
 * int16 cell state (TFLite's "int8x8_16" LSTM).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_LSTM_S8_H
#define MCU_LSTM_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Runs every time step of a standard LSTM (no peephole, projection, layer
 * normalization or coupled input-forget gate) and leaves the state in place.
 *
 * Data layout
 *   input   time_major: [time_steps, batches, input_size]   int8
 *           otherwise:  [batches, time_steps, input_size]
 *   hidden  [batches, state_size]  int8, read and updated (the op's variable
 *           hidden state; zero point -hidden_offset == hidden_zero_point)
 *   cell    [batches, state_size]  int16, read and updated (variable cell state)
 *   output  same order as input, [.., .., state_size]  int8: the hidden state
 *           after each step
 *   Gate weights and biases come through p (see mcu_lstm_gate_t).
 *
 * Each step, per batch row and state unit s:
 *   f, i, o = sigmoid(gate pre-activation), g = tanh(...)  (int16, Q0.15)
 *   cell[s] = sat16(rescale(f * cell[s]) + rescale(i * g)), then clipped
 *   hidden[s] = clamp8(hidden_zero_point + rescale(tanh(cell[s]) * o))
 * The new hidden row is written to the output first and copied to `hidden`
 * only after all units are done (every gate reads the previous hidden row).
 *
 * Value ranges: products of int16 gate values fit int32; the int32 FC
 * accumulators are exact for input_size and state_size up to 65,793.
 *
 * Scratch memory: none. (TFLite Micro uses four int16 gate buffers of
 * batches * state_size each; computing the four gates of one unit together
 * needs none.)
 *
 * Bit-exact with: tflite::EvalLstm<int8_t, int8_t, int16_t, int32_t> and
 *   lstm_internal::LstmStep (tensorflow/lite/micro/kernels/lstm_eval.h, .cc),
 *   i.e. reference_integer_ops::FullyConnected, Logistic(int16), Tanh(int16)
 *   and MulElementwise (tensorflow/lite/kernels/internal/reference/integer_ops/).
 */
void mcu_lstm_s8(const mcu_lstm_params_t *p, const int8_t *input, int8_t *hidden,
                 int16_t *cell, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_LSTM_S8_H */
