"""A small TFLite flatbuffer writer for the mcu-codegen test suite.

Builds int8 (and float/int16/int32 helper) ``.tflite`` models without
TensorFlow, using the flatbuffers-generated ``tflite`` schema package.

Low level API::

    mb = ModelBuilder()
    x = mb.add_tensor("x", [1, 8, 8, 3], "int8", QParams([0.02], [5]))
    w = mb.add_tensor("w", [4, 3, 3, 3], "int8", QParams(scales, [0] * 4, 0), data=w_q)
    b = mb.add_tensor("b", [4], "int32", QParams(bias_scales, [0] * 4), data=b_q)
    y = mb.add_tensor("y", [1, 8, 8, 4], "int8", QParams([0.1], [-3]))
    mb.add_op("CONV_2D", [x, w, b], [y], {"padding": "SAME", "stride_w": 1, "stride_h": 1})
    mb.set_io([x], [y])
    model_bytes = mb.build()

Builtin options are given as a dict keyed by the snake_case schema field name
(``stride_w``, ``fused_activation_function``, ``new_shape`` ...).  Enum fields
accept the enum member name as a string (``"SAME"``, ``"RELU6"``); vector
fields accept any sequence.  ``OP_TABLE`` maps each opcode to its options
table (and per-op defaults); adding an op is usually a one-line entry.

Conventions written (and accepted by TFLM):
  * file identifier ``TFL3``, schema version 3;
  * buffer 0 is the empty sentinel; every constant tensor has its own buffer
    (data little-endian, 16-byte aligned); non-constant tensors use buffer 0;
  * every tensor gets a QuantizationParameters table (empty when unquantized),
    per-channel zero points are expanded to the number of scales;
  * operator codes carry both ``deprecated_builtin_code`` (min(code, 127)) and
    ``builtin_code``; version defaults to 1 (TFLM ignores op versions).

High level helpers (``conv2d_model``, ``depthwise_conv2d_model``,
``fully_connected_model``, ``pool2d_model``, ``add_model``, ``softmax_model``,
``quantize_model``, ``dequantize_model``, ``reshape_model``,
``squeeze_model``, ``expand_dims_model``, ``single_op_model``) return the
serialized model bytes.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import flatbuffers
import numpy as np
import tflite
from tflite.ActivationFunctionType import ActivationFunctionType
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions
from tflite.FullyConnectedOptionsWeightsFormat import FullyConnectedOptionsWeightsFormat
from tflite.MirrorPadMode import MirrorPadMode
from tflite.Padding import Padding
from tflite.TensorType import TensorType

__all__ = [
    "QParams",
    "TensorSpec",
    "TensorInfo",
    "OpInfo",
    "OP_TABLE",
    "ModelBuilder",
    "conv_output_size",
    "quantize_array",
    "dequantize_array",
    "describe_io",
    "read_tensors",
    "single_op_model",
    "conv2d_model",
    "depthwise_conv2d_model",
    "fully_connected_model",
    "pool2d_model",
    "add_model",
    "softmax_model",
    "quantize_model",
    "dequantize_model",
    "reshape_model",
    "squeeze_model",
    "expand_dims_model",
]

TFLITE_FILE_IDENTIFIER = b"TFL3"
TFLITE_SCHEMA_VERSION = 3
_BUFFER_ALIGNMENT = 16

# ----------------------------------------------------------------------------
# Types
# ----------------------------------------------------------------------------

# dtype name -> (TensorType enum, numpy little-endian dtype)
_DTYPES: dict[str, tuple[int, np.dtype]] = {
    "float32": (TensorType.FLOAT32, np.dtype("<f4")),
    "int8": (TensorType.INT8, np.dtype("i1")),
    "uint8": (TensorType.UINT8, np.dtype("u1")),
    "int16": (TensorType.INT16, np.dtype("<i2")),
    "int32": (TensorType.INT32, np.dtype("<i4")),
    "int64": (TensorType.INT64, np.dtype("<i8")),
    "bool": (TensorType.BOOL, np.dtype("?")),
}
_TENSOR_TYPE_TO_NAME = {tt: name for name, (tt, _) in _DTYPES.items()}


def _dtype_name(dtype: str | np.dtype | type) -> str:
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    if name not in _DTYPES:
        raise ValueError(f"unsupported tensor dtype {dtype!r}; expected one of {sorted(_DTYPES)}")
    return name


@dataclass
class QParams:
    """Affine quantization: ``real = scale * (q - zero_point)``.

    One scale = per-tensor; several scales = per-channel along
    ``quantized_dimension``.  A single zero point is broadcast to all channels.
    Scalars are accepted for convenience (``QParams(0.5, -3)``).
    """

    scale: list[float]
    zero_point: list[int]
    quantized_dimension: int = 0

    def __post_init__(self) -> None:
        self.scale = [float(s) for s in np.atleast_1d(np.asarray(self.scale, dtype=np.float64))]
        self.zero_point = [
            int(z) for z in np.atleast_1d(np.asarray(self.zero_point, dtype=np.int64))
        ]
        if not self.scale:
            raise ValueError("QParams needs at least one scale")
        if len(self.zero_point) not in (1, len(self.scale)):
            raise ValueError(
                f"QParams: {len(self.zero_point)} zero points for {len(self.scale)} scales"
            )

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1

    def zero_points(self) -> list[int]:
        """Zero points expanded to ``len(scale)`` entries."""
        if len(self.zero_point) == len(self.scale):
            return list(self.zero_point)
        return self.zero_point * len(self.scale)


@dataclass
class TensorSpec:
    """Description of one tensor for :func:`single_op_model`.

    ``data`` given => constant tensor; otherwise a graph input (or output).
    """

    shape: Sequence[int]
    dtype: str = "int8"
    quant: QParams | None = None
    data: np.ndarray | None = None
    name: str | None = None


@dataclass
class TensorInfo:
    """A tensor as read back from a serialized model (see :func:`describe_io`)."""

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: QParams | None
    data: np.ndarray | None = None  # constant tensors only


# ----------------------------------------------------------------------------
# Builtin options table
# ----------------------------------------------------------------------------

OptionsBuilder = Callable[[flatbuffers.Builder, Mapping[str, Any]], int]


@dataclass(frozen=True)
class OpInfo:
    """How to serialize the builtin options of one opcode.

    options_type: name of the options table, which is both the ``BuiltinOptions``
        union member and the ``tflite.<name>`` generated module (e.g.
        ``"Conv2DOptions"``); ``None`` for ops without builtin options.
    defaults: option values used when the caller does not give them (only
        where the schema default is unusable, e.g. stride 0).
    builder: optional custom serializer; default is the generic
        :func:`_build_options_table`.
    """

    options_type: str | None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    builder: OptionsBuilder | None = None


_STRIDE1 = {"stride_w": 1, "stride_h": 1}

OP_TABLE: dict[str, OpInfo] = {
    "CONV_2D": OpInfo("Conv2DOptions", _STRIDE1),
    "DEPTHWISE_CONV_2D": OpInfo("DepthwiseConv2DOptions", {**_STRIDE1, "depth_multiplier": 1}),
    "TRANSPOSE_CONV": OpInfo("TransposeConvOptions", _STRIDE1),
    "FULLY_CONNECTED": OpInfo("FullyConnectedOptions"),
    "AVERAGE_POOL_2D": OpInfo("Pool2DOptions", {**_STRIDE1, "filter_width": 1, "filter_height": 1}),
    "MAX_POOL_2D": OpInfo("Pool2DOptions", {**_STRIDE1, "filter_width": 1, "filter_height": 1}),
    "ADD": OpInfo("AddOptions"),
    "SUB": OpInfo("SubOptions"),
    "MUL": OpInfo("MulOptions"),
    "DIV": OpInfo("DivOptions"),
    "SOFTMAX": OpInfo("SoftmaxOptions", {"beta": 1.0}),
    "RESHAPE": OpInfo("ReshapeOptions"),
    "SQUEEZE": OpInfo("SqueezeOptions"),
    "EXPAND_DIMS": OpInfo("ExpandDimsOptions"),
    "QUANTIZE": OpInfo("QuantizeOptions"),
    "DEQUANTIZE": OpInfo("DequantizeOptions"),
    "CONCATENATION": OpInfo("ConcatenationOptions"),
    "MEAN": OpInfo("ReducerOptions"),
    "SUM": OpInfo("ReducerOptions"),
    "REDUCE_MAX": OpInfo("ReducerOptions"),
    "REDUCE_MIN": OpInfo("ReducerOptions"),
    "PAD": OpInfo("PadOptions"),
    "PADV2": OpInfo("PadV2Options"),
    "MIRROR_PAD": OpInfo("MirrorPadOptions"),
    "TRANSPOSE": OpInfo("TransposeOptions"),
    "STRIDED_SLICE": OpInfo("StridedSliceOptions"),
    "SLICE": OpInfo("SliceOptions"),
    "GATHER": OpInfo("GatherOptions"),
    "SPLIT": OpInfo("SplitOptions"),
    "SPLIT_V": OpInfo("SplitVOptions"),
    "PACK": OpInfo("PackOptions"),
    "UNPACK": OpInfo("UnpackOptions"),
    "LEAKY_RELU": OpInfo("LeakyReluOptions"),
    "HARD_SWISH": OpInfo("HardSwishOptions"),
    "MAXIMUM": OpInfo("MaximumMinimumOptions"),
    "MINIMUM": OpInfo("MaximumMinimumOptions"),
    "RESIZE_BILINEAR": OpInfo("ResizeBilinearOptions"),
    "RESIZE_NEAREST_NEIGHBOR": OpInfo("ResizeNearestNeighborOptions"),
    "BATCH_MATMUL": OpInfo("BatchMatMulOptions"),
    "SPACE_TO_DEPTH": OpInfo("SpaceToDepthOptions"),
    "DEPTH_TO_SPACE": OpInfo("DepthToSpaceOptions"),
    "BATCH_TO_SPACE_ND": OpInfo("BatchToSpaceNDOptions"),
    "SPACE_TO_BATCH_ND": OpInfo("SpaceToBatchNDOptions"),
    "ARG_MAX": OpInfo("ArgMaxOptions", {"output_type": "INT32"}),
    "ARG_MIN": OpInfo("ArgMinOptions", {"output_type": "INT32"}),
    "CAST": OpInfo("CastOptions"),
    "GELU": OpInfo("GeluOptions"),
    "L2_NORMALIZATION": OpInfo("L2NormOptions"),
    "SQUARED_DIFFERENCE": OpInfo("SquaredDifferenceOptions"),
    "LOG_SOFTMAX": OpInfo("LogSoftmaxOptions"),
    "ABS": OpInfo("AbsOptions"),
    "SHAPE": OpInfo("ShapeOptions", {"out_type": "INT32"}),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": OpInfo("UnidirectionalSequenceLSTMOptions",
                                           {"fused_activation_function": "TANH"}),
    "SVDF": OpInfo("SVDFOptions", {"rank": 1}),
    # Ops without builtin options (LOGISTIC, TANH, RELU, RELU6, ...) need no
    # entry: any BuiltinOperator name is accepted and written without options.
}

# Enum-typed option fields: field name -> enum class (string values are looked up).
_ENUM_FIELDS: dict[str, type] = {
    "padding": Padding,
    "fused_activation_function": ActivationFunctionType,
    "weights_format": FullyConnectedOptionsWeightsFormat,
    "quantized_bias_type": TensorType,
    "mode": MirrorPadMode,
    "in_data_type": TensorType,
    "out_data_type": TensorType,
    "output_type": TensorType,
    "out_type": TensorType,
}
# Vector-typed option fields whose element type is not int32.
_VECTOR_DTYPES: dict[str, np.dtype] = {}


def _camel(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def _enum_value(field_name: str, value: Any) -> int:
    if isinstance(value, str):
        enum_cls = _ENUM_FIELDS.get(field_name)
        if enum_cls is None or not hasattr(enum_cls, value):
            raise ValueError(f"option {field_name!r}: unknown enum value {value!r}")
        return int(getattr(enum_cls, value))
    return value


def _build_options_table(
    builder: flatbuffers.Builder, options_type: str, options: Mapping[str, Any]
) -> int:
    """Generic serializer for a builtin options table.

    Scalars go through ``<T>Add<Field>``; sequences become vectors (int32
    unless listed in ``_VECTOR_DTYPES``); strings become flatbuffer strings.
    """
    mod = importlib.import_module(f"tflite.{options_type}")
    adders: list[tuple[Callable, Any]] = []
    # Vectors/strings must be created before the table is started.
    for name, value in options.items():
        add = getattr(mod, f"{options_type}Add{_camel(name)}", None)
        if add is None:
            raise KeyError(f"{options_type} has no field {name!r}")
        if isinstance(value, str) and name not in _ENUM_FIELDS:
            value = builder.CreateString(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            arr = np.asarray(value, dtype=_VECTOR_DTYPES.get(name, np.dtype("<i4"))).reshape(-1)
            value = builder.CreateNumpyVector(arr)
        else:
            value = _enum_value(name, value)
            if isinstance(value, (bool, np.bool_)):
                value = bool(value)
            elif isinstance(value, (np.integer,)):
                value = int(value)
            elif isinstance(value, (np.floating,)):
                value = float(value)
        adders.append((add, value))
    getattr(mod, f"{options_type}Start")(builder)
    for add, value in adders:
        add(builder, value)
    return getattr(mod, f"{options_type}End")(builder)


def _builtin_code(opcode: str) -> int:
    code = getattr(BuiltinOperator, opcode, None)
    if code is None or not opcode.isupper():
        raise ValueError(f"unknown builtin operator {opcode!r}")
    return int(code)


# ----------------------------------------------------------------------------
# ModelBuilder
# ----------------------------------------------------------------------------


@dataclass
class _Tensor:
    name: str
    shape: list[int]
    dtype: str
    quant: QParams | None
    data: bytes | None
    is_variable: bool


@dataclass
class _Op:
    opcode: str
    version: int
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any]


class ModelBuilder:
    """Incrementally describe a single-subgraph model, then :meth:`build` it."""

    def __init__(self, description: str = "mcu-codegen test") -> None:
        self.description = description
        self._tensors: list[_Tensor] = []
        self._ops: list[_Op] = []
        self._inputs: list[int] | None = None
        self._outputs: list[int] | None = None

    @property
    def num_tensors(self) -> int:
        return len(self._tensors)

    def add_tensor(
        self,
        name: str,
        shape: Sequence[int],
        dtype: str,
        quant: QParams | None = None,
        data: np.ndarray | None = None,
        is_variable: bool = False,
    ) -> int:
        """Add a tensor and return its index.

        dtype: "int8" | "uint8" | "int16" | "int32" | "int64" | "float32" | "bool".
        data: makes the tensor constant (own buffer); must have ``prod(shape)``
            elements and fit the dtype range (checked, no silent wrap-around).
        """
        dtype = _dtype_name(dtype)
        shape = [int(d) for d in shape]
        if any(d < 0 for d in shape):
            raise ValueError(f"tensor {name!r}: negative dimension in {shape}")
        raw: bytes | None = None
        if data is not None:
            np_dtype = _DTYPES[dtype][1]
            arr = np.asarray(data)
            if arr.size != math.prod(shape):
                raise ValueError(
                    f"tensor {name!r}: data has {arr.size} elements, shape {shape} needs "
                    f"{math.prod(shape)}"
                )
            if np_dtype.kind in "iu" and arr.size:
                if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
                    raise ValueError(f"tensor {name!r}: non-integer data for {dtype}")
                info = np.iinfo(np_dtype)
                if arr.min() < info.min or arr.max() > info.max:
                    raise ValueError(f"tensor {name!r}: data out of range for {dtype}")
            raw = np.ascontiguousarray(arr.reshape(shape), dtype=np_dtype).tobytes()
        if quant is not None and quant.per_channel:
            qd = quant.quantized_dimension
            if not 0 <= qd < len(shape) or shape[qd] != len(quant.scale):
                raise ValueError(
                    f"tensor {name!r}: {len(quant.scale)} scales do not match dimension "
                    f"{qd} of shape {shape}"
                )
        self._tensors.append(_Tensor(name, shape, dtype, quant, raw, bool(is_variable)))
        return len(self._tensors) - 1

    def add_op(
        self,
        opcode: str,
        inputs: Sequence[int],
        outputs: Sequence[int],
        options: dict | None = None,
        *,
        version: int = 1,
    ) -> int:
        """Add a builtin operator; returns the operator index.

        opcode: ``BuiltinOperator`` name, e.g. "CONV_2D".
        inputs: tensor indices, -1 for an absent optional input.
        options: builtin options by snake_case schema field name (see module doc);
            merged over ``OP_TABLE[opcode].defaults``.
        """
        _builtin_code(opcode)
        for t in list(inputs) + list(outputs):
            if not (t == -1 or 0 <= t < len(self._tensors)):
                raise IndexError(f"{opcode}: tensor index {t} out of range")
        if any(t == -1 for t in outputs):
            raise ValueError(f"{opcode}: outputs cannot be -1")
        info = OP_TABLE.get(opcode)
        if options and (info is None or info.options_type is None):
            raise ValueError(f"{opcode}: no builtin options table known (add it to OP_TABLE)")
        merged = {**(info.defaults if info else {}), **(options or {})}
        self._ops.append(_Op(opcode, int(version), list(inputs), list(outputs), merged))
        return len(self._ops) - 1

    def set_io(self, inputs: Sequence[int], outputs: Sequence[int]) -> None:
        """Declare the subgraph inputs and outputs (tensor indices, in order).

        If never called, :meth:`build` uses the non-constant, non-variable
        tensors no op produces as inputs and the produced tensors no op consumes
        as outputs, both in index order.
        """
        self._inputs = [int(i) for i in inputs]
        self._outputs = [int(o) for o in outputs]

    def _default_io(self) -> tuple[list[int], list[int]]:
        produced = {t for op in self._ops for t in op.outputs}
        consumed = {t for op in self._ops for t in op.inputs}
        ins = [
            i
            for i, t in enumerate(self._tensors)
            if t.data is None and not t.is_variable and i not in produced
        ]
        outs = [i for i in range(len(self._tensors)) if i in produced and i not in consumed]
        return ins, outs

    # -- serialization ------------------------------------------------------

    def build(self) -> bytes:
        """Serialize to a ``.tflite`` flatbuffer (identifier "TFL3", version 3)."""
        if not self._ops:
            raise ValueError("model has no operators")
        inputs, outputs = (
            (self._inputs, self._outputs) if self._inputs is not None else self._default_io()
        )
        b = flatbuffers.Builder(1024)

        # Buffers: 0 = empty sentinel, then one per constant tensor.
        buffer_data: list[bytes | None] = [None]
        tensor_buffer: list[int] = []
        for t in self._tensors:
            if t.data is not None:
                tensor_buffer.append(len(buffer_data))
                buffer_data.append(t.data)
            else:
                tensor_buffer.append(0)
        buffer_offsets = [self._write_buffer(b, d) for d in buffer_data]

        tensor_offsets = [
            self._write_tensor(b, t, buf)
            for t, buf in zip(self._tensors, tensor_buffer, strict=True)
        ]

        # Operator codes, deduplicated on (code, version).
        opcode_index: dict[tuple[int, int], int] = {}
        for op in self._ops:
            opcode_index.setdefault((_builtin_code(op.opcode), op.version), len(opcode_index))
        opcode_offsets = []
        for code, version in opcode_index:
            tflite.OperatorCodeStart(b)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(
                b, min(code, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES)
            )
            tflite.OperatorCodeAddBuiltinCode(b, code)
            tflite.OperatorCodeAddVersion(b, version)
            opcode_offsets.append(tflite.OperatorCodeEnd(b))

        op_offsets = [
            self._write_operator(b, op, opcode_index[(_builtin_code(op.opcode), op.version)])
            for op in self._ops
        ]

        tensors_vec = self._offset_vector(b, tensor_offsets)
        inputs_vec = b.CreateNumpyVector(np.asarray(inputs, dtype="<i4"))
        outputs_vec = b.CreateNumpyVector(np.asarray(outputs, dtype="<i4"))
        ops_vec = self._offset_vector(b, op_offsets)
        sg_name = b.CreateString("main")
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tensors_vec)
        tflite.SubGraphAddInputs(b, inputs_vec)
        tflite.SubGraphAddOutputs(b, outputs_vec)
        tflite.SubGraphAddOperators(b, ops_vec)
        tflite.SubGraphAddName(b, sg_name)
        subgraph = tflite.SubGraphEnd(b)

        subgraphs_vec = self._offset_vector(b, [subgraph])
        opcodes_vec = self._offset_vector(b, opcode_offsets)
        buffers_vec = self._offset_vector(b, buffer_offsets)
        desc = b.CreateString(self.description)
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, TFLITE_SCHEMA_VERSION)
        tflite.ModelAddOperatorCodes(b, opcodes_vec)
        tflite.ModelAddSubgraphs(b, subgraphs_vec)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, buffers_vec)
        model = tflite.ModelEnd(b)
        b.Finish(model, file_identifier=TFLITE_FILE_IDENTIFIER)
        return bytes(b.Output())

    @staticmethod
    def _offset_vector(b: flatbuffers.Builder, offsets: Sequence[int]) -> int:
        b.StartVector(4, len(offsets), 4)
        for off in reversed(offsets):
            b.PrependUOffsetTRelative(off)
        return b.EndVector()

    @staticmethod
    def _write_buffer(b: flatbuffers.Builder, data: bytes | None) -> int:
        data_vec = None
        if data:
            # Like the TFLite converter: 16-byte aligned payload.
            b.StartVector(1, len(data), _BUFFER_ALIGNMENT)
            b.head = b.head - len(data)
            b.Bytes[b.head : b.head + len(data)] = data
            data_vec = b.EndVector()
        tflite.BufferStart(b)
        if data_vec is not None:
            tflite.BufferAddData(b, data_vec)
        return tflite.BufferEnd(b)

    @staticmethod
    def _write_tensor(b: flatbuffers.Builder, t: _Tensor, buffer: int) -> int:
        q = t.quant
        scale_vec = zp_vec = None
        if q is not None:
            scale_vec = b.CreateNumpyVector(np.asarray(q.scale, dtype="<f4"))
            zp_vec = b.CreateNumpyVector(np.asarray(q.zero_points(), dtype="<i8"))
        tflite.QuantizationParametersStart(b)
        if q is not None:
            tflite.QuantizationParametersAddScale(b, scale_vec)
            tflite.QuantizationParametersAddZeroPoint(b, zp_vec)
            tflite.QuantizationParametersAddQuantizedDimension(b, q.quantized_dimension)
        quant = tflite.QuantizationParametersEnd(b)

        shape_vec = b.CreateNumpyVector(np.asarray(t.shape, dtype="<i4"))
        name = b.CreateString(t.name)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape_vec)
        tflite.TensorAddType(b, _DTYPES[t.dtype][0])
        tflite.TensorAddBuffer(b, buffer)
        tflite.TensorAddName(b, name)
        tflite.TensorAddQuantization(b, quant)
        tflite.TensorAddIsVariable(b, t.is_variable)
        return tflite.TensorEnd(b)

    @staticmethod
    def _write_operator(b: flatbuffers.Builder, op: _Op, opcode_index: int) -> int:
        info = OP_TABLE.get(op.opcode)
        options_off = None
        if info is not None and info.options_type is not None:
            if info.builder is not None:
                options_off = info.builder(b, op.options)
            else:
                options_off = _build_options_table(b, info.options_type, op.options)
        in_vec = b.CreateNumpyVector(np.asarray(op.inputs, dtype="<i4"))
        out_vec = b.CreateNumpyVector(np.asarray(op.outputs, dtype="<i4"))
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, opcode_index)
        tflite.OperatorAddInputs(b, in_vec)
        tflite.OperatorAddOutputs(b, out_vec)
        if options_off is not None:
            assert info is not None and info.options_type is not None
            tflite.OperatorAddBuiltinOptionsType(b, getattr(BuiltinOptions, info.options_type))
            tflite.OperatorAddBuiltinOptions(b, options_off)
        return tflite.OperatorEnd(b)


# ----------------------------------------------------------------------------
# Small utilities
# ----------------------------------------------------------------------------


def conv_output_size(
    in_size: int, kernel: int, stride: int = 1, dilation: int = 1, padding: str = "SAME"
) -> int:
    """TFLite output size of a conv/pool window along one axis."""
    eff = (kernel - 1) * dilation + 1
    if padding == "SAME":
        out = (in_size + stride - 1) // stride
    elif padding == "VALID":
        out = (in_size - eff + stride) // stride
    else:
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    if out <= 0:
        raise ValueError(
            f"empty output: in={in_size} kernel={kernel} stride={stride} "
            f"dilation={dilation} {padding}"
        )
    return out


def _per_axis(q: QParams, ndim: int) -> tuple[np.ndarray, np.ndarray]:
    scale = np.asarray(q.scale, dtype=np.float64)
    zp = np.asarray(q.zero_points(), dtype=np.float64)
    if q.per_channel:
        shape = [1] * ndim
        shape[q.quantized_dimension] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return scale, zp


def quantize_array(x: np.ndarray, q: QParams, dtype: str = "int8") -> np.ndarray:
    """Quantize real values like TFLite: ``round(x / scale) + zero_point``.

    Rounds half away from zero (TfLiteRound), clamps to the ``dtype`` range;
    per-channel aware.
    """
    x = np.asarray(x, dtype=np.float64)
    scale, zp = _per_axis(q, x.ndim)
    v = x / scale
    v = np.sign(v) * np.floor(np.abs(v) + 0.5) + zp
    info = np.iinfo(_DTYPES[_dtype_name(dtype)][1])
    return np.clip(v, info.min, info.max).astype(_DTYPES[_dtype_name(dtype)][1])


def dequantize_array(q_values: np.ndarray, q: QParams) -> np.ndarray:
    """``scale * (q - zero_point)`` as float64 (per-channel aware)."""
    v = np.asarray(q_values, dtype=np.float64)
    scale, zp = _per_axis(q, v.ndim)
    return scale * (v - zp)


def _read_tensor_info(model: Any, sg: Any, index: int) -> TensorInfo:
    t = sg.Tensors(index)
    qp = t.Quantization()
    quant = None
    if qp is not None and qp.ScaleLength() > 0:
        quant = QParams(
            list(qp.ScaleAsNumpy()), list(qp.ZeroPointAsNumpy()), qp.QuantizedDimension()
        )
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    dtype = _TENSOR_TYPE_TO_NAME[t.Type()]
    data = None
    buf = model.Buffers(t.Buffer())
    if t.Buffer() != 0 and buf is not None and buf.DataLength() > 0:
        data = np.frombuffer(buf.DataAsNumpy().tobytes(), dtype=_DTYPES[dtype][1]).reshape(shape)
    return TensorInfo(index, t.Name().decode(), shape, dtype, quant, data)


def read_tensors(model: bytes) -> list[TensorInfo]:
    """All tensors of subgraph 0, read back with the ``tflite`` parser
    (constant tensors carry their ``data``)."""
    m = tflite.Model.GetRootAsModel(model, 0)
    sg = m.Subgraphs(0)
    return [_read_tensor_info(m, sg, i) for i in range(sg.TensorsLength())]


def describe_io(model: bytes) -> tuple[list[TensorInfo], list[TensorInfo]]:
    """(inputs, outputs) of subgraph 0, in graph order."""
    m = tflite.Model.GetRootAsModel(model, 0)
    sg = m.Subgraphs(0)
    ins = [_read_tensor_info(m, sg, int(i)) for i in sg.InputsAsNumpy()]
    outs = [_read_tensor_info(m, sg, int(i)) for i in sg.OutputsAsNumpy()]
    return ins, outs


# ----------------------------------------------------------------------------
# Model helpers
# ----------------------------------------------------------------------------

_Int2 = int | tuple[int, int] | Sequence[int]

DEFAULT_INPUT_QP = QParams([0.02], [5])


def _pair(v: _Int2) -> tuple[int, int]:
    """int -> (v, v); (h, w) sequence -> (h, w)."""
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    h, w = v
    return int(h), int(w)


def single_op_model(
    opcode: str,
    inputs: Sequence[TensorSpec | None],
    outputs: TensorSpec | Sequence[TensorSpec],
    options: dict | None = None,
    *,
    description: str = "mcu-codegen test",
) -> bytes:
    """One-operator model.

    inputs: ``TensorSpec`` with ``data`` => constant, without => graph input
        (in order); ``None`` => absent optional input (-1).
    outputs: one or several ``TensorSpec`` (all become graph outputs).
    """
    mb = ModelBuilder(description)
    if isinstance(outputs, TensorSpec):
        outputs = [outputs]
    in_ids: list[int] = []
    graph_inputs: list[int] = []
    for i, spec in enumerate(inputs):
        if spec is None:
            in_ids.append(-1)
            continue
        name = spec.name or (f"input_{i}" if spec.data is None else f"const_{i}")
        t = mb.add_tensor(name, spec.shape, spec.dtype, spec.quant, spec.data)
        in_ids.append(t)
        if spec.data is None:
            graph_inputs.append(t)
    out_ids = [
        mb.add_tensor(spec.name or f"output_{i}", spec.shape, spec.dtype, spec.quant)
        for i, spec in enumerate(outputs)
    ]
    mb.add_op(opcode, in_ids, out_ids, options)
    mb.set_io(graph_inputs, out_ids)
    return mb.build()


def _random_weights(
    rng: np.random.Generator, shape: Sequence[int], channel_axis: int
) -> np.ndarray:
    """Random int8 weights in [-127, 127]; every output channel reaches |127|."""
    n_ch = shape[channel_axis]
    rest = [d for i, d in enumerate(shape) if i != channel_axis]
    flat = rng.integers(-127, 128, size=(n_ch, math.prod(rest)), dtype=np.int64)
    flat[np.arange(n_ch), rng.integers(0, flat.shape[1], size=n_ch)] = rng.choice(
        [-127, 127], size=n_ch
    )
    return np.moveaxis(flat.reshape([n_ch] + rest), 0, channel_axis).astype(np.int8)


def _weight_scales(
    rng: np.random.Generator, n: int, per_channel: bool, base: float = 0.004
) -> list[float]:
    """Per-channel scales spread over exactly 10x (log-uniform grid, shuffled)."""
    if not per_channel:
        return [base]
    if n == 1:
        return [base]
    return [float(base * 10.0**e) for e in rng.permutation(np.linspace(-0.5, 0.5, n))]


_WEIGHT_RMS = math.sqrt(127 * 128 / 3)  # RMS of integers uniform over [-127, 127]


def _uniform_int8_rms(zp: int) -> float:
    """RMS of (q - zp) for q uniform over int8."""
    q = np.arange(-128, 128, dtype=np.float64)
    return float(np.sqrt(np.mean((q - zp) ** 2)))


def _auto_output_qp(real_std: float, zero_point: int = -6) -> QParams:
    """Output scale so that +-3 sigma spans the int8 range."""
    return QParams([max(6.0 * real_std / 255.0, 1e-6)], [zero_point])


def _accumulator_model(
    rng: np.random.Generator,
    k_elems: int,
    n_channels: int,
    per_channel: bool,
    input_qp: QParams,
    output_qp: QParams | None,
    with_bias: bool,
    weight_scales: Sequence[float] | None,
    bias: np.ndarray | None,
) -> tuple[list[float], QParams, np.ndarray | None, QParams]:
    """Shared conv/dwconv/FC scale + bias picking.

    Returns (weight scales, output qp, int32 bias or None, bias qparams with
    scale ``in_scale * w_scale[c]`` and zero point 0).
    """
    w_scales = (
        list(weight_scales)
        if weight_scales is not None
        else _weight_scales(rng, n_channels, per_channel)
    )
    in_scale = input_qp.scale[0]
    acc_std = math.sqrt(k_elems) * _uniform_int8_rms(input_qp.zero_point[0]) * _WEIGHT_RMS
    if output_qp is None:
        output_qp = _auto_output_qp(acc_std * in_scale * max(w_scales))
    bias_qp = QParams([in_scale * s for s in w_scales], [0], 0)
    b = None
    if with_bias:
        if bias is not None:
            b = np.asarray(bias, dtype=np.int64).reshape(n_channels)
        else:
            # Realistic: real bias ~ N(0, acc_std/2) in accumulator units.
            b = np.rint(rng.normal(0.0, 0.5 * acc_std, size=n_channels)).astype(np.int64)
    return w_scales, output_qp, b, bias_qp


def _add_bias(mb: ModelBuilder, n_channels: int, bias: np.ndarray | None, bias_qp: QParams) -> int:
    if bias is None:
        return -1
    return mb.add_tensor("bias", [n_channels], "int32", bias_qp, data=bias)


def conv2d_model(
    rng: np.random.Generator | None,
    in_shape: Sequence[int],
    out_channels: int,
    kernel: _Int2 = 3,
    stride: _Int2 = 1,
    padding: str = "SAME",
    dilation: _Int2 = 1,
    activation: str = "NONE",
    per_channel: bool = True,
    input_qp: QParams | None = None,
    output_qp: QParams | None = None,
    with_bias: bool = True,
    *,
    weights: np.ndarray | None = None,
    weight_scales: Sequence[float] | None = None,
    bias: np.ndarray | None = None,
) -> bytes:
    """int8 CONV_2D: input NHWC ``in_shape``, filter [Cout, KH, KW, Cin].

    kernel/stride/dilation: int or (h, w).  Random weights in [-127, 127] with
    per-channel scales spread over 10x (per_channel=True, quantized_dimension 0)
    or one scale; int32 bias with scale ``in_scale * w_scale[c]``.  ``weights``,
    ``weight_scales`` and ``bias`` (int32 values) override the random choices;
    rng=None means a fixed seed (0).  output_qp=None picks a scale from the
    expected accumulator spread.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    n, h, w, cin = (int(d) for d in in_shape)
    kh, kw = _pair(kernel)
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    input_qp = input_qp or DEFAULT_INPUT_QP
    oh = conv_output_size(h, kh, sh, dh, padding)
    ow = conv_output_size(w, kw, sw, dw, padding)
    w_shape = [out_channels, kh, kw, cin]
    wq = (
        np.asarray(weights).reshape(w_shape)
        if weights is not None
        else _random_weights(rng, w_shape, 0)
    )
    w_scales, output_qp, b, b_qp = _accumulator_model(
        rng,
        kh * kw * cin,
        out_channels,
        per_channel,
        input_qp,
        output_qp,
        with_bias,
        weight_scales,
        bias,
    )
    mb = ModelBuilder("conv2d")
    x = mb.add_tensor("input", [n, h, w, cin], "int8", input_qp)
    wt = mb.add_tensor("filter", w_shape, "int8", QParams(w_scales, [0], 0), data=wq)
    ins = [x, wt, _add_bias(mb, out_channels, b, b_qp)]
    y = mb.add_tensor("output", [n, oh, ow, out_channels], "int8", output_qp)
    mb.add_op(
        "CONV_2D",
        ins,
        [y],
        {
            "padding": padding,
            "stride_w": sw,
            "stride_h": sh,
            "dilation_w_factor": dw,
            "dilation_h_factor": dh,
            "fused_activation_function": activation,
        },
    )
    mb.set_io([x], [y])
    return mb.build()


