"""The fuzzer's map of a .tflite file agrees with the tflite package's own accessors:
a structure-aware mutation changes the value it means to change."""

from __future__ import annotations

import struct

import pytest
import tflite

from mcu_codegen.tflite import read_graph
from tests.example_models import kws_tiny

from .flatmap import FORMATS, build_map
from .mutate import _pack
from .seeds import shared_seeds, writer_seeds


def _value(data: bytes, kind: str, pos: int) -> int | float:
    return struct.unpack_from(FORMATS[kind], data, pos)[0]


@pytest.mark.parametrize("name", ["kws_tiny", "zero_state_chain", "pad_conv", "add_broadcast"])
def test_sites_read_what_the_accessors_read(name: str) -> None:
    data = next(s.data for s in writer_seeds() if s.name == name)
    fm = build_map(data)
    sg = tflite.Model.GetRootAsModel(data, 0).Subgraphs(0)
    assert fm.n_tensors == sg.TensorsLength() and fm.n_ops == sg.OperatorsLength()
    for s in fm.where("type", "Tensor"):
        assert _value(data, s.kind, s.pos) == sg.Tensors(s.owner[1]).Type()
    for s in fm.where("buffer", "Tensor"):
        assert _value(data, s.kind, s.pos) == sg.Tensors(s.owner[1]).Buffer()
    dims = [s for s in fm.where("shape[]", "Tensor")]
    assert dims
    for s in dims:
        k = int(s.path.rsplit("[", 1)[1].rstrip("]"))
        assert _value(data, s.kind, s.pos) == sg.Tensors(s.owner[1]).Shape(k)
    for s in fm.where("inputs[]", "Operator"):
        k = int(s.path.rsplit("[", 1)[1].rstrip("]"))
        assert _value(data, s.kind, s.pos) == sg.Operators(s.owner[1]).Inputs(k)
    for s in fm.where("opcode_index", "Operator"):
        assert _value(data, s.kind, s.pos) == sg.Operators(s.owner[1]).OpcodeIndex()


def test_setting_a_dimension_through_the_map_changes_that_dimension() -> None:
    data = kws_tiny()
    fm = build_map(data)
    site = fm.where("shape[]", "Tensor")[5]
    buf = bytearray(data)
    buf[site.pos : site.pos + 4] = _pack("i32", 7)
    sg = tflite.Model.GetRootAsModel(bytes(buf), 0).Subgraphs(0)
    k = int(site.path.rsplit("[", 1)[1].rstrip("]"))
    assert sg.Tensors(site.owner[1]).Shape(k) == 7


def test_every_seed_is_mapped_and_readable() -> None:
    for seed in (*writer_seeds(), *shared_seeds()):
        fm = build_map(seed.data)
        assert fm.n_tensors > 0 and fm.n_ops > 0, seed.name
        read_graph(seed.data)  # the seeds themselves are well formed
