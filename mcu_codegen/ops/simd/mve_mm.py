"""Build-time data of the MVE matrix-product kernel (runtime_c/mve_mat_mult_s8.h): the
filter in blocks of 4 channels x 16 taps, the bias with the input zero point folded in,
and the requantization split into the lane-wise vectors the kernel loads."""

from __future__ import annotations

import numpy as np

from ...ir import Op
from ..base import EmitContext

#: Runtime files every MVE matrix-product user needs.
KERNELS = ("mve_mat_mult_s8", "mve_requant")


def round_up(n: int, m: int) -> int:
    return -(-n // m) * m


def wrap_s32(values: np.ndarray) -> np.ndarray:
    """int64 values as two's complement int32 (the kernel sums modulo 2^32)."""
    v = np.asarray(values, dtype=np.int64) & 0xFFFFFFFF
    return np.where(v >= 1 << 31, v - (1 << 32), v).astype(np.int64)


def folded_bias(bias: np.ndarray | None, weight_sums: np.ndarray, zero_point: int,
                n: int) -> np.ndarray:
    """bias[c] - zero_point * weight_sums[c], wrapped to int32, zero padded to n: with
    it the kernel sums raw input values (the reference sums x - zero_point)."""
    out = np.zeros(n, dtype=np.int64)
    b = np.zeros(len(weight_sums), dtype=np.int64) if bias is None else np.asarray(
        bias, dtype=np.int64).reshape(-1)
    out[: len(weight_sums)] = wrap_s32(b - zero_point * np.asarray(weight_sums, dtype=np.int64))
    return out


def requant_arrays(mults: list[int], shifts: list[int], n: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mult, left, neg_right) per channel, padded to n (padding: multiplier 0)."""
    mult = np.zeros(n, dtype=np.int64)
    left = np.zeros(n, dtype=np.int64)
    neg_right = np.zeros(n, dtype=np.int64)
    s = np.asarray(shifts, dtype=np.int64)
    mult[: len(mults)] = mults
    left[: len(s)] = np.maximum(s, 0)
    neg_right[: len(s)] = np.minimum(s, 0)
    return mult, left, neg_right


def weight_blocks(rows: np.ndarray) -> np.ndarray:
    """[n, k] int8 rows as [n4 / 4][k16 / 16][4][16] (zero padded)."""
    n, k = rows.shape
    n4, k16 = round_up(n, 4), round_up(k, 16)
    padded = np.zeros((n4, k16), dtype=np.int8)
    padded[:n, :k] = rows
    return padded.reshape(n4 // 4, 4, k16 // 16, 16).transpose(0, 2, 1, 3).reshape(-1)


def quant_blocks(bias: np.ndarray, mults: list[int], shifts: list[int]) -> np.ndarray:
    """[n4 / 4][4][4] int32: per group of 4 channels the -max(-shift, 0), folded biases,
    multipliers and max(shift, 0) (the ``quant`` array of mcu_mve_mm_t)."""
    n4 = len(bias)
    mult, left, neg_right = requant_arrays(mults, shifts, n4)
    fields = np.stack([neg_right, bias, mult, left])  # [4][n4]
    return fields.reshape(4, n4 // 4, 4).transpose(1, 0, 2).reshape(-1)


def general_requant(shifts: list[int]) -> int:
    """0 when every shift is < 0 (the kernel's shorter requantization applies), else 1."""
    return int(any(s >= 0 for s in shifts))


def mm_struct(ctx: EmitContext, op: Op, rows: np.ndarray, bias: np.ndarray | None,
              input_zero_point: int, mults: list[int], shifts: list[int],
              output_offset: int, act_min: int, act_max: int) -> str:
    """The C initializer of an mcu_mve_mm_t for the filter ``rows`` ([n, k] int8)."""
    n, k = rows.shape
    n4 = round_up(n, 4)
    sums = rows.astype(np.int64).sum(axis=1)
    folded = folded_bias(bias, sums, input_zero_point, n4)
    weights = ctx.const_array(op, "mve_filter", "int8_t", weight_blocks(rows))
    q = ctx.const_array(op, "mve_quant", "int32_t", quant_blocks(folded, mults, shifts))
    fields = [f".weights = {weights}", f".quant = {q}", f".k = {k}", f".n_out = {n}",
              f".output_offset = {output_offset}", f".act_min = {act_min}",
              f".act_max = {act_max}", f".general = {general_requant(shifts)}"]
    return "{ " + ", ".join(fields) + " }"
