"""CONCATENATION, PACK, SPLIT, SPLIT_V and UNPACK sweeps (the ``copy_s8`` kernel):
ranks 1 to 6 (PACK of scalars too), every axis, negative axes, 1 to 10 parts,
constant int8 parts, zero points -128 / 0 / 127, and chains where the parts live
in the arena. CONCATENATION with differing input scales is refused, as TFLite
Micro refuses it (it never rescales); SPLIT, SPLIT_V, UNPACK and PACK copy bytes
even when the quantization differs, as TFLite Micro does."""

from __future__ import annotations

import random

import pytest

from mcu_codegen import api
from mcu_codegen.errors import UnsupportedError
from tests.kernels._movement import curated, dims, i32, one_op_model, pick_quant, sweep_sizes
from tests.kernels._sweep import FULL_SWEEP, Case, assert_bit_exact, case_id, sweep
from tests.tflite_writer import ModelBuilder, QParams

# ---- CONCATENATION ----------------------------------------------------------------------


def _concat(shapes, axis, q=(0.02, 5), const=()) -> Case:
    return {"op": "CONCATENATION", "shapes": tuple(tuple(s) for s in shapes), "axis": axis,
            "q": tuple(q), "const": tuple(const)}


CONCAT_CURATED = [
    _concat([(1, 4, 4, 3), (1, 4, 4, 5)], -1),
    _concat([(3,), (1,), (4,)], 0, (0.05, -128)),
    _concat([(2, 1, 3), (2, 4, 3)], 1, (0.1, 127), const=(0,)),
    _concat([(1, 2, 1, 2, 1, 2)] * 10, 3, (1.0, 0)),
    _concat([(2, 3)], -2),
    _concat([(1, 2, 2, 4), (1, 3, 2, 4), (1, 1, 2, 4)], -3, (0.003, -7)),
]


def draw_concat(r: random.Random) -> Case:
    rank = r.randint(1, 6)
    base = list(dims(r, rank, 1, 3))
    axis = r.randrange(-rank, rank)
    n = r.choice([1, 2, 2, 3, 4, 10]) if r.random() < 0.9 else r.randint(5, 9)
    shapes = []
    for _ in range(n):
        s = list(base)
        s[axis] = r.randint(1, 4)
        shapes.append(tuple(s))
    const = (r.randrange(1, n),) if n > 1 and r.random() < 0.2 else ()
    return _concat(shapes, axis, pick_quant(r), const)


def build_concat(c: Case) -> bytes:
    shapes, axis = c["shapes"], c["axis"]
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes)
    return one_op_model("CONCATENATION", [(s, c["q"]) for s in shapes], {}, [(out, c["q"])],
                        {"axis": axis}, const_data=c["const"], case_id=case_id(c))


# ---- PACK -------------------------------------------------------------------------------


def _pack(shape, n, axis, q=(0.02, 5), qo=None) -> Case:
    return {"op": "PACK", "shape": tuple(shape), "n": n, "axis": axis, "q": tuple(q),
            "qo": tuple(qo or q)}


PACK_CURATED = [
    _pack((2, 4), 2, -1),
    _pack((), 3, 0, (0.05, -128)),
    _pack((3, 1, 2), 4, 1, (0.1, 127), qo=(0.2, 0)),
    _pack((1, 2, 1, 2, 3), 1, 5),
]


def draw_pack(r: random.Random) -> Case:
    rank = r.randint(0, 5)
    q = pick_quant(r)
    return _pack(dims(r, rank, 1, 3), r.randint(1, 6), r.randrange(-rank - 1, rank + 1), q,
                 pick_quant(r) if r.random() < 0.2 else q)


def build_pack(c: Case) -> bytes:
    shape, n, axis = list(c["shape"]), c["n"], c["axis"]
    out = list(shape)
    out.insert(axis % (len(shape) + 1), n)
    return one_op_model("PACK", [(shape, c["q"])] * n, {}, [(out, c["qo"])],
                        {"values_count": n, "axis": axis}, case_id=case_id(c))


# ---- SPLIT, SPLIT_V, UNPACK ---------------------------------------------------------------


