/*
 * lut_s8.c - int8 element-wise activation by table lookup.
 *
 * Part of the mcu-codegen runtime. Own code, Apache-2.0 compatible.
 */
#include "lut_s8.h"

void mcu_lut_s8(const int8_t table[256], int32_t size, const int8_t *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = table[(int32_t)input[i] + 128];
    }
}
