/*
 * depthwise_conv_s8.c - int8 DEPTHWISE_CONV_2D kernel (per-channel quantization).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include <stddef.h>

#include "depthwise_conv_s8.h"
#include "mcu_conv_taps.h"
#include "mcu_requant.h"

/* Output offset and activation clamp of a requantized value. */
static int8_t dw_output(const mcu_conv_params_t *p, int32_t v)
{
    return (int8_t)mcu_clamp_s32(mcu_add_wrap_s32(v, p->output_offset), p->act_min, p->act_max);
}

/*
 * All output pixels of the W output channels [c, c + W), channels innermost and
 * contiguous in the filter and the output. XSTEP 1 (depth multiplier 1): output
 * channel c + j reads input channel c + j, contiguous too. XSTEP 0 (one input
 * channel, any depth multiplier): every output channel reads input channel 0.
 * The requantization of the W channels is prepared once. Each product
 * w * (x + input_offset) is at most 128 * 255 = 32640 in magnitude, so it is
 * exact in int16, which lets compilers use 16-bit SIMD multiplies for the
 * fixed-length channel loop.
 */
#define DW_DEFINE_BLOCK(name, W, XSTEP)                                                       \
    static void name(const mcu_conv_params_t *p, const int8_t *in_batch, int32_t c,           \
                     const int8_t *filter, const int32_t *bias, const int32_t *out_mult,      \
                     const int32_t *out_shift, int8_t *out_batch)                             \
    {                                                                                         \
        /* locals: the int8 output stores may alias anything reached through p */           \
        const int32_t in_c = p->in_c;                                                         \
        const int32_t out_c = p->out_c;                                                       \
        const int32_t in_row_stride = p->in_w * in_c;                                         \
        const int32_t filt_row_stride = p->k_w * out_c;                                       \
        const int32_t input_offset = p->input_offset;                                         \
        const int32_t output_offset = p->output_offset;                                       \
        const int32_t act_min = p->act_min, act_max = p->act_max;                             \
        const int32_t in_h = p->in_h, in_w = p->in_w, k_h = p->k_h, k_w = p->k_w;             \
        const int32_t out_h = p->out_h, out_w = p->out_w;                                     \
        const int32_t stride_h = p->stride_h, stride_w = p->stride_w;                         \
        const int32_t dil_h = p->dil_h, dil_w = p->dil_w;                                     \
        const int32_t pad_top = p->pad_top, pad_left = p->pad_left;                           \
        mcu_requant_t q[W];                                                                   \
        int32_t b0[W];                                                                        \
        int32_t oy, ox, ky, kx, j;                                                            \
        int8_t *out = out_batch + c;                                                          \
                                                                                              \
        for (j = 0; j < W; ++j) {                                                             \
            mcu_requant_prepare(out_mult[c + j], out_shift[c + j], &q[j]);                    \
            b0[j] = (bias != NULL) ? bias[c + j] : 0;                                         \
        }                                                                                     \
        for (oy = 0; oy < out_h; ++oy) {                                                      \
            const int32_t iy0 = oy * stride_h - pad_top;                                      \
            int32_t ky0, ky1;                                                                 \
            mcu_conv_valid_taps(iy0, dil_h, k_h, in_h, &ky0, &ky1);                                 \
            for (ox = 0; ox < out_w; ++ox) {                                                  \
                const int32_t ix0 = ox * stride_w - pad_left;                                 \
                int32_t kx0, kx1;                                                             \
                int32_t acc[W];                                                               \
                mcu_conv_valid_taps(ix0, dil_w, k_w, in_w, &kx0, &kx1);                             \
                for (j = 0; j < W; ++j) {                                                     \
                    acc[j] = 0;                                                               \
                }                                                                             \
                for (ky = ky0; ky < ky1; ++ky) {                                              \
                    const int32_t iy = iy0 + ky * dil_h;                                      \
                    const int8_t *in_row =                                                    \
                        in_batch + (size_t)iy * (size_t)in_row_stride + c * (XSTEP);          \
                    const int8_t *f_row = filter + ky * filt_row_stride + c;                  \
                    for (kx = kx0; kx < kx1; ++kx) {                                          \
                        const int8_t *x = in_row + (ix0 + kx * dil_w) * in_c;                 \
                        const int8_t *w = f_row + kx * out_c;                                 \
                        for (j = 0; j < W; ++j) {                                             \
                            acc[j] += (int16_t)(w[j] *                                        \
                                                (int16_t)(x[j * (XSTEP)] + input_offset));    \
                        }                                                                     \
                    }                                                                         \
                }                                                                             \
                for (j = 0; j < W; ++j) {                                                     \
                    const int32_t v = mcu_add_wrap_s32(                                       \
                        mcu_requant_apply(mcu_add_wrap_s32(acc[j], b0[j]), &q[j]),            \
                        output_offset);                                                       \
                    out[j] = (int8_t)mcu_clamp_s32(v, act_min, act_max);                      \
                }                                                                             \
                out += out_c;                                                                 \
            }                                                                                 \
        }                                                                                     \
    }

