"""Flash and RAM from the linker's map file, split by origin.

Every allocated input section is credited to its output section (text, rodata, data,
bss, stack) and to where it came from: the generated library's objects, the C runtime
members the link pulled in (libc, libm, libgcc: memcpy, roundf, division helpers...) or
the test firmware itself (vector table, start-up, semihosting, I/O buffers). The test
firmware is compiled freestanding, so every runtime member is there for the library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Output sections of templates/firmware_link.ld.j2 and what they count as.
KIND = {
    ".vectors": "text", ".text": "text", ".iplt": "text",
    ".rodata": "rodata", ".ARM.exidx": "rodata", ".ARM.extab": "rodata",
    ".data": "data", ".bss": "bss", ".stack": "stack",
}

_OUT = re.compile(
    r"^(\.[\w.]+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+))?(?:\s+load address 0x[0-9a-f]+)?\s*$"
)
#: The firmware's input and output buffers (firmware_main.c.j2): the caller's memory.
_IO = re.compile(r"^\.bss\.fw_(in|out)\d+$")
_IN = re.compile(r"^ (\S+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(.*))?)?\s*$")
_CONT = re.compile(r"^\s{2,}0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(.*))?\s*$")


@dataclass
class Sections:
    text: int = 0
    rodata: int = 0
    data: int = 0
    bss: int = 0

    @property
    def flash(self) -> int:
        return self.text + self.rodata + self.data

    @property
    def ram(self) -> int:
        return self.data + self.bss

    def add(self, kind: str, size: int) -> None:
        if kind in ("text", "rodata", "data", "bss"):
            setattr(self, kind, getattr(self, kind) + size)


@dataclass
class Footprint:
    library: Sections = field(default_factory=Sections)
    runtime: Sections = field(default_factory=Sections)
    firmware: Sections = field(default_factory=Sections)  # the whole ELF
    stack_reserved: int = 0
    io_bytes: int = 0  # the firmware's input and output buffers (in firmware.bss)
    runtime_members: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "library": asdict(self.library),
            "runtime": asdict(self.runtime),
            "runtime_members": list(self.runtime_members),
            "firmware": asdict(self.firmware),
            "stack_reserved": self.stack_reserved,
            "io_bytes": self.io_bytes,
        }


def _member(path: str) -> str:
    """'.../libc.a(libc_a-memcpy.o)' -> 'libc.a(libc_a-memcpy.o)'."""
    return path.rsplit("/", 1)[-1]


def parse_map(text: str, library_objects: Iterable[Path]) -> Footprint:
    libs = {str(p) for p in library_objects}
    fp = Footprint()
    members: list[str] = []
    body = text.split("Linker script and memory map", 1)[-1]
    out_kind = ""
    pending: tuple[str, str] | None = None  # ("out" | "in", name) awaiting its numbers

    def credit_input(name: str, size: int, origin: str) -> None:
        if not out_kind or size == 0 or name == "*fill*":
            return
        if origin in libs:
            fp.library.add(out_kind, size)
        elif _IO.match(name):
            fp.io_bytes += size
        elif ".a(" in origin:
            fp.runtime.add(out_kind, size)
            if _member(origin) not in members:
                members.append(_member(origin))

    def start_output(name: str, size: int) -> None:
        nonlocal out_kind
        out_kind = KIND.get(name, "")
        if out_kind == "stack":
            fp.stack_reserved = size
        elif out_kind:
            fp.firmware.add(out_kind, size)

    for line in body.splitlines():
        if pending is not None:
            m = _CONT.match(line)
            kind, name = pending
            pending = None
            if m:
                if kind == "out":
                    start_output(name, int(m.group(2), 16))
                else:
                    credit_input(name, int(m.group(2), 16), (m.group(3) or "").strip())
                continue
        if not line.startswith(" "):
            m = _OUT.match(line)
            if m:
                if m.group(2) is None:
                    pending = ("out", m.group(1))
                else:
                    start_output(m.group(1), int(m.group(3), 16))
            elif line.strip():
                out_kind = ""
            continue
        m = _IN.match(line)
        if m and "(" not in m.group(1) and not m.group(1).startswith("0x"):
            if m.group(2) is None:
                pending = ("in", m.group(1))
            else:
                credit_input(m.group(1), int(m.group(3), 16), (m.group(4) or "").strip())
    fp.runtime_members = sorted(members)
    return fp


def footprint(map_file: Path, library_objects: Iterable[Path]) -> Footprint:
    return parse_map(map_file.read_text(errors="replace"), library_objects)
