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
 * The values of TFLite's sigmoid_table_uint16 (tensorflow/lite/kernels/
 * internal/common.h): sigmoid(i / 24) in unsigned Q0.16, i = 0..255, which the
 * int16 sigmoid and tanh interpolate linearly (tanh(x) = 2 sigmoid(2x) - 1).
 * They are not all round(65536 * sigmoid(i / 24)) (44 entries differ by one),
 * so bit-exactness needs them value for value.
 */
static const uint16_t mcu_sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841,
    39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102,
    45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
    50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
    55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007,
    58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
    62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
    64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494,
    64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
    64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
    65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
    65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479,
    65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511,
    65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
    65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
    65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531,
    65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65535
};

/* The per-value helpers below run inside the unit loop: always inlined (gcc keeps
 * them out of line otherwise). */
#if defined(__GNUC__)
#define MCU_LSTM_INLINE __attribute__((always_inline)) inline
#else
#define MCU_LSTM_INLINE inline
#endif

/*
 * int16 Q3.12 -> Q0.15 sigmoid, the way TFLite's int16 Logistic runs it inside
 * the LSTM (input multiplier 0 and left shift 0, i.e. the input is taken times 3).
 * Bit-exact with: reference_integer_ops::Logistic(int16)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h).
 * Its saturation branch (table index >= 255) is never taken here: |x| <= 98,304
 * gives an index of at most 192. The negative side, (2^25 - r + 2^9 - 1) >> 10,
 * equals 32768 - ((r + 2^9) >> 10) (tests/kernels/test_lstm.py checks every input).
 */
static MCU_LSTM_INLINE int32_t mcu_lstm_sigmoid(int32_t v)
{
    const int32_t x = v * 3; /* |x| <= 98,304 */
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 9; /* <= 192 */
    const uint32_t ua = mcu_sigmoid_table[uh];
    const uint32_t ub = mcu_sigmoid_table[uh + 1u];
    const int32_t pos = (int32_t)(((ua << 9) + (ax & 0x1FFu) * (ub - ua) + (1u << 9)) >> 10);
    return (x >= 0) ? pos : 32768 - pos; /* in [0, 32767] */
}

/*
 * int16 tanh into Q0.15 of x, the input already scaled to the table's units
 * (Q4.8 after the rescaling below). Saturation as in mcu_lstm_sigmoid (index 254,
 * fraction 255: 255 more than the reference's 0xFFFF << 8, discarded by the
 * final shift).
 * Bit-exact with: reference_integer_ops::Tanh(int16)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/tanh.h) after its
 * input scaling.
 */
static MCU_LSTM_INLINE int32_t mcu_lstm_tanh_scaled(int32_t x)
{
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t sat = (ax >> 8) >= 255u;
    const uint32_t uh = sat ? 254u : (ax >> 8);
    const uint32_t frac = sat ? 0xFFu : (ax & 0xFFu);
    const int32_t ua = mcu_sigmoid_table[uh];
    const int32_t ub = mcu_sigmoid_table[uh + 1u];
    const int32_t r = (ua << 8) + (int32_t)frac * (ub - ua);
    const int32_t rr = (x >= 0) ? (r - (1 << 23) + (1 << 7)) : (-r + (1 << 23) + (1 << 7) - 1);
    return mcu_asr_s32(rr, 8); /* in [-32767, 32767] */
}

/* tanh of a Q3.12 gate pre-activation: Tanh(int16) with multiplier 3, no shift. */
static MCU_LSTM_INLINE int32_t mcu_lstm_tanh_q312(int32_t v)
{
    return mcu_lstm_tanh_scaled(v * 3);
}

/* tanh of the cell state: the input scaled by (v * multiplier + round) >> shift
 * (multiplier 3 << k and shift 0, or multiplier 3 and a right shift, chosen by the
 * generator from the cell scale; round = 2^(shift - 1) or 0). */
static MCU_LSTM_INLINE int32_t mcu_lstm_tanh_cell(int32_t v, int32_t multiplier, int32_t shift,
                                                  int32_t round)
{
    return mcu_lstm_tanh_scaled(mcu_asr_s32(v * multiplier + round, shift));
}

static MCU_LSTM_INLINE int32_t mcu_lstm_sat16(int32_t x)
{
    return mcu_clamp_s32(x, INT16_MIN, INT16_MAX);
}

