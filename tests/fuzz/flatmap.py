"""Where things are in a .tflite file: a map of byte positions for structure-aware mutation.

A flatbuffer table starts with a signed offset to its vtable; the vtable lists,
per field, where the field sits relative to the table (0 = absent, default
value). Walking the tables of TFLite's schema from the root gives the position
of every tensor type, shape dimension, buffer index, op input, opcode, option
field, vector length and uoffset in the file, so that a mutation can change one
meaningful value instead of a random byte.

Only the schema's field *slots* are written down here (see TFLite's schema.fbs;
``tests/fuzz/test_flatmap.py`` checks them against the ``tflite`` accessors).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

#: Field kinds: scalars ("i8", "u8", "i32", "u32", "i64", "u64", "f32", "bool"),
#: "str", "vec:<elem>" (elem a scalar kind, "table:<T>" or "bytes"), "table:<T>",
#: "union:<type slot>" (a table whose fields are mutated blindly).
SCHEMA: dict[str, dict[int, tuple[str, str]]] = {
    "Model": {
        0: ("version", "u32"),
        1: ("operator_codes", "vec:table:OperatorCode"),
        2: ("subgraphs", "vec:table:SubGraph"),
        3: ("description", "str"),
        4: ("buffers", "vec:table:Buffer"),
        5: ("metadata_buffer", "vec:i32"),
        6: ("metadata", "vec:table:Metadata"),
    },
    "OperatorCode": {
        0: ("deprecated_builtin_code", "i8"),
        1: ("custom_code", "str"),
        2: ("version", "i32"),
        3: ("builtin_code", "i32"),
    },
    "SubGraph": {
        0: ("tensors", "vec:table:Tensor"),
        1: ("inputs", "vec:i32"),
        2: ("outputs", "vec:i32"),
        3: ("operators", "vec:table:Operator"),
        4: ("name", "str"),
    },
    "Tensor": {
        0: ("shape", "vec:i32"),
        1: ("type", "i8"),
        2: ("buffer", "u32"),
        3: ("name", "str"),
        4: ("quantization", "table:QuantizationParameters"),
        5: ("is_variable", "bool"),
        7: ("shape_signature", "vec:i32"),
    },
    "QuantizationParameters": {
        0: ("min", "vec:f32"),
        1: ("max", "vec:f32"),
        2: ("scale", "vec:f32"),
        3: ("zero_point", "vec:i64"),
        4: ("details_type", "u8"),
        6: ("quantized_dimension", "i32"),
    },
    "Operator": {
        0: ("opcode_index", "u32"),
        1: ("inputs", "vec:i32"),
        2: ("outputs", "vec:i32"),
        3: ("builtin_options_type", "u8"),
        4: ("builtin_options", "union:3"),
        5: ("custom_options", "vec:bytes"),
        7: ("mutating_variable_inputs", "vec:bool"),
        8: ("intermediates", "vec:i32"),
    },
    "Buffer": {
        0: ("data", "vec:bytes"),
        1: ("offset", "u64"),
        2: ("size", "u64"),
    },
    "Metadata": {
        0: ("name", "str"),
        1: ("buffer", "u32"),
    },
}

SIZES = {"i8": 1, "u8": 1, "bool": 1, "i16": 2, "u16": 2, "i32": 4, "u32": 4, "f32": 4,
         "i64": 8, "u64": 8, "bytes": 1}
FORMATS = {"i8": "<b", "u8": "<B", "bool": "<B", "i16": "<h", "u16": "<H", "i32": "<i",
           "u32": "<I", "f32": "<f", "i64": "<q", "u64": "<Q"}

#: Vectors longer than this are mapped only partly (their first elements).
MAX_ELEMENTS = 64


@dataclass(frozen=True)
class Site:
    """One value in the file: ``path`` says what it is, e.g. ``Tensor[3].shape[1]``."""

    path: str
    kind: str  # a scalar kind, "uoffset", "len" (vector length), "soffset" (vtable), "raw"
    pos: int
    size: int
    #: Table-level context for semantic mutations: ("Tensor", 3) etc.
    owner: tuple[str, int] = ("", -1)
    name: str = ""


@dataclass
class FlatMap:
    """Every located value of one model, plus a few counts the mutators need."""

    sites: list[Site] = field(default_factory=list)
    n_tensors: int = 0
    n_buffers: int = 0
    n_ops: int = 0
    n_opcodes: int = 0
    #: (start, end) byte ranges of buffer payloads (weights): boring to mutate.
    payloads: list[tuple[int, int]] = field(default_factory=list)

    def where(self, name: str, table: str | None = None) -> list[Site]:
        return [s for s in self.sites
                if s.name == name and (table is None or s.owner[0] == table)]


def _u32(data: bytes, pos: int) -> int:
    return int(struct.unpack_from("<I", data, pos)[0])


def _field_pos(data: bytes, table: int, slot: int) -> int:
    """Absolute position of field ``slot`` of the table at ``table``, or 0 when absent."""
    vtable = table - struct.unpack_from("<i", data, table)[0]
    vt_len = struct.unpack_from("<H", data, vtable)[0]
    voff = 4 + 2 * slot
    if voff >= vt_len:
        return 0
    rel = struct.unpack_from("<H", data, vtable + voff)[0]
    return table + rel if rel else 0


def build_map(data: bytes) -> FlatMap:
    """Map a well-formed model (the seeds are; mutants are never walked)."""
    fm = FlatMap()
    counters: dict[str, int] = {}
    root = _u32(data, 0)
    fm.sites.append(Site("root", "uoffset", 0, 4))
    _walk_table(data, root, "Model", "Model", fm, counters, depth=0)
    fm.n_tensors = counters.get("Tensor", 0)
    fm.n_buffers = counters.get("Buffer", 0)
    fm.n_ops = counters.get("Operator", 0)
    fm.n_opcodes = counters.get("OperatorCode", 0)
    return fm


def _walk_table(data: bytes, pos: int, table: str, path: str, fm: FlatMap,
                counters: dict[str, int], depth: int) -> None:
    if depth > 6:
        return
    index = counters.get(table, 0)
    counters[table] = index + 1
    owner = (table, index)
    fm.sites.append(Site(f"{path}.vtable", "soffset", pos, 4, owner, "vtable"))
    fields = SCHEMA[table]
    for slot, (name, kind) in fields.items():
        fpos = _field_pos(data, pos, slot)
        if not fpos:
            continue
        here = f"{path}.{name}"
        if kind in FORMATS:
            fm.sites.append(Site(here, kind, fpos, SIZES[kind], owner, name))
            continue
        if kind.startswith("union:"):
            type_pos = _field_pos(data, pos, int(kind.split(":")[1]))
            fm.sites.append(Site(here, "uoffset", fpos, 4, owner, name))
            if type_pos and data[type_pos] != 0:
                _walk_blind(data, fpos + _u32(data, fpos), here, fm, owner)
            continue
        target = fpos + _u32(data, fpos)
        fm.sites.append(Site(here, "uoffset", fpos, 4, owner, name))
        if kind == "str":
            n = _u32(data, target)
            fm.sites.append(Site(f"{here}.len", "len", target, 4, owner, name + ".len"))
            fm.sites.append(Site(f"{here}.bytes", "raw", target + 4, n, owner, name + ".bytes"))
        elif kind.startswith("table:"):
            _walk_table(data, target, kind[6:], here, fm, counters, depth + 1)
        elif kind.startswith("vec:"):
            elem = kind[4:]
            n = _u32(data, target)
            fm.sites.append(Site(f"{here}.len", "len", target, 4, owner, name + ".len"))
            start = target + 4
            if elem == "bytes":
                if n:
                    fm.payloads.append((start, start + n))
                    fm.sites.append(Site(f"{here}.bytes", "raw", start, n, owner, name + ".bytes"))
            elif elem.startswith("table:"):
                sub = elem[6:]
                limit = n if sub in ("Tensor", "Operator", "Buffer", "OperatorCode",
                                     "SubGraph") else min(n, MAX_ELEMENTS)
                for i in range(limit):
                    epos = start + 4 * i
                    fm.sites.append(Site(f"{here}[{i}]", "uoffset", epos, 4, owner, name + "[]"))
                    _walk_table(data, epos + _u32(data, epos), sub, f"{here}[{i}]", fm,
                                counters, depth + 1)
            else:
                size = SIZES[elem]
                for i in range(min(n, MAX_ELEMENTS)):
                    fm.sites.append(Site(f"{here}[{i}]", elem, start + size * i, size, owner,
                                         name + "[]"))


def _walk_blind(data: bytes, pos: int, path: str, fm: FlatMap, owner: tuple[str, int]) -> None:
    """An options table of unknown layout: record each present field's first bytes."""
    vtable = pos - struct.unpack_from("<i", data, pos)[0]
    vt_len = struct.unpack_from("<H", data, vtable)[0]
    fm.sites.append(Site(f"{path}.vtable", "soffset", pos, 4, owner, "options.vtable"))
    rel_positions = sorted(
        struct.unpack_from("<H", data, vtable + off)[0] for off in range(4, vt_len, 2)
    )
    rel_positions = [r for r in rel_positions if r]
    table_len = struct.unpack_from("<H", data, vtable + 2)[0]
    for k, rel in enumerate(rel_positions):
        nxt = rel_positions[k + 1] if k + 1 < len(rel_positions) else table_len
        size = max(1, min(4, nxt - rel))
        fm.sites.append(Site(f"{path}.field@{rel}", "raw", pos + rel, size, owner, "option"))
