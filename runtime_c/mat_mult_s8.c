/*
 * mat_mult_s8.c - int8 dot-product tiles and requantized matrix products (see
 * mat_mult_s8.h).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "mat_mult_s8.h"

/* First n & ~15 terms: the vectorizable part of a dot product. */
#define MM_MAIN(n) ((n) & ~(int32_t)(MCU_MAT_MULT_BLOCK - 1))

/* The dot products stay out of line: gcc 12 vectorizes their loops in a function of
 * their own but not once inlined into a caller's tile loop (measured). */
#if defined(__GNUC__)
#define MM_NOINLINE __attribute__((noinline))
#else
#define MM_NOINLINE
#endif

MM_NOINLINE void mcu_dot_s8_2x2(const int8_t *restrict x0, const int8_t *restrict x1,
                    const int8_t *restrict w0, const int8_t *restrict w1, int32_t n,
                    int32_t offset, int32_t acc[4])
{
    const int32_t main_n = MM_MAIN(n);
    const int16_t off = (int16_t)offset;
    int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        const int16_t v0 = (int16_t)(x0[i] + off);
        const int16_t v1 = (int16_t)(x1[i] + off);
        const int32_t f0 = w0[i];
        const int32_t f1 = w1[i];
        a00 += f0 * v0;
        a01 += f0 * v1;
        a10 += f1 * v0;
        a11 += f1 * v1;
    }
    for (; i < n; ++i) {
        const int16_t v0 = (int16_t)(x0[i] + off);
        const int16_t v1 = (int16_t)(x1[i] + off);
        const int32_t f0 = w0[i];
        const int32_t f1 = w1[i];
        a00 += f0 * v0;
        a01 += f0 * v1;
        a10 += f1 * v0;
        a11 += f1 * v1;
    }
    acc[0] += a00;
    acc[1] += a01;
    acc[2] += a10;
    acc[3] += a11;
}

MM_NOINLINE void mcu_dot_s8_4x1(const int8_t *restrict x0, const int8_t *restrict w0,
                    const int8_t *restrict w1, const int8_t *restrict w2,
                    const int8_t *restrict w3, int32_t n, int32_t offset, int32_t acc[4])
{
    const int32_t main_n = MM_MAIN(n);
    const int16_t off = (int16_t)offset;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        const int16_t v0 = (int16_t)(x0[i] + off);
        a0 += w0[i] * v0;
        a1 += w1[i] * v0;
        a2 += w2[i] * v0;
        a3 += w3[i] * v0;
    }
    for (; i < n; ++i) {
        const int16_t v0 = (int16_t)(x0[i] + off);
        a0 += w0[i] * v0;
        a1 += w1[i] * v0;
        a2 += w2[i] * v0;
        a3 += w3[i] * v0;
    }
    acc[0] += a0;
    acc[1] += a1;
    acc[2] += a2;
    acc[3] += a3;
}

MM_NOINLINE int32_t mcu_dot_s8_1x1(const int8_t *restrict x0, const int8_t *restrict w0, int32_t n,
                       int32_t offset)
{
    const int32_t main_n = MM_MAIN(n);
    const int16_t off = (int16_t)offset;
    int32_t a0 = 0;
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        a0 += w0[i] * (int16_t)(x0[i] + off);
    }
    for (; i < n; ++i) {
        a0 += w0[i] * (int16_t)(x0[i] + off);
    }
    return a0;
}

MM_NOINLINE void mcu_dot_s16_2x2(const int16_t *restrict x0, const int16_t *restrict x1,
                                 const int8_t *restrict w0, const int8_t *restrict w1,
                                 int32_t n, int32_t acc[4])
{
    const int32_t main_n = MM_MAIN(n);
    int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        const int32_t v0 = x0[i];
        const int32_t v1 = x1[i];
        const int32_t f0 = w0[i];
        const int32_t f1 = w1[i];
        a00 += f0 * v0;
        a01 += f0 * v1;
        a10 += f1 * v0;
        a11 += f1 * v1;
    }
    for (; i < n; ++i) {
        const int32_t v0 = x0[i];
        const int32_t v1 = x1[i];
        const int32_t f0 = w0[i];
        const int32_t f1 = w1[i];
        a00 += f0 * v0;
        a01 += f0 * v1;
        a10 += f1 * v0;
        a11 += f1 * v1;
    }
    acc[0] += a00;
    acc[1] += a01;
    acc[2] += a10;
    acc[3] += a11;
}

