/*
 * reduce_s8.c - int8 MEAN, SUM and REDUCE_MAX kernels.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Both kernels walk the kept dimensions (one output element at a time) and,
 * for each, the reduced dimensions, with two odometers over input strides.
 */
#include "reduce_s8.h"
#include "mcu_requant.h"

/*
 * Advance the multi-index idx over dims (row-major, last dimension fastest)
 * and return the change of the input offset. Wraps to all zeros after the
 * last element.
 */
static int32_t reduce_step(int32_t rank, const int32_t *dims, const int32_t *strides,
                           int32_t *idx)
{
    int32_t delta = 0;
    int32_t d;

    for (d = rank - 1; d >= 0; --d) {
        delta += strides[d];
        if (++idx[d] < dims[d]) {
            return delta;
        }
        delta -= strides[d] * dims[d];
        idx[d] = 0;
    }
    return delta;
}

void mcu_reduce_sum_s8(const mcu_reduce_params_t *p, const int8_t *input, int8_t *output)
{
    int32_t outer_idx[MCU_MAX_DIMS] = {0};
    int32_t base = 0;
    int32_t o;

    for (o = 0; o < p->out_size; ++o) {
        int32_t inner_idx[MCU_MAX_DIMS] = {0};
        int32_t offset = base;
        int32_t acc = 0;
        int32_t i;

        for (i = 0; i < p->inner_size; ++i) {
            acc += input[offset];
            offset += reduce_step(p->inner_rank, p->inner_dims, p->inner_strides, inner_idx);
        }
        acc += p->sum_offset;
        acc = mcu_multiply_by_quantized_multiplier(acc, p->multiplier, p->shift);
        acc = mcu_add_wrap_s32(acc, p->output_offset);
        output[o] = (int8_t)mcu_clamp_s32(acc, INT8_MIN, INT8_MAX);
        base += reduce_step(p->outer_rank, p->outer_dims, p->outer_strides, outer_idx);
    }
}

void mcu_reduce_max_s8(const mcu_reduce_params_t *p, const int8_t *input, int8_t *output)
{
    int32_t outer_idx[MCU_MAX_DIMS] = {0};
    int32_t base = 0;
    int32_t o;

    for (o = 0; o < p->out_size; ++o) {
        int32_t inner_idx[MCU_MAX_DIMS] = {0};
        int32_t offset = base;
        int8_t best = INT8_MIN; /* the reference's initial value: lowest int8 */
        int32_t i;

        for (i = 0; i < p->inner_size; ++i) {
            if (input[offset] > best) {
                best = input[offset];
            }
            offset += reduce_step(p->inner_rank, p->inner_dims, p->inner_strides, inner_idx);
        }
        output[o] = best;
        base += reduce_step(p->outer_rank, p->outer_dims, p->outer_strides, outer_idx);
    }
}
