/*
 * lstm_s8.c - UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights,
 * int16 cell state. See lstm_s8.h.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <string.h>

#include "lstm_s8.h"
#include "mat_mult_s8.h"
#include "mcu_requant.h"

/*
 * TFLite's sigmoid_table_uint16 (tensorflow/lite/kernels/internal/common.h):
 * sigmoid(i / 24) in unsigned Q0.16, i = 0..255, which the int16 sigmoid and tanh
 * interpolate linearly (tanh(x) = 2 sigmoid(2x) - 1), stored as the pairs the
 * interpolation reads: entry i holds table[i] in its low 16 bits and
 * table[i + 1] - table[i] (at most 683) in its high bits, i = 0..254. The values are
 * not all round(65536 * sigmoid(i / 24)) (44 differ by one), so bit-exactness needs
 * them value for value (tests/kernels/test_lstm.py checks every one).
 */
static const uint32_t mcu_lstm_sigmoid_pairs[255] = {
    0x02AB8000u, 0x02AA82ABu, 0x02A88555u, 0x02A887FDu, 0x02A48AA5u, 0x02A28D49u, 0x029E8FEBu,
    0x029B9289u, 0x02959524u, 0x029197B9u, 0x028B9A4Au, 0x02859CD5u, 0x027E9F5Au, 0x0278A1D8u,
    0x0270A450u, 0x0268A6C0u, 0x0260A928u, 0x0257AB88u, 0x024FADDFu, 0x0245B02Eu, 0x023CB273u,
    0x0232B4AFu, 0x0228B6E1u, 0x021EB909u, 0x0214BB27u, 0x0209BD3Bu, 0x01FFBF44u, 0x01F4C143u,
    0x01E9C337u, 0x01DEC520u, 0x01D3C6FEu, 0x01C8C8D1u, 0x01BECA99u, 0x01B2CC57u, 0x01A8CE09u,
    0x019CCFB1u, 0x0192D14Du, 0x0187D2DFu, 0x017DD466u, 0x0172D5E3u, 0x0168D755u, 0x015DD8BDu,
    0x0154DA1Au, 0x0149DB6Eu, 0x0140DCB7u, 0x0136DDF7u, 0x012CDF2Du, 0x0123E059u, 0x011BE17Cu,
    0x0111E297u, 0x0108E3A8u, 0x0100E4B0u, 0x00F8E5B0u, 0x00F0E6A8u, 0x00E7E798u, 0x00E0E87Fu,
    0x00D8E95Fu, 0x00D1EA37u, 0x00CAEB08u, 0x00C3EBD2u, 0x00BCEC95u, 0x00B6ED51u, 0x00AFEE07u,
    0x00A9EEB6u, 0x00A2EF5Fu, 0x009EF001u, 0x0097F09Fu, 0x0092F136u, 0x008CF1C8u, 0x0088F254u,
    0x0082F2DCu, 0x007EF35Eu, 0x0079F3DCu, 0x0075F455u, 0x0070F4CAu, 0x006CF53Au, 0x0068F5A6u,
    0x0064F60Eu, 0x0060F672u, 0x005DF6D2u, 0x0059F72Fu, 0x0056F788u, 0x0052F7DEu, 0x004FF830u,
    0x004CF87Fu, 0x004AF8CBu, 0x0046F915u, 0x0044F95Bu, 0x0041F99Fu, 0x003EF9E0u, 0x003CFA1Eu,
    0x003AFA5Au, 0x0038FA94u, 0x0035FACCu, 0x0033FB01u, 0x0031FB34u, 0x0030FB65u, 0x002DFB95u,
    0x002CFBC2u, 0x002AFBEEu, 0x0028FC18u, 0x0026FC40u, 0x0026FC66u, 0x0023FC8Cu, 0x0022FCAFu,
    0x0021FCD1u, 0x0020FCF2u, 0x001EFD12u, 0x001DFD30u, 0x001CFD4Du, 0x001BFD69u, 0x001AFD84u,
    0x0018FD9Eu, 0x0018FDB6u, 0x0017FDCEu, 0x0016FDE5u, 0x0014FDFBu, 0x0015FE0Fu, 0x0013FE24u,
    0x0012FE37u, 0x0012FE49u, 0x0011FE5Bu, 0x0011FE6Cu, 0x000FFE7Du, 0x000FFE8Cu, 0x000FFE9Bu,
    0x000EFEAAu, 0x000DFEB8u, 0x000DFEC5u, 0x000CFED2u, 0x000CFEDEu, 0x000BFEEAu, 0x000BFEF5u,
    0x000BFF00u, 0x000AFF0Bu, 0x0009FF15u, 0x0009FF1Eu, 0x0009FF27u, 0x0009FF30u, 0x0008FF39u,
    0x0007FF41u, 0x0008FF48u, 0x0007FF50u, 0x0007FF57u, 0x0007FF5Eu, 0x0006FF65u, 0x0006FF6Bu,
    0x0006FF71u, 0x0005FF77u, 0x0006FF7Cu, 0x0005FF82u, 0x0005FF87u, 0x0005FF8Cu, 0x0004FF91u,
    0x0004FF95u, 0x0005FF99u, 0x0004FF9Eu, 0x0003FFA2u, 0x0004FFA5u, 0x0004FFA9u, 0x0003FFADu,
    0x0003FFB0u, 0x0003FFB3u, 0x0003FFB6u, 0x0003FFB9u, 0x0003FFBCu, 0x0003FFBFu, 0x0002FFC2u,
    0x0003FFC4u, 0x0002FFC7u, 0x0002FFC9u, 0x0002FFCBu, 0x0003FFCDu, 0x0001FFD0u, 0x0002FFD1u,
    0x0002FFD3u, 0x0002FFD5u, 0x0002FFD7u, 0x0001FFD9u, 0x0002FFDAu, 0x0001FFDCu, 0x0002FFDDu,
    0x0001FFDFu, 0x0001FFE0u, 0x0002FFE1u, 0x0001FFE3u, 0x0001FFE4u, 0x0001FFE5u, 0x0001FFE6u,
    0x0001FFE7u, 0x0001FFE8u, 0x0001FFE9u, 0x0001FFEAu, 0x0001FFEBu, 0x0001FFECu, 0x0000FFEDu,
    0x0001FFEDu, 0x0001FFEEu, 0x0001FFEFu, 0x0000FFF0u, 0x0001FFF0u, 0x0001FFF1u, 0x0000FFF2u,
    0x0001FFF2u, 0x0000FFF3u, 0x0001FFF3u, 0x0000FFF4u, 0x0001FFF4u, 0x0000FFF5u, 0x0001FFF5u,
    0x0000FFF6u, 0x0000FFF6u, 0x0001FFF6u, 0x0000FFF7u, 0x0001FFF7u, 0x0000FFF8u, 0x0000FFF8u,
    0x0001FFF8u, 0x0000FFF9u, 0x0000FFF9u, 0x0000FFF9u, 0x0001FFF9u, 0x0000FFFAu, 0x0000FFFAu,
    0x0000FFFAu, 0x0001FFFAu, 0x0000FFFBu, 0x0000FFFBu, 0x0000FFFBu, 0x0000FFFBu, 0x0001FFFBu,
    0x0000FFFCu, 0x0000FFFCu, 0x0000FFFCu, 0x0000FFFCu, 0x0000FFFCu, 0x0001FFFCu, 0x0000FFFDu,
    0x0000FFFDu, 0x0000FFFDu, 0x0000FFFDu, 0x0000FFFDu, 0x0000FFFDu, 0x0000FFFDu, 0x0001FFFDu,
    0x0000FFFEu, 0x0000FFFEu, 0x0000FFFEu, 0x0000FFFEu, 0x0000FFFEu, 0x0000FFFEu, 0x0000FFFEu,
    0x0000FFFEu, 0x0000FFFEu, 0x0001FFFEu
};