def depthwise_conv2d_model(
    rng: np.random.Generator | None,
    in_shape: Sequence[int],
    depth_multiplier: int = 1,
    kernel: _Int2 = 3,
    stride: _Int2 = 1,
    padding: str = "SAME",
    dilation: _Int2 = 1,
    activation: str = "NONE",
    per_channel: bool = True,
    input_qp: QParams | None = None,
    output_qp: QParams | None = None,
    with_bias: bool = True,
    *,
    weights: np.ndarray | None = None,
    weight_scales: Sequence[float] | None = None,
    bias: np.ndarray | None = None,
) -> bytes:
    """int8 DEPTHWISE_CONV_2D: filter [1, KH, KW, Cin*M], quantized_dimension 3.

    Same conventions as :func:`conv2d_model`; output channel ``c*M + m`` reads
    input channel ``c``.  Without bias the op has 2 inputs (not -1, see below).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    n, h, w, cin = (int(d) for d in in_shape)
    cout = cin * depth_multiplier
    kh, kw = _pair(kernel)
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    input_qp = input_qp or DEFAULT_INPUT_QP
    oh = conv_output_size(h, kh, sh, dh, padding)
    ow = conv_output_size(w, kw, sw, dw, padding)
    w_shape = [1, kh, kw, cout]
    wq = (
        np.asarray(weights).reshape(w_shape)
        if weights is not None
        else _random_weights(rng, w_shape, 3)
    )
    w_scales, output_qp, b, b_qp = _accumulator_model(
        rng, kh * kw, cout, per_channel, input_qp, output_qp, with_bias, weight_scales, bias
    )
    mb = ModelBuilder("depthwise_conv2d")
    x = mb.add_tensor("input", [n, h, w, cin], "int8", input_qp)
    wt = mb.add_tensor("filter", w_shape, "int8", QParams(w_scales, [0], 3), data=wq)
    # TFLM quirk: its depthwise Prepare segfaults on an absent (-1) bias
    # (DeallocateTempTfLiteTensor(nullptr)); without bias write just 2 inputs.
    ins = [x, wt] if b is None else [x, wt, _add_bias(mb, cout, b, b_qp)]
    y = mb.add_tensor("output", [n, oh, ow, cout], "int8", output_qp)
    mb.add_op(
        "DEPTHWISE_CONV_2D",
        ins,
        [y],
        {
            "padding": padding,
            "stride_w": sw,
            "stride_h": sh,
            "dilation_w_factor": dw,
            "dilation_h_factor": dh,
            "depth_multiplier": depth_multiplier,
            "fused_activation_function": activation,
        },
    )
    mb.set_io([x], [y])
    return mb.build()


def fully_connected_model(
    rng: np.random.Generator | None,
    in_shape: Sequence[int],
    units: int,
    activation: str = "NONE",
    per_channel: bool = False,
    input_qp: QParams | None = None,
    output_qp: QParams | None = None,
    with_bias: bool = True,
    keep_num_dims: bool = False,
    *,
    weights: np.ndarray | None = None,
    weight_scales: Sequence[float] | None = None,
    bias: np.ndarray | None = None,
) -> bytes:
    """int8 FULLY_CONNECTED: input [..., D] (e.g. [B, D]), weights [units, D].

    Output is ``[prod(in_shape[:-1]), units]``, or ``[*in_shape[:-1], units]``
    with keep_num_dims.  Per-channel weights use quantized_dimension 0.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    in_shape = [int(d) for d in in_shape]
    depth = in_shape[-1]
    input_qp = input_qp or DEFAULT_INPUT_QP
    w_shape = [units, depth]
    wq = (
        np.asarray(weights).reshape(w_shape)
        if weights is not None
        else _random_weights(rng, w_shape, 0)
    )
    w_scales, output_qp, b, b_qp = _accumulator_model(
        rng, depth, units, per_channel, input_qp, output_qp, with_bias, weight_scales, bias
    )
    out_shape = in_shape[:-1] + [units] if keep_num_dims else [math.prod(in_shape[:-1]), units]
    mb = ModelBuilder("fully_connected")
    x = mb.add_tensor("input", in_shape, "int8", input_qp)
    wt = mb.add_tensor("weights", w_shape, "int8", QParams(w_scales, [0], 0), data=wq)
    ins = [x, wt, _add_bias(mb, units, b, b_qp)]
    y = mb.add_tensor("output", out_shape, "int8", output_qp)
    mb.add_op(
        "FULLY_CONNECTED",
        ins,
        [y],
        {"fused_activation_function": activation, "keep_num_dims": keep_num_dims},
    )
    mb.set_io([x], [y])
    return mb.build()