/* The requantizations of one invoke, prepared once (mcu_requant.h). */
typedef struct {
    mcu_requant_t input[4], recurrent[4];
    mcu_requant_t forget, update, hidden;
    int32_t tanh_round;
} mcu_lstm_prepared_t;

/* Units per block of a step: their gate pre-activations wait on the stack
 * (MCU_LSTM_BLOCK * 4 int16) between the two passes of mcu_lstm_step. */
#define MCU_LSTM_BLOCK 16

/* The input or hidden vector of a step: x16, x + offset as int16 zero padded to the
 * stride (when the stride is at most MCU_LSTM_MAX_PADDED), else x8 itself (int8,
 * the offset added in the dot products). */
typedef struct {
    const int16_t *x16;
    const int8_t *x8;
    int32_t offset;
    int32_t stride;
} mcu_lstm_vec_t;

/* acc[k] = sum_d w[k * stride + d] * (v[d] + offset), k = 0..3: one unit's four gate
 * rows (mat_mult_s8.h's tiles, which finish an unpadded row in a scalar tail). */
static MCU_LSTM_INLINE void mcu_lstm_dots(const mcu_lstm_vec_t *v, const int8_t *w,
                                          int32_t acc[4])
{
    const int32_t n = v->stride;
    acc[0] = acc[1] = acc[2] = acc[3] = 0;
    if (v->x16 != NULL) {
        mcu_dot_s16_4x1(v->x16, w, w + n, w + 2 * n, w + 3 * n, n, acc);
    } else {
        mcu_dot_s8_4x1(v->x8, w, w + n, w + 2 * n, w + 3 * n, n, v->offset, acc);
    }
}

#if defined(__GNUC__)
#define MCU_LSTM_NOINLINE __attribute__((noinline))
#else
#define MCU_LSTM_NOINLINE
#endif

/* One 4-row tile of int16 columns whose length n is a multiple of MCU_MAT_MULT_BLOCK
 * (a padded stride, at most MCU_LSTM_MAX_PADDED): mcu_dot_s16_4x1's vectorizable
 * loop, without its tail. */
