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

/* Gate order in the weights, biases and multipliers below. */
#define MCU_LSTM_FORGET 0
#define MCU_LSTM_INPUT 1
#define MCU_LSTM_CELL 2
#define MCU_LSTM_OUTPUT 3

/*
 * The longest padded row (input_stride, state_stride) the kernel copies its
 * input or hidden vector into, on the stack: a stride above the vector's size
 * must be at most this (the generator pads only then).
 */
#define MCU_LSTM_MAX_PADDED 128

/* Units per block of a step (their gate accumulators wait on the stack between the
 * passes of a step), and the row length of the bias: the state size rounded up to
 * whole blocks. */
#define MCU_LSTM_BLOCK 16
#define MCU_LSTM_BIAS_STRIDE(state_size) \
    (((state_size) + MCU_LSTM_BLOCK - 1) / MCU_LSTM_BLOCK * MCU_LSTM_BLOCK)

/*
 * Parameters, all derived at build time (TFLM's Prepare arithmetic).
 *
 * Weights are interleaved by unit so that the four gate rows of one unit are
 * consecutive, and each row is zero padded to its stride:
 *   input_weights      [state_size][4][input_stride]   zero point 0
 *   recurrent_weights  [state_size][4][state_stride]   zero point 0
 * each int8 as in the model when its vector is read in place (stride above
 * MCU_LSTM_MAX_PADDED), else uint8 holding w + 128 (padding too: 128), which the
 * kernel corrects by 128 x the sum of the padded vector.
 *   bias               [4][MCU_LSTM_BIAS_STRIDE(state_size)]  int32 (the input
 *                      FC's), gate by gate, each row zero padded to whole blocks
 * with the gates in the order forget, input, cell, output (MCU_LSTM_*).
 * A stride is the vector's size rounded up to a multiple of MCU_MAT_MULT_BLOCK
 * when that is at most MCU_LSTM_MAX_PADDED: the kernel then copies the vector,
 * offset added, into an int16 row of that length on its stack (zeros past the
 * vector), and the dot products run only whole vectorizable blocks. Otherwise
 * the stride is the size itself and the vector is read in place (int8, offset
 * added on the fly, the last size % 16 terms in a scalar tail). A stride of at
 * most MCU_LSTM_MAX_PADDED must be a multiple of MCU_MAT_MULT_BLOCK.
 */
typedef struct {
    int32_t batches, time_steps, input_size, state_size;
    int32_t time_major;           /* 1: input [time, batch, in], 0: [batch, time, in] */
    int32_t input_stride, state_stride;
    int32_t input_offset;         /* -input_zero_point                               */
    int32_t hidden_offset;        /* -hidden_state_zero_point                        */
    const void *input_weights;    /* int8, or uint8 w + 128 for a padded row (above) */
    const void *recurrent_weights;
    const int32_t *bias;
    int32_t input_multiplier[4], input_shift[4];         /* input x weights -> Q3.12  */
    int32_t recurrent_multiplier[4], recurrent_shift[4]; /* hidden x weights -> Q3.12 */
    int32_t forget_multiplier, forget_shift; /* forget gate x cell -> cell           */
    int32_t update_multiplier, update_shift; /* input gate x cell gate -> cell       */
    int32_t hidden_multiplier, hidden_shift; /* tanh(cell) x output gate -> hidden   */
    int32_t hidden_zero_point;
    int32_t cell_clip_enabled;    /* 1: clamp the cell to [-cell_clip, cell_clip]    */
    int32_t cell_clip;            /* quantized clip, in [0, 32767]                   */
    int32_t tanh_multiplier, tanh_shift;     /* cell -> tanh table input             */
} mcu_lstm_s8_params_t;

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
 *
 * Each step, per batch row and state unit s:
 *   the four gate pre-activations: input FC (with bias) and recurrent FC, each
 *   rescaled to int16 Q3.12 and saturated, added with saturation; they come
 *   from two 4-row dot-product tiles over the unit's four interleaved weight rows;
 *   f, i, o = sigmoid(pre-activation), g = tanh(...)  (int16, Q0.15)
 *   cell[s] = sat16(rescale(f * cell[s]) + rescale(i * g)), then clipped
 *   hidden[s] = clamp8(hidden_zero_point + rescale(tanh(cell[s]) * o))
 * The new hidden row is written to the output first and copied to `hidden`
 * only after all units are done (every gate reads the previous hidden row).
 * On a Cortex-M the units run one by one, every value in registers; elsewhere
 * (hosts) in passes of up to 32 units whose gates, activations and state updates
 * run as loops over the units that the compiler vectorizes (lstm_s8.c,
 * MCU_LSTM_VECTOR_LANES). Each rescaling is MultiplyByQuantizedMultiplier in two
 * exact steps (a 32 x 32 -> 64 product, then an int32 rounding shift).
 *
 * Value ranges: products of int16 gate values fit int32; the int32 FC
 * accumulators are exact for input_size and state_size up to 65,793.
 *
 * Scratch memory: none. Stack: two int16 rows of MCU_LSTM_MAX_PADDED (the
 * padded input and hidden copies, 512 bytes) and the eleven prepared
 * requantizations (176 bytes); on a host also the accumulators, gates and cell of
 * a pass (1.7 KB). (TFLite Micro uses four int16 gate buffers of batches *
 * state_size each in its arena.)
 *
 * Bit-exact with: tflite::EvalLstm<int8_t, int8_t, int16_t, int32_t> and
 *   lstm_internal::LstmStep (tensorflow/lite/micro/kernels/lstm_eval.h, .cc),
 *   i.e. reference_integer_ops::FullyConnected, Logistic(int16), Tanh(int16)
 *   and MulElementwise (tensorflow/lite/kernels/internal/reference/integer_ops/).
 */
void mcu_lstm_s8(const mcu_lstm_s8_params_t *p, const int8_t *input, int8_t *hidden,
                 int16_t *cell, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCU_LSTM_S8_H */