def pool2d_model(
    kind: str,
    in_shape: Sequence[int],
    filter_size: _Int2 = 2,
    stride: _Int2 = 2,
    padding: str = "VALID",
    activation: str = "NONE",
    qp: QParams | None = None,
) -> bytes:
    """int8 AVERAGE_POOL_2D / MAX_POOL_2D (kind "AVERAGE" | "MAX").

    Input and output share ``qp`` (TFLite pooling does not rescale).
    """
    opcode = {"AVERAGE": "AVERAGE_POOL_2D", "MAX": "MAX_POOL_2D"}[kind.upper()]
    n, h, w, c = (int(d) for d in in_shape)
    fh, fw = _pair(filter_size)
    sh, sw = _pair(stride)
    qp = qp or DEFAULT_INPUT_QP
    oh = conv_output_size(h, fh, sh, 1, padding)
    ow = conv_output_size(w, fw, sw, 1, padding)
    return single_op_model(
        opcode,
        [TensorSpec([n, h, w, c], "int8", qp, name="input")],
        TensorSpec([n, oh, ow, c], "int8", qp, name="output"),
        {
            "padding": padding,
            "stride_w": sw,
            "stride_h": sh,
            "filter_width": fw,
            "filter_height": fh,
            "fused_activation_function": activation,
        },
        description=opcode.lower(),
    )


