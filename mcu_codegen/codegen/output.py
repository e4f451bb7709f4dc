"""Write a generated library into a folder atomically.

The files go to a fresh sibling folder first; only when every byte is written
does it take the target's place, so a failure leaves the target as it was.
A non-empty target that mcu-codegen did not write (no report.json of ours) is
refused unless ``force`` is given.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from ..errors import OptionError


def _ours(folder: Path) -> bool:
    try:
        report = json.loads((folder / "report.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and str(report.get("generator", "")).startswith("mcu-codegen")


def check_target(out: Path, force: bool) -> None:
    """Raise OptionError when writing to ``out`` would destroy something not ours."""
    if out.exists() and not out.is_dir():
        raise OptionError(f"{out} exists and is not a folder")
    try:
        non_empty = out.is_dir() and any(out.iterdir())
    except OSError as exc:
        raise OptionError(f"cannot read {out}: {exc.strerror or exc}") from exc
    if non_empty and not force and not _ours(out):
        raise OptionError(
            f"{out} is not empty and was not written by mcu-codegen (use --force to replace it)"
        )


def write_atomically(out: Path, files: dict[str, bytes], force: bool = False) -> None:
    out = out.resolve()
    check_target(out, force)
    try:
        _swap_in(out, files)
    except OSError as exc:  # no space, no permission...: the user's to fix, in one line
        raise OptionError(f"cannot write {out}: {exc.strerror or exc}") from exc


def _swap_in(out: Path, files: dict[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name, data in sorted(files.items()):
            (staging / name).write_bytes(data)
        staging.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
            try:
                staging.rename(out)
            except OSError:
                old.rename(out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