/*
 * 1 on a Cortex-M: the step runs unit by unit with every value in registers
 * (mcu_lstm_step_scalar; also the fewest instructions with MVE, measured). Else the
 * step runs its units as lanes, a multiple of this (the units of a pass rounded up),
 * in loops that a vectorizing compiler (gcc -O2 on a host: SSE2, NEON) replaces with
 * vector code (mcu_lstm_step).
 */
#ifndef MCU_LSTM_VECTOR_LANES
#if defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
#define MCU_LSTM_VECTOR_LANES 1
#else
#define MCU_LSTM_VECTOR_LANES 4
#endif
#endif

/* Units per pass of a step (their accumulators wait on the stack between the loops
 * of mcu_lstm_step): MCU_LSTM_BLOCK on a scalar core, twice that where the loops
 * vectorize (fewer, longer vector loops). A multiple of MCU_LSTM_VECTOR_LANES, so the
 * lanes of a pass stay within the bias rows (padded to MCU_LSTM_BLOCK). */
#if MCU_LSTM_VECTOR_LANES > 1
#define MCU_LSTM_PASS (2 * MCU_LSTM_BLOCK)
#else
#define MCU_LSTM_PASS MCU_LSTM_BLOCK
#endif

/* The per-value helpers below run inside the unit loop: always inlined (gcc keeps
 * them out of line otherwise). */
#if defined(__GNUC__)
#define MCU_LSTM_INLINE __attribute__((always_inline)) inline
#else
#define MCU_LSTM_INLINE inline
#endif

/*
 * The int16 activations run lane by lane over a row of a block in three loops:
 * the table index and interpolation weight of every lane (vectorizable), the table
 * reads (mcu_lstm_lookup: gathers), then the interpolation (vectorizable).
 *
 * Sigmoid: int16 Q3.12 -> Q0.15, the way TFLite's int16 Logistic runs it inside the
 * LSTM (input multiplier 0 and left shift 0, i.e. the input is taken times 3).
 * Bit-exact with: reference_integer_ops::Logistic(int16)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h).
 * Its saturation branch (table index >= 255) is never taken here: |x| <= 98,304
 * gives an index of at most 192. The negative side, (2^25 - r + 2^9 - 1) >> 10,
 * equals 32768 - ((r + 2^9) >> 10) (tests/kernels/test_lstm.py checks every input).
 */
static MCU_LSTM_INLINE void mcu_lstm_sigmoid_index1(int32_t v, int32_t *frac, int32_t *idx)
{
    const int32_t x = v * 3; /* |x| <= 98,304 */
    const int32_t ax = (x < 0) ? -x : x;
    *idx = ax >> 9; /* <= 192 */
    *frac = ax & 0x1FF;
}

static MCU_LSTM_INLINE void mcu_lstm_sigmoid_index(const int32_t *v, int32_t lanes,
                                                   int32_t *frac, int32_t *idx)
{
    int32_t u;
    for (u = 0; u < lanes; ++u) {
        mcu_lstm_sigmoid_index1(v[u], &frac[u], &idx[u]);
    }
}

static MCU_LSTM_INLINE void mcu_lstm_sigmoid_finish(int32_t *v, const int32_t *frac,
                                                    const int32_t *pairs, int32_t lanes)
{
    int32_t u;
    for (u = 0; u < lanes; ++u) {
        const int32_t ua = pairs[u] & 0xFFFF;
        const int32_t d = pairs[u] >> 16;
        const int32_t pos = ((ua << 9) + frac[u] * d + (1 << 9)) >> 10;
        v[u] = (v[u] >= 0) ? pos : 32768 - pos; /* in [0, 32767] */
    }
}

