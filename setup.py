"""Ship the top-level templates/, runtime_c/ and boards/ folders inside the wheel.

They live at the top of the repository (where people look for them) and are
copied into ``mcu_codegen/_data/`` when the package is built, so that a
non-editable ``pip install .`` works from any folder. ``mcu_codegen.resources``
finds them in either place.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_DIRS = ("templates", "runtime_c", "boards")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).parent
        for name in DATA_DIRS:
            dest = Path(self.build_lib) / "mcu_codegen" / "_data" / name
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(root / name, dest)


setup(cmdclass={"build_py": BuildWithData})