def _split(op, shape, axis, sizes, q=(0.02, 5), qo=None, scalar_axis=False) -> Case:
    return {"op": op, "shape": tuple(shape), "axis": axis, "sizes": tuple(sizes),
            "q": tuple(q), "qo": tuple(qo or q), "scalar_axis": scalar_axis}


SPLIT_CURATED = [
    _split("SPLIT", (1, 4, 4, 6), -1, (2, 2, 2)),
    _split("SPLIT", (6,), 0, (1,) * 6, (0.05, -128), scalar_axis=True),
    _split("SPLIT", (2, 4, 3), 1, (4,), (0.1, 127), qo=(0.3, -1)),
    _split("SPLIT", (2, 1, 2, 1, 2, 4), -6, (1, 1), (1.0, 0)),
]
SPLIT_V_CURATED = [
    _split("SPLIT_V", (1, 5, 4, 3), 1, (2, 3)),
    _split("SPLIT_V", (7,), -1, (1, 4, 2), (0.05, -128), scalar_axis=True),
    _split("SPLIT_V", (2, 3, 6), 2, (3, 1, 1, 1), (0.1, 127), qo=(0.3, -1)),
    _split("SPLIT_V", (2, 2, 2, 2, 2, 5), 5, (5,), (1.0, 0)),
]
UNPACK_CURATED = [
    _split("UNPACK", (3, 2, 4), 0, ()),
    _split("UNPACK", (2, 5), -1, (), (0.05, -128)),
    _split("UNPACK", (1, 3, 2, 4), 2, (), (0.1, 127), qo=(0.3, -1)),
    _split("UNPACK", (6,), 0, (), (1.0, 0)),
    _split("UNPACK", (1, 2, 1, 3, 2, 2), -3, (), (0.003, -7)),
]


