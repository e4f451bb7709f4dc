"""Boards: one TOML file each in boards/ (core, features, memory, compiler flags)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from .errors import BoardError
from .resources import data_dir


@dataclass(frozen=True)
class Region:
    """A memory region the firmware links into (boards/*.toml, [regions.<name>]).

    ``flash`` holds code and constants, ``ram`` data, bss and the stack; an optional
    ``vectors`` region holds the vector table when the core boots from elsewhere.
    """

    name: str
    origin: int
    length: int


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    core: str
    features: tuple[str, ...]
    flash_bytes: int  # 0: unlimited
    ram_bytes: int  # 0: unlimited
    cflags: tuple[str, ...]
    qemu_machine: str = ""
    regions: tuple[Region, ...] = ()
    qemu_systick_hz: int = 0  # SysTick clock under QEMU (instruction counting)
    stack_bytes: int = 0  # stack the test firmware reserves
    opt_flags: tuple[str, ...] = ("-O2",)  # optimization for the cross build

    @property
    def is_host(self) -> bool:
        return self.core == "host"

    def region(self, name: str) -> Region | None:
        return next((r for r in self.regions if r.name == name), None)


def all_boards() -> list[Board]:
    return [_load(p.stem) for p in sorted(data_dir("boards").glob("*.toml"))]


def board(name: str) -> Board:
    path = data_dir("boards") / f"{name}.toml"
    if not name or "/" in name or not path.is_file():
        known = ", ".join(b.name for b in all_boards())
        raise BoardError(f"unknown board {name!r} (known boards: {known})")
    return _load(name)


def _load(name: str) -> Board:
    raw = tomllib.loads((data_dir("boards") / f"{name}.toml").read_text())
    return Board(
        name=str(raw["name"]),
        description=str(raw.get("description", "")),
        core=str(raw["core"]),
        features=tuple(raw.get("features", ())),
        flash_bytes=int(raw.get("flash_bytes", 0)),
        ram_bytes=int(raw.get("ram_bytes", 0)),
        cflags=tuple(raw.get("cflags", ())),
        qemu_machine=str(raw.get("qemu_machine", "")),
        regions=tuple(
            Region(str(k), int(v["origin"]), int(v["length"]))
            for k, v in dict(raw.get("regions", {})).items()
        ),
        qemu_systick_hz=int(raw.get("qemu_systick_hz", 0)),
        stack_bytes=int(raw.get("stack_bytes", 0)),
        opt_flags=tuple(raw.get("opt_flags", ("-O2",))),
    )


def check_fits(b: Board, *, weights_bytes: int, arena_bytes: int, io_bytes: int) -> None:
    """Refuse a model whose constant data or working memory cannot fit the board.

    Flash must hold the weights; RAM the arena plus the caller's input and output
    buffers. (Code size and stack come on top: measured by cross builds.)
    """
    if b.flash_bytes and weights_bytes > b.flash_bytes:
        raise BoardError(
            f"the model does not fit {b.name}: weights need {weights_bytes} bytes of flash, "
            f"the board has {b.flash_bytes}"
        )
    ram = arena_bytes + io_bytes
    if b.ram_bytes and ram > b.ram_bytes:
        raise BoardError(
            f"the model does not fit {b.name}: the arena ({arena_bytes} bytes) and the input "
            f"and output buffers ({io_bytes} bytes) need {ram} bytes of RAM, "
            f"the board has {b.ram_bytes}"
        )