static MCU_LSTM_INLINE void mcu_lstm_tile16(const int16_t *x, const int8_t *w, int32_t n,
                                            int32_t acc[4])
{
    const int8_t *w1 = w + n;
    const int8_t *w2 = w + 2 * n;
    const int8_t *w3 = w + 3 * n;
    const int32_t main_n = n & ~(int32_t)(MCU_MAT_MULT_BLOCK - 1);
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t d;

    for (d = 0; d < main_n; ++d) {
        const int32_t v = x[d];
        a0 += w[d] * v;
        a1 += w1[d] * v;
        a2 += w2[d] * v;
        a3 += w3[d] * v;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Both tiles of one unit when both vectors are padded int16 copies: one call
 * (kept out of line: gcc vectorizes the loops in a function of their own). */
static MCU_LSTM_NOINLINE void mcu_lstm_dots16(const int16_t *x, const int8_t *wi, int32_t xs,
                                              const int16_t *h, const int8_t *wr, int32_t hs,
                                              int32_t ai[4], int32_t ar[4])
{
    mcu_lstm_tile16(x, wi, xs, ai);
    mcu_lstm_tile16(h, wr, hs, ar);
}

/* One time step of one batch row: x the input row, h the previous hidden row,
 * c [state_size] updated in place, out [state_size] receives the new hidden row.
 * Per block of units, a first pass computes the four gate pre-activations of each
 * unit, a second the activations and the state update: two short loops over
 * independent units, which a pipelined core overlaps better than one long one. */
static MCU_LSTM_INLINE void mcu_lstm_step(const mcu_lstm_s8_params_t *p,
                                          const mcu_lstm_prepared_t *q, const mcu_lstm_vec_t *x,
                                          const mcu_lstm_vec_t *h, int16_t *c, int8_t *out)
{
    /* locals: the int8 output stores may alias anything read through p, q, x or h */
    const int32_t xs = x->stride;
    const int32_t hs = h->stride;
    const int32_t n_state = p->state_size;
    const int both16 = x->x16 != NULL && h->x16 != NULL;
    const int8_t *const w_in = p->input_weights;
    const int8_t *const w_rec = p->recurrent_weights;
    const int32_t *const biases = p->bias;
    const int32_t clip_on = p->cell_clip_enabled;
    const int32_t clip = p->cell_clip;
    const int32_t tanh_mult = p->tanh_multiplier;
    const int32_t tanh_shift = p->tanh_shift;
    const int32_t tanh_round = q->tanh_round;
    const int32_t hidden_zp = p->hidden_zero_point;
    int16_t pre[MCU_LSTM_BLOCK][4];
    int32_t s0, s, n, u, k;

    for (s0 = 0; s0 < n_state; s0 += MCU_LSTM_BLOCK) {
        n = (n_state - s0 < MCU_LSTM_BLOCK) ? n_state - s0 : MCU_LSTM_BLOCK;
        for (u = 0; u < n; ++u) {
            const int8_t *wi = w_in + (size_t)(s0 + u) * 4u * (size_t)xs;
            const int8_t *wr = w_rec + (size_t)(s0 + u) * 4u * (size_t)hs;
            const int32_t *bias = biases + 4 * (s0 + u);
            int32_t ai[4], ar[4];

            /* The four gates' input FC and recurrent FC (lstm_internal::CalculateLstmGate
             * up to the activation: two reference FullyConnected int8 -> int16 with
             * output offset 0, then AddElementWise). */
            if (both16) {
                mcu_lstm_dots16(x->x16, wi, xs, h->x16, wr, hs, ai, ar);
            } else {
                mcu_lstm_dots(x, wi, ai);
                mcu_lstm_dots(h, wr, ar);
            }
            for (k = 0; k < 4; ++k) {
                const int32_t in_fc = mcu_lstm_sat16(
                    mcu_requant_apply(mcu_add_wrap_s32(ai[k], bias[k]), &q->input[k]));
                const int32_t rec_fc =
                    mcu_lstm_sat16(mcu_requant_apply(ar[k], &q->recurrent[k]));
                pre[u][k] = (int16_t)mcu_lstm_sat16(in_fc + rec_fc);
            }
        }
        for (u = 0; u < n; ++u) {
            const int32_t f = mcu_lstm_sigmoid(pre[u][MCU_LSTM_FORGET]);
            const int32_t i = mcu_lstm_sigmoid(pre[u][MCU_LSTM_INPUT]);
            const int32_t g = mcu_lstm_tanh_q312(pre[u][MCU_LSTM_CELL]);
            const int32_t o = mcu_lstm_sigmoid(pre[u][MCU_LSTM_OUTPUT]);
            int32_t kept, added, cell, t, hid;

            s = s0 + u;
            /* Cell update: the two products are rescaled and saturated separately
             * (MulElementwise, output offset 0), then added with saturation. */
            kept = mcu_lstm_sat16(mcu_requant_apply(f * (int32_t)c[s], &q->forget));
            added = mcu_lstm_sat16(mcu_requant_apply(i * g, &q->update));
            cell = mcu_lstm_sat16(kept + added);
            if (clip_on) {
                /* std::max(std::min(clip, v), -clip): -32768 becomes -32767 at 32767. */
                cell = (cell < clip) ? cell : clip;
                cell = (cell > -clip) ? cell : -clip;
            }
            c[s] = (int16_t)cell;

            /* Hidden: tanh(cell) x output gate, rescaled into the int8 hidden state. */
            t = mcu_lstm_tanh_cell(cell, tanh_mult, tanh_shift, tanh_round);
            hid = mcu_add_wrap_s32(hidden_zp, mcu_requant_apply(t * o, &q->hidden));
            out[s] = (int8_t)mcu_clamp_s32(hid, INT8_MIN, INT8_MAX);
        }
    }
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
        mcu_requant_prepare(p->input_multiplier[k], p->input_shift[k], &q.input[k]);
        mcu_requant_prepare(p->recurrent_multiplier[k], p->recurrent_shift[k], &q.recurrent[k]);
    }
    mcu_requant_prepare(p->forget_multiplier, p->forget_shift, &q.forget);
    mcu_requant_prepare(p->update_multiplier, p->update_shift, &q.update);
    mcu_requant_prepare(p->hidden_multiplier, p->hidden_shift, &q.hidden);
    q.tanh_round = (p->tanh_shift > 0) ? ((int32_t)1 << (p->tanh_shift - 1)) : 0;

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
            }
            if (hv.x16 != NULL) {
                mcu_s8_to_s16_offset(h, n_state, hv.offset, h_pad);
            }
            mcu_lstm_step(p, &q, &xv, &hv, c, out);
            memcpy(h, out, (size_t)n_state);
        }
    }
}
