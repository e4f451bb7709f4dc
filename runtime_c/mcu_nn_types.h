/*
 * mcu_nn_types.h - parameter structs shared by the mcu-codegen int8 kernels.
 *
 * Every field is computed by the code generator at build time and emitted as
 * const data (flash); kernels never compute scales, multipliers or paddings.
 * All tensors are dense, row-major, NHWC ([N, H, W, C]) unless stated.
 */
#ifndef MCU_NN_TYPES_H
#define MCU_NN_TYPES_H

#include <stdint.h>

/* CONV_2D and DEPTHWISE_CONV_2D geometry and quantization. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;    /* input  [batches, in_h, in_w, in_c]   */
    int32_t out_h, out_w, out_c; /* output [batches, out_h, out_w, out_c] */
    int32_t k_h, k_w;            /* filter spatial size                  */
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;        /* dilation factors (1 = none)          */
    int32_t pad_top, pad_left;   /* TFLite padding (extra goes bottom/right) */
    int32_t depth_multiplier;    /* depthwise only; out_c == in_c * depth_multiplier */
    int32_t input_offset;        /* -input_zero_point, in [-127, 128]    */
    int32_t output_offset;       /* output_zero_point, in [-128, 127]    */
    int32_t act_min, act_max;    /* fused activation clamp, int8 range   */
    int32_t k_pad;               /* CONV_2D: filter row length >= k_h*k_w*in_c (rows
                                  * zero padded, see conv_s8.h); unused by depthwise */
} mcu_conv_params_t;

/* FULLY_CONNECTED. */
typedef struct {
    int32_t batches;             /* rows of the input: input is [batches, depth] */
    int32_t depth;               /* accumulation depth (input features)  */
    int32_t out_features;        /* filter is [out_features, depth]      */
    int32_t input_offset;        /* -input_zero_point                    */
    int32_t filter_offset;       /* -filter_zero_point (0 for int8)      */
                                 /* (only applied when per_channel == 0, as in the TFLM reference) */
    int32_t output_offset;       /* output_zero_point                    */
    int32_t act_min, act_max;
    int32_t per_channel;         /* 1: out_mult/out_shift have out_features entries, 0: one entry */
} mcu_fc_params_t;

/* AVERAGE_POOL_2D and MAX_POOL_2D (input and output share quantization). */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} mcu_pool_params_t;

/* ADD, with broadcasting over up to MCU_MAX_DIMS dimensions. */
#define MCU_MAX_DIMS 6
typedef struct {
    int32_t size;                       /* number of output elements       */
    int32_t broadcast;                  /* 0: both inputs have `size` elements, same shape */
    int32_t out_dims[MCU_MAX_DIMS];     /* output shape, padded at the front with 1s */
    int32_t in1_strides[MCU_MAX_DIMS];  /* element strides of input1 in the output's index space, 0 where broadcast */
    int32_t in2_strides[MCU_MAX_DIMS];
    int32_t left_shift;                 /* 20 for int8 */
    int32_t input1_offset, input1_multiplier, input1_shift;
    int32_t input2_offset, input2_multiplier, input2_shift;
    int32_t output_offset, output_multiplier, output_shift;
    int32_t act_min, act_max;
} mcu_add_params_t;

/* SOFTMAX (int8 in, int8 out with scale 1/256 and zero point -128). */
typedef struct {
    int32_t outer;               /* number of rows                     */
    int32_t depth;               /* softmax runs over the last axis    */
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
} mcu_softmax_params_t;

/* QUANTIZE float32 -> int8. */
typedef struct {
    int32_t size;
    float scale;
    int32_t zero_point;
} mcu_quantize_params_t;

/* QUANTIZE int8 -> int8 (requantize). */
typedef struct {
    int32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier;
    int32_t shift;
} mcu_requantize_params_t;

/* DEQUANTIZE int8 -> float32. */
typedef struct {
    int32_t size;
    float scale;
    int32_t zero_point;
} mcu_dequantize_params_t;

/* RELU and RELU6 as standalone ops: requantize, then clamp. */
typedef struct {
    int32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier;          /* input scale / output scale (identity: 1 << 30, shift 1) */
    int32_t shift;
    int32_t act_min, act_max;
} mcu_relu_params_t;

