"""Write a generated library into a folder atomically.

The files go to a fresh sibling folder first; only when every byte is written
does it take the target's place, so a failure leaves the target as it was.
A non-empty target that mcu-codegen did not write (no report.json of ours) is
refused unless ``force`` is given.

The sibling folders carry the writing process's id (``.OUT.new-PID-*``,
``.OUT.old-PID-*``). A build killed outright (SIGKILL, power loss) cannot clean up
after itself, so the next build into the same place does: it puts a previous library
that was moved aside back in place when OUT is missing, and removes the leftovers of
processes that no longer run (on POSIX systems, where that can be asked).
"""

from __future__ import annotations

import json
import os
import re
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


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (assumed so where that cannot be asked)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def recover_leftovers(out: Path) -> None:
    """Tidy what a killed build into ``out`` left: put a library it had moved aside
    back when ``out`` is missing, and remove its staging and moved-aside folders."""
    if not out.parent.is_dir():
        return
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(new|old)-(\d+)-")
    stale = []
    for p in sorted(out.parent.iterdir()):
        m = pattern.match(p.name)
        if m and p.is_dir() and not _alive(int(m.group(2))):
            stale.append((m.group(1), p))
    for kind, p in stale:
        if kind == "old" and not out.exists() and _ours(p):
            p.rename(out)
        else:
            shutil.rmtree(p, ignore_errors=True)


def _swap_in(out: Path, files: dict[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_leftovers(out)
    tag = f"{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{tag}", dir=out.parent))
    try:
        for name, data in sorted(files.items()):
            (staging / name).write_bytes(data)
        staging.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{tag}", dir=out.parent))
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
