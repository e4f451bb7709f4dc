"""TRANSPOSE, DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND and SPACE_TO_BATCH_ND
(int8): layout changes, run by the ``copy_s8`` kernel.

Each is a permutation of the elements, written as boxes over the output in
TFLite's own loop order. None of them looks at quantization in TFLite Micro:
the bytes are copied unchanged, and so do we.

- TRANSPOSE: one box over the output, reading the input with permuted strides.
- DEPTH_TO_SPACE / SPACE_TO_DEPTH: one 6-D box, [N, H, b, W, b, C'] on the
  space side against [N, H, W, b, b, C'] on the depth side.
- BATCH_TO_SPACE_ND: one 4-D box per block position (i, j): the input batch
  ``(i * block_w + j) * N + n`` fills output rows ``h * block_h + i - crop_top``
  and columns ``w * block_w + j - crop_left``, clipped to the output.
- SPACE_TO_BATCH_ND: the inverse walk. TFLite Micro fills padded positions with
  a value it never initializes (``SpaceToBatchParams.output_offset``: the
  result depends on the arena's earlier contents), so only paddings of zero are
  supported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import Emission, EmitContext, OpDef, out
from .common import opt_int
from .movement import Box, arity, const_int_input, const_ints, copy_emission, int8_data, row_major
from .quantize import NoAttrs

#: TFLite Micro's TRANSPOSE takes 1-D to 5-D tensors.
MAX_TRANSPOSE_RANK = 5


# ---- TRANSPOSE ---------------------------------------------------------------------------


def _perm(g: Graph, op: Op) -> tuple[int, ...] | None:
    values = const_ints(g, op, 1)
    if values is None or values.ndim != 1:
        return None
    return tuple(int(v) for v in values)


def _transpose_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 1 to 5; the permutation holds each dimension once; the output
    shape is the input's permuted"""
    x = g.tensors[op.inputs[0]].shape
    if not 1 <= len(x) <= MAX_TRANSPOSE_RANK:
        return f"input has rank {len(x)}, expected 1 to {MAX_TRANSPOSE_RANK}"
    perm = _perm(g, op)
    if perm is None or sorted(perm) != list(range(len(x))):
        return f"the permutation {list(perm or ())} is not a permutation of {len(x)} dimensions"
    expected = tuple(x[p] for p in perm)
    if out(g, op).shape != expected:
        return f"output shape {list(out(g, op).shape)}, expected {list(expected)}"
    return None


class Transpose(OpDef):
    kind = OpKind.TRANSPOSE
    summary = "permute the dimensions of an int8 tensor (bytes copied unchanged)"
    rules = (
        arity((2, 2)),
        int8_data((0,)),
        const_int_input(1, "the permutation"),
        _transpose_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        x, o = g.tensors[op.inputs[0]].shape, out(g, op).shape
        perm = _perm(g, op)
        assert perm is not None
        in_strides = row_major(x)
        box = Box(0, 0, 0, 0, o, tuple(in_strides[p] for p in perm), row_major(o))
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], [box])


# ---- DEPTH_TO_SPACE, SPACE_TO_DEPTH ------------------------------------------------------


@dataclass(frozen=True)
class BlockAttrs(OpAttrs):
    block_size: int


def _space_depth_box(space: Sequence[int], depth: Sequence[int], b: int,
                     to_space: bool) -> Box:
    """The box between a space-side tensor [N, H*b, W*b, C] and its depth-side
    [N, H, W, b*b*C], walked in the destination's row-major order."""
    n, h, w, c = depth[0], depth[1], depth[2], depth[3] // (b * b)
    # Depth side element (n, y, x, (i * b + j) * c + k) is space side
    # element (n, y * b + i, x * b + j, k).
    dims_space = (n, h, b, w, b, c)   # walk order (n, y, i, x, j, k) = space row-major
    ss = row_major(space)
    space_strides = (ss[0], b * ss[1], ss[1], b * ss[2], ss[2], 1)
    ds = row_major(depth)
    depth_strides = (ds[0], ds[1], b * c, ds[2], c, 1)
    if to_space:
        return Box(0, 0, 0, 0, dims_space, depth_strides, space_strides)
    dims_depth = (n, h, w, b, b, c)   # walk order (n, y, x, i, j, k) = depth row-major
    perm = (0, 1, 3, 2, 4, 5)
    return Box(0, 0, 0, 0, dims_depth, tuple(space_strides[p] for p in perm),
               tuple(depth_strides[p] for p in perm))


