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


def test_auto_falls_back_when_a_kernel_sets_weights_do_not_fit_flash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The DSP kernels lay weights out wider; on a board whose flash holds only the
    portable layout, ``auto`` builds portable and says why, ``--kernels dsp`` refuses."""
    import dataclasses

    from mcu_codegen import api
    from mcu_codegen.errors import BoardError
    from tests.example_models import kws_tiny

    model = kws_tiny()
    portable = api.compile_model(model, board="mps2-an386", kernels="portable")
    dsp = api.compile_model(model, board="mps2-an386", kernels="dsp")
    w_port = int(str(portable.library.report["weights_bytes"]))
    w_dsp = int(str(dsp.library.report["weights_bytes"]))
    assert w_dsp > w_port  # otherwise this test proves nothing
    small = dataclasses.replace(board("mps2-an386"), flash_bytes=(w_port + w_dsp) // 2)
    monkeypatch.setattr(api, "get_board", lambda name: small)
    got = api.compile_model(model, board="mps2-an386")
    assert got.library.report["kernel_set"] == "portable"
    note = str(got.library.report["kernel_set_fallback"])
    assert note.startswith("dsp kernels: weights need") and "next kernel set down" in note
    assert b"kernel_set_fallback" in got.library.files["report.json"]
    with pytest.raises(BoardError, match="weights need"):
        api.compile_model(model, board="mps2-an386", kernels="dsp")


@pytest.mark.parametrize("board_name", ["mps2-an386", "mps3-an547"])
def test_weights_shared_by_many_ops_are_stored_once(board_name: str) -> None:
    """arm_kws_basic_lstm_s is an unrolled LSTM: 99 FULLY_CONNECTED ops read 3 weight
    tensors. Variants lay weights out per op, so those ops keep the portable kernels
    and the weights stay one copy (5.9 MB instead of 62 KB before this rule)."""
    from mcu_codegen import api
    from tests.conftest import shared_model

    path = shared_model("arm_kws_basic_lstm_s_int8.tflite")
    portable = api.compile_model(path, board=board_name, kernels="portable")
    best = api.compile_model(path, board=board_name)
    assert best.library.report["kernel_set"] != "portable"
    assert "kernel_set_fallback" not in best.library.report
    w_port = int(str(portable.library.report["weights_bytes"]))
    assert int(str(best.library.report["weights_bytes"])) < 1.1 * w_port
