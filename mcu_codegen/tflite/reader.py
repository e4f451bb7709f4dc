"""Read a .tflite flatbuffer into a validated ir.Graph.

Everything that can go wrong with a file a user hands us ends in a
McuCodegenError with one line of text: an empty or truncated file, random
bytes, broken offsets, a float model, unknown or unsupported operators (all
listed at once, with index and reason).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import tflite

from ..errors import McuCodegenError, ModelError, UnsupportedError
from ..ir import DType, Graph, Op, OpKind, QuantParams, Tensor
from ..ops import OPS
from . import schema

#: Largest tensor we accept (bytes) and largest op count: guards against
#: corrupt or hostile files claiming absurd sizes.
MAX_TENSOR_BYTES = 1 << 30
MAX_OPS = 50_000
MAX_TENSORS = 200_000
#: TFLite's own kernels stop at 6 dimensions; a few more costs nothing.
MAX_RANK = 8


def read_model(source: str | Path | bytes) -> Graph:
    """Parse and check a model as it is in the file (no rewriting passes)."""
    graph, unknown = read_graph(source)
    check_support(graph, unknown)
    graph.validate()
    return graph


def read_graph(source: str | Path | bytes) -> tuple[Graph, list[str]]:
    """Parse a model into a Graph of the ops mcu-codegen knows, plus one line per op
    it does not know (those are left out of the graph). Raises ModelError for files
    that are not usable models, float models included."""
    data = _load_bytes(source)
    try:
        graph, unsupported = _parse(data)
    except McuCodegenError:
        raise
    except (IndexError, struct.error, ValueError, TypeError, AttributeError,
            OverflowError, UnicodeDecodeError, MemoryError) as exc:
        raise ModelError(
            f"corrupt or truncated model ({len(data)} bytes): the flatbuffer cannot be decoded"
        ) from exc
    except RecursionError:
        raise ModelError("corrupt model: the flatbuffer nests too deeply") from None
    _refuse_float_model(graph, unsupported)
    return graph, unsupported


def check_support(graph: Graph, unknown: list[str]) -> None:
    """Raise UnsupportedError listing every unknown op and every broken support rule."""
    problems = list(unknown)
    for op in graph.ops:
        reasons = OPS[op.kind].check(graph, op)
        if reasons:
            problems.append(f"{op.kind.value} (op {op.index}): {', '.join(reasons)}")
    if problems:
        raise UnsupportedError(problems)


def _load_bytes(source: str | Path | bytes) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.is_file():
            raise ModelError(f"{path}: no such file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) == 0:
        raise ModelError("the model file is empty")
    if len(data) < 16:
        raise ModelError(f"the model file is truncated ({len(data)} bytes)")
    if data[4:8] != b"TFL3":
        raise ModelError("not a TFLite model (the file identifier 'TFL3' is missing)")
    root = struct.unpack_from("<I", data, 0)[0]
    if root + 4 > len(data):
        raise ModelError("the model file is truncated (its root table lies past the end)")
    return data


def _parse(data: bytes) -> tuple[Graph, list[str]]:
    model = tflite.Model.GetRootAsModel(data, 0)
    if model.SubgraphsLength() != 1:
        raise ModelError(
            f"the model has {model.SubgraphsLength()} subgraphs; "
            "only single-subgraph models (no control flow) are supported"
        )
    sg = model.Subgraphs(0)
    n_tensors, n_ops = sg.TensorsLength(), sg.OperatorsLength()
    if n_ops > MAX_OPS or n_tensors > MAX_TENSORS:
        raise ModelError(f"the model claims {n_ops} ops and {n_tensors} tensors, over the limit")
    tensors = tuple(_tensor(model, sg.Tensors(i), i, data) for i in range(n_tensors))
    ops: list[Op] = []
    unsupported: list[str] = []
    for i in range(n_ops):
        op_or_reason = _op(model, sg.Operators(i), i, n_tensors)
        if isinstance(op_or_reason, str):
            unsupported.append(op_or_reason)
        else:
            ops.append(op_or_reason)
    inputs = tuple(int(x) for x in sg.InputsAsNumpy()) if sg.InputsLength() else ()
    outputs = tuple(int(x) for x in sg.OutputsAsNumpy()) if sg.OutputsLength() else ()
    if not inputs or not outputs:
        raise ModelError("the model declares no inputs or no outputs")
    for idx in (*inputs, *outputs):
        if not 0 <= idx < n_tensors:
            raise ModelError(f"graph input/output names tensor {idx}, which does not exist")
    desc = model.Description()
    description = desc.decode("utf-8", "replace") if desc else ""
    return Graph(tensors, tuple(ops), inputs, outputs, description), unsupported


def _show(name: str, limit: int = 60) -> str:
    """A model-supplied name for an error message: quoted, escaped, on one line, short."""
    return repr(name if len(name) <= limit else name[:limit] + "...")


def _tensor(model: Any, t: Any, index: int, data: bytes) -> Tensor:
    name = (t.Name() or b"").decode("utf-8", "replace")
    code = t.Type()
    dtype = schema.TENSOR_TYPES.get(code)
    if dtype is None:
        type_name = schema.TENSOR_TYPE_NAMES.get(code, str(code))
        raise UnsupportedError(
            [f"tensor {index} ({_show(name)}) has element type {type_name}"], what="feature"
        )
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    if len(shape) > MAX_RANK:
        raise ModelError(f"tensor {index} ({_show(name)}) has rank {len(shape)}, over {MAX_RANK}")
    if any(d < 0 for d in shape):
        raise ModelError(
            f"tensor {index} ({_show(name)}) has a negative or dynamic dimension {list(shape)}"
        )
    # Zero-size tensors are legal, but their other dimensions still feed index
    # arithmetic in the kernels: bound the product of the non-zero dimensions too.
    size = dtype.itemsize
    for d in shape:
        size *= max(d, 1)
        if size > MAX_TENSOR_BYTES:
            raise ModelError(
                f"tensor {index} ({_show(name)}) claims more than 1 GiB "
                f"(shape {list(shape)}, {dtype.label})"
            )
    tensor = Tensor(
        index=index,
        name=name,
        shape=shape,
        dtype=dtype,
        quant=_quant(t.Quantization(), len(shape), index, dtype),
        data=_buffer(model, t.Buffer(), dtype, shape, index, data),
        is_variable=bool(t.IsVariable()),
    )
    return tensor


#: Zero points a tensor of each integer type can hold.
_ZERO_POINT_RANGE = {
    DType.INT8: (-128, 127), DType.UINT8: (0, 255), DType.INT16: (-32768, 32767),
    DType.INT32: (-(1 << 31), (1 << 31) - 1),
}


def _quant(q: Any, rank: int, index: int, dtype: DType) -> QuantParams | None:
    if q is None or q.ScaleLength() == 0:
        return None
    scales = tuple(float(s) for s in q.ScaleAsNumpy())
    zps = tuple(int(z) for z in q.ZeroPointAsNumpy()) if q.ZeroPointLength() else (0,)
    if len(zps) == 1 and len(scales) > 1:
        zps = zps * len(scales)
    if len(zps) != len(scales):
        raise ModelError(f"tensor {index} has {len(scales)} scales but {len(zps)} zero points")
    bad = [s for s in scales if not (math.isfinite(s) and s >= 0.0)]
    if bad:
        raise ModelError(f"tensor {index} has the quantization scale {bad[0]!r} "
                         "(scales are finite and not negative)")
    lo, hi = _ZERO_POINT_RANGE.get(dtype, (-(1 << 31), (1 << 31) - 1))
    bad_zp = [z for z in zps if not lo <= z <= hi]
    if bad_zp:
        raise ModelError(f"tensor {index} ({dtype.label}) has the zero point {bad_zp[0]}, "
                         f"outside [{lo}, {hi}]")
    axis = int(q.QuantizedDimension())
    if axis < 0 or (axis >= rank and rank > 1):
        raise ModelError(f"tensor {index} is quantized along axis {axis} but has rank {rank}")
    if axis >= rank:
        # TFLite Micro tolerates a 1-D tensor (bias) whose quantized dimension
        # points past its rank, as in TOCO-converted models: read it as axis 0.
        axis = 0
    return QuantParams(scales, zps, axis)


def _buffer(
    model: Any, buffer_index: int, dtype: DType, shape: tuple[int, ...], index: int, data: bytes
) -> np.ndarray | None:
    if buffer_index == 0:
        return None
    if not 0 <= buffer_index < model.BuffersLength():
        raise ModelError(f"tensor {index} refers to buffer {buffer_index}, which does not exist")
    buf = model.Buffers(buffer_index)
    offset, size = int(buf.Offset()), int(buf.Size())
    if offset > 1:
        if offset + size > len(data):
            raise ModelError(f"tensor {index}: its buffer lies past the end of the file")
        raw = data[offset : offset + size]
    elif buf.DataLength() == 0:
        if shape and 0 in shape:
            # A constant with no elements (e.g. the shape [] of a RESHAPE to a
            # scalar) has an empty buffer: it is still a constant.
            return np.zeros(shape, dtype=dtype.numpy)
        return None
    else:
        raw = buf.DataAsNumpy().tobytes()
    count = 1
    for d in shape:
        count *= d
    if len(raw) != count * dtype.itemsize:
        raise ModelError(
            f"tensor {index}: its buffer has {len(raw)} bytes, the shape needs "
            f"{count * dtype.itemsize}"
        )
    return np.frombuffer(raw, dtype=dtype.numpy.newbyteorder("<")).reshape(shape).copy()


def _op(model: Any, op: Any, index: int, n_tensors: int) -> Op | str:
    code_index = op.OpcodeIndex()
    if not 0 <= code_index < model.OperatorCodesLength():
        raise ModelError(f"op {index} refers to operator code {code_index}, which does not exist")
    opcode = model.OperatorCodes(code_index)
    builtin = max(int(opcode.BuiltinCode()), int(opcode.DeprecatedBuiltinCode()))
    name = schema.BUILTIN_NAMES.get(builtin, f"BUILTIN_{builtin}")
    if name == "CUSTOM":
        custom = (opcode.CustomCode() or b"").decode("utf-8", "replace")
        return f"CUSTOM {custom!r} (op {index}): custom operators are not supported"
    try:
        kind = OpKind(name)
    except ValueError:
        return f"{name} (op {index}): operator not supported"
    inputs = tuple(int(x) for x in op.InputsAsNumpy()) if op.InputsLength() else ()
    outputs = tuple(int(x) for x in op.OutputsAsNumpy()) if op.OutputsLength() else ()
    for idx in (*inputs, *outputs):
        if not -1 <= idx < n_tensors:
            raise ModelError(f"op {index} ({name}) refers to tensor {idx}, which does not exist")
    if not outputs or -1 in outputs:
        raise ModelError(f"op {index} ({name}) has no output")
    if not inputs or inputs[0] == -1:
        raise ModelError(f"op {index} ({name}) has no first input")
    options = schema.builtin_options(op)
    for key, value in options.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise ModelError(f"op {index} ({name}) has the option {key} = {value!r}")
    attrs = OPS[kind].parse(options, inputs)
    return Op(index=index, kind=kind, attrs=attrs, inputs=inputs, outputs=outputs)


def _refuse_float_model(graph: Graph, unsupported: list[str]) -> None:
    """A float model is a different product: say so once instead of listing every op."""
    edges = {OpKind.QUANTIZE, OpKind.DEQUANTIZE}
    compute = [op for op in graph.ops if op.kind not in edges]
    float_ops = [
        op for op in compute
        if any(
            graph.tensors[t].dtype is DType.FLOAT32 and not graph.tensors[t].is_const
            for t in op.outputs
        )
    ]
    if compute and len(float_ops) == len(compute) and not any(
        o.kind in edges for o in graph.ops
    ):
        raise ModelError(
            "this is a float32 model; mcu-codegen compiles int8-quantized models "
            "(convert with full-integer post-training quantization)"
        )
    if float_ops:
        names = ", ".join(f"{op.kind.value} (op {op.index})" for op in float_ops[:5])
        more = f" and {len(float_ops) - 5} more" if len(float_ops) > 5 else ""
        raise ModelError(
            f"float32 compute ops are not supported: {names}{more}; "
            "only the QUANTIZE/DEQUANTIZE edges may be float32"
        )