/*
 * MEAN, SUM and REDUCE_MAX over any set of axes. The generator merges adjacent
 * dimensions and splits the input's dimensions into kept ones (walked in
 * row-major order: the output's order) and reduced ones. Size-1 dimensions are
 * dropped, so each list has at most MCU_MAX_DIMS entries.
 */
typedef struct {
    int32_t out_size;                      /* output elements (product of outer_dims) */
    int32_t outer_rank;                    /* kept dimensions, outermost first        */
    int32_t outer_dims[MCU_MAX_DIMS];
    int32_t outer_strides[MCU_MAX_DIMS];   /* input element strides                   */
    int32_t inner_rank;                    /* reduced dimensions, outermost first     */
    int32_t inner_dims[MCU_MAX_DIMS];
    int32_t inner_strides[MCU_MAX_DIMS];
    int32_t inner_size;                    /* elements reduced into each output, >= 1 */
    int32_t sum_offset;                    /* MEAN/SUM: -input_zero_point * inner_size */
    int32_t output_offset;                 /* MEAN/SUM: output_zero_point             */
    int32_t multiplier, shift;             /* MEAN/SUM: sum -> output (1/n folded in for MEAN) */
} mcu_reduce_params_t;

/* ARG_MAX and ARG_MIN along one axis: input viewed as [outer, axis_size, inner]. */
typedef struct {
    int32_t outer;
    int32_t axis_size;                     /* >= 1 */
    int32_t inner;
    int32_t is_max;                        /* 1: ARG_MAX, 0: ARG_MIN */
} mcu_arg_min_max_params_t;

/* L2_NORMALIZATION along the last axis: input viewed as [outer, depth]. */
typedef struct {
    int32_t outer;
    int32_t depth;
    int32_t input_zero_point;
} mcu_l2norm_params_t;

/*
 * BATCH_MATMUL: output [b0, b1, b2, rows, cols] = lhs [.., rows, depth] x
 * rhs [.., depth, cols] (ranks extended to 5 at the front). Element strides
 * describe how each operand is stored (adj_x / adj_y only change strides).
 */
typedef struct {
    int32_t batch_dims[3];                 /* output batch dimensions                 */
    int32_t lhs_batch_strides[3];          /* 0 where the operand is broadcast        */
    int32_t rhs_batch_strides[3];
    int32_t rows, cols, depth;
    int32_t lhs_row_stride, lhs_depth_stride;
    int32_t rhs_depth_stride, rhs_col_stride;
    int32_t lhs_offset;                    /* -lhs_zero_point                         */
    int32_t rhs_offset;                    /* -rhs_zero_point                         */
    int32_t output_offset;                 /* output_zero_point                       */
    int32_t multiplier, shift;
} mcu_batch_matmul_params_t;

/* Data movement (copy_s8.c): fill, then a list of strided N-D box copies.
 * The box rows are documented in copy_s8.h. */
#define MCU_COPY_MAX_DIMS 6
typedef struct {
    int32_t rank;                /* dimensions of every box, 1..MCU_COPY_MAX_DIMS */
    int32_t num_boxes;           /* rows in `boxes`                              */
    const int32_t *boxes;        /* num_boxes rows of (4 + 3 * rank) int32       */
    int32_t fill_bytes;          /* > 0: first set dst[0][0 .. fill_bytes) ...    */
    int32_t fill_value;          /* ... to this int8 value                       */
} mcu_copy_params_t;

/* GATHER (gather_s8.c): input [batch, outer, axis_size, inner] read at
 * coords [batch, coord_size] into output [batch, outer, coord_size, inner]. */
typedef struct {
    int32_t batch_size;          /* product of the first batch_dims dimensions     */
    int32_t outer_size;          /* product of the dimensions between batch and axis */
    int32_t axis_size;           /* input dimension gathered along               */
    int32_t coord_size;          /* coordinates per batch                        */
    int32_t inner_size;          /* product of the dimensions after the axis       */
} mcu_gather_params_t;

/* RESIZE_NEAREST_NEIGHBOR (resize_s8.c): NHWC, source row and column per
 * output row and column, computed by the generator. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, depth;
    int32_t out_h, out_w;
    const int32_t *y_map;        /* out_h entries in [0, in_h) */
    const int32_t *x_map;        /* out_w entries in [0, in_w) */
} mcu_resize_nearest_params_t;