def add_model(
    shape1: Sequence[int],
    shape2: Sequence[int],
    q1: QParams,
    q2: QParams,
    qout: QParams,
    activation: str = "NONE",
) -> bytes:
    """int8 ADD of two graph inputs; numpy broadcasting rules for the output shape."""
    out_shape = list(np.broadcast_shapes(tuple(shape1), tuple(shape2)))
    return single_op_model(
        "ADD",
        [
            TensorSpec(shape1, "int8", q1, name="input1"),
            TensorSpec(shape2, "int8", q2, name="input2"),
        ],
        TensorSpec(out_shape, "int8", qout, name="output"),
        {"fused_activation_function": activation},
        description="add",
    )


SOFTMAX_OUTPUT_QP = QParams([1.0 / 256.0], [-128])


def softmax_model(
    shape: Sequence[int], beta: float = 1.0, input_qp: QParams | None = None
) -> bytes:
    """int8 SOFTMAX over the last axis; output scale 1/256, zero point -128."""
    return single_op_model(
        "SOFTMAX",
        [TensorSpec(shape, "int8", input_qp or QParams([0.1], [0]), name="input")],
        TensorSpec(shape, "int8", SOFTMAX_OUTPUT_QP, name="output"),
        {"beta": beta},
        description="softmax",
    )