DW_DEFINE_BLOCK(dw_block16, 16, 1)
DW_DEFINE_BLOCK(dw_block8, 8, 1)
DW_DEFINE_BLOCK(dw_bcast16, 16, 0)
DW_DEFINE_BLOCK(dw_bcast8, 8, 0)

/*
 * Output channels [c0, out_c) one at a time, any depth multiplier: output channel
 * oc = ic * depth_multiplier + m reads input channel ic. (The channels left over
 * by the blocks above, and grouped layouts with several input channels.)
 */
static void dw_generic(const mcu_conv_params_t *p, const int8_t *in_batch, int32_t c0,
                       const int8_t *filter, const int32_t *bias, const int32_t *out_mult,
                       const int32_t *out_shift, int8_t *out)
{
    const int32_t in_c = p->in_c;
    const int32_t out_c = p->out_c;
    const int32_t depth_mult = p->depth_multiplier;
    const int32_t in_row_stride = p->in_w * in_c;
    const int32_t filt_row_stride = p->k_w * out_c;
    int32_t oy, ox, oc, ky, kx;

    for (oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        int32_t ky0, ky1;
        mcu_conv_valid_taps(iy0, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
        for (ox = 0; ox < p->out_w; ++ox) {
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            int32_t kx0, kx1;
            mcu_conv_valid_taps(ix0, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
            int32_t ic = c0 / depth_mult;
            int32_t m = c0 - ic * depth_mult;
            for (oc = c0; oc < out_c; ++oc) {
                int32_t acc = 0;
                for (ky = ky0; ky < ky1; ++ky) {
                    const int32_t iy = iy0 + ky * p->dil_h;
                    const int8_t *in_row = in_batch + (size_t)iy * (size_t)in_row_stride + ic;
                    const int8_t *f_row = filter + ky * filt_row_stride + oc;
                    for (kx = kx0; kx < kx1; ++kx) {
                        const int32_t ix = ix0 + kx * p->dil_w;
                        acc += (int32_t)f_row[kx * out_c] *
                               ((int32_t)in_row[ix * in_c] + p->input_offset);
                    }
                }
                if (bias != NULL) {
                    acc = mcu_add_wrap_s32(acc, bias[oc]);
                }
                acc = mcu_multiply_by_quantized_multiplier(acc, out_mult[oc], out_shift[oc]);
                out[oc] = dw_output(p, acc);
                if (++m == depth_mult) { /* next input channel */
                    m = 0;
                    ++ic;
                }
            }
            out += out_c;
        }
    }
}

void mcu_depthwise_conv_s8(const mcu_conv_params_t *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias,
                           const int32_t *out_mult, const int32_t *out_shift,
                           int8_t *output)
{
    const size_t in_batch_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    const size_t out_batch_size = (size_t)p->out_h * (size_t)p->out_w * (size_t)p->out_c;
    int32_t b, c;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * in_batch_size;
        int8_t *out_batch = output + (size_t)b * out_batch_size;
        c = 0;
        if (p->depth_multiplier == 1) {
            for (; c + 16 <= p->out_c; c += 16) {
                dw_block16(p, in_batch, c, filter, bias, out_mult, out_shift, out_batch);
            }
            for (; c + 8 <= p->out_c; c += 8) {
                dw_block8(p, in_batch, c, filter, bias, out_mult, out_shift, out_batch);
            }
        } else if (p->in_c == 1) {
            for (; c + 16 <= p->out_c; c += 16) {
                dw_bcast16(p, in_batch, c, filter, bias, out_mult, out_shift, out_batch);
            }
            for (; c + 8 <= p->out_c; c += 8) {
                dw_bcast8(p, in_batch, c, filter, bias, out_mult, out_shift, out_batch);
            }
        }
        if (c < p->out_c) {
            dw_generic(p, in_batch, c, filter, bias, out_mult, out_shift, out_batch);
        }
    }
}
