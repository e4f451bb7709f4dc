/*
 * broadcast_s8.c - the broadcast walk shared by the int8 binary element-wise
 * kernels.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "broadcast_s8.h"

void mcu_broadcast_s8(const mcu_broadcast_t *g, const void *params, const int8_t *input1,
                      const int8_t *input2, int8_t *output, mcu_broadcast_row_fn row)
{
    const int32_t *d = g->out_dims;
    const int32_t *s1 = g->in1_strides;
    const int32_t *s2 = g->in2_strides;
    const int32_t n = d[MCU_MAX_DIMS - 1];
    int32_t i0, i1, i2, i3, i4;

    for (i0 = 0; i0 < d[0]; ++i0) {
        for (i1 = 0; i1 < d[1]; ++i1) {
            for (i2 = 0; i2 < d[2]; ++i2) {
                for (i3 = 0; i3 < d[3]; ++i3) {
                    for (i4 = 0; i4 < d[4]; ++i4) {
                        const int32_t o1 = i0 * s1[0] + i1 * s1[1] + i2 * s1[2] +
                                           i3 * s1[3] + i4 * s1[4];
                        const int32_t o2 = i0 * s2[0] + i1 * s2[1] + i2 * s2[2] +
                                           i3 * s2[3] + i4 * s2[4];
                        row(params, input1 + o1, s1[5], input2 + o2, s2[5], output, n);
                        output += n;
                    }
                }
            }
        }
    }
}