/*
 * Tanh: int16 into Q0.15 of x = (v * multiplier + round) >> shift (multiplier 3 and
 * no shift for a Q3.12 gate; for the cell, multiplier 3 << k and shift 0, or
 * multiplier 3 and a right shift, chosen by the generator from the cell scale;
 * round = 2^(shift - 1) or 0). Saturation without a branch: index 254 with
 * fraction 255 gives 255 more than the reference's 0xFFFF << 8, which the final
 * shift discards.
 * Bit-exact with: reference_integer_ops::Tanh(int16)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/tanh.h).
 */
static MCU_LSTM_INLINE int32_t mcu_lstm_tanh_input(int32_t v, int32_t multiplier, int32_t shift,
                                                   int32_t round)
{
    return mcu_asr_s32(v * multiplier + round, shift);
}

/* x: the scaled input (mcu_lstm_tanh_input) */
static MCU_LSTM_INLINE void mcu_lstm_tanh_index1(int32_t x, int32_t *frac, int32_t *idx)
{
    const int32_t ax = (x < 0) ? -x : x;
    const int32_t sat = (ax >> 8) >= 255;
    *idx = sat ? 254 : (ax >> 8);
    *frac = sat ? 0xFF : (ax & 0xFF);
}

static MCU_LSTM_INLINE void mcu_lstm_tanh_index(const int32_t *v, int32_t lanes,
                                                int32_t multiplier, int32_t shift,
                                                int32_t round, int32_t *frac, int32_t *idx)
{
    int32_t u;
    for (u = 0; u < lanes; ++u) {
        mcu_lstm_tanh_index1(mcu_lstm_tanh_input(v[u], multiplier, shift, round), &frac[u],
                             &idx[u]);
    }
}

static MCU_LSTM_INLINE void mcu_lstm_tanh_finish(const int32_t *v, int32_t multiplier,
                                                 int32_t shift, int32_t round,
                                                 const int32_t *frac, const int32_t *pairs,
                                                 int32_t lanes, int32_t *out)
{
    int32_t u;
    for (u = 0; u < lanes; ++u) {
        const int32_t x = mcu_lstm_tanh_input(v[u], multiplier, shift, round);
        const int32_t r = ((pairs[u] & 0xFFFF) << 8) + frac[u] * (pairs[u] >> 16);
        const int32_t rr = (x >= 0) ? (r - (1 << 23) + (1 << 7)) : (-r + (1 << 23) + (1 << 7) - 1);
        out[u] = mcu_asr_s32(rr, 8); /* in [-32767, 32767] */
    }
}

/* idx[j] <- the table pair at idx[j], j < n (in place): four reads per iteration (the
 * lanes of a host come in fours), then one by one. */
static MCU_LSTM_INLINE void mcu_lstm_lookup(int32_t *idx, int32_t n)
{
    int32_t j;
    for (j = 0; j + 4 <= n; j += 4) {
        const int32_t i0 = idx[j], i1 = idx[j + 1], i2 = idx[j + 2], i3 = idx[j + 3];
        idx[j] = (int32_t)mcu_lstm_sigmoid_pairs[i0];
        idx[j + 1] = (int32_t)mcu_lstm_sigmoid_pairs[i1];
        idx[j + 2] = (int32_t)mcu_lstm_sigmoid_pairs[i2];
        idx[j + 3] = (int32_t)mcu_lstm_sigmoid_pairs[i3];
    }
    for (; j < n; ++j) {
        idx[j] = (int32_t)mcu_lstm_sigmoid_pairs[idx[j]];
    }
}

static MCU_LSTM_INLINE int32_t mcu_lstm_sat16(int32_t x)
{
    return mcu_clamp_s32(x, INT16_MIN, INT16_MAX);
}

/*
 * tflite::MultiplyByQuantizedMultiplier(x, mult, shift) (double rounding) in two
 * exact 32-bit-result steps, prepared once per invoke:
 *   s = SaturatingRoundingDoublingHighMul(x * 2^left, mult) = floor((x' * mult + 2^30) / 2^31)
 *       (mult in [0, 2^31): the saturating case, both operands INT32_MIN, never occurs)
 *   RoundingDivideByPOT(s, e) = floor((s + 2^(e-1) - [s < 0]) / 2^e)
 *                             = (((s - [s < 0]) >> (e - 1)) + 1) >> 1   for e >= 1
 * (nested floors; s - [s < 0] and the + 1 cannot overflow since |s| < 2^31 - 1), and
 * s itself for e = 0: with e1 = max(e - 1, 0) and one = [e > 0] both are
 * ((s - (one & [s < 0])) >> e1 + one) >> one. No 64-bit shift by a variable amount
 * and no 64-bit addition after the product, and the second step is plain int32
 * arithmetic that vectorizes. tests/kernels/test_lstm.py compares both forms with
 * mcu_multiply_by_quantized_multiplier on edge and random values for every shift.
 */
typedef struct {
    int32_t mult, left, e1, one;
} mcu_lstm_rq_t;

static void mcu_lstm_rq_prepare(int32_t mult, int32_t shift, mcu_lstm_rq_t *q)
{
    const int32_t e = (shift > 0) ? 0 : -shift;
    q->mult = mult;
    q->left = (shift > 0) ? shift : 0;
    q->e1 = (e > 0) ? e - 1 : 0;
    q->one = (e > 0) ? 1 : 0;
}

/* floor((x * m + 2^30) / 2^31) through a signed 32 x 32 -> 64 product (one SMULL on
 * a Cortex-M, one IMUL on a 64-bit host). */
static MCU_LSTM_INLINE int32_t mcu_lstm_high_mul(int32_t x, int32_t m)
{
    return (int32_t)mcu_asr_s64((int64_t)x * m + ((int64_t)1 << 30), 31);
}

/* The same through an unsigned product (the only 32 x 32 -> 64 multiply SSE2 has:
 * gcc vectorizes this one): x * m = u * m - 2^32 m [x < 0] with u = x mod 2^32, so the
 * quotient loses 2m when x < 0 (exact modulo 2^32, and the result fits int32). */