MM_NOINLINE void mcu_dot_s16_4x1(const int16_t *restrict x0, const int8_t *restrict w0,
                                 const int8_t *restrict w1, const int8_t *restrict w2,
                                 const int8_t *restrict w3, int32_t n, int32_t acc[4])
{
    const int32_t main_n = MM_MAIN(n);
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        const int32_t v0 = x0[i];
        a0 += w0[i] * v0;
        a1 += w1[i] * v0;
        a2 += w2[i] * v0;
        a3 += w3[i] * v0;
    }
    for (; i < n; ++i) {
        const int32_t v0 = x0[i];
        a0 += w0[i] * v0;
        a1 += w1[i] * v0;
        a2 += w2[i] * v0;
        a3 += w3[i] * v0;
    }
    acc[0] += a0;
    acc[1] += a1;
    acc[2] += a2;
    acc[3] += a3;
}

MM_NOINLINE int32_t mcu_dot_s16_1x1(const int16_t *restrict x0, const int8_t *restrict w0,
                                    int32_t n)
{
    const int32_t main_n = MM_MAIN(n);
    int32_t a0 = 0;
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        a0 += w0[i] * x0[i];
    }
    for (; i < n; ++i) {
        a0 += w0[i] * x0[i];
    }
    return a0;
}

void mcu_s8_to_s16_offset(const int8_t *restrict src, int32_t n, int32_t offset,
                          int16_t *restrict dst)
{
    const int32_t main_n = MM_MAIN(n);
    int32_t i;

    for (i = 0; i < main_n; ++i) {
        dst[i] = (int16_t)(src[i] + offset);
    }
    for (; i < n; ++i) {
        dst[i] = (int16_t)(src[i] + offset);
    }
}

/* Row r's requantization: the tensor-wide one prepared once (per-tensor weights), or
 * row r's prepared into *buf (per channel). */
static inline const mcu_requant_t *mm_row_q(const mcu_mm_out_t *o, const mcu_requant_t *tensor_q,
                                            int32_t r, mcu_requant_t *buf)
{
    if (!o->per_channel) {
        return tensor_q;
    }
    mcu_mm_prepare(o, r, buf);
    return buf;
}

/*
 * One int8 column and one requantization for every row (FULLY_CONNECTED on one
 * input row with per-tensor weights): a loop of its own with everything it reads
 * in locals (the int8 output stores cannot alias them); 4-row tiles when the rows
 * have a vector block, else plain loops (no call for a few scalar terms).
 */
static void mm_column_per_tensor(const int8_t *x0, int32_t k, int32_t offset,
                                 const int8_t *filter, int32_t row_stride, int32_t n_out,
                                 const mcu_mm_out_t *out_q, int8_t *out0)
{
    const mcu_mm_out_t o = *out_q;
    mcu_requant_t q;
    int32_t acc[4];
    int32_t r = 0, i, j;

    mcu_requant_prepare(o.mult[0], o.shift[0], &q);
    if (k >= MCU_MAT_MULT_BLOCK) {
        for (; r + 4 <= n_out; r += 4) {
            const int8_t *w0 = filter + (size_t)r * (size_t)row_stride;
            acc[0] = acc[1] = acc[2] = acc[3] = 0;
            mcu_dot_s8_4x1(x0, w0, w0 + row_stride, w0 + 2 * row_stride, w0 + 3 * row_stride,
                           k, offset, acc);
            for (j = 0; j < 4; ++j) {
                out0[r + j] = mcu_mm_output(&o, r + j, &q, acc[j]);
            }
        }
        for (; r < n_out; ++r) {
            const int8_t *w0 = filter + (size_t)r * (size_t)row_stride;
            out0[r] = mcu_mm_output(&o, r, &q, mcu_dot_s8_1x1(x0, w0, k, offset));
        }
        return;
    }
    for (; r < n_out; ++r) {
        const int8_t *w = filter + (size_t)r * (size_t)row_stride;
        int32_t a0 = 0;
        for (i = 0; i < k; ++i) {
            a0 += w[i] * (x0[i] + offset);
        }
        out0[r] = mcu_mm_output(&o, r, &q, a0);
    }
}

/*
 * The tile loop of both column types: x8 (int8, offset added on the fly) or x16
 * (int16, offset already added); exactly one of the pairs is used.
 */