def quantize_model(
    shape: Sequence[int],
    output_qp: QParams,
    input_dtype: str = "float32",
    input_qp: QParams | None = None,
    output_dtype: str = "int8",
) -> bytes:
    """QUANTIZE: float32 -> int8 (input_qp None) or requantize int8/int16 -> int8/int16."""
    if _dtype_name(input_dtype) != "float32" and input_qp is None:
        raise ValueError("requantization needs input_qp")
    return single_op_model(
        "QUANTIZE",
        [
            TensorSpec(
                shape, input_dtype, input_qp if input_dtype != "float32" else None, name="input"
            )
        ],
        TensorSpec(shape, output_dtype, output_qp, name="output"),
        description="quantize",
    )


def dequantize_model(shape: Sequence[int], input_qp: QParams, input_dtype: str = "int8") -> bytes:
    """DEQUANTIZE: int8 (or int16) -> float32."""
    return single_op_model(
        "DEQUANTIZE",
        [TensorSpec(shape, input_dtype, input_qp, name="input")],
        TensorSpec(shape, "float32", None, name="output"),
        description="dequantize",
    )


def _resolve_new_shape(in_shape: Sequence[int], new_shape: Sequence[int]) -> list[int]:
    total = math.prod(in_shape)
    new_shape = [int(d) for d in new_shape]
    if new_shape.count(-1) > 1:
        raise ValueError("at most one -1 in new_shape")
    if -1 in new_shape:
        known = math.prod(d for d in new_shape if d != -1)
        if known == 0 or total % known:
            raise ValueError(f"cannot reshape {list(in_shape)} to {new_shape}")
        new_shape[new_shape.index(-1)] = total // known
    if math.prod(new_shape) != total:
        raise ValueError(f"cannot reshape {list(in_shape)} to {new_shape}")
    return new_shape