static MCU_LSTM_INLINE int32_t mcu_lstm_high_mul_u(int32_t x, int32_t m)
{
    const uint64_t p = (uint64_t)(uint32_t)x * (uint32_t)m + (1u << 30);
    const uint32_t neg = 0u - ((uint32_t)x >> 31);
    return mcu_wrap_s32((uint32_t)(p >> 31) - (neg & ((uint32_t)m << 1)));
}

static MCU_LSTM_INLINE int32_t mcu_lstm_round_shift(int32_t s, const mcu_lstm_rq_t *q)
{
    const int32_t neg = (int32_t)((uint32_t)s >> 31) & q->one;
    return mcu_asr_s32(mcu_asr_s32(s - neg, q->e1) + q->one, q->one);
}

/* MultiplyByQuantizedMultiplier(x, mult, shift) on one value (scalar code). */
static MCU_LSTM_INLINE int32_t mcu_lstm_rq(int32_t x, const mcu_lstm_rq_t *q)
{
    return mcu_lstm_round_shift(mcu_lstm_high_mul(mcu_shl_wrap_s32(x, q->left), q->mult), q);
}

/* The same inside the loops meant to vectorize (mcu_lstm_gates). */
#if MCU_LSTM_VECTOR_LANES > 1
#define MCU_LSTM_HIGH_MUL_V mcu_lstm_high_mul_u
#else
#define MCU_LSTM_HIGH_MUL_V mcu_lstm_high_mul
#endif
static MCU_LSTM_INLINE int32_t mcu_lstm_rq_v(int32_t x, const mcu_lstm_rq_t *q)
{
    return mcu_lstm_round_shift(MCU_LSTM_HIGH_MUL_V(mcu_shl_wrap_s32(x, q->left), q->mult), q);
}

/* The requantizations of one invoke, prepared once. */
typedef struct {
    mcu_lstm_rq_t input[4], recurrent[4];
    mcu_lstm_rq_t forget, update, hidden;
    int32_t tanh_round;
} mcu_lstm_prepared_t;

/* The input or hidden vector of a step: x16, x + offset as int16 zero padded to the
 * stride (when the stride is at most MCU_LSTM_MAX_PADDED; its weights are then
 * uint8 w + 128 and correction = 128 x the sum of x16), else x8 itself (int8, the
 * offset added in the dot products, int8 weights). */
typedef struct {
    const int16_t *x16;
    const int8_t *x8;
    int32_t offset;
    int32_t stride;
    int32_t correction;
} mcu_lstm_vec_t;

#if defined(__GNUC__)
#define MCU_LSTM_NOINLINE __attribute__((noinline))
#else
#define MCU_LSTM_NOINLINE
#endif

/* One 4-row tile of int16 columns whose length n is a multiple of MCU_MAT_MULT_BLOCK
 * (a padded stride, at most MCU_LSTM_MAX_PADDED) over uint8 rows holding w + 128:
 * acc[k * acc_stride] = sum_d (w + 128) x[d] - correction = sum_d w x[d], the sums
 * starting at -correction (the vector's 128 sum x; exact: every partial sum is at most
 * 128 * 255 * 255 + 128 * 128 * 255 in size). Zero-extending the weights is one
 * operation fewer per 8 than sign-extending them on SSE2; the same loads on a
 * Cortex-M. */
static MCU_LSTM_INLINE void mcu_lstm_tile16(const int16_t *x, const uint8_t *w, int32_t n,
                                            int32_t correction, int32_t *acc,
                                            int32_t acc_stride)
{
    const uint8_t *w1 = w + n;
    const uint8_t *w2 = w + 2 * n;
    const uint8_t *w3 = w + 3 * n;
    const int32_t main_n = n & ~(int32_t)(MCU_MAT_MULT_BLOCK - 1);
    int32_t a0 = -correction, a1 = -correction, a2 = -correction, a3 = -correction;
    int32_t d;

    for (d = 0; d < main_n; ++d) {
        const int16_t v = x[d];
        a0 += (int16_t)w[d] * v;
        a1 += (int16_t)w1[d] * v;
        a2 += (int16_t)w2[d] * v;
        a3 += (int16_t)w3[d] * v;
    }
    acc[0] = a0;
    acc[acc_stride] = a1;
    acc[2 * acc_stride] = a2;
    acc[3 * acc_stride] = a3;
}

/* acc[k] = sum_d w[k * stride + d] * (v[d] + offset), k = 0..3: one unit's four gate
 * rows (mat_mult_s8.h's tile for an unpadded row, which finishes it in a scalar
 * tail). */
static MCU_LSTM_INLINE void mcu_lstm_dots(const mcu_lstm_vec_t *v, const int8_t *w,
                                          int32_t acc[4])
{
    const int32_t n = v->stride;
    if (v->x16 != NULL) {
        mcu_lstm_tile16(v->x16, (const uint8_t *)(const void *)w, n, v->correction, acc, 1);
    } else {
        acc[0] = acc[1] = acc[2] = acc[3] = 0;
        mcu_dot_s8_4x1(v->x8, w, w + n, w + 2 * n, w + 3 * n, n, v->offset, acc);
    }
}

/* Both tiles of one unit when both vectors are padded int16 copies: one call
 * (kept out of line: gcc vectorizes the loops in a function of their own, not once
 * inlined into a loop over the units). */
