"""`inspect --plot`: a well-formed SVG with one rectangle per arena buffer."""

from __future__ import annotations

import xml.dom.minidom
from dataclasses import replace

from mcu_codegen import api
from mcu_codegen.codegen.plot import plan_svg
from mcu_codegen.planner import Place
from tests.example_models import kws_tiny


def test_plan_svg_is_well_formed_even_with_hostile_names() -> None:
    compiled = api.compile_model(kws_tiny())
    g = compiled.graph
    hostile = tuple(replace(t, name=t.name + "\x01<&>\"'*/") for t in g.tensors)
    svg = plan_svg(replace(g, tensors=hostile), compiled.plan, title="m\x02<")
    doc = xml.dom.minidom.parseString(svg)
    arena = [b for b in compiled.plan.buffers if b.place is Place.ARENA]
    rects = doc.getElementsByTagName("rect")
    assert len(rects) == len(arena) + 1  # plus the white background
    assert "arena = bound" in svg or "lower bound" in svg
