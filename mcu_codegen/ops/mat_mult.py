"""Filter layout of the matrix-multiply kernels (runtime_c/mat_mult_s8.h): rows, padded
with zeros to a multiple of MCU_MAT_MULT_BLOCK where that is cheap."""

from __future__ import annotations

import numpy as np

from ..ir import Op
from .base import EmitContext

#: MCU_MAT_MULT_BLOCK in runtime_c/mat_mult_s8.h: the kernels' fixed inner loop length.
MAT_MULT_BLOCK = 16
#: The runtime files every matrix-multiply user needs besides its own kernel.
KERNEL = "mat_mult_s8"


def padded_len(k: int) -> int:
    """The filter row length for a dot product of k terms: k rounded up to a multiple
    of MAT_MULT_BLOCK when that adds at most k / 2 zeros (the kernel's fixed-length
    loop then covers the whole row), else k itself (the kernel finishes the last
    k % 16 terms in a short scalar loop instead of multiplying many zeros)."""
    rounded = -(-k // MAT_MULT_BLOCK) * MAT_MULT_BLOCK
    return rounded if 2 * (rounded - k) <= k else k


def filter_rows(ctx: EmitContext, op: Op, rows: np.ndarray, k_pad: int, tensor: int) -> str:
    """A C expression for the filter as [n_rows, k_pad] int8 rows (zero padded).
    ``rows`` is the data of the weight tensor ``tensor``, which is used as is when no
    padding is needed (so its bytes are emitted only once)."""
    n_rows, k = rows.shape
    if k_pad == k:
        return ctx.cptr(tensor)
    padded = np.zeros((n_rows, k_pad), dtype=np.int8)
    padded[:, :k] = rows
    return ctx.const_array(op, "filter", "int8_t", padded)
