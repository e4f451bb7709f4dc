"""Typed IR for a single-subgraph TFLite model.

Tensors and ops are immutable dataclasses; passes build new graphs with
``dataclasses.replace``. Tensor indices are positions in ``Graph.tensors``;
an op input of ``-1`` is an absent optional tensor (e.g. no bias).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ModelError


class DType(enum.Enum):
    """Element types, with their C type and size in bytes."""

    INT8 = ("int8", "int8_t", 1)
    UINT8 = ("uint8", "uint8_t", 1)
    INT16 = ("int16", "int16_t", 2)
    INT32 = ("int32", "int32_t", 4)
    INT64 = ("int64", "int64_t", 8)
    FLOAT32 = ("float32", "float", 4)
    BOOL = ("bool", "uint8_t", 1)
    FLOAT16 = ("float16", "uint16_t", 2)
    FLOAT64 = ("float64", "double", 8)

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def ctype(self) -> str:
        return self.value[1]

    @property
    def itemsize(self) -> int:
        return self.value[2]

    @property
    def numpy(self) -> np.dtype[Any]:
        return np.dtype("bool" if self is DType.BOOL else self.label)


class OpKind(enum.Enum):
    """The TFLite builtin operators mcu-codegen knows by name.

    Knowing a name does not mean supporting it: support is decided by the
    op's definition in ``mcu_codegen.ops``.
    """

    ADD = "ADD"
    ARG_MAX = "ARG_MAX"
    ARG_MIN = "ARG_MIN"
    AVERAGE_POOL_2D = "AVERAGE_POOL_2D"
    BATCH_MATMUL = "BATCH_MATMUL"
    CONV_2D = "CONV_2D"
    DEPTHWISE_CONV_2D = "DEPTHWISE_CONV_2D"
    DEQUANTIZE = "DEQUANTIZE"
    EXPAND_DIMS = "EXPAND_DIMS"
    FILL = "FILL"
    FULLY_CONNECTED = "FULLY_CONNECTED"
    L2_NORMALIZATION = "L2_NORMALIZATION"
    MAX_POOL_2D = "MAX_POOL_2D"
    MEAN = "MEAN"
    PACK = "PACK"
    PAD = "PAD"
    PADV2 = "PADV2"
    QUANTIZE = "QUANTIZE"
    REDUCE_MAX = "REDUCE_MAX"
    RELU = "RELU"
    RELU6 = "RELU6"
    RESHAPE = "RESHAPE"
    SHAPE = "SHAPE"
    STRIDED_SLICE = "STRIDED_SLICE"
    SOFTMAX = "SOFTMAX"
    SQUEEZE = "SQUEEZE"
    SUM = "SUM"
    SVDF = "SVDF"
    TRANSPOSE_CONV = "TRANSPOSE_CONV"
    UNIDIRECTIONAL_SEQUENCE_LSTM = "UNIDIRECTIONAL_SEQUENCE_LSTM"
    BATCH_TO_SPACE_ND = "BATCH_TO_SPACE_ND"
    CONCATENATION = "CONCATENATION"
    DEPTH_TO_SPACE = "DEPTH_TO_SPACE"
    GATHER = "GATHER"
    RESIZE_BILINEAR = "RESIZE_BILINEAR"
    RESIZE_NEAREST_NEIGHBOR = "RESIZE_NEAREST_NEIGHBOR"
    SLICE = "SLICE"
    SPACE_TO_BATCH_ND = "SPACE_TO_BATCH_ND"
    SPACE_TO_DEPTH = "SPACE_TO_DEPTH"
    SPLIT = "SPLIT"
    SPLIT_V = "SPLIT_V"
    TRANSPOSE = "TRANSPOSE"
    UNPACK = "UNPACK"
    ELU = "ELU"
    HARD_SWISH = "HARD_SWISH"
    LEAKY_RELU = "LEAKY_RELU"
    LOG_SOFTMAX = "LOG_SOFTMAX"
    LOGISTIC = "LOGISTIC"
    MAXIMUM = "MAXIMUM"
    MINIMUM = "MINIMUM"
    MUL = "MUL"
    PRELU = "PRELU"
    SQUARED_DIFFERENCE = "SQUARED_DIFFERENCE"
    SUB = "SUB"
    TANH = "TANH"


@dataclass(frozen=True)
class QuantParams:
    """Affine quantization: real = scale * (q - zero_point), per tensor or per axis."""

    scales: tuple[float, ...]
    zero_points: tuple[int, ...]
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scales) > 1

    @property
    def scale(self) -> float:
        """The per-tensor scale (the first one for per-channel parameters)."""
        return self.scales[0]

    @property
    def zero_point(self) -> int:
        return self.zero_points[0]


@dataclass(frozen=True, eq=False)
class Tensor:
    """A tensor: shape, element type, quantization and, for constants, its data."""

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: DType
    quant: QuantParams | None = None
    data: np.ndarray | None = field(default=None, repr=False)
    is_variable: bool = False

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize


class OpAttrs:
    """Base class of every op's typed attribute dataclass (see ``mcu_codegen.ops``)."""


