"""``python -m mcu_codegen`` is the same as the ``mcu-codegen`` command."""

from .cli import main

main()
