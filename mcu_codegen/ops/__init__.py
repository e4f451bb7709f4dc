"""One definition per supported operator; ``OPS`` maps each OpKind to it."""

from __future__ import annotations

from ..ir import OpKind
from .activation import Relu, Relu6
from .add import Add
from .arg_min_max import ArgMax, ArgMin
from .arithmetic import Mul, SquaredDifference, Sub
from .base import OpDef
from .batch_matmul import BatchMatMul
from .conv import Conv2D, DepthwiseConv2D
from .fully_connected import FullyConnected
from .gather import Gather
from .join import Concatenation, Split, SplitV, Unpack
from .l2norm import L2Normalization
from .layout import BatchToSpaceND, DepthToSpace, SpaceToBatchND, SpaceToDepth, Transpose
from .log_softmax import LogSoftmax
from .lookup import Elu, HardSwish, LeakyRelu, Logistic, Tanh
from .lstm import UnidirectionalSequenceLstm
from .minmax import Maximum, Minimum
from .pad import Pad, PadV2
from .pool import AveragePool2D, MaxPool2D
from .prelu import Prelu
from .quantize import Dequantize, Quantize
from .reduce import Mean, ReduceMax, Sum
from .reshape import ExpandDims, Reshape, Squeeze
from .resize import ResizeBilinear, ResizeNearestNeighbor
from .shape_ops import Fill, Pack, Shape, StridedSlice
from .slicing import Slice
from .softmax import Softmax
from .svdf import Svdf
from .transpose_conv import TransposeConv

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
        ArgMax(),
        ArgMin(),
        BatchMatMul(),
        L2Normalization(),
        Mean(),
        ReduceMax(),
        Sum(),
        TransposeConv(),
        Svdf(),
        UnidirectionalSequenceLstm(),
        BatchToSpaceND(),
        Concatenation(),
        DepthToSpace(),
        Gather(),
        ResizeBilinear(),
        ResizeNearestNeighbor(),
        Slice(),
        SpaceToBatchND(),
        SpaceToDepth(),
        Split(),
        SplitV(),
        Transpose(),
        Unpack(),
        Elu(),
        HardSwish(),
        LeakyRelu(),
        LogSoftmax(),
        Logistic(),
        Maximum(),
        Minimum(),
        Mul(),
        Prelu(),
        SquaredDifference(),
        Sub(),
        Tanh(),
    )
}


def opdef(kind: OpKind) -> OpDef:
    return OPS[kind]


__all__ = ["OPS", "OpDef", "opdef"]