def reshape_model(
    in_shape: Sequence[int],
    new_shape: Sequence[int],
    qp: QParams | None = None,
    dtype: str = "int8",
    shape_input: bool = True,
) -> bytes:
    """RESHAPE; new_shape may hold one -1.

    Writes the ``new_shape`` option and, with shape_input=True (what the TFLite
    converter emits), also the int32 constant shape tensor as input 1.
    """
    out_shape = _resolve_new_shape(in_shape, new_shape)
    qp = qp if qp is not None or dtype == "float32" else DEFAULT_INPUT_QP
    inputs: list[TensorSpec | None] = [TensorSpec(in_shape, dtype, qp, name="input")]
    if shape_input:
        inputs.append(
            TensorSpec([len(new_shape)], "int32", None, np.asarray(new_shape), name="shape")
        )
    return single_op_model(
        "RESHAPE",
        inputs,
        TensorSpec(out_shape, dtype, qp, name="output"),
        {"new_shape": list(new_shape)},
        description="reshape",
    )


def squeeze_model(
    in_shape: Sequence[int],
    squeeze_dims: Sequence[int] = (),
    qp: QParams | None = None,
    dtype: str = "int8",
) -> bytes:
    """SQUEEZE the given size-1 dims (all size-1 dims when empty)."""
    ndim = len(in_shape)
    dims = {d % ndim for d in squeeze_dims} or {i for i, d in enumerate(in_shape) if d == 1}
    if any(in_shape[d] != 1 for d in dims):
        raise ValueError(f"cannot squeeze dims {sorted(dims)} of {list(in_shape)}")
    out_shape = [d for i, d in enumerate(in_shape) if i not in dims]
    qp = qp if qp is not None or dtype == "float32" else DEFAULT_INPUT_QP
    return single_op_model(
        "SQUEEZE",
        [TensorSpec(in_shape, dtype, qp, name="input")],
        TensorSpec(out_shape, dtype, qp, name="output"),
        {"squeeze_dims": list(squeeze_dims)},
        description="squeeze",
    )


def expand_dims_model(
    in_shape: Sequence[int], axis: int, qp: QParams | None = None, dtype: str = "int8"
) -> bytes:
    """EXPAND_DIMS with ``axis`` as an int32 constant input (negative allowed)."""
    ndim = len(in_shape)
    a = axis if axis >= 0 else axis + ndim + 1
    if not 0 <= a <= ndim:
        raise ValueError(f"axis {axis} out of range for rank {ndim}")
    out_shape = list(in_shape[:a]) + [1] + list(in_shape[a:])
    qp = qp if qp is not None or dtype == "float32" else DEFAULT_INPUT_QP
    return single_op_model(
        "EXPAND_DIMS",
        [
            TensorSpec(in_shape, dtype, qp, name="input"),
            TensorSpec([1], "int32", None, np.asarray([axis]), name="axis"),
        ],
        TensorSpec(out_shape, dtype, qp, name="output"),
        description="expand_dims",
    )
