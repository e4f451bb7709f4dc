"""Enum decodings and attribute pieces shared by several op definitions."""

from __future__ import annotations

from collections.abc import Mapping

PADDING = {0: "SAME", 1: "VALID"}
ACTIVATION = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
SUPPORTED_ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


def opt_int(options: Mapping[str, object], key: str, default: int = 0) -> int:
    v = options.get(key, default)
    return int(v) if isinstance(v, int | float) else default


def opt_float(options: Mapping[str, object], key: str, default: float = 0.0) -> float:
    v = options.get(key, default)
    return float(v) if isinstance(v, int | float) else default


def activation(options: Mapping[str, object]) -> str:
    code = opt_int(options, "fused_activation_function")
    return ACTIVATION.get(code, f"UNKNOWN({code})")


def padding(options: Mapping[str, object]) -> str:
    code = opt_int(options, "padding")
    return PADDING.get(code, f"UNKNOWN({code})")
