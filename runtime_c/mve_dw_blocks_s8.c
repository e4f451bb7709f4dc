/*
 * mve_dw_blocks_s8.c - the inner loop of the MVE DEPTHWISE_CONV_2D kernel (see the
 * header), as a function in assembly: with the sums in q4-q7 and four vectors for the
 * taps, GCC's own allocation spills a sum on every pair of taps.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 *
 * Registers (AAPCS: r4-r11, lr and d8-d15 are saved): r11 the struct, r2 the input base
 * of the current block, r3 the filter, r4 the quant, r5 the output, r9 blocks left,
 * r10 pixels left, r12 the output offset, r0 the flags, lr the tap-pair loop;
 * q4-q7 the sums of lanes {0 4 8 12} {2 6 10 14} {1 5 9 13} {3 7 11 15}, q0-q3 temps.
 * The second tap of a pair is loaded twice (VMULLT then VMULLB overwrite it) instead
 * of keeping a ninth vector.
 */
#include <stddef.h>

#include "mve_dw_blocks_s8.h"
#include "mve_requant.h"

typedef char mve_dw_asm_layout_check[(offsetof(mcu_mve_dw_blocks_t, flags) == 44 &&
                                      offsetof(mcu_mve_dw_blocks_t, hi) == 72 &&
                                      sizeof(void *) == 4) ? 1 : -1];

#define MVE_DW_WIDEN(E, O)                                                             \
    "    vmovlb.s16 q0, " E "\n"                                                       \
    "    vadd.i32 q4, q4, q0\n"                                                        \
    "    vmovlt.s16 q0, " E "\n"                                                       \
    "    vadd.i32 q5, q5, q0\n"                                                        \
    "    vmovlb.s16 q0, " O "\n"                                                       \
    "    vadd.i32 q6, q6, q0\n"                                                        \
    "    vmovlt.s16 q0, " O "\n"                                                       \
    "    vadd.i32 q7, q7, q0\n"

#define MVE_DW_GENERAL(ACC, OFF)                                                       \
    "    vldrw.u32 q0, [r4, #" #OFF "+192]\n"                                          \
    "    vshl.s32 " ACC ", " ACC ", q0\n"                                              \
    "    vldrw.u32 q0, [r4, #" #OFF "+64]\n"                                           \
    "    vqrdmulh.s32 " ACC ", " ACC ", q0\n"                                          \
    "    vldrw.u32 q0, [r4, #" #OFF "+128]\n"                                          \
    "    vand q1, " ACC ", q0\n"                                                       \
    "    vshr.s32 q1, q1, #31\n"                                                       \
    "    vqadd.s32 " ACC ", " ACC ", q1\n"                                             \
    "    vrshl.s32 " ACC ", " ACC ", q0\n"

#define MVE_DW_FAST(ACC, OFF)                                                          \
    "    vldrw.u32 q0, [r4, #" #OFF "+64]\n"                                           \
    "    vqrdmulh.s32 " ACC ", " ACC ", q0\n"                                          \
    "    vldrw.u32 q0, [r4, #" #OFF "+128]\n"                                          \
    "    vshr.s32 q1, " ACC ", #31\n"                                                  \
    "    vqadd.s32 " ACC ", " ACC ", q1\n"                                             \
    "    vrshl.s32 " ACC ", " ACC ", q0\n"

