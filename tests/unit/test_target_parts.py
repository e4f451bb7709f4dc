"""Pure-Python parts of the Cortex-M target: board files, the link-map parser, and the
SysTick instruction arithmetic."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from mcu_codegen.boards import all_boards, board
from mcu_codegen.target.runner import WRAP_HANDLER_INSTRUCTIONS, count, ticks_per_instruction
from mcu_codegen.target.sizes import parse_map

REQUIRED = {
    "host": None,
    "mps2-an385": "cortex-m3", "mps2-an386": "cortex-m4", "mps2-an500": "cortex-m7",
    "mps2-an505": "cortex-m33", "mps3-an547": "cortex-m55", "microbit": "cortex-m0",
    "nucleo-l4r5zi": "cortex-m4", "nucleo-f746zg": "cortex-m7", "nucleo-h743zi": "cortex-m7",
    "nrf52840dk": "cortex-m4", "rp2040": "cortex-m0plus", "nucleo-u575zi": "cortex-m33",
}


def test_every_required_board_exists() -> None:
    names = {b.name for b in all_boards()}
    assert set(REQUIRED) <= names


@pytest.mark.parametrize("name", sorted(n for n in REQUIRED if n != "host"))
def test_cortex_m_board_is_complete(name: str) -> None:
    b = board(name)
    assert b.core == REQUIRED[name]
    assert f"-mcpu={b.core}" in b.cflags and "-mthumb" in b.cflags
    flash, ram = b.region("flash"), b.region("ram")
    assert flash is not None and ram is not None
    assert flash.length == b.flash_bytes and ram.length == b.ram_bytes
    assert not (flash.origin < ram.origin + ram.length and ram.origin < flash.origin + flash.length)
    hard = "-mfloat-abi=hard" in b.cflags
    assert hard == ("fpu" in b.features), "hard-float exactly on cores with an FPU"
    if b.qemu_machine:
        assert b.qemu_systick_hz > 0 and b.stack_bytes > 0


def test_the_mlperf_tiny_reference_board() -> None:
    b = board("nucleo-l4r5zi")
    assert (b.flash_bytes, b.ram_bytes) == (2 * 1024 * 1024, 640 * 1024)
    assert "fpu" in b.features and not b.qemu_machine


def test_microbit_has_16_kb_of_ram() -> None:
    assert board("microbit").ram_bytes == 16 * 1024


MAP = """\
Archive member included to satisfy reference by file (symbol)

Linker script and memory map

LOAD /w/obj/fw/firmware_startup.o
.vectors        0x00000000       0xc0
 *(.vectors)
 .vectors       0x00000000       0xc0 /w/obj/fw/firmware_startup.o
                0x00000000                fw_vectors

.text           0x000000c0      0x140
 *(.text .text.*)
 .text.Reset_Handler
                0x000000c0       0x78 /w/obj/fw/firmware_startup.o
 .text.mcu_conv_s8
                0x00000138       0x40 /w/obj/lib/conv_s8.o
                0x00000138                mcu_conv_s8
 *fill*         0x00000178        0x8
 .text          0x00000180       0x20 /usr/lib/x/libc.a(libc_a-memcpy-stub.o)
 .text          0x000001a0        0x0 linker stubs

.rodata         0x00000200      0x110
 .rodata.model_w1
                0x00000200      0x100 /w/obj/lib/model_weights.o
 .rodata.main.str1.4
                0x00000300       0x10 /w/obj/fw/firmware_main.o

.data           0x20000000        0x8 load address 0x00000310
 .data.x        0x20000000        0x8 /w/obj/lib/model.o

.bss            0x20000008      0x220 load address 0x00000318
 .bss.model_arena
                0x20000010      0x200 /w/obj/lib/model.o
 .bss.fw_in0    0x20000210       0x10 /w/obj/fw/firmware_main.o
 .bss.fw_out0   0x20000220        0x4 /w/obj/fw/firmware_main.o

.stack          0x20000228     0x2000 load address 0x00000318
 *fill*         0x20000228     0x2000
OUTPUT(/w/firmware.elf elf32-littlearm)
"""


def test_map_parser_splits_library_runtime_and_firmware() -> None:
    libs = [Path("/w/obj/lib/conv_s8.o"), Path("/w/obj/lib/model_weights.o"),
            Path("/w/obj/lib/model.o")]
    fp = parse_map(MAP, libs)
    assert (fp.library.text, fp.library.rodata, fp.library.data, fp.library.bss) == \
        (0x40, 0x100, 8, 0x200)
    assert fp.runtime.text == 0x20 and fp.runtime_members == ["libc.a(libc_a-memcpy-stub.o)"]
    assert (fp.firmware.text, fp.firmware.rodata) == (0xc0 + 0x140, 0x110)
    assert (fp.firmware.data, fp.firmware.bss) == (8, 0x220)
    assert fp.stack_reserved == 0x2000 and fp.io_bytes == 0x14


def test_ticks_convert_to_exact_instructions() -> None:
    b = board("mps2-an386")
    ratio = ticks_per_instruction(b)
    assert ratio == Fraction(25_000_000 * 1024, 10 ** 9)  # 25.6 ticks per instruction
    # 1,000,000 instructions, read with up to one tick of phase error either way,
    # across 3 SysTick wraps (each runs the 5-instruction handler).
    ticks = round((1_000_000 + 3 * WRAP_HANDLER_INSTRUCTIONS) * ratio)
    for jitter in (-1, 0, 1):
        a = (0, 5, 7)
        end = 5 + ticks + jitter
        b_stamp = (end >> 32, end & 0xFFFFFFFF, 10)
        assert count(a, b_stamp, ratio) == 1_000_000
