/*
 * broadcast_s8.h - the broadcast walk shared by the int8 binary element-wise
 * kernels (MUL, SUB, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, PRELU).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_BROADCAST_S8_H
#define MCU_BROADCAST_S8_H

#include <stdint.h>
#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One row of a binary op: out[i] = f(a[i * a_stride], b[i * b_stride]) for
 * 0 <= i < n. Strides are 0 (the operand is broadcast along the row) or the
 * operand's own innermost stride. `params` is the op's parameter struct.
 */
typedef void (*mcu_broadcast_row_fn)(const void *params, const int8_t *a, int32_t a_stride,
                                     const int8_t *b, int32_t b_stride, int8_t *out,
                                     int32_t n);

/*
 * Runs `row` over every row of the output described by `g` (mcu_broadcast_t:
 * out_dims[0..5], the last one being the row length), writing the output
 * densely in row-major order.
 *
 * Data layout: input1, input2 and output are dense row-major tensors; input N
 *   element (i0..i5) sits at sum_k ik * g->inN_strides[k].
 * In place: the output may share its bytes with an input of the output's own
 *   shape (that input is read at element i just before element i is written).
 * Scratch memory: none.
 *
 * Bit-exact with: the element order does not matter: TFLite's
 *   tflite::reference_ops::BroadcastBinaryOpSimple
 *   (tensorflow/lite/kernels/internal/reference/broadcast_loop.h) applies the
 *   same pure per-element function, and so does its non-broadcast path.
 */
void mcu_broadcast_s8(const mcu_broadcast_t *g, const void *params, const int8_t *input1,
                      const int8_t *input2, int8_t *output, mcu_broadcast_row_fn row);

#ifdef __cplusplus
}
#endif

#endif /* MCU_BROADCAST_S8_H */