def _block_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 4; block_size >= 1; the output shape is TFLite's:
    DEPTH_TO_SPACE [N, H*b, W*b, C/(b*b)], SPACE_TO_DEPTH [N, H/b, W/b, C*b*b], with
    C (or H and W) divisible as needed"""
    a = op.attrs
    assert isinstance(a, BlockAttrs)
    x = g.tensors[op.inputs[0]].shape
    if len(x) != 4:
        return f"input has rank {len(x)}, expected 4"
    b = a.block_size
    if b < 1:
        return f"block_size is {b}"
    if op.kind is OpKind.DEPTH_TO_SPACE:
        if x[3] % (b * b):
            return f"{x[3]} channels are not divisible by {b * b}"
        expected = (x[0], x[1] * b, x[2] * b, x[3] // (b * b))
    else:
        if x[1] % b or x[2] % b:
            return f"height {x[1]} and width {x[2]} are not divisible by {b}"
        expected = (x[0], x[1] // b, x[2] // b, x[3] * b * b)
    if out(g, op).shape != expected:
        return f"output shape {list(out(g, op).shape)}, expected {list(expected)}"
    return None


class DepthToSpace(OpDef):
    kind = OpKind.DEPTH_TO_SPACE
    summary = "move blocks of channels into height and width, NHWC int8 (bytes copied unchanged)"
    rules = (arity((1, 1)), int8_data((0,)), _block_rule)

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return BlockAttrs(block_size=opt_int(options, "block_size"))

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        assert isinstance(op.attrs, BlockAttrs)
        box = _space_depth_box(out(g, op).shape, g.tensors[op.inputs[0]].shape,
                               op.attrs.block_size, to_space=True)
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], [box])


class SpaceToDepth(DepthToSpace):
    kind = OpKind.SPACE_TO_DEPTH
    summary = "move blocks of height and width into channels, NHWC int8 (bytes copied unchanged)"

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        assert isinstance(op.attrs, BlockAttrs)
        box = _space_depth_box(g.tensors[op.inputs[0]].shape, out(g, op).shape,
                               op.attrs.block_size, to_space=False)
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], [box])


# ---- BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND ------------------------------------------------


def _nhwc(shape: Sequence[int]) -> tuple[int, int, int, int]:
    """TFLite's ExtendShapeBatchToSpace: [N, H, C] is read as [N, H, 1, C]."""
    if len(shape) == 3:
        return shape[0], shape[1], 1, shape[2]
    return shape[0], shape[1], shape[2], shape[3]


def _block_geometry(g: Graph, op: Op) -> tuple[tuple[int, int], np.ndarray] | str:
    """(block_h, block_w) and the [2, 2] crops (or paddings), 3-D ops extended to 4-D."""
    x = g.tensors[op.inputs[0]].shape
    if len(x) not in (3, 4):
        return f"input has rank {len(x)}, expected 3 or 4"
    spatial = len(x) - 2
    block, margins = const_ints(g, op, 1), const_ints(g, op, 2)
    if block is None or margins is None:
        return "the block shape and crops/paddings must be constant int32 tensors"
    if block.shape != (spatial,) or margins.shape != (spatial, 2):
        return f"the block shape must be [{spatial}] and crops/paddings [{spatial}, 2]"
    if (block < 1).any() or (margins < 0).any():
        return "the block shape must be >= 1 and crops/paddings >= 0"
    bh, bw = int(block[0]), int(block[1]) if spatial == 2 else 1
    if spatial == 1:
        margins = np.concatenate([margins, np.zeros((1, 2), np.int64)])
    return (bh, bw), margins