static MCU_LSTM_NOINLINE void mcu_lstm_dots16(const int16_t *x, const int8_t *wi, int32_t xs,
                                              int32_t cx, const int16_t *h, const int8_t *wr,
                                              int32_t hs, int32_t ch, int32_t ai[4],
                                              int32_t ar[4])
{
    const uint8_t *ui = (const uint8_t *)(const void *)wi;
    const uint8_t *ur = (const uint8_t *)(const void *)wr;
#if MCU_LSTM_VECTOR_LANES > 1
    if (xs == 2 * MCU_MAT_MULT_BLOCK && hs == 2 * MCU_MAT_MULT_BLOCK) {
        /* the common short rows (17 to 32 values), with constant bounds */
        mcu_lstm_tile16(x, ui, 2 * MCU_MAT_MULT_BLOCK, cx, ai, 1);
        mcu_lstm_tile16(h, ur, 2 * MCU_MAT_MULT_BLOCK, ch, ar, 1);
        return;
    }
#endif
    mcu_lstm_tile16(x, ui, xs, cx, ai, 1);
    mcu_lstm_tile16(h, ur, hs, ch, ar, 1);
}

#if MCU_LSTM_VECTOR_LANES > 1
/* The 8 rows of two consecutive units over one padded vector (as mcu_lstm_tile16):
 * acc[k * acc_stride + j] for row 4 j + k, j = 0..1 (the columns of two units). */
static MCU_LSTM_INLINE void mcu_lstm_tile16x8(const int16_t *x, const uint8_t *w, int32_t n,
                                              int32_t correction, int32_t *acc,
                                              int32_t acc_stride)
{
    const uint8_t *w1 = w + n, *w2 = w + 2 * n, *w3 = w + 3 * n;
    const uint8_t *w4 = w + 4 * n, *w5 = w + 5 * n, *w6 = w + 6 * n, *w7 = w + 7 * n;
    const int32_t main_n = n & ~(int32_t)(MCU_MAT_MULT_BLOCK - 1);
    int32_t a0 = -correction, a1 = -correction, a2 = -correction, a3 = -correction;
    int32_t a4 = -correction, a5 = -correction, a6 = -correction, a7 = -correction;
    int32_t d;

    for (d = 0; d < main_n; ++d) {
        const int16_t v = x[d];
        a0 += (int16_t)w[d] * v;
        a1 += (int16_t)w1[d] * v;
        a2 += (int16_t)w2[d] * v;
        a3 += (int16_t)w3[d] * v;
        a4 += (int16_t)w4[d] * v;
        a5 += (int16_t)w5[d] * v;
        a6 += (int16_t)w6[d] * v;
        a7 += (int16_t)w7[d] * v;
    }
    acc[0] = a0;
    acc[acc_stride] = a1;
    acc[2 * acc_stride] = a2;
    acc[3 * acc_stride] = a3;
    acc[1] = a4;
    acc[acc_stride + 1] = a5;
    acc[2 * acc_stride + 1] = a6;
    acc[3 * acc_stride + 1] = a7;
}

/* Both vectors' tiles of two consecutive units (vector hosts: half the calls, each
 * vector value read once for the 8 rows), into the columns ai[k][0..1] and
 * ar[k][0..1] of a pass's accumulators (rows MCU_LSTM_PASS apart). */
static MCU_LSTM_NOINLINE void mcu_lstm_dots16x2(const int16_t *x, const int8_t *wi, int32_t xs,
                                                int32_t cx, const int16_t *h,
                                                const int8_t *wr, int32_t hs, int32_t ch,
                                                int32_t *ai, int32_t *ar)
{
    const uint8_t *ui = (const uint8_t *)(const void *)wi;
    const uint8_t *ur = (const uint8_t *)(const void *)wr;
    if (xs == 2 * MCU_MAT_MULT_BLOCK && hs == 2 * MCU_MAT_MULT_BLOCK) {
        /* the common short rows (17 to 32 values), with constant bounds */
        mcu_lstm_tile16x8(x, ui, 2 * MCU_MAT_MULT_BLOCK, cx, ai, MCU_LSTM_PASS);
        mcu_lstm_tile16x8(h, ur, 2 * MCU_MAT_MULT_BLOCK, ch, ar, MCU_LSTM_PASS);
        return;
    }
    mcu_lstm_tile16x8(x, ui, xs, cx, ai, MCU_LSTM_PASS);
    mcu_lstm_tile16x8(h, ur, hs, ch, ar, MCU_LSTM_PASS);
}

/* The gate pre-activations of the lanes of a block (lstm_internal::CalculateLstmGate up
 * to the activation: two reference FullyConnected int8 -> int16 with output offset 0,
 * the input one with the bias, then AddElementWise): one loop per gate over the lanes,
 * the same operations on every lane (vectorized on hosts). */
static MCU_LSTM_INLINE int32_t mcu_lstm_gate(int32_t a_in, int32_t a_rec, int32_t bias,
                                             const mcu_lstm_rq_t *qi, const mcu_lstm_rq_t *qr)
{
    const int32_t in_fc = mcu_lstm_sat16(mcu_lstm_rq_v(mcu_add_wrap_s32(a_in, bias), qi));
    const int32_t rec_fc = mcu_lstm_sat16(mcu_lstm_rq_v(a_rec, qr));
    return mcu_lstm_sat16(in_fc + rec_fc);
}

/* ... and, in the same loop, each activation's table index (into ar) and interpolation
 * weight (into ai, in place of the accumulators). */
static MCU_LSTM_INLINE void mcu_lstm_gates(const mcu_lstm_prepared_t *q, const int32_t *bias,
                                           int32_t bias_stride, int32_t ai[4][MCU_LSTM_PASS],
                                           int32_t ar[4][MCU_LSTM_PASS], int32_t lanes,
                                           int32_t pre[4][MCU_LSTM_PASS])
{
    int32_t k, u;

    for (k = 0; k < 4; ++k) {
        const mcu_lstm_rq_t qi = q->input[k];
        const mcu_lstm_rq_t qr = q->recurrent[k];
        const int32_t *b = bias + (size_t)k * (size_t)bias_stride;
        if (k == MCU_LSTM_CELL) {
            for (u = 0; u < lanes; ++u) {
                const int32_t v = mcu_lstm_gate(ai[k][u], ar[k][u], b[u], &qi, &qr);
                pre[k][u] = v;
                mcu_lstm_tanh_index1(v * 3, &ai[k][u], &ar[k][u]);
            }
        } else {
            for (u = 0; u < lanes; ++u) {
                const int32_t v = mcu_lstm_gate(ai[k][u], ar[k][u], b[u], &qi, &qr);
                pre[k][u] = v;
                mcu_lstm_sigmoid_index1(v, &ai[k][u], &ar[k][u]);
            }
        }
    }
}

