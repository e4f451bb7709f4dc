/*
 * lstm_s8.c - UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights,
 * int16 cell state. See lstm_s8.h.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <string.h>

#include "lstm_s8.h"
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

/*
 * int16 Q3.12 -> Q0.15 sigmoid, the way TFLite's int16 Logistic runs it inside
 * the LSTM (input multiplier 0 and left shift 0, i.e. the input is taken times 3).
 * Bit-exact with: reference_integer_ops::Logistic(int16)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h).
 */
static int16_t mcu_lstm_sigmoid(int16_t v)
{
    const int32_t x = (int32_t)v * 3; /* |x| <= 98,304 */
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 9;
    uint32_t r;

    if (uh >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t ua = mcu_sigmoid_table[uh];
        const uint32_t ub = mcu_sigmoid_table[uh + 1u];
        r = (ua << 9) + (ax & 0x1FFu) * (ub - ua);
    }
    r = (x >= 0) ? (r + (1u << 9)) : ((1u << 25) - r + (1u << 9) - 1u);
    return (int16_t)(r >> 10); /* in [0, 32767] */
}

/*
 * int16 tanh into Q0.15. The input is first scaled to the table's units:
 * (v * multiplier + round) >> shift (multiplier 3 << k and shift 0, or
 * multiplier 3 and a right shift, chosen by the generator from the input scale).
 * Bit-exact with: reference_integer_ops::Tanh(int16)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/tanh.h).
 */
static int16_t mcu_lstm_tanh(int16_t v, int32_t multiplier, int32_t shift)
{
    const int32_t round = (shift > 0) ? ((int32_t)1 << (shift - 1)) : 0;
    const int32_t x = mcu_asr_s32((int32_t)v * multiplier + round, shift);
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 8;
    int32_t r;

    if (uh >= 255u) {
        r = (int32_t)(0xFFFFu << 8);
    } else {
        const uint32_t ua = mcu_sigmoid_table[uh];
        const uint32_t ub = mcu_sigmoid_table[uh + 1u];
        r = (int32_t)((ua << 8) + (ax & 0xFFu) * (ub - ua));
    }
    r = (x >= 0) ? (r - (1 << 23) + (1 << 7)) : (-r + (1 << 23) + (1 << 7) - 1);
    return (int16_t)mcu_asr_s32(r, 8); /* in [-32767, 32767] */
}

static int32_t mcu_lstm_sat16(int32_t x)
{
    return mcu_clamp_s32(x, INT16_MIN, INT16_MAX);
}

/*
 * One gate's pre-activation for unit s: the input FC (with bias) and the
 * recurrent FC (no bias), each rescaled to int16 Q3.12 and saturated, then
 * added with saturation. Bit-exact with lstm_internal::CalculateLstmGate up to
 * the activation: reference_integer_ops::FullyConnected (int8 -> int16, output
 * offset 0) twice, then lstm_internal::AddElementWise.
 */
static int32_t mcu_lstm_gate_sum(const mcu_lstm_params_t *p, const mcu_lstm_gate_t *g,
                                 int32_t s, const int8_t *x, const int8_t *h)
{
    const int8_t *wi = g->input_weights + s * p->input_size;
    const int8_t *wr = g->recurrent_weights + s * p->state_size;
    int32_t acc = 0;
    int32_t rec = 0;
    int32_t d;

    for (d = 0; d < p->input_size; ++d) {
        acc += (int32_t)wi[d] * ((int32_t)x[d] + p->input_offset);
    }
    acc = mcu_add_wrap_s32(acc, g->bias[s]);
    acc = mcu_lstm_sat16(mcu_multiply_by_quantized_multiplier(acc, g->input_multiplier,
                                                              g->input_shift));
    for (d = 0; d < p->state_size; ++d) {
        rec += (int32_t)wr[d] * ((int32_t)h[d] + p->hidden_offset);
    }
    rec = mcu_lstm_sat16(mcu_multiply_by_quantized_multiplier(rec, g->recurrent_multiplier,
                                                              g->recurrent_shift));
    return mcu_lstm_sat16(acc + rec);
}

/* One time step of one batch row: x [input_size], h and c [state_size] in place,
 * out [state_size] receives the new hidden row. */
static void mcu_lstm_step(const mcu_lstm_params_t *p, const int8_t *x, int8_t *h,
                          int16_t *c, int8_t *out)
{
    int32_t s;

    for (s = 0; s < p->state_size; ++s) {
        const int32_t f = mcu_lstm_sigmoid((int16_t)mcu_lstm_gate_sum(p, &p->forget_gate, s, x, h));
        const int32_t i = mcu_lstm_sigmoid((int16_t)mcu_lstm_gate_sum(p, &p->input_gate, s, x, h));
        const int32_t g = mcu_lstm_tanh((int16_t)mcu_lstm_gate_sum(p, &p->cell_gate, s, x, h),
                                        3, 0);
        const int32_t o = mcu_lstm_sigmoid((int16_t)mcu_lstm_gate_sum(p, &p->output_gate, s, x, h));
        int32_t kept, added, cell, t, hid;

        /* Cell update: the two products are rescaled and saturated separately
         * (MulElementwise, output offset 0), then added with saturation. */
        kept = mcu_lstm_sat16(mcu_multiply_by_quantized_multiplier(
            f * (int32_t)c[s], p->forget_multiplier, p->forget_shift));
        added = mcu_lstm_sat16(mcu_multiply_by_quantized_multiplier(
            i * g, p->update_multiplier, p->update_shift));
        cell = mcu_lstm_sat16(kept + added);
        if (p->cell_clip_enabled) {
            /* std::max(std::min(clip, v), -clip): -32768 becomes -32767 at clip 32767. */
            cell = (cell < p->cell_clip) ? cell : p->cell_clip;
            cell = (cell > -p->cell_clip) ? cell : -p->cell_clip;
        }
        c[s] = (int16_t)cell;

        /* Hidden state: tanh(cell) x output gate, rescaled into the int8 hidden state. */
        t = mcu_lstm_tanh((int16_t)cell, p->tanh_multiplier, p->tanh_shift);
        hid = mcu_add_wrap_s32(p->hidden_zero_point,
                               mcu_multiply_by_quantized_multiplier(t * o, p->hidden_multiplier,
                                                                    p->hidden_shift));
        out[s] = (int8_t)mcu_clamp_s32(hid, INT8_MIN, INT8_MAX);
    }
    memcpy(h, out, (size_t)p->state_size);
}

void mcu_lstm_s8(const mcu_lstm_params_t *p, const int8_t *input, int8_t *hidden,
                 int16_t *cell, int8_t *output)
{
    const int32_t batches = p->batches;
    const int32_t steps = p->time_steps;
    int32_t b, t;

    /* Batch rows never interact, so each row runs all its steps in turn for
     * either layout (TFLite Micro runs the rows of one step together when
     * time_major; the arithmetic per row is the same). */
    for (b = 0; b < batches; ++b) {
        int8_t *h = hidden + b * p->state_size;
        int16_t *c = cell + b * p->state_size;
        for (t = 0; t < steps; ++t) {
            const int32_t row = p->time_major ? (t * batches + b) : (b * steps + t);
            mcu_lstm_step(p, input + row * p->input_size, h, c, output + row * p->state_size);
        }
    }
}