def _block_boxes(batch: Sequence[int], space: Sequence[int], block: tuple[int, int],
                 margins: np.ndarray, to_space: bool) -> list[Box]:
    """Boxes between the batch side [b_h * b_w * N, H, W, C] and the space side
    [N, H*b_h - top - bottom, W*b_w - left - right, C] (crops for BATCH_TO_SPACE_ND,
    paddings for SPACE_TO_BATCH_ND, whose space side is the input)."""
    (nb, hb, wb, c), (n, hs, ws, _) = _nhwc(batch), _nhwc(space)
    bh, bw = block
    top, left = int(margins[0][0]), int(margins[1][0])
    sb, ss = row_major((nb, hb, wb, c)), row_major((n, hs, ws, c))
    boxes = []
    for i in range(bh):
        for j in range(bw):
            # batch-side row y holds space-side row y * bh + i - top, clipped.
            y_lo = max(0, -(-(top - i) // bh))
            y_hi = min(hb - 1, (hs - 1 + top - i) // bh)
            x_lo = max(0, -(-(left - j) // bw))
            x_hi = min(wb - 1, (ws - 1 + left - j) // bw)
            dims = (n, y_hi - y_lo + 1, x_hi - x_lo + 1, c)
            batch_off = (((i * bw + j) * n) * hb + y_lo) * wb * c + x_lo * c
            space_off = ((y_lo * bh + i - top) * ws + (x_lo * bw + j - left)) * c
            batch_strides = sb
            space_strides = (ss[0], bh * ss[1], bw * ss[2], 1)
            if to_space:
                boxes.append(Box(0, batch_off, 0, space_off, dims, batch_strides, space_strides))
            else:
                boxes.append(Box(0, space_off, 0, batch_off, dims, space_strides, batch_strides))
    return boxes


def _expected_shape(g: Graph, op: Op, block: tuple[int, int], margins: np.ndarray
                    ) -> tuple[int, ...] | str:
    x = g.tensors[op.inputs[0]].shape
    n, h, w, c = _nhwc(x)
    bh, bw = block
    (top, bottom), (left, right) = (int(v) for v in margins[0]), (int(v) for v in margins[1])
    if op.kind is OpKind.BATCH_TO_SPACE_ND:
        if n % (bh * bw):
            return f"batch {n} is not divisible by the block size {bh * bw}"
        shape = (n // (bh * bw), h * bh - top - bottom, w * bw - left - right, c)
    else:
        if (h + top + bottom) % bh or (w + left + right) % bw:
            return "the padded height and width are not divisible by the block shape"
        shape = (n * bh * bw, (h + top + bottom) // bh, (w + left + right) // bw, c)
    return shape if len(x) == 4 else (shape[0], shape[1], shape[3])


def _batch_space_check(g: Graph, op: Op) -> str | None:
    geometry = _block_geometry(g, op)
    if isinstance(geometry, str):
        return geometry
    block, margins = geometry
    if op.kind is OpKind.SPACE_TO_BATCH_ND and margins.any():
        return "non-zero paddings (TFLite Micro pads with an uninitialized value)"
    expected = _expected_shape(g, op, block, margins)
    if isinstance(expected, str):
        return expected
    if out(g, op).shape != expected or min(expected) < 0:
        return f"output shape {list(out(g, op).shape)}, expected {list(expected)}"
    return None


def _batch_to_space_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 3 or 4 (NHC or NHWC); the block shape holds one value >= 1 per
    spatial dimension and the crops are [spatial, 2], >= 0; the batch is divisible by
    the block size; the output shape is [N / (b_h * b_w), H * b_h - crops, W * b_w -
    crops, C]"""
    return _batch_space_check(g, op)


def _space_to_batch_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 3 or 4 (NHC or NHWC); the block shape holds one value >= 1 per
    spatial dimension and divides the height and width; the paddings are [spatial, 2]
    and all 0 (TFLite Micro pads with a value it never initializes); the output shape
    is [N * b_h * b_w, H / b_h, W / b_w, C]"""
    return _batch_space_check(g, op)


class BatchToSpaceND(OpDef):
    kind = OpKind.BATCH_TO_SPACE_ND
    summary = "move batch blocks back into height and width, then crop, NHWC or NHC int8 " \
        "(bytes copied unchanged)"
    rules = (
        arity((3, 3)),
        int8_data((0,)),
        const_int_input(1, "the block shape"),
        const_int_input(2, "the crops"),
        _batch_to_space_rule,
    )

    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return NoAttrs()

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        geometry = _block_geometry(g, op)
        assert not isinstance(geometry, str)
        block, margins = geometry
        x, o = g.tensors[op.inputs[0]].shape, out(g, op).shape
        to_space = op.kind is OpKind.BATCH_TO_SPACE_ND
        batch, space = (x, o) if to_space else (o, x)
        boxes = _block_boxes(batch, space, block, margins, to_space)
        return copy_emission(g, op, ctx, op.inputs[:1], op.outputs[:1], boxes)


class SpaceToBatchND(BatchToSpaceND):
    kind = OpKind.SPACE_TO_BATCH_ND
    summary = "move blocks of height and width into the batch, NHWC or NHC int8, without " \
        "padding (bytes copied unchanged)"
    rules = (
        arity((3, 3)),
        int8_data((0,)),
        const_int_input(1, "the block shape"),
        const_int_input(2, "the paddings"),
        _space_to_batch_rule,
    )