/* What the lane loops of a step need besides the arrays. */
typedef struct {
    const mcu_lstm_prepared_t *q;
    int32_t bias_stride;
    int32_t cell_lo, cell_hi;
    int32_t tanh_mult, tanh_shift, tanh_round;
    int32_t hidden_zp;
} mcu_lstm_lane_ctx_t;

/*
 * Lanes [0, lanes) of a pass, from the gate accumulators ai, ar to the new cell
 * (cl, which holds the old one on entry) and the new hidden value (pre[forget], as
 * int32 in the int8 range). The accumulators' space then holds the activations'
 * interpolation weights and table pairs; pre holds the gates, then the activations.
 */
static MCU_LSTM_INLINE void mcu_lstm_lanes(const mcu_lstm_lane_ctx_t *e, const int32_t *bias,
                                           int32_t ai[4][MCU_LSTM_PASS],
                                           int32_t ar[4][MCU_LSTM_PASS],
                                           int32_t pre[4][MCU_LSTM_PASS], int32_t *cl,
                                           int32_t lanes)
{
    const mcu_lstm_rq_t qf = e->q->forget, qu = e->q->update, qh = e->q->hidden;
    const int32_t cell_lo = e->cell_lo, cell_hi = e->cell_hi;
    const int32_t tanh_mult = e->tanh_mult, tanh_shift = e->tanh_shift;
    const int32_t tanh_round = e->tanh_round, hidden_zp = e->hidden_zp;
    int32_t *const th = ai[0]; /* tanh(cell), then the hidden value */
    int32_t u, k;

    mcu_lstm_gates(e->q, bias, e->bias_stride, ai, ar, lanes, pre);

    /* The activations, in place: f, i, o = sigmoid, g = tanh (Q0.15). */
    for (k = 0; k < 4; ++k) {
        mcu_lstm_lookup(ar[k], lanes);
    }
    for (k = 0; k < 4; ++k) {
        if (k == MCU_LSTM_CELL) {
            mcu_lstm_tanh_finish(pre[k], 3, 0, 0, ai[k], ar[k], lanes,
                                 pre[k]);
        } else {
            mcu_lstm_sigmoid_finish(pre[k], ai[k], ar[k], lanes);
        }
    }

    /* Cell update: the two products are rescaled and saturated separately
     * (MulElementwise, output offset 0), added with saturation, then clipped
     * (std::max(std::min(clip, v), -clip), which with the saturation to int16 is one
     * clamp to [lo, hi]). */
    for (u = 0; u < lanes; ++u) {
        const int32_t kept =
            mcu_lstm_sat16(mcu_lstm_rq_v(pre[MCU_LSTM_FORGET][u] * cl[u], &qf));
        const int32_t added = mcu_lstm_sat16(
            mcu_lstm_rq_v(pre[MCU_LSTM_INPUT][u] * pre[MCU_LSTM_CELL][u], &qu));
        const int32_t cell = mcu_clamp_s32(kept + added, cell_lo, cell_hi);
        cl[u] = cell;
        mcu_lstm_tanh_index1(mcu_lstm_tanh_input(cell, tanh_mult, tanh_shift, tanh_round),
                             &ai[1][u], &ar[0][u]);
    }

    /* Hidden: tanh(cell) x output gate, rescaled into the int8 hidden state. */
    mcu_lstm_lookup(ar[0], lanes);
    mcu_lstm_tanh_finish(cl, tanh_mult, tanh_shift, tanh_round, ai[1], ar[0],
                         lanes, th);
    for (u = 0; u < lanes; ++u) {
        const int32_t hid = mcu_add_wrap_s32(
            hidden_zp, mcu_lstm_rq_v(th[u] * pre[MCU_LSTM_OUTPUT][u], &qh));
        pre[MCU_LSTM_FORGET][u] = mcu_clamp_s32(hid, INT8_MIN, INT8_MAX);
    }
}

/* One time step of one batch row: x the input row, h the previous hidden row,
 * c [state_size] updated in place, out [state_size] receives the new hidden row.
 * Per pass of up to MCU_LSTM_PASS units: the four gate dot products of each unit
 * (two units per call), then mcu_lstm_lanes over the units as lanes. */
