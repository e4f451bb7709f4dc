"""Cortex-M targets: cross-build the generated library with arm-none-eabi-gcc, run it in
a generated test firmware under qemu-system-arm, and measure flash, RAM and instructions.

Modules, in the order a run uses them: ``integration`` (the .mk and CMakeLists.txt that
ship with a library), ``firmware`` (test firmware sources and the cross build),
``toolchain`` (finding and calling the tools), ``sizes`` (flash and RAM from the link
map), ``qemu`` (running a firmware), ``runner`` (verify and bench on a board) and
``report`` (the report.json ``target`` section and the printed table).
"""
