"""Locate the data folders (templates/, runtime_c/, boards/).

Installed wheels carry them in ``mcu_codegen/_data/``; a source checkout has
them at the repository's top level.
"""

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (templates, runtime_c or boards)."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mcu-codegen installation is missing its {name}/ folder")
