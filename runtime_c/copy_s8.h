/*
 * copy_s8.h - the data-movement kernel: strided N-D box copies, with an
 * optional fill. One kernel serves every op that only moves int8 values:
 * TRANSPOSE, SLICE, STRIDED_SLICE, CONCATENATION, PACK, SPLIT, SPLIT_V,
 * UNPACK, PAD, PADV2, DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND and
 * SPACE_TO_BATCH_ND. The code generator turns each op into a short list of
 * boxes (strides and offsets, never per-element index maps).
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#ifndef MCU_COPY_S8_H
#define MCU_COPY_S8_H

#include <stdint.h>

#include "mcu_nn_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * mcu_copy_s8 - fill, then copy p->num_boxes boxes.
 *
 * Semantics
 *   1. When p->fill_bytes > 0: dst[0][0 .. fill_bytes) = fill_value.
 *   2. For each box b in order 0 .. num_boxes-1, with R = p->rank, the box is
 *      the row  p->boxes[b * (4 + 3R) ...]  laid out as
 *        [0]            src_index    which of src[] to read
 *        [1]            src_offset   element offset of the box origin in it
 *        [2]            dst_index    which of dst[] to write
 *        [3]            dst_offset
 *        [4 .. 4+R)     dims         box extent, row-major (dims[R-1] fastest)
 *        [4+R .. 4+2R)  src_strides  element strides (any sign, 0 allowed)
 *        [4+2R .. 4+3R) dst_strides
 *      and for every index (i0 .. i{R-1}) of the box, walked in row-major
 *      order:
 *        dst[dst_index][dst_offset + sum_k ik * dst_strides[k]] =
 *            src[src_index][src_offset + sum_k ik * src_strides[k]]
 *      A box with a zero extent copies nothing.
 *   Boxes are applied in order, so a later box overwrites an earlier one; the
 *   generator never emits overlapping writes except the fill of step 1.
 *
 * Layout:  any; tensors are dense int8 arrays addressed by element offsets.
 * Ranges:  1 <= rank <= MCU_COPY_MAX_DIMS; every address a box touches lies
 *          inside its tensor (checked by the generator); fill_value in
 *          [-128, 127].
 * Scratch: none. Sources and destinations must not overlap.
 * Bit-exact with: the pure data movement of tflite::reference_ops::Transpose
 *          (reference/transpose.h), Slice (reference/slice.h), StridedSlice
 *          (reference/strided_slice.h), Concatenation (reference/concatenation.h),
 *          Pad (reference/pad.h), DepthToSpace (reference/depth_to_space.h),
 *          SpaceToDepth (reference/space_to_depth.h), BatchToSpaceND
 *          (reference/batch_to_space_nd.h), SpaceToBatchND
 *          (reference/space_to_batch_nd.h), and of TFLM's own PackImpl, UnpackImpl
 *          and SplitImpl (micro/kernels/pack.cc, unpack.cc, split.cc, split_v.cc);
 *          each op's box list is derived in mcu_codegen/ops/ from these routines.
 */
void mcu_copy_s8(const mcu_copy_params_t *p, const int8_t *const src[], int8_t *const dst[]);

#ifdef __cplusplus
}
#endif

#endif /* MCU_COPY_S8_H */
