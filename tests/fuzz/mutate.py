"""Seeded, deterministic mutations of .tflite models.

``make_case(seed, index)`` always returns the same bytes for the same pair, so a
failure seen in a 10,000-case run is reproduced with ``python -m tests.fuzz
--seed S --case I``.

Mutators come in three families:

* byte level: bit flips, random bytes, truncation, deleted/duplicated/inserted
  chunks, two models spliced;
* structure aware (positions found by ``flatmap``): tensor shapes (huge,
  negative, zero), element types, buffer indices and missing buffer data,
  quantization (NaN/inf/zero/negative scales, out-of-range zero points, bad
  axes), op input/output indices (cycles: an op reading its own output or a
  later tensor), opcodes (one op turned into another), option fields, vector
  lengths, uoffsets and vtables, graph inputs/outputs, hostile tensor names;
* generated: a random small graph written by tests/tflite_writer.py, sometimes
  with a structural rule broken behind the writer's back.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from .flatmap import FORMATS, FlatMap, Site, build_map
from .seeds import HOSTILE_NAMES, Seed, generated_model, shared_seeds, writer_seeds

BOARDS = ("host",) * 16 + ("microbit", "mps2-an385", "mps2-an386", "mps3-an547")

INT32_EDGES = (0, 1, -1, 2, 3, 7, 16, 127, 128, 255, 256, 65535, 65536, 1 << 20, 1 << 24,
               (1 << 30), (1 << 31) - 1, -(1 << 31), -2, -128)
INT64_EDGES = (0, 1, -1, 127, -128, 128, -129, 255, 1 << 31, -(1 << 31) - 1, (1 << 63) - 1,
               -(1 << 63))
FLOAT_EDGES = (0.0, -0.0, -1.0, 1.0, float("nan"), float("inf"), float("-inf"), 1e-45, 1e-38,
               1e38, 3.4e38, 2.0**-31, 2.0**31, 1.0 / 256, 0.5, 1e-10, 1e10)


@dataclass(frozen=True)
class Case:
    index: int
    label: str  # seed name and the mutations applied, for reports
    data: bytes
    board: str


@dataclass(frozen=True)
class _Prepared:
    seed: Seed
    fmap: FlatMap


@cache
def _prepared(include_shared: bool) -> tuple[_Prepared, ...]:
    seeds = list(writer_seeds()) + (list(shared_seeds()) if include_shared else [])
    return tuple(_Prepared(s, build_map(s.data)) for s in seeds)


def corpus(include_shared: bool = True) -> tuple[str, ...]:
    return tuple(p.seed.name for p in _prepared(include_shared))


# ---- helpers -----------------------------------------------------------------------


def _pack(kind: str, value: int | float) -> bytes:
    fmt = FORMATS[kind]
    if fmt[-1] in "fd":
        return struct.pack(fmt, value)
    bits = struct.calcsize(fmt) * 8
    v = int(value)
    if fmt[-1].isupper():
        v &= (1 << bits) - 1
    else:
        v = (v + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))
    return struct.pack(fmt, v)


def _put(buf: bytearray, pos: int, raw: bytes) -> None:
    if pos >= 0 and pos + len(raw) <= len(buf):
        buf[pos : pos + len(raw)] = raw


def _pick(rng: np.random.Generator, items: list[Site] | tuple[Site, ...]) -> Site | None:
    return items[int(rng.integers(0, len(items)))] if items else None


def _int_value(rng: np.random.Generator, kind: str, related: tuple[int, ...] = ()) -> int:
    pool: tuple[int, ...] = INT64_EDGES if kind in ("i64", "u64") else INT32_EDGES
    if related and rng.random() < 0.5:
        return int(rng.choice(related))
    if rng.random() < 0.2:
        return int(rng.integers(-(1 << 31), 1 << 31))
    return int(rng.choice(pool))


# ---- mutators: each takes (buf, fmap, rng, n_tensors) and returns a short label ------

Mutator = Callable[[bytearray, FlatMap, np.random.Generator], str]


def m_bitflip(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """Flip 1-8 bits, mostly outside the weights."""
    n = int(rng.integers(1, 9))
    for _ in range(n):
        site = _pick(rng, fm.sites) if rng.random() < 0.8 else None
        pos = (site.pos + int(rng.integers(0, max(site.size, 1))) if site
               else int(rng.integers(0, len(buf))))
        if pos < len(buf):
            buf[pos] ^= 1 << int(rng.integers(0, 8))
    return f"bitflip x{n}"


def m_random_bytes(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    pos = int(rng.integers(0, len(buf)))
    n = int(rng.integers(1, 17))
    _put(buf, pos, bytes(rng.integers(0, 256, n, dtype=np.uint8)))
    return f"bytes@{pos}x{n}"


def m_site_value(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """Any located scalar set to an edge value."""
    site = _pick(rng, [s for s in fm.sites if s.kind in FORMATS])
    if site is None:
        return "noop"
    if site.kind == "f32":
        v: float | int = float(rng.choice(FLOAT_EDGES))
    else:
        v = _int_value(rng, site.kind, (fm.n_tensors, fm.n_tensors - 1, fm.n_buffers))
    _put(buf, site.pos, _pack(site.kind, v))
    return f"{site.path}={v}"


def m_shape(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """A tensor dimension made huge, negative or zero."""
    site = _pick(rng, fm.where("shape[]", "Tensor"))
    if site is None:
        return "noop"
    v = int(rng.choice([0, 0, -1, -(1 << 31), (1 << 31) - 1, 1 << 16, 1 << 20, 1 << 30, 2, 3,
                        1000, 46341]))
    _put(buf, site.pos, _pack("i32", v))
    return f"{site.path}={v}"


def m_type(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    site = _pick(rng, fm.where("type", "Tensor"))
    if site is None:
        return "noop"
    v = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 99, 127, -1]))
    _put(buf, site.pos, _pack("i8", v))
    return f"{site.path}={v}"


def m_buffer_index(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """A tensor pointed at no buffer, another tensor's buffer, or one that does not exist."""
    site = _pick(rng, fm.where("buffer", "Tensor"))
    if site is None:
        return "noop"
    v = int(rng.choice([0, 0, 1, fm.n_buffers - 1, fm.n_buffers, fm.n_buffers + 7,
                        (1 << 32) - 1, int(rng.integers(0, max(fm.n_buffers, 1)))]))
    _put(buf, site.pos, _pack("u32", v))
    return f"{site.path}={v}"


