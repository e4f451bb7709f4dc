/*
 * arg_min_max_s8.c - ARG_MAX and ARG_MIN on int8 input, int32 output.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "arg_min_max_s8.h"

void mcu_arg_min_max_s8(const mcu_arg_min_max_params_t *p, const int8_t *input,
                        int32_t *output)
{
    const int32_t axis_size = p->axis_size;
    const int32_t inner = p->inner;
    int32_t o, n, i;

    for (o = 0; o < p->outer; ++o) {
        const int8_t *slab = input + o * axis_size * inner;
        for (n = 0; n < inner; ++n) {
            int8_t best = slab[n];
            int32_t best_index = 0;
            for (i = 1; i < axis_size; ++i) {
                const int8_t v = slab[i * inner + n];
                if (p->is_max ? (v > best) : (v < best)) {
                    best = v;
                    best_index = i;
                }
            }
            *output++ = best_index;
        }
    }
}
