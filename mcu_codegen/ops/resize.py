"""RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (int8, NHWC): the ``resize_s8`` kernels.

Nearest neighbour: TFLite's GetNearestNeighbor computes each source row and
column in float32; the generator does that arithmetic here, in numpy float32,
once per output row and column, and emits the two index maps, so the kernel
runs no float code. Bilinear: TFLite Micro's int8 path, ResizeBilinearInteger,
is pure integer arithmetic in Q10; the kernel repeats it, the generator only
computes the two scales and checks every sampled index lies in the input.

Neither op looks at quantization in TFLite Micro (raw int8 values are copied or
interpolated, whatever the output's scale and zero point), and neither do we.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ir import Graph, Op, OpKind
from ..ir.graph import OpAttrs
from .base import CArray, Emission, EmitContext, OpDef, out
from .movement import arity, const_int_input, const_ints, int8_data
from .quant import round_half_away


@dataclass(frozen=True)
class ResizeAttrs(OpAttrs):
    align_corners: bool
    half_pixel_centers: bool


def nearest_index(value: int, in_size: int, out_size: int, align_corners: bool,
                  half_pixel_centers: bool) -> int:
    """tflite::reference_ops::GetNearestNeighbor, float32 arithmetic included."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5) if half_pixel_centers else f32(0.0)
    scaled = float((f32(value) + offset) * scale)
    index = round_half_away(scaled) if align_corners else math.floor(scaled)
    index = min(index, in_size - 1)
    return max(0, index) if half_pixel_centers else index


def bilinear_scale_10(in_size: int, out_size: int, align_corners: bool) -> int:
    """ResizeBilinearInteger's Q10 scale for one axis."""
    if align_corners and out_size > 1:
        return ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    return ((1 << 10) * in_size + out_size // 2) // out_size


def _trunc_div(a: int, b: int) -> int:
    """C's truncating integer division (b > 0)."""
    return a // b if a >= 0 else -((-a) // b)


def bilinear_indices(in_size: int, out_size: int, scale_10: int, half_pixel_centers: bool
                     ) -> list[tuple[int, int]]:
    """ComputeInterpolationValuesInteger's (lower, upper) source index per output index."""
    result = []
    for v in range(out_size):
        s = v * scale_10 + (scale_10 // 2 - (1 << 9) if half_pixel_centers else 0)
        lower = max(_trunc_div(s, 1 << 10), 0)
        upper = min(_trunc_div(s + (1 << 10) - 1, 1 << 10), in_size - 1)
        result.append((lower, upper))
    return result


def _size_rule(g: Graph, op: Op) -> str | None:
    """input 0 has rank 4 with non-empty height and width; the size input holds the
    output's height and width; the output keeps the input's batch and channels"""
    x, o = g.tensors[op.inputs[0]].shape, out(g, op).shape
    if len(x) != 4 or len(o) != 4:
        return f"input has rank {len(x)} and output rank {len(o)}, expected 4"
    if x[1] < 1 or x[2] < 1 or o[1] < 1 or o[2] < 1:
        return "an empty height or width"
    size = const_ints(g, op, 1)
    if size is None or size.shape != (2,) or tuple(int(v) for v in size) != o[1:3]:
        return f"the size input is not [{o[1]}, {o[2]}]"
    if (o[0], o[3]) != (x[0], x[3]):
        return f"output shape {list(o)} does not keep the input's batch and channels"
    return None


def _bilinear_rule(g: Graph, op: Op) -> str | None:
    """align_corners and half_pixel_centers are not both set; every sampled row and
    column lies inside the input"""
    a = op.attrs
    assert isinstance(a, ResizeAttrs)
    if a.align_corners and a.half_pixel_centers:
        return "align_corners and half_pixel_centers are both set"
    x, o = g.tensors[op.inputs[0]].shape, out(g, op).shape
    for axis in (1, 2):
        scale = bilinear_scale_10(x[axis], o[axis], a.align_corners)
        if (o[axis] + 1) * scale + (1 << 10) >= 1 << 31:
            return "the image is too large for 32-bit Q10 coordinates"
        for lo, hi in bilinear_indices(x[axis], o[axis], scale, a.half_pixel_centers):
            if not (0 <= lo < x[axis] and 0 <= hi < x[axis]):
                return "the interpolation would read outside the input"
    return None


class _Resize(OpDef):
    def parse(self, options: Mapping[str, object], op_inputs: Sequence[int]) -> OpAttrs:
        return ResizeAttrs(align_corners=bool(options.get("align_corners", False)),
                           half_pixel_centers=bool(options.get("half_pixel_centers", False)))

    def geometry(self, g: Graph, op: Op) -> dict[str, int | str]:
        x, o = g.tensors[op.inputs[0]].shape, out(g, op).shape
        return {"batches": x[0], "in_h": x[1], "in_w": x[2], "depth": x[3],
                "out_h": o[1], "out_w": o[2]}


class ResizeNearestNeighbor(_Resize):
    kind = OpKind.RESIZE_NEAREST_NEIGHBOR
    summary = "nearest-neighbour resize of int8 NHWC images, align_corners and " \
        "half_pixel_centers included (bytes copied unchanged)"
    rules = (
        arity((2, 2)),
        int8_data((0,)),
        const_int_input(1, "the size"),
        _size_rule,
    )

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        a = op.attrs
        assert isinstance(a, ResizeAttrs)
        fields = self.geometry(g, op)
        maps = []
        for axis, name in ((1, "y_map"), (2, "x_map")):
            n_in, n_out = g.tensors[op.inputs[0]].shape[axis], out(g, op).shape[axis]
            values = tuple(nearest_index(v, n_in, n_out, a.align_corners, a.half_pixel_centers)
                           for v in range(n_out))
            assert all(0 <= v < n_in for v in values)
            symbol = ctx.symbol(op, name)
            maps.append(CArray(symbol, "int32_t", values))
            fields[name] = symbol
        params = ctx.symbol(op, "params")
        call = (f"mcu_resize_nearest_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])});")
        return Emission(kernels=("resize_s8",), call=call,
                        params_type="mcu_resize_nearest_params_t", params_name=params,
                        params=tuple(fields.items()), arrays=tuple(maps))


class ResizeBilinear(_Resize):
    kind = OpKind.RESIZE_BILINEAR
    summary = "bilinear resize of int8 NHWC images with TFLite's integer arithmetic, " \
        "align_corners and half_pixel_centers included"
    rules = (
        arity((2, 2)),
        int8_data((0,)),
        const_int_input(1, "the size"),
        _size_rule,
        _bilinear_rule,
    )

    def emit(self, g: Graph, op: Op, ctx: EmitContext) -> Emission:
        a = op.attrs
        assert isinstance(a, ResizeAttrs)
        x, o = g.tensors[op.inputs[0]].shape, out(g, op).shape
        fields = self.geometry(g, op)
        fields["height_scale_10"] = bilinear_scale_10(x[1], o[1], a.align_corners)
        fields["width_scale_10"] = bilinear_scale_10(x[2], o[2], a.align_corners)
        fields["half_pixel_centers"] = int(a.half_pixel_centers)
        params = ctx.symbol(op, "params")
        call = (f"mcu_resize_bilinear_s8(&{params}, {ctx.cptr(op.inputs[0])}, "
                f"{ctx.ptr(op.outputs[0])});")
        return Emission(kernels=("resize_s8",), call=call,
                        params_type="mcu_resize_bilinear_params_t", params_name=params,
                        params=tuple(fields.items()))
