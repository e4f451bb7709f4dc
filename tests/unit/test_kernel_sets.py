"""Kernel sets follow the board's features; a set the core lacks is refused."""

from __future__ import annotations

import pytest

from mcu_codegen.boards import board
from mcu_codegen.errors import OptionError
from mcu_codegen.ops import simd


@pytest.mark.parametrize(("name", "best"), [
    ("host", "portable"), ("mps2-an385", "portable"), ("microbit", "portable"),
    ("mps2-an386", "dsp"), ("mps2-an500", "dsp"), ("mps2-an505", "dsp"),
    ("mps3-an547", "mve"),
])
def test_auto_is_the_best_set_of_the_board(name: str, best: str) -> None:
    b = board(name)
    assert simd.resolve("auto", b.features, b.core, b.name) == best
    assert simd.resolve("portable", b.features, b.core, b.name) == "portable"


def test_sets_the_core_lacks_are_refused() -> None:
    m3 = board("mps2-an385")
    with pytest.raises(OptionError, match="no DSP extension"):
        simd.resolve("dsp", m3.features, m3.core, m3.name)
    m4 = board("mps2-an386")
    with pytest.raises(OptionError, match="no MVE extension"):
        simd.resolve("mve", m4.features, m4.core, m4.name)
    host = board("host")
    assert simd.resolve("dsp", host.features, host.core, host.name) == "dsp"  # emulated
    with pytest.raises(OptionError, match="no MVE"):
        simd.resolve("mve", host.features, host.core, host.name)
    with pytest.raises(OptionError, match="unknown kernel set"):
        simd.resolve("neon", host.features, host.core, host.name)


def test_chain_falls_back_towards_portable() -> None:
    assert simd.chain("portable") == ()
    assert simd.chain("dsp") == ("dsp",)
    assert simd.chain("mve") == ("mve", "dsp")
