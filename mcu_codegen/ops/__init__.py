"""One definition per supported operator; ``OPS`` maps each OpKind to it."""

from __future__ import annotations

from ..ir import OpKind
from .activation import Relu, Relu6
from .add import Add
from .base import OpDef
from .conv import Conv2D, DepthwiseConv2D
from .fully_connected import FullyConnected
from .pad import Pad, PadV2
from .pool import AveragePool2D, MaxPool2D
from .quantize import Dequantize, Quantize
from .reshape import ExpandDims, Reshape, Squeeze
from .shape_ops import Fill, Pack, Shape, StridedSlice
from .softmax import Softmax

OPS: dict[OpKind, OpDef] = {
    d.kind: d
    for d in (
        Add(),
        AveragePool2D(),
        Fill(),
        Pack(),
        Pad(),
        PadV2(),
        Relu(),
        Relu6(),
        Shape(),
        StridedSlice(),
        Conv2D(),
        DepthwiseConv2D(),
        Dequantize(),
        ExpandDims(),
        FullyConnected(),
        MaxPool2D(),
        Quantize(),
        Reshape(),
        Softmax(),
        Squeeze(),
    )
}


def opdef(kind: OpKind) -> OpDef:
    return OPS[kind]


__all__ = ["OPS", "OpDef", "opdef"]