@dataclass(frozen=True)
class Op:
    """One operator: its kind, typed attributes and tensor indices."""

    index: int
    kind: OpKind
    attrs: OpAttrs
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]

    def describe(self) -> str:
        return f"{self.kind.value} (op {self.index})"


@dataclass(frozen=True)
class Graph:
    """A model: tensors, ops in execution order, and the graph's inputs and outputs."""

    tensors: tuple[Tensor, ...]
    ops: tuple[Op, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    description: str = ""

    def tensor(self, index: int) -> Tensor:
        return self.tensors[index]

    def producers(self) -> dict[int, int]:
        """Map tensor index to the position (in ``ops``) of the op writing it."""
        return {t: pos for pos, op in enumerate(self.ops) for t in op.outputs}

    def consumers(self) -> dict[int, list[int]]:
        """Map tensor index to the positions of the ops reading it."""
        out: dict[int, list[int]] = {}
        for pos, op in enumerate(self.ops):
            for t in op.inputs:
                if t >= 0:
                    out.setdefault(t, []).append(pos)
        return out

    def validate(self) -> None:
        """Check structural invariants; raise ModelError when one is broken.

        Every index is in range, every tensor is written at most once, nothing
        is read before it is written (so the op order is a valid schedule), and
        constants are never written.
        """
        n = len(self.tensors)
        for pos, t in enumerate(self.tensors):
            if t.index != pos:
                raise ModelError(f"tensor {pos} carries index {t.index}")
        for idx in (*self.inputs, *self.outputs):
            if not 0 <= idx < n:
                raise ModelError(f"graph input/output tensor {idx} does not exist")
            if self.tensors[idx].is_const:
                raise ModelError(f"graph input/output tensor {idx} is a constant "
                                 "(nothing to compute: not supported)")
        available = {i for i, t in enumerate(self.tensors) if t.is_const or t.is_variable}
        available.update(self.inputs)
        written: set[int] = set()
        for op in self.ops:
            for idx in op.inputs:
                if idx == -1:
                    continue
                if not 0 <= idx < n:
                    raise ModelError(f"{op.describe()} reads tensor {idx}, which does not exist")
                if idx not in available:
                    raise ModelError(
                        f"{op.describe()} reads tensor {idx} before any op writes it "
                        "(the graph has a cycle or a missing producer)"
                    )
            for idx in op.outputs:
                if not 0 <= idx < n:
                    raise ModelError(f"{op.describe()} writes tensor {idx}, which does not exist")
                if idx in written or idx in self.inputs or self.tensors[idx].is_const:
                    raise ModelError(f"{op.describe()} writes tensor {idx}, which is already set")
                written.add(idx)
                available.add(idx)
        for idx in self.outputs:
            if idx not in available:
                raise ModelError(f"graph output tensor {idx} is never computed")
