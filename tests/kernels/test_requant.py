"""mcu_requant_prepare/_apply (the one-rounding-step form the conv, depthwise and
fully connected kernels use) against mcu_multiply_by_quantized_multiplier (the
step-by-step transcription of TFLite's MultiplyByQuantizedMultiplier), in C, on
every edge value crossed with every shift and on millions of random inputs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mcu_codegen.resources import data_dir
from mcu_codegen.verify.host import STRICT_FLAGS

HARNESS = r"""
#include <stdio.h>
#include "mcu_requant.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next32(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 16);
}

static long check(int32_t x, int32_t mult, int32_t shift)
{
    mcu_requant_t q;
    int32_t want, got;
    mcu_requant_prepare(mult, shift, &q);
    want = mcu_multiply_by_quantized_multiplier(x, mult, shift);
    got = mcu_requant_apply(x, &q);
    if (want != got) {
        printf("x=%ld mult=%ld shift=%ld: %ld != %ld\n", (long)x, (long)mult, (long)shift,
               (long)want, (long)got);
        return 1;
    }
    return 0;
}

int main(void)
{
    static const int32_t xs[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 32640,
                                 -32640, 65535, -65536, 1 << 20, -(1 << 20), 1073741823,
                                 1073741824, -1073741824, -1073741825, 2147483647,
                                 -2147483647, -2147483647 - 1};
    static const int32_t mults[] = {0, 1, 2, 1073741824, 1073741825, 1518500250,
                                    2147483646, 2147483647, -1, -1073741824, -2147483647};
    long bad = 0;
    long i;
    size_t a, m;
    int32_t s, d;

    for (a = 0; a < sizeof xs / sizeof xs[0]; ++a) {
        for (m = 0; m < sizeof mults / sizeof mults[0]; ++m) {
            for (s = -31; s <= 30; ++s) {
                for (d = -2; d <= 2; ++d) {
                    /* x and its neighbours, with a wrap-around add */
                    bad += check(mcu_add_wrap_s32(xs[a], d), mults[m], s);
                }
            }
        }
    }
    for (i = 0; i < N_RANDOM; ++i) {
        const uint32_t kind = next32() % 4;
        const uint32_t v = next32();
        int32_t x, mult;
        /* accumulator-like, small, and full-range values */
        x = kind == 0 ? (int32_t)next32()
          : kind == 1 ? (int32_t)(v % 2000001u) - 1000000
          : kind == 2 ? (int32_t)(v % 65536u) - 32768
          : (int32_t)(next32() >> (v % 32u)) * ((v & 1u) ? 1 : -1);
        mult = (next32() % 8u == 0u) ? (int32_t)next32()
                                     : (int32_t)(0x40000000u | (next32() >> 2));
        if (mult == INT32_MIN) {
            continue;
        }
        bad += check(x, mult, (int32_t)(next32() % 62u) - 31);
        if (bad > 10) {
            break;
        }
    }
    printf("%ld mismatches\n", bad);
    return bad != 0;
}
"""


def test_prepared_requantization_equals_the_reference(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc is not None, "no C compiler on this machine (.ci/run installs gcc)"
    src = tmp_path / "requant_check.c"
    src.write_text(HARNESS)
    exe = tmp_path / "requant_check"
    subprocess.run([cc, *STRICT_FLAGS, "-O2", "-DN_RANDOM=3000000L",
                    "-I", str(data_dir("runtime_c")), "-o", str(exe), str(src)],
                   check=True, capture_output=True, text=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
