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

#endif /* MCU_NN_TYPES_H */
