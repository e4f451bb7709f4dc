/*
 * dsp_mat_mult_s8.h - the DSP (SMLAD) matrix-product core of the "dsp" CONV_2D and
 * FULLY_CONNECTED kernels: requantized products of int8 filter rows with one or two
 * input columns widened to int16.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Everything shape- and quantization-related is prepared by the code generator
 * (mcu_codegen/ops/simd/dsp_mat_mult.py) into one const int32 "stream" per op:
 *
 *   the input zero point zx is folded into the bias, bias'[r] = bias[r] - zx * sum(w[r]),
 *   so the kernel multiplies raw int8 inputs (taps outside the image hold zx, which
 *   the fold cancels exactly, as the reference skips them); int32 sums wrap, and the
 *   wrapped total equals the reference's accumulator whenever that one does not
 *   overflow;
 *
 *   rows are taken in blocks of B = 6 (mcu_dsp_mm_params_t.block), except the last
 *   block, which has the n_out % 6 rows left rounded up to an even count (2, 4 or 6;
 *   completed with zero rows), k terms in G = ceil(k / 4) groups of four (zero
 *   padded). A block of B rows is, in int32 words:
 *     [0 .. B-1]             accumulator start of its rows (see the modes)
 *     [B + 2Bg .. B + 2Bg + 2B-1]  group g: (w0, w2), (w1, w3) of each row in turn,
 *                            each word two int16 lanes (bottom lane first), weights
 *                            widened
 *     [B + 2BG .. B + 2BG + 3B-1]  the requantization of each row (3 words, see the
 *                            modes)
 *   so a block is B * (1 + 2G + 3) words.
 *
 * A column (int32 words): group g is (x0, x2), (x1, x3), exactly what SXTB16 and
 * SXTB16 ROR #8 make of four int8 inputs (mcu_dsp_widen_s8).
 *
 * Modes (mcu_dsp_mm_params_t.mode), chosen per op by the generator:
 *   MCU_DSP_FAST_SAT, MCU_DSP_FAST_CLAMP: every row has shift = -e with 1 <= e <= 21, a
 *     multiplier m >= 2^30, and |bias| + sum|w| * max|x - zx| < 2^30, so 2 * acc never
 *     overflows. Weights are stored doubled (2w, still int16) and the accumulator
 *     starts at 2 * bias', so it ends at x2 = 2 * acc_ref. Then, with
 *     R = 2^(e-1) + output_zero_point * 2^e (trailer: m, R, e):
 *       SMMLAR(x2, m, R) = SRDHM(acc_ref, m) + R     (one rounding, no saturation case)
 *       out = (SMMLAR(x2, m, R) + (x2 < 0 ? -1 : 0)) >> e
 *     which is RoundingDivideByPOT(SRDHM(acc_ref, m), e) + output_zero_point (the -1
 *     of a negative SRDHM result: SRDHM < 0 exactly when acc_ref < 0, except acc_ref
 *     = -1 with m = 2^30, where both give the same result for e >= 1). Then SSAT to
 *     8 bits (FAST_SAT: act range is the whole int8 range) or the act clamp.
 *     A row whose output is the same for every input (e.g. a huge bias with a tiny
 *     multiplier, or multiplier 0) is stored as that constant c: zero weights and
 *     accumulator, trailer (2^30, 2c + 1, 1).
 *   MCU_DSP_FAST_SAT_NOFIX: MCU_DSP_FAST_SAT without the sign fix, out = SSAT(SMMLAR(x2,
 *     m, R) >> e, 8), chosen when the output zero point is -128 and the act range is
 *     [-128, 127] (every row fast or constant). The fix cannot change a stored byte:
 *     it is -1 only where x2 < 0, i.e. acc_ref < 0, and there s = SRDHM(acc_ref, m) <= 0
 *     (m > 0), so with R = 2^(e-1) - 128 * 2^e both (s + R) >> e and (s + R - 1) >> e
 *     are <= (2^(e-1) - 128 * 2^e) >> e = -128 (e >= 1): SSAT gives -128 either way.
 *     Where x2 >= 0 the fix is 0, and a constant row (zero weights, x2 = 0) or a
 *     padding row has none either. (Out of the 4-instruction SMMLAR, ASR, SSAT, STRB
 *     tail this saves one instruction per output.)
 *   MCU_DSP_GENERIC: weights as is, the accumulator starts at bias', the trailer is
 *     (mult, shift, 0) and the tail is mcu_requant (MultiplyByQuantizedMultiplier).
 *
 * Bit-exact with: the accumulate / bias / requantize / clamp of
 * tflite::reference_integer_ops::ConvPerChannel and FullyConnected(PerChannel)
 * (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h, fully_connected.h).
 */