static MCU_LSTM_INLINE void mcu_lstm_step(const mcu_lstm_s8_params_t *p,
                                          const mcu_lstm_prepared_t *q, const mcu_lstm_vec_t *x,
                                          const mcu_lstm_vec_t *h, int16_t *c, int8_t *out)
{
    /* locals: the int8 output stores may alias anything read through p, q, x or h */
    const int32_t xs = x->stride;
    const int32_t hs = h->stride;
    const int32_t n_state = p->state_size;
    const int32_t bias_stride = MCU_LSTM_BIAS_STRIDE(n_state);
    const int both16 = x->x16 != NULL && h->x16 != NULL;
    const int8_t *const w_in = (const int8_t *)p->input_weights;
    const int8_t *const w_rec = (const int8_t *)p->recurrent_weights;
    const int32_t *const biases = p->bias;
    int32_t ai[4][MCU_LSTM_PASS], ar[4][MCU_LSTM_PASS];
    int32_t pre[4][MCU_LSTM_PASS], cl[MCU_LSTM_PASS];
    int32_t s0, n, lanes, u, k;
    mcu_lstm_lane_ctx_t e;

    e.q = q;
    e.bias_stride = bias_stride;
    e.cell_hi = p->cell_clip_enabled ? p->cell_clip : INT16_MAX;
    e.cell_lo = p->cell_clip_enabled ? -p->cell_clip : INT16_MIN;
    e.tanh_mult = p->tanh_multiplier;
    e.tanh_shift = p->tanh_shift;
    e.tanh_round = q->tanh_round;
    e.hidden_zp = p->hidden_zero_point;

    for (s0 = 0; s0 < n_state; s0 += MCU_LSTM_PASS) {
        n = (n_state - s0 < MCU_LSTM_PASS) ? n_state - s0 : MCU_LSTM_PASS;
        lanes = (n + MCU_LSTM_VECTOR_LANES - 1) & ~(int32_t)(MCU_LSTM_VECTOR_LANES - 1);
        u = 0;
        if (both16) {
            for (; u + 1 < n; u += 2) {
                mcu_lstm_dots16x2(x->x16, w_in + (size_t)(s0 + u) * 4u * (size_t)xs, xs,
                                  x->correction, h->x16,
                                  w_rec + (size_t)(s0 + u) * 4u * (size_t)hs, hs,
                                  h->correction, &ai[0][u], &ar[0][u]);
            }
        }
        for (; u < n; ++u) {
            const int8_t *wi = w_in + (size_t)(s0 + u) * 4u * (size_t)xs;
            const int8_t *wr = w_rec + (size_t)(s0 + u) * 4u * (size_t)hs;
            int32_t a_in[4], a_rec[4];

            if (both16) {
                mcu_lstm_dots16(x->x16, wi, xs, x->correction, h->x16, wr, hs, h->correction,
                            a_in, a_rec);
            } else {
                mcu_lstm_dots(x, wi, a_in);
                mcu_lstm_dots(h, wr, a_rec);
            }
            for (k = 0; k < 4; ++k) {
                ai[k][u] = a_in[k];
                ar[k][u] = a_rec[k];
            }
        }
        for (u = n; u < lanes; ++u) { /* lanes past the units: defined, unused */
            for (k = 0; k < 4; ++k) {
                ai[k][u] = 0;
                ar[k][u] = 0;
            }
        }
        for (u = 0; u < n; ++u) {
            cl[u] = c[s0 + u];
        }
        for (u = n; u < lanes; ++u) {
            cl[u] = 0;
        }
        mcu_lstm_lanes(&e, biases + s0, ai, ar, pre, cl, lanes);
        for (u = 0; u < n; ++u) {
            c[s0 + u] = (int16_t)cl[u];
            out[s0 + u] = (int8_t)pre[MCU_LSTM_FORGET][u];
        }
    }
}

#else

/* One activation of one value (the lane loops with one lane, for scalar code). */
static MCU_LSTM_INLINE int32_t mcu_lstm_sigmoid1(int32_t v)
{
    int32_t frac, idx;
    mcu_lstm_sigmoid_index(&v, 1, &frac, &idx);
    mcu_lstm_lookup(&idx, 1);
    mcu_lstm_sigmoid_finish(&v, &frac, &idx, 1);
    return v;
}

static MCU_LSTM_INLINE int32_t mcu_lstm_tanh1(int32_t v, int32_t multiplier, int32_t shift,
                                              int32_t round)
{
    int32_t frac, idx, t;
    mcu_lstm_tanh_index(&v, 1, multiplier, shift, round, &frac, &idx);
    mcu_lstm_lookup(&idx, 1);
    mcu_lstm_tanh_finish(&v, multiplier, shift, round, &frac, &idx, 1, &t);
    return t;
}

/* mcu_lstm_step on a scalar core: unit by unit, every value in registers. */
static MCU_LSTM_INLINE void mcu_lstm_step_scalar(const mcu_lstm_s8_params_t *p,
                                                 const mcu_lstm_prepared_t *q,
                                                 const mcu_lstm_vec_t *x,
                                                 const mcu_lstm_vec_t *h, int16_t *c,
                                                 int8_t *out)
{
    /* locals: the int8 output stores may alias anything read through p, q, x or h */
    const int32_t xs = x->stride;
    const int32_t hs = h->stride;
    const int32_t n_state = p->state_size;
    const int32_t bias_stride = MCU_LSTM_BIAS_STRIDE(n_state);
    const int both16 = x->x16 != NULL && h->x16 != NULL;
    const int8_t *const w_in = (const int8_t *)p->input_weights;
    const int8_t *const w_rec = (const int8_t *)p->recurrent_weights;
    const int32_t *const biases = p->bias;
    const int32_t cell_hi = p->cell_clip_enabled ? p->cell_clip : INT16_MAX;
    const int32_t cell_lo = p->cell_clip_enabled ? -p->cell_clip : INT16_MIN;
    const int32_t tanh_mult = p->tanh_multiplier;
    const int32_t tanh_shift = p->tanh_shift;
    const int32_t tanh_round = q->tanh_round;
    const int32_t hidden_zp = p->hidden_zero_point;
    const mcu_lstm_rq_t qf = q->forget, qu = q->update, qh = q->hidden;
    int32_t s, k;

    for (s = 0; s < n_state; ++s) {
        const int8_t *wi = w_in + (size_t)s * 4u * (size_t)xs;
        const int8_t *wr = w_rec + (size_t)s * 4u * (size_t)hs;
        int32_t a_in[4], a_rec[4], pre[4];
        int32_t kept, added, cell, t, hid;

        if (both16) {
            mcu_lstm_dots16(x->x16, wi, xs, x->correction, h->x16, wr, hs, h->correction,
                            a_in, a_rec);
        } else {
            mcu_lstm_dots(x, wi, a_in);
            mcu_lstm_dots(h, wr, a_rec);
        }
        for (k = 0; k < 4; ++k) {
            const int32_t in_fc = mcu_lstm_sat16(
                mcu_lstm_rq(mcu_add_wrap_s32(a_in[k],
                                             biases[(size_t)k * (size_t)bias_stride + (size_t)s]),
                            &q->input[k]));
            const int32_t rec_fc =
                mcu_lstm_sat16(mcu_lstm_rq(a_rec[k], &q->recurrent[k]));
            pre[k] = mcu_lstm_sat16(in_fc + rec_fc);
        }
        pre[MCU_LSTM_FORGET] = mcu_lstm_sigmoid1(pre[MCU_LSTM_FORGET]);
        pre[MCU_LSTM_INPUT] = mcu_lstm_sigmoid1(pre[MCU_LSTM_INPUT]);
        pre[MCU_LSTM_CELL] = mcu_lstm_tanh1(pre[MCU_LSTM_CELL], 3, 0, 0);
        pre[MCU_LSTM_OUTPUT] = mcu_lstm_sigmoid1(pre[MCU_LSTM_OUTPUT]);
        /* as mcu_lstm_lanes */
        kept = mcu_lstm_sat16(mcu_lstm_rq(pre[MCU_LSTM_FORGET] * (int32_t)c[s], &qf));
        added = mcu_lstm_sat16(mcu_lstm_rq(pre[MCU_LSTM_INPUT] * pre[MCU_LSTM_CELL], &qu));
        cell = mcu_clamp_s32(kept + added, cell_lo, cell_hi);
        c[s] = (int16_t)cell;
        t = mcu_lstm_tanh1(cell, tanh_mult, tanh_shift, tanh_round);
        hid = mcu_add_wrap_s32(hidden_zp, mcu_lstm_rq(t * pre[MCU_LSTM_OUTPUT], &qh));
        out[s] = (int8_t)mcu_clamp_s32(hid, INT8_MIN, INT8_MAX);
    }
}