def _draw_split(op: str, r: random.Random) -> Case:
    rank = r.randint(1, 6)
    shape = list(dims(r, rank, 1, 3))
    axis = r.randrange(-rank, rank)
    q = pick_quant(r)
    qo = pick_quant(r) if r.random() < 0.2 else q
    if op == "UNPACK":
        shape[axis] = r.randint(1, 5)
        return _split(op, shape, axis, (), q, qo)
    if op == "SPLIT":
        n = r.randint(1, 4)
        shape[axis] = n * r.randint(1, 3)
        sizes = (shape[axis] // n,) * n
    else:
        sizes = tuple(r.randint(1, 3) for _ in range(r.randint(1, 5)))
        shape[axis] = sum(sizes)
    return _split(op, shape, axis, sizes, q, qo, scalar_axis=r.random() < 0.3)


def build_split(c: Case) -> bytes:
    shape, axis, q, qo = list(c["shape"]), c["axis"], c["q"], c["qo"]
    axis_value = i32(axis if c["scalar_axis"] else [axis])
    if c["op"] == "UNPACK":
        part = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
        n = shape[axis]
        return one_op_model("UNPACK", [(shape, q)], {}, [(part, qo)] * n,
                            {"num": n, "axis": axis}, case_id=case_id(c))
    outs = []
    for size in c["sizes"]:
        s = list(shape)
        s[axis] = size
        outs.append((s, qo))
    if c["op"] == "SPLIT":
        return one_op_model("SPLIT", [None, (shape, q)], {0: axis_value}, outs,
                            {"num_splits": len(outs)}, case_id=case_id(c))
    sizes = list(c["sizes"])
    if len(sizes) > 1 and c["scalar_axis"]:
        sizes[-1] = -1  # size_splits may say "the rest"; TFLite Micro reads the outputs
    return one_op_model("SPLIT_V", [(shape, q)], {1: i32(sizes), 2: axis_value}, outs,
                        {"num_splits": len(outs)}, case_id=case_id(c))


CASES = (
    sweep(curated(CONCAT_CURATED), draw_concat, family="concatenation", **sweep_sizes())
    + sweep(curated(PACK_CURATED), draw_pack, family="pack", **sweep_sizes())
    + sweep(curated(SPLIT_CURATED), lambda r: _draw_split("SPLIT", r), family="split",
            **sweep_sizes())
    + sweep(curated(SPLIT_V_CURATED), lambda r: _draw_split("SPLIT_V", r), family="split_v",
            **sweep_sizes())
    + sweep(curated(UNPACK_CURATED), lambda r: _draw_split("UNPACK", r), family="unpack",
            **sweep_sizes())
)

BUILD = {"CONCATENATION": build_concat, "PACK": build_pack, "SPLIT": build_split,
         "SPLIT_V": build_split, "UNPACK": build_split}


@pytest.mark.parametrize("case", CASES)
def test_join_bit_exact(case: Case) -> None:
    assert_bit_exact(BUILD[case["op"]](case), case)


def test_join_case_count() -> None:
    for op in BUILD:
        assert sum(1 for p in CASES if p.values[0]["op"] == op) >= (50 if FULL_SWEEP else 6), op


# ---- refused: CONCATENATION that would need rescaling ---------------------------------------


@pytest.mark.parametrize("q1,q2", [((0.02, 5), (0.04, 5)), ((0.02, 5), (0.02, 6))],
                         ids=["scales-differ", "zero-points-differ"])
def test_concat_with_differing_quantization_is_refused_like_tflm(q1, q2) -> None:
    """TFLite Micro's int8 CONCATENATION requires every input to carry the output's
    scale and zero point (it fails to prepare otherwise); so do we."""
    mb = ModelBuilder("concat-requant")
    a = mb.add_tensor("a", [1, 3], "int8", QParams(*q1))
    b = mb.add_tensor("b", [1, 2], "int8", QParams(*q2))
    y = mb.add_tensor("y", [1, 5], "int8", QParams(*q1))
    mb.add_op("CONCATENATION", [a, b], [y], {"axis": 1})
    mb.set_io([a, b], [y])
    model = mb.build()
    with pytest.raises(UnsupportedError, match="input 1 has scale"):
        api.compile_model(model)
    from tflite_micro import runtime

    with pytest.raises(RuntimeError, match="failed to allocate"):
        runtime.Interpreter.from_bytes(model, arena_size=1 << 16)


# ---- chains: the parts live in the arena -----------------------------------------------------


def test_split_then_concat_in_the_arena() -> None:
    """int8 x -QUANTIZE-> t -SPLIT(3)-> a, b, c -CONCATENATION(c, a, b)-> u -QUANTIZE-> y:
    a multi-output op writing arena tensors that a multi-input op reads."""
    q_in, q_mid, q_out = QParams(0.02, 5), QParams(0.03, -4), QParams(0.05, 10)
    mb = ModelBuilder("split-concat")
    x = mb.add_tensor("x", [2, 6, 3], "int8", q_in)
    t = mb.add_tensor("t", [2, 6, 3], "int8", q_mid)
    axis = mb.add_tensor("axis", [1], "int32", data=i32([1]))
    parts = [mb.add_tensor(f"p{k}", [2, 2, 3], "int8", q_mid) for k in range(3)]
    u = mb.add_tensor("u", [2, 6, 3], "int8", q_mid)
    y = mb.add_tensor("y", [2, 6, 3], "int8", q_out)
    mb.add_op("QUANTIZE", [x], [t])
    mb.add_op("SPLIT", [axis, t], parts, {"num_splits": 3})
    mb.add_op("CONCATENATION", [parts[2], parts[0], parts[1]], [u], {"axis": 1})
    mb.add_op("QUANTIZE", [u], [y])
    mb.set_io([x], [y])
    assert_bit_exact(mb.build(), {"chain": "split-concat"})


def test_unpack_then_pack_in_the_arena() -> None:
    q_in, q_mid = QParams(0.02, 5), QParams(0.03, -4)
    mb = ModelBuilder("unpack-pack")
    x = mb.add_tensor("x", [3, 4, 2], "int8", q_in)
    t = mb.add_tensor("t", [3, 4, 2], "int8", q_mid)
    parts = [mb.add_tensor(f"p{k}", [3, 2], "int8", q_mid) for k in range(4)]
    y = mb.add_tensor("y", [3, 2, 4], "int8", q_mid)
    mb.add_op("QUANTIZE", [x], [t])
    mb.add_op("UNPACK", [t], parts, {"num": 4, "axis": 1})
    mb.add_op("PACK", parts[::-1], [y], {"values_count": 4, "axis": -1})
    mb.set_io([x], [y])
    assert_bit_exact(mb.build(), {"chain": "unpack-pack"})