__asm__(
    "    .pushsection .text.mcu_mve_dw_blocks_s8,\"ax\",%progbits\n"
    "    .syntax unified\n"
    "    .thumb\n"
    "    .p2align 2\n"
    "    .global mcu_mve_dw_blocks_s8\n"
    "    .type mcu_mve_dw_blocks_s8, %function\n"
    "    .thumb_func\n"
    "mcu_mve_dw_blocks_s8:\n"
    "    push {r4-r11, lr}\n"
    "    vpush {d8-d15}\n"
    "    mov r11, r0\n"
    "    ldr r2, [r11, #4]\n"
    "    ldr r5, [r11, #16]\n"
    "    ldr r10, [r11, #48]\n"
    "    ldr r12, [r11, #32]\n"
    "    ldr r0, [r11, #44]\n"
    "0:\n"
    "    ldr r3, [r11, #8]\n"
    "    ldr r4, [r11, #12]\n"
    "    ldr r9, [r11, #28]\n"
    "1:\n"
    "    vldrw.u32 q4, [r4]\n"
    "    vldrw.u32 q5, [r4, #16]\n"
    "    vldrw.u32 q6, [r4, #32]\n"
    "    vldrw.u32 q7, [r4, #48]\n"
    "    ldr r1, [r11]\n"
    "    ldr r6, [r11, #20]\n"
    "    wls lr, r6, 3f\n"
    "2:\n"
    "    ldrd r7, r8, [r1], #8\n"
    "    add r7, r7, r2\n"
    "    add r8, r8, r2\n"
    "    vldrb.8 q0, [r7]\n"
    "    vldrb.8 q1, [r3], #16\n"
    "    vmullb.s8 q2, q0, q1\n"
    "    vmullt.s8 q3, q0, q1\n"
    "    vldrb.8 q0, [r8]\n"
    "    vldrb.8 q1, [r3], #16\n"
    "    vmullt.s8 q0, q0, q1\n"
    "    vadd.i16 q3, q3, q0\n"
    "    vldrb.8 q0, [r8]\n"
    "    vmullb.s8 q0, q0, q1\n"
    "    vadd.i16 q2, q2, q0\n"
    MVE_DW_WIDEN("q2", "q3")
    "    le lr, 2b\n"
    "3:\n"
    "    ldr r6, [r11, #24]\n"
    "    cbz r6, 4f\n"
    "    ldr r7, [r1]\n"
    "    add r7, r7, r2\n"
    "    vldrb.8 q0, [r7]\n"
    "    vldrb.8 q1, [r3], #16\n"
    "    vmullb.s8 q2, q0, q1\n"
    "    vmullt.s8 q3, q0, q1\n"
    MVE_DW_WIDEN("q2", "q3")
    "4:\n"
    "    tst r0, #1\n"
    "    bne 8f\n"
    /* shift < 0 everywhere: |result| < 2^30, so the offset is added after narrowing to
     * int16 (saturating, then saturating to int8: the same as clamping x + offset) */
    MVE_DW_FAST("q4", 0)
    MVE_DW_FAST("q5", 16)
    MVE_DW_FAST("q6", 32)
    MVE_DW_FAST("q7", 48)
    "    vqmovnb.s32 q0, q4\n"
    "    vqmovnt.s32 q0, q5\n"
    "    vqmovnb.s32 q1, q6\n"
    "    vqmovnt.s32 q1, q7\n"
    "    vqadd.s16 q0, q0, r12\n"
    "    vqadd.s16 q1, q1, r12\n"
    "7:\n"
    "    vqmovnb.s16 q2, q0\n"
    "    vqmovnt.s16 q2, q1\n"
    "    tst r0, #2\n"
    "    beq 9f\n"
    "    add r6, r11, #56\n"
    "    vldrb.8 q3, [r6]\n"
    "    vmax.s8 q2, q2, q3\n"
    "    vldrb.8 q3, [r6, #16]\n"
    "    vmin.s8 q2, q2, q3\n"
    "9:\n"
    "    vstrb.8 q2, [r5], #16\n"
    "    add r4, r4, #256\n"
    "    add r2, r2, #16\n"
    "    subs r9, r9, #1\n"
    "    bne 1b\n"
    "    ldr r6, [r11, #52]\n"
    "    add r2, r2, r6\n"
    "    subs r10, r10, #1\n"
    "    bne 0b\n"
    "    vpop {d8-d15}\n"
    "    pop {r4-r11, pc}\n"
    /* any shift: the offset added in int32 (wrapping, as the reference) */
    "8:\n"
    MVE_DW_GENERAL("q4", 0)
    MVE_DW_GENERAL("q5", 16)
    MVE_DW_GENERAL("q6", 32)
    MVE_DW_GENERAL("q7", 48)
    "    vadd.i32 q4, q4, r12\n"
    "    vadd.i32 q5, q5, r12\n"
    "    vadd.i32 q6, q6, r12\n"
    "    vadd.i32 q7, q7, r12\n"
    "    vqmovnb.s32 q0, q4\n"
    "    vqmovnt.s32 q0, q5\n"
    "    vqmovnb.s32 q1, q6\n"
    "    vqmovnt.s32 q1, q7\n"
    "    b 7b\n"
    "    .size mcu_mve_dw_blocks_s8, .-mcu_mve_dw_blocks_s8\n"
    "    .popsection\n");
