/*
 * maximum_minimum_s8.c - int8 MAXIMUM and MINIMUM with broadcasting.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "maximum_minimum_s8.h"
#include "broadcast_s8.h"

static void maximum_row(const void *params, const int8_t *a, int32_t a_stride,
                        const int8_t *b, int32_t b_stride, int8_t *out, int32_t n)
{
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const int8_t x1 = a[i * a_stride];
        const int8_t x2 = b[i * b_stride];
        out[i] = (x1 > x2) ? x1 : x2;
    }
}

static void minimum_row(const void *params, const int8_t *a, int32_t a_stride,
                        const int8_t *b, int32_t b_stride, int8_t *out, int32_t n)
{
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const int8_t x1 = a[i * a_stride];
        const int8_t x2 = b[i * b_stride];
        out[i] = (x1 < x2) ? x1 : x2;
    }
}

void mcu_maximum_s8(const mcu_broadcast_t *g, const int8_t *input1, const int8_t *input2,
                    int8_t *output)
{
    mcu_broadcast_s8(g, g, input1, input2, output, maximum_row);
}

void mcu_minimum_s8(const mcu_broadcast_t *g, const int8_t *input1, const int8_t *input2,
                    int8_t *output)
{
    mcu_broadcast_s8(g, g, input1, input2, output, minimum_row);
}