def m_drop_buffer(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """A buffer's data vector emptied or made longer than the file."""
    site = _pick(rng, fm.where("data.len", "Buffer"))
    if site is None:
        return "noop"
    v = int(rng.choice([0, 0, 1, 3, (1 << 32) - 1, 1 << 30]))
    _put(buf, site.pos, _pack("u32", v))
    return f"{site.path}={v}"


def m_quant(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    sites = (fm.where("scale[]") + fm.where("zero_point[]") + fm.where("quantized_dimension")
             + fm.where("scale.len") + fm.where("zero_point.len"))
    site = _pick(rng, sites)
    if site is None:
        return "noop"
    v: float | int
    if site.kind == "f32":
        v = float(rng.choice(FLOAT_EDGES))
    elif site.kind == "i64":
        v = int(rng.choice(INT64_EDGES))
    else:
        v = int(rng.choice([0, 1, 2, 3, 4, -1, 7, 1 << 20]))
    _put(buf, site.pos, _pack(site.kind if site.kind != "len" else "u32", v))
    return f"{site.path}={v}"


def m_op_tensor(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """An op input or output index changed: a cycle (its own output), a later tensor,
    a missing optional (-1), or a tensor that does not exist."""
    sites = fm.where("inputs[]", "Operator") + fm.where("outputs[]", "Operator")
    site = _pick(rng, sites)
    if site is None:
        return "noop"
    op = site.owner[1]
    own_outputs = [s for s in fm.where("outputs[]", "Operator") if s.owner[1] == op]
    choices = [-1, fm.n_tensors, fm.n_tensors - 1, -2, (1 << 31) - 1,
               int(rng.integers(0, max(fm.n_tensors, 1)))]
    if own_outputs and own_outputs[0].pos + 4 <= len(buf):
        choices += [int(struct.unpack_from("<i", buf, own_outputs[0].pos)[0])] * 3
    v = int(rng.choice(choices))
    _put(buf, site.pos, _pack("i32", v))
    return f"{site.path}={v}"


def m_graph_io(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    sites = fm.where("inputs[]", "SubGraph") + fm.where("outputs[]", "SubGraph")
    site = _pick(rng, sites)
    if site is None:
        return "noop"
    v = int(rng.choice([-1, 0, fm.n_tensors, fm.n_tensors - 1,
                        int(rng.integers(0, max(fm.n_tensors, 1)))]))
    _put(buf, site.pos, _pack("i32", v))
    return f"{site.path}={v}"


def m_opcode(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """An op becomes another (builtin code), or points at another opcode entry."""
    sites = (fm.where("builtin_code") + fm.where("deprecated_builtin_code")
             + fm.where("opcode_index"))
    site = _pick(rng, sites)
    if site is None:
        return "noop"
    if site.name == "opcode_index":
        v = int(rng.choice([0, fm.n_opcodes - 1, fm.n_opcodes, -1]))
        _put(buf, site.pos, _pack("u32", v))
    else:
        # mostly an operator mcu-codegen knows (so its rules and emitter meet the other
        # op's tensors), else CUSTOM, the placeholder, or no operator at all
        v = int(rng.choice(_known_codes())) if rng.random() < 0.75 else \
            int(rng.choice([32, 127, 126, 200, 10_000, -1, -100]))
        _put(buf, site.pos, _pack(site.kind, v))
    return f"{site.path}={v}"


@cache
def _known_codes() -> tuple[int, ...]:
    """Builtin codes of every operator mcu-codegen has a definition for."""
    from mcu_codegen.ir import OpKind
    from mcu_codegen.tflite.schema import BUILTIN_NAMES

    known = {k.value for k in OpKind}
    return tuple(sorted(code for code, name in BUILTIN_NAMES.items() if name in known))


def m_option(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """An option field (stride, padding, activation, beta, ...) or the options type."""
    sites = fm.where("option") + fm.where("builtin_options_type")
    site = _pick(rng, sites)
    if site is None:
        return "noop"
    if site.size >= 4 and rng.random() < 0.3:
        raw = struct.pack("<f", float(rng.choice(FLOAT_EDGES)))
        label = "float"
    else:
        v = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 255, -1, 1 << 16, (1 << 31) - 1,
                            -(1 << 31)]))
        raw = _pack("i32", v)[: site.size] if site.size < 4 else _pack("i32", v)
        label = str(v)
    _put(buf, site.pos, raw[: site.size])
    return f"{site.path}={label}"


def m_length(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """A vector or string length set to 0, one more, or far past the end of the file."""
    site = _pick(rng, [s for s in fm.sites if s.kind == "len"])
    if site is None:
        return "noop"
    cur = int(struct.unpack_from("<I", buf, site.pos)[0]) if site.pos + 4 <= len(buf) else 0
    v = int(rng.choice([0, cur + 1, max(cur - 1, 0), cur * 2 + 1, 1 << 20, (1 << 31) - 1,
                        (1 << 32) - 1, 100_001]))
    _put(buf, site.pos, _pack("u32", v))
    return f"{site.path}={v}"


def m_uoffset(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """A uoffset or vtable offset pointed anywhere: past the end, backwards, at itself."""
    site = _pick(rng, [s for s in fm.sites if s.kind in ("uoffset", "soffset")])
    if site is None:
        return "noop"
    cur = int(struct.unpack_from("<I", buf, site.pos)[0]) if site.pos + 4 <= len(buf) else 0
    v = int(rng.choice([0, 1, 2, 4, cur + 4, cur - 4, cur + 1, len(buf), len(buf) - site.pos,
                        (1 << 31) - 1, (1 << 32) - 1, -site.pos,
                        int(rng.integers(0, len(buf)))]))
    _put(buf, site.pos, _pack("u32", v))
    return f"{site.path}->{v}"


def m_name(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """A tensor name (or the description) overwritten in place with hostile bytes."""
    site = _pick(rng, fm.where("name.bytes") + fm.where("description.bytes"))
    if site is None or site.size == 0:
        return "noop"
    hostile = str(rng.choice(HOSTILE_NAMES)).encode("utf-8", "surrogatepass")
    hostile += bytes([0xFF, 0xFE, 0xC3]) if rng.random() < 0.3 else b""
    raw = (hostile * (site.size // max(len(hostile), 1) + 1))[: site.size]
    _put(buf, site.pos, raw)
    return f"{site.path}=hostile"


def m_truncate(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        n = int(rng.integers(0, len(buf)))
    else:
        site = _pick(rng, fm.sites)
        n = site.pos if site else len(buf) // 2
    del buf[n:]
    return f"truncate@{n}"


def m_chunk(buf: bytearray, fm: FlatMap, rng: np.random.Generator) -> str:
    """Delete, duplicate or insert a chunk: every offset after it is now wrong."""
    if not buf:
        return "noop"
    pos = int(rng.integers(0, len(buf)))
    n = int(rng.integers(1, 65))
    what = int(rng.integers(0, 3))
    if what == 0:
        del buf[pos : pos + n]
        return f"delete@{pos}x{n}"
    if what == 1:
        buf[pos:pos] = buf[pos : pos + n]
        return f"duplicate@{pos}x{n}"
    buf[pos:pos] = bytes(rng.integers(0, 256, n, dtype=np.uint8))
    return f"insert@{pos}x{n}"


MUTATORS: tuple[tuple[Mutator, float], ...] = (
    (m_bitflip, 3.0),
    (m_random_bytes, 1.0),
    (m_site_value, 2.0),
    (m_shape, 2.0),
    (m_type, 1.5),
    (m_buffer_index, 1.5),
    (m_drop_buffer, 1.0),
    (m_quant, 2.0),
    (m_op_tensor, 2.0),
    (m_graph_io, 1.0),
    (m_opcode, 1.5),
    (m_option, 2.0),
    (m_length, 1.5),
    (m_uoffset, 1.5),
    (m_name, 1.0),
    (m_truncate, 1.0),
    (m_chunk, 1.0),
)
_WEIGHTS = np.array([w for _, w in MUTATORS]) / sum(w for _, w in MUTATORS)

#: Share of cases that are random generated graphs rather than mutated seeds.
GENERATED_SHARE = 0.2


def make_case(seed: int, index: int, include_shared: bool = True) -> Case:
    """The ``index``-th case of the run seeded with ``seed`` (pure function of both)."""
    rng = np.random.default_rng([seed, index])
    board = str(rng.choice(BOARDS))
    if rng.random() < GENERATED_SHARE:
        data = generated_model(rng)
        label = "generated"
        if rng.random() < 0.3:
            fm = build_map(data)
            buf = bytearray(data)
            label += " + " + _apply(buf, fm, rng, 1)
            data = bytes(buf)
        return Case(index, label, data, board)
    prepared = _prepared(include_shared)
    # The small writer seeds mutate fastest; the real models find real quirks.
    p = prepared[int(rng.integers(0, len(prepared)))]
    buf = bytearray(p.seed.data)
    n = int(rng.choice([1, 1, 1, 2, 2, 3, 5]))
    label = _apply(buf, p.fmap, rng, n)
    if rng.random() < 0.02:  # splice two models: tables of one, offsets of the other
        other = prepared[int(rng.integers(0, len(prepared)))].seed.data
        cut = int(rng.integers(0, min(len(buf), len(other)) or 1))
        buf = buf[:cut] + bytearray(other[cut:])
        label += f", spliced@{cut}"
    return Case(index, f"{p.seed.name}: {label}", bytes(buf), board)


def _apply(buf: bytearray, fm: FlatMap, rng: np.random.Generator, n: int) -> str:
    labels = []
    for _ in range(n):
        mutator = MUTATORS[int(rng.choice(len(MUTATORS), p=_WEIGHTS))][0]
        labels.append(mutator(buf, fm, rng))
    return ", ".join(labels)
