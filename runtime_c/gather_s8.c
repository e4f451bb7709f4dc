/*
 * gather_s8.c - GATHER for int8 values with int32 coordinates (see gather_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "gather_s8.h"

#include <string.h>

void mcu_gather_s8(const mcu_gather_params_t *p, const int8_t *input, const int32_t *coords,
                   int8_t *output)
{
    const size_t inner = (size_t)p->inner_size;
    int32_t batch;
    int32_t outer;
    int32_t c;

    for (batch = 0; batch < p->batch_size; ++batch) {
        const int32_t *batch_coords = coords + (size_t)batch * (size_t)p->coord_size;
        for (outer = 0; outer < p->outer_size; ++outer) {
            const size_t slab = (size_t)batch * (size_t)p->outer_size + (size_t)outer;
            const int8_t *in = input + slab * (size_t)p->axis_size * inner;
            int8_t *out = output + slab * (size_t)p->coord_size * inner;
            for (c = 0; c < p->coord_size; ++c) {
                memcpy(out + (size_t)c * inner, in + (size_t)batch_coords[c] * inner, inner);
            }
        }
    }
}