#ifndef MCU_DSP_MAT_MULT_S8_H
#define MCU_DSP_MAT_MULT_S8_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MCU_DSP_FAST_SAT 0
#define MCU_DSP_FAST_CLAMP 1
#define MCU_DSP_GENERIC 2
#define MCU_DSP_FAST_SAT_NOFIX 3

/* The Arm assembly of the SSAT modes, one object per function family and tail
 * (dsp_mm_common.h): an op's params name only the objects its path can reach, each for
 * its own tail, so the linker (--gc-sections) drops every other function. Off Arm they
 * hold only the mode (the C path runs). */
typedef struct mcu_dsp_mm_col_asm mcu_dsp_mm_col_asm_t;   /* blocks vs a widened column */
typedef struct mcu_dsp_mm_raw_asm mcu_dsp_mm_raw_asm_t;   /* blocks vs a raw column     */
typedef struct mcu_dsp_mm_cols_asm mcu_dsp_mm_cols_asm_t; /* a loop over raw columns    */
extern const mcu_dsp_mm_col_asm_t mcu_dsp_mm_col_sat, mcu_dsp_mm_col_nofix;
extern const mcu_dsp_mm_raw_asm_t mcu_dsp_mm_raw_sat, mcu_dsp_mm_raw_nofix;
extern const mcu_dsp_mm_cols_asm_t mcu_dsp_mm_cols_sat, mcu_dsp_mm_cols_nofix;
extern const mcu_dsp_mm_cols_asm_t mcu_dsp_mm_cols_frame_sat, mcu_dsp_mm_cols_frame_nofix;

/* Rows of a full block of the stream. */
#define MCU_DSP_BLOCK 6

typedef struct {
    int32_t groups;        /* G: each dot product has 4 * G terms (zero padded)     */
    int32_t n_out;         /* output rows (channels); the stream has ceil(n_out / block) blocks */
    int32_t mode;          /* MCU_DSP_FAST_SAT(_NOFIX), _FAST_CLAMP or _GENERIC    */
    int32_t output_offset; /* output zero point (MCU_DSP_GENERIC; folded in R else)  */
    int32_t act_min, act_max;
    int32_t block;         /* rows per full block of the stream: MCU_DSP_BLOCK    */
    /* SSAT modes on Arm: the assembly of the mode's tail for each path the op takes
     * (mcu_dsp_mat_mult_s8, mcu_dsp_mat_mult_raw_s8, mcu_dsp_mat_mult_cols_s8); NULL:
     * that path runs the C code (any mode, same results) */
    const mcu_dsp_mm_col_asm_t *col_asm;
    const mcu_dsp_mm_raw_asm_t *raw_asm;
    const mcu_dsp_mm_cols_asm_t *cols_asm;
} mcu_dsp_mm_params_t;

/*
 * Widen 4 * groups int8 values of src (any alignment) into a column: dst[2g] =
 * SXTB16(x[4g..4g+3]), dst[2g + 1] = SXTB16(ROR8(...)). Returns dst + 2 * groups.
 */
int32_t *mcu_dsp_widen_s8(const int8_t *src, int32_t groups, int32_t *dst);

/*
 * out[r] for every row r < n_out: the requantized products of the stream's rows with
 * the widened column col (2 * groups words, 4-byte aligned). Scratch memory: none.
 */
void mcu_dsp_mat_mult_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                         const int32_t *col, int8_t *out);

/* Largest groups of mcu_dsp_mat_mult_cols_s8 with a column on the stack (8 bytes a
 * group). */
#define MCU_DSP_COLS_STACK_GROUPS 32

/* Consecutive raw int8 columns read in place (e.g. the pixels of a 1x1 convolution). */
typedef struct {
    const int8_t *x;  /* the first column: 4 * groups int8 values, any alignment   */
    int32_t x_step;   /* bytes from one column to the next                         */
    int32_t n_cols;   /* >= 1                                                      */
    int32_t *col;     /* 2 * groups int32 words, 4-byte aligned: each column widened;
                       * NULL: on the stack (groups <= MCU_DSP_COLS_STACK_GROUPS)  */
} mcu_dsp_cols_t;

/*
 * mcu_dsp_mat_mult_s8 for each of c->n_cols raw int8 columns, widened in turn into
 * c->col: column j's outputs at out + j * n_out. On Arm in the SSAT modes with
 * an even n_out, one assembly loop runs every column (no call per column); up to
 * MCU_DSP_COLS_STACK_GROUPS groups it keeps the column in its own stack frame (c->col
 * unused).
 */
void mcu_dsp_mat_mult_cols_s8(const mcu_dsp_mm_params_t *p, const int32_t *stream,
                              const mcu_dsp_cols_t *c, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* MCU_DSP_MAT_MULT_S8_H */