/* RESIZE_BILINEAR (resize_s8.c): NHWC, TFLite's integer interpolation with
 * scales in Q10 fixed point. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, depth;
    int32_t out_h, out_w;
    int32_t height_scale_10;     /* input/output height ratio * 1024, rounded   */
    int32_t width_scale_10;
    int32_t half_pixel_centers;  /* 0 or 1 */
} mcu_resize_bilinear_params_t;

/* SVDF, int8 input and output, int8 or int16 state and time weights (svdf_s8.c). */
typedef struct {
    int32_t batches, input_size;
    int32_t num_filters;          /* num_units * rank                                */
    int32_t num_units, rank;
    int32_t memory_size;          /* state is [batches, num_filters * memory_size]   */
    int32_t input_zero_point;
    int32_t state_zero_point;
    int32_t feature_multiplier, feature_shift; /* input x weights_feature -> state   */
    int32_t output_multiplier, output_shift;   /* state x weights_time -> output     */
    int32_t output_zero_point;
} mcu_svdf_params_t;

/*
 * Broadcast walk of a binary element-wise op (broadcast_s8.c): the output is
 * out_dims[0..5] (row-major, outermost first, padded at the front with 1s);
 * element (i0..i5) of input N is read at sum_k ik * inN_strides[k], where the
 * stride is 0 along every dimension input N is broadcast over. The generator
 * merges dimensions, so equal shapes give one row of all the elements.
 */
typedef struct {
    int32_t out_dims[MCU_MAX_DIMS];
    int32_t in1_strides[MCU_MAX_DIMS];
    int32_t in2_strides[MCU_MAX_DIMS];
} mcu_broadcast_t;

/* MUL (mul_s8.c): one multiplier for s1 * s2 / s_out. */
typedef struct {
    mcu_broadcast_t bcast;
    int32_t input1_offset, input2_offset; /* -zero_point, in [-127, 128]     */
    int32_t output_offset;                /* output zero point               */
    int32_t output_multiplier;            /* QuantizeMultiplier, Q0.31       */
    int32_t output_shift;                 /* in [-31, 30]                    */
    int32_t act_min, act_max;             /* fused activation clamp          */
} mcu_mul_params_t;

/* SUB (sub_s8.c) and SQUARED_DIFFERENCE (squared_difference_s8.c): both inputs
 * rescaled to a common scale, as for ADD. SUB's output_shift is <= 0; the
 * squared difference's may be positive (up to 30). */
typedef struct {
    mcu_broadcast_t bcast;
    int32_t left_shift;                   /* 20 (SUB), 7 (SQUARED_DIFFERENCE) */
    int32_t input1_offset, input1_multiplier, input1_shift;
    int32_t input2_offset, input2_multiplier, input2_shift;
    int32_t output_offset, output_multiplier, output_shift;
    int32_t act_min, act_max;
} mcu_sub_params_t;

/* PRELU (prelu_s8.c): alpha (input 2) broadcasts against the input. */
typedef struct {
    mcu_broadcast_t bcast;
    int32_t input_offset;                 /* -input_zero_point               */
    int32_t alpha_offset;                 /* -alpha_zero_point               */
    int32_t output_offset;                /* output zero point               */
    int32_t output_multiplier_1, output_shift_1; /* x >= 0: s_in / s_out       */
    int32_t output_multiplier_2, output_shift_2; /* x < 0: s_in * s_alpha / s_out */
} mcu_prelu_params_t;

/* LOG_SOFTMAX (log_softmax_s8.c), int8 output with scale 16/256, zero point 127. */
typedef struct {
    int32_t outer;                        /* number of rows                  */
    int32_t depth;                        /* the last axis                   */
    int32_t input_multiplier;             /* input_scale * 2^26, Q0.31       */
    int32_t input_left_shift;             /* >= 1                            */
    int32_t reverse_scaling_divisor;      /* Q0.31                           */
    int32_t reverse_scaling_right_shift;  /* >= 0                            */
    int32_t diff_min;                     /* <= 0                            */
} mcu_log_softmax_params_t;

#endif /* MCU_NN_TYPES_H */
