"""The const "stream" of the DSP matrix-product core (runtime_c/dsp_mat_mult_s8.h):
filter rows widened to int16 pairs in SXTB16 order, the input zero point folded into
the bias, and each row's requantization, rows in blocks of 6 laid out in the order the
kernels read them. Shared by the DSP CONV_2D and FULLY_CONNECTED variants."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fixedpoint import multiply_by_quantized_multiplier

#: Epilogue modes (MCU_DSP_FAST_SAT, MCU_DSP_FAST_CLAMP, MCU_DSP_GENERIC,
#: MCU_DSP_FAST_SAT_NOFIX).
FAST_SAT, FAST_CLAMP, GENERIC, FAST_SAT_NOFIX = 0, 1, 2, 3
#: The C name suffix of each SSAT mode's assembly objects (mcu_dsp_mm_col_sat, ...).
ASM_TAILS = {FAST_SAT: "sat", FAST_SAT_NOFIX: "nofix"}
#: MCU_DSP_COLS_STACK_GROUPS, MCU_DSP_RAW_STACK_GROUPS (dsp_mat_mult_s8.h, _raw_s8.h).
COLS_STACK_GROUPS, RAW_STACK_GROUPS = 32, 40
#: The runtime files of the core and the header it needs.
KERNELS = ("dsp_mat_mult_s8", "dsp_mat_mult_raw_s8", "dsp_mm_common", "mcu_arm_dsp")
#: Largest right shift e of the fast epilogue (R = 2^(e-1) + zp * 2^e stays small).
MAX_FAST_SHIFT = 21


def groups(k: int) -> int:
    """Groups of four terms of a dot product of k terms."""
    return -(-k // 4)


#: Rows of a full block of the stream (MCU_DSP_BLOCK).
BLOCK = 6


def scratch_bytes(k: int) -> int:
    """One int16 column plus an int8 patch (MCU_DSP_*_SCRATCH_BYTES)."""
    return 12 * groups(k)


def block_sizes(n: int, block: int = BLOCK) -> list[int]:
    """Rows of each block of the stream for n rows: ``block`` each; with block 6
    (MCU_DSP_BLOCK) the last one has the rows left rounded up to an even count."""
    if block != BLOCK:
        return [block] * -(-n // block)
    sizes = [BLOCK] * (n // BLOCK)
    if n % BLOCK:
        sizes.append(min(BLOCK, (n % BLOCK + 1) & ~1))
    return sizes


def _wrap32(v: np.ndarray) -> np.ndarray:
    return ((v.astype(np.int64) + 2**31) % 2**32 - 2**31).astype(np.int64)


@dataclass(frozen=True)
class Stream:
    words: np.ndarray   # int32 values of the const array
    groups: int
    mode: int


def _fast_channel(m: int, shift: int, bound: int) -> bool:
    """The fast epilogue is exact for this row: 1 <= -shift <= MAX_FAST_SHIFT,
    multiplier >= 2^30 and the reference accumulator |bias + sum w (x - zx)| <= bound
    < 2^30 for every int8 input (so 2 * acc fits in int32)."""
    return 1 <= -shift <= MAX_FAST_SHIFT and m >= 2**30 and bound < 2**30


def _constant_output(bias: int, spread: int, m: int, shift: int, output_zp: int,
                     act: tuple[int, int]) -> int | None:
    """The row's output when it is the same for every input, else None. The reference
    output is non-decreasing in its accumulator (in [bias - spread, bias + spread])
    when nothing wraps, so equal outputs at both ends mean a constant."""
    lo, hi = bias - spread, bias + spread
    if shift > 0 or max(abs(lo), abs(hi)) >= 2**31:
        return None

    def out(acc: int) -> int:
        v = multiply_by_quantized_multiplier(acc, m, shift) + output_zp
        return min(max(v, act[0]), act[1])

    a, b = out(lo), out(hi)
    return a if a == b else None


def fast_ok(rows: np.ndarray, bias: np.ndarray, input_zp: int, mults: list[int],
            shifts: list[int], output_zp: int = 0,
            act: tuple[int, int] = (-128, 127)) -> bool:
    """Whether the fast epilogue serves every row: each is exact in it
    (_fast_channel) or has a constant output (then stored as one)."""
    return all(k is not None for k in row_kinds(rows, bias, input_zp, mults, shifts,
                                              output_zp, act))


def row_kinds(rows: np.ndarray, bias: np.ndarray, input_zp: int, mults: list[int],
           shifts: list[int], output_zp: int, act: tuple[int, int]) -> list[int | str | None]:
    """Per row: "fast", a constant output (int), or None (needs the generic epilogue)."""
    max_dx = max(128 + input_zp, 127 - input_zp)
    spread = np.abs(rows.astype(np.int64)).sum(axis=1) * max_dx
    kinds: list[int | str | None] = []
    for r in range(len(mults)):
        b, sp = int(bias[r]), int(spread[r])
        if _fast_channel(mults[r], shifts[r], abs(b) + sp):
            kinds.append("fast")
        else:
            kinds.append(_constant_output(b, sp, mults[r], shifts[r], output_zp, act))
    return kinds


def epilogue_mode(fast: bool, output_zp: int, act: tuple[int, int]) -> int:
    """The stream's mode: generic unless every row is fast or constant; SSAT with the
    whole int8 range, without the sign fix when the output zero point is -128 too (the
    fix then never changes a stored byte: proof in runtime_c/dsp_mat_mult_s8.h), else
    the act clamp."""
    if not fast:
        return GENERIC
    if act != (-128, 127):
        return FAST_CLAMP
    return FAST_SAT_NOFIX if output_zp == -128 else FAST_SAT


def build(rows: np.ndarray, bias: np.ndarray | None, input_zp: int, output_zp: int,
          mults: list[int], shifts: list[int], act: tuple[int, int],
          block: int = BLOCK) -> Stream:
    """The stream for filter ``rows`` [n, k] (int8), one (mult, shift) per row, in
    blocks of ``block_sizes(n, block)`` rows (the kernels read blocks of 6)."""
    n, k = rows.shape
    g = groups(k)
    sizes = block_sizes(n, block)
    n_pad = sum(sizes)
    w = np.zeros((n_pad, 4 * g), dtype=np.int64)
    w[:n, :k] = rows
    b = np.zeros(n, dtype=np.int64) if bias is None else np.asarray(bias, dtype=np.int64)
    b_fold = _wrap32(b - input_zp * w[:n].sum(axis=1))
    kinds = row_kinds(w[:n], b, input_zp, mults, shifts, output_zp, act)
    fast = all(k is not None for k in kinds)
    mode = epilogue_mode(fast, output_zp, act)
    head = np.zeros(n_pad, dtype=np.int64)
    trailer = np.zeros((n_pad, 3), dtype=np.int64)
    if fast:
        w = 2 * w
        head[:n] = _wrap32(2 * b_fold)
        for r, kind in enumerate(kinds):
            if kind == "fast":
                e = -shifts[r]
                trailer[r] = (mults[r], 2 ** (e - 1) + output_zp * 2**e, e)
            else:  # a constant c: no weights, x2 = 0, (R = 2c + 1) >> 1 = c
                assert isinstance(kind, int)
                w[r] = 0
                head[r] = 0
                trailer[r] = (2**30, 2 * kind + 1, 1)
        trailer[n:] = (2**30, 0, 1)
    else:
        head[:n] = b_fold
        for r in range(n):
            trailer[r] = (mults[r], shifts[r], 0)
    # group words: (w0, w2), (w1, w3), bottom lane first
    q = w.reshape(n_pad, g, 4) & 0xFFFF
    words = np.stack([q[:, :, 0] | (q[:, :, 2] << 16), q[:, :, 1] | (q[:, :, 3] << 16)], axis=2)
    words = _wrap32(words)  # [rows, g, 2]
    blocks = []
    p = 0
    for nb in sizes:
        body = words[p:p + nb].transpose(1, 0, 2).reshape(-1)  # [g][row][2]
        blocks.append(np.concatenate([head[p:p + nb], body, trailer[p:p + nb].reshape(-1)]))
        p += nb
    out = np.concatenate(blocks).astype(np.int32)
    assert out.size == n_pad * (1 + 2 * g + 3)
    return Stream(out, g, mode)


def asm_paths(groups: int, n_out: int, columns: bool, scratch: bool) -> set[str]:
    """The matrix-core paths (assembly families) an op reaches on Arm, as the kernels
    choose them (mcu_dsp_conv_s8 / mcu_dsp_fully_connected_s8): ``columns``: its inputs
    are consecutive raw columns (direct 1x1 conv, FC with depth % 4 == 0). "col":
    mcu_dsp_mat_mult_s8, "raw": mcu_dsp_mat_mult_raw_s8's blocks, "cols" / "cols_frame":
    mcu_dsp_mat_mult_cols_s8's loops."""
    if columns and (scratch or groups <= COLS_STACK_GROUPS):
        if n_out % 2:
            return {"col"}
        return {"cols_frame" if groups <= COLS_STACK_GROUPS else "cols"}
    if not scratch and groups > RAW_STACK_GROUPS:
        return {"raw"}
    return {"col"}


def mm_fields(s: Stream, n_out: int, output_zp: int, act: tuple[int, int],
              block: int = BLOCK, paths: set[str] | None = None) -> dict[str, int | str]:
    """The mcu_dsp_mm_params_t fields, as designators of the enclosing struct. The
    *_asm fields name, in an SSAT mode, the assembly of that mode's tail for the
    ``paths`` (asm_paths) the op takes, and nothing else, so the linker drops every
    function no op needs; NULL elsewhere (the C path, same results)."""
    tail = ASM_TAILS.get(s.mode)
    asm: dict[str, int | str] = {}
    for field, family in (("col_asm", "col"), ("raw_asm", "raw"), ("cols_asm", "cols"),
                          ("cols_asm", "cols_frame")):
        if tail is not None and paths is not None and family in paths:
            asm[f"mm.{field}"] = f"&mcu_dsp_mm_{family}_{tail}"
        else:
            asm.setdefault(f"mm.{field}", "NULL")
    return {"mm.groups": s.groups, "mm.n_out": n_out, "mm.mode": s.mode,
            "mm.output_offset": output_zp, "mm.act_min": act[0], "mm.act_max": act[1],
            "mm.block": block, **asm}