#endif

/* sum of x[0..n), n a multiple of MCU_MAT_MULT_BLOCK (a padded row: zeros past the
 * vector) */
static int32_t mcu_lstm_sum(const int16_t *x, int32_t n)
{
    const int32_t main_n = n & ~(int32_t)(MCU_MAT_MULT_BLOCK - 1);
    int32_t sum = 0, i;
    for (i = 0; i < main_n; ++i) {
        sum += x[i];
    }
    return sum;
}

void mcu_lstm_s8(const mcu_lstm_s8_params_t *p, const int8_t *input, int8_t *hidden,
                 int16_t *cell, int8_t *output)
{
    const int32_t batches = p->batches;
    const int32_t steps = p->time_steps;
    const int32_t n_in = p->input_size;
    const int32_t n_state = p->state_size;
    int16_t x_pad[MCU_LSTM_MAX_PADDED];
    int16_t h_pad[MCU_LSTM_MAX_PADDED];
    mcu_lstm_vec_t xv, hv;
    mcu_lstm_prepared_t q;
    int32_t b, t, k;

    for (k = 0; k < 4; ++k) {
        mcu_lstm_rq_prepare(p->input_multiplier[k], p->input_shift[k], &q.input[k]);
        mcu_lstm_rq_prepare(p->recurrent_multiplier[k], p->recurrent_shift[k], &q.recurrent[k]);
    }
    mcu_lstm_rq_prepare(p->forget_multiplier, p->forget_shift, &q.forget);
    mcu_lstm_rq_prepare(p->update_multiplier, p->update_shift, &q.update);
    mcu_lstm_rq_prepare(p->hidden_multiplier, p->hidden_shift, &q.hidden);
    q.tanh_round = (p->tanh_shift > 0) ? ((int32_t)1 << (p->tanh_shift - 1)) : 0;

    xv.correction = hv.correction = 0;
    xv.offset = p->input_offset;
    xv.stride = p->input_stride;
    xv.x16 = (xv.stride <= MCU_LSTM_MAX_PADDED) ? x_pad : NULL;
    hv.offset = p->hidden_offset;
    hv.stride = p->state_stride;
    hv.x16 = (hv.stride <= MCU_LSTM_MAX_PADDED) ? h_pad : NULL;
    /* The padding columns meet zero weights: any value does, 0 keeps them defined. */
    if (xv.x16 != NULL) {
        memset(x_pad, 0, sizeof x_pad);
    }
    if (hv.x16 != NULL) {
        memset(h_pad, 0, sizeof h_pad);
    }

    /* Batch rows never interact, so each row runs all its steps in turn for
     * either layout (TFLite Micro runs the rows of one step together when
     * time_major; the arithmetic per row is the same). */
    for (b = 0; b < batches; ++b) {
        int8_t *h = hidden + (size_t)b * (size_t)n_state;
        int16_t *c = cell + (size_t)b * (size_t)n_state;
        hv.x8 = h;
        for (t = 0; t < steps; ++t) {
            const int32_t row = p->time_major ? (t * batches + b) : (b * steps + t);
            int8_t *out = output + (size_t)row * (size_t)n_state;
            xv.x8 = input + (size_t)row * (size_t)n_in;
            if (xv.x16 != NULL) {
                mcu_s8_to_s16_offset(xv.x8, n_in, xv.offset, x_pad);
                xv.correction = 128 * mcu_lstm_sum(x_pad, xv.stride);
            }
            if (hv.x16 != NULL) {
                mcu_s8_to_s16_offset(h, n_state, hv.offset, h_pad);
                hv.correction = 128 * mcu_lstm_sum(h_pad, hv.stride);
            }
#if MCU_LSTM_VECTOR_LANES > 1
            mcu_lstm_step(p, &q, &xv, &hv, c, out);
#else
            mcu_lstm_step_scalar(p, &q, &xv, &hv, c, out);
#endif
            memcpy(h, out, (size_t)n_state);
        }
    }
}
