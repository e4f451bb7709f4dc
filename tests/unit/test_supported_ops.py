"""SUPPORTED_OPS.md is generated from the op definitions and must be current."""

from __future__ import annotations

from pathlib import Path

from mcu_codegen.ops import OPS
from mcu_codegen.supported_ops import render

ROOT = Path(__file__).resolve().parents[2]


def test_supported_ops_md_is_current() -> None:
    committed = (ROOT / "SUPPORTED_OPS.md").read_text()
    assert committed == render(), "run: python -m mcu_codegen.supported_ops"


def test_every_op_has_a_summary_and_documented_rules() -> None:
    for kind, d in OPS.items():
        assert d.summary, kind
        assert d.rules, kind
        for rule in d.rules:
            assert rule.__doc__ and rule.__doc__.strip(), (kind, rule)
