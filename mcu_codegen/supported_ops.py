"""SUPPORTED_OPS.md, generated from the op definitions (python -m mcu_codegen.supported_ops).

Every supported operator with its summary and its support rules in words (the
rules' docstrings). A test fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .ops import OPS


def render() -> str:
    lines = [
        "# Supported operators",
        "",
        "Generated from the op definitions in `mcu_codegen/ops/` by",
        "`python -m mcu_codegen.supported_ops`; do not edit by hand.",
        "",
        "Every op runs on int8 activations (TFLite's full-integer quantization) and is",
        "bit-exact with TensorFlow Lite Micro's reference kernels. An op that a rewriting",
        "pass removes (fused, folded or evaluated at build time) needs no kernel.",
        "",
    ]
    for kind in sorted(OPS, key=lambda k: k.value):
        d = OPS[kind]
        lines.append(f"## {kind.value}")
        lines.append("")
        summary = d.summary.rstrip(".")
        lines.append(summary[:1].upper() + summary[1:] + ".")
        lines.append("")
        for rule in d.rules:
            text = " ".join((rule.__doc__ or "").split())
            if text:
                lines.append(f"- {text[0].upper()}{text[1:]}.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("SUPPORTED_OPS.md")
    path.write_text(render())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
