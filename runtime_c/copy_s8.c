/*
 * copy_s8.c - strided N-D box copies with an optional fill (see copy_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "copy_s8.h"

#include <string.h>

/* Copy one box (the row layout is documented in copy_s8.h). Offsets are kept
 * as integers and only turned into addresses inside the tensors, so negative
 * strides never form an out-of-range pointer. */
static void copy_box(int32_t rank, const int32_t *box, const int8_t *const src[],
                     int8_t *const dst[])
{
    const int8_t *s = src[box[0]];
    int8_t *d = dst[box[2]];
    const int32_t *dims = box + 4;
    const int32_t *src_strides = dims + rank;
    const int32_t *dst_strides = src_strides + rank;
    const int32_t inner = dims[rank - 1];
    const int32_t inner_src = src_strides[rank - 1];
    const int32_t inner_dst = dst_strides[rank - 1];
    int32_t idx[MCU_COPY_MAX_DIMS];
    int32_t so = box[1];
    int32_t dof = box[3];
    int32_t k;

    for (k = 0; k < rank; ++k) {
        if (dims[k] <= 0) {
            return;
        }
        idx[k] = 0;
    }
    for (;;) {
        if (inner_src == 1 && inner_dst == 1) {
            memcpy(d + dof, s + so, (size_t)inner);
        } else {
            int32_t si = so;
            int32_t di = dof;
            int32_t j;
            for (j = 0; j < inner; ++j) {
                d[di] = s[si];
                si += inner_src;
                di += inner_dst;
            }
        }
        /* Advance the odometer over dims[0 .. rank-2]. */
        for (k = rank - 2; k >= 0; --k) {
            so += src_strides[k];
            dof += dst_strides[k];
            if (++idx[k] < dims[k]) {
                break;
            }
            so -= src_strides[k] * dims[k];
            dof -= dst_strides[k] * dims[k];
            idx[k] = 0;
        }
        if (k < 0) {
            return;
        }
    }
}

void mcu_copy_s8(const mcu_copy_params_t *p, const int8_t *const src[], int8_t *const dst[])
{
    const int32_t row = 4 + 3 * p->rank;
    int32_t b;

    if (p->fill_bytes > 0) {
        memset(dst[0], (int)p->fill_value, (size_t)p->fill_bytes);
    }
    for (b = 0; b < p->num_boxes; ++b) {
        copy_box(p->rank, p->boxes + (size_t)b * (size_t)row, src, dst);
    }
}