static void mm_tiles(const int8_t *x8_0, const int8_t *x8_1, const int16_t *x16_0,
                     const int16_t *x16_1, int32_t k, int32_t offset, const int8_t *filter,
                     int32_t row_stride, int32_t n_out, const mcu_mm_out_t *out_q,
                     int8_t *out0, int8_t *out1)
{
    /* a local copy: the int8 output stores may alias anything reached through out_q */
    const mcu_mm_out_t oq = *out_q;
    const mcu_mm_out_t *o = &oq;
    const int two = (x8_1 != NULL) || (x16_1 != NULL);
    int32_t acc[4];
    mcu_requant_t tq, b0, b1;
    const mcu_requant_t *q0, *q1;
    int32_t r = 0;
    int32_t j;

    mcu_requant_prepare(o->mult[0], o->shift[0], &tq); /* used only per tensor */
    if (two) {
        for (; r + 2 <= n_out; r += 2) {
            const int8_t *w0 = filter + (size_t)r * (size_t)row_stride;
            acc[0] = acc[1] = acc[2] = acc[3] = 0;
            if (x16_0 != NULL) {
                mcu_dot_s16_2x2(x16_0, x16_1, w0, w0 + row_stride, k, acc);
            } else {
                mcu_dot_s8_2x2(x8_0, x8_1, w0, w0 + row_stride, k, offset, acc);
            }
            q0 = mm_row_q(o, &tq, r, &b0);
            q1 = mm_row_q(o, &tq, r + 1, &b1);
            out0[r] = mcu_mm_output(o, r, q0, acc[0]);
            out1[r] = mcu_mm_output(o, r, q0, acc[1]);
            out0[r + 1] = mcu_mm_output(o, r + 1, q1, acc[2]);
            out1[r + 1] = mcu_mm_output(o, r + 1, q1, acc[3]);
        }
        if (r < n_out) {
            const int8_t *w0 = filter + (size_t)r * (size_t)row_stride;
            q0 = mm_row_q(o, &tq, r, &b0);
            if (x16_0 != NULL) {
                out0[r] = mcu_mm_output(o, r, q0, mcu_dot_s16_1x1(x16_0, w0, k));
                out1[r] = mcu_mm_output(o, r, q0, mcu_dot_s16_1x1(x16_1, w0, k));
            } else {
                out0[r] = mcu_mm_output(o, r, q0, mcu_dot_s8_1x1(x8_0, w0, k, offset));
                out1[r] = mcu_mm_output(o, r, q0, mcu_dot_s8_1x1(x8_1, w0, k, offset));
            }
        }
        return;
    }
    for (; r + 4 <= n_out; r += 4) {
        const int8_t *w0 = filter + (size_t)r * (size_t)row_stride;
        acc[0] = acc[1] = acc[2] = acc[3] = 0;
        if (x16_0 != NULL) {
            mcu_dot_s16_4x1(x16_0, w0, w0 + row_stride, w0 + 2 * row_stride,
                            w0 + 3 * row_stride, k, acc);
        } else {
            mcu_dot_s8_4x1(x8_0, w0, w0 + row_stride, w0 + 2 * row_stride,
                           w0 + 3 * row_stride, k, offset, acc);
        }
        for (j = 0; j < 4; ++j) {
            q0 = mm_row_q(o, &tq, r + j, &b0);
            out0[r + j] = mcu_mm_output(o, r + j, q0, acc[j]);
        }
    }
    for (; r < n_out; ++r) {
        const int8_t *w0 = filter + (size_t)r * (size_t)row_stride;
        const int32_t a = (x16_0 != NULL) ? mcu_dot_s16_1x1(x16_0, w0, k)
                                          : mcu_dot_s8_1x1(x8_0, w0, k, offset);
        q0 = mm_row_q(o, &tq, r, &b0);
        out0[r] = mcu_mm_output(o, r, q0, a);
    }
}

void mcu_mat_mult_s8(const int8_t *x0, const int8_t *x1, int32_t k, int32_t offset,
                     const int8_t *filter, int32_t row_stride, int32_t n_out,
                     const mcu_mm_out_t *o, int8_t *out0, int8_t *out1)
{
    if (x1 == NULL && !o->per_channel) {
        mm_column_per_tensor(x0, k, offset, filter, row_stride, n_out, o, out0);
        return;
    }
    mm_tiles(x0, x1, NULL, NULL, k, offset, filter, row_stride, n_out, o, out0, out1);
}

void mcu_mat_mult_s16(const int16_t *x0, const int16_t *x1, int32_t k, const int8_t *filter,
                      int32_t row_stride, int32_t n_out, const mcu_mm_out_t *o, int8_t *out0,
                      int8_t *out1)
{
    mm_tiles(NULL, NULL, x0, x1, k, 0, filter, row_stride, n_out, o, out0, out1);
}
