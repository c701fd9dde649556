"""In-tree build backend: setuptools, plus mypy (which ships mypyc) when compiling.

``ROUTECTL_COMPILE=1 pip install .`` (or ``python -m build --wheel`` with it set) asks
for the compiled build; setup.py then compiles the hot modules with mypyc. Without the
variable this is plain setuptools and needs no compiler. Editable installs are always
pure Python: compiled modules in the source tree would shadow the code being edited.
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (every hook this module does not change)

# What mypyc needs to type-check the compiled modules like `mypy --strict` does.
COMPILE_REQUIRES = ["mypy>=1.5", "click>=8.1", "tabulate>=0.9", "types-tabulate", "wcwidth"]


def _compiling() -> bool:
    return os.environ.get("ROUTECTL_COMPILE", "0") == "1"


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    compiling = _compiling()
    # setuptools runs setup.py to list its own needs; mypy is not installed yet then.
    os.environ["ROUTECTL_COMPILE"] = "0"
    try:
        requires = _setuptools.get_requires_for_build_wheel(config_settings)
    finally:
        os.environ["ROUTECTL_COMPILE"] = "1" if compiling else "0"
    return [*requires, *(COMPILE_REQUIRES if compiling else [])]


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    os.environ["ROUTECTL_COMPILE"] = "0"  # metadata does not depend on compiling
    return _setuptools.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    os.environ["ROUTECTL_COMPILE"] = "0"
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
