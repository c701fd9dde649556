"""Build script: the pure-Python package, or with ROUTECTL_COMPILE=1 its hot modules
compiled by mypyc (the way black ships compiled wheels). Metadata is in pyproject.toml.

The compiled list is explicit and small: time parsing, the log reader, the replay
loop and output, the simulation's core, learner and delay tables, and two packages
compiled whole: the routing engine and the report
aggregation (every module in cli/routectl/engine/ and cli/routectl/report/, so modules
added there later are compiled without an edit here; drop a package from
COMPILED_PACKAGES if its code ever needs what mypyc cannot compile). Everything else
stays Python; compiled and pure builds give identical output
(tests/test_compiled_parity.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
COMPILED_MODULES = [
    "logio/timefmt.py", "logio/reader.py", "replay.py", "output.py",
    # the simulation's hot path (issue 19): the core, the learner, delay tables
    "sim/core.py", "sim/learn.py", "sim/hist.py",
]  # fmt: skip
COMPILED_PACKAGES = ["engine", "report"]


def compiled_sources() -> list[str]:
    package = HERE / "cli" / "routectl"
    sources = [package / name for name in COMPILED_MODULES]
    for name in COMPILED_PACKAGES:
        sources += sorted(p for p in (package / name).glob("*.py") if p.name != "__init__.py")
    missing = [str(path) for path in sources if not path.is_file()]
    if missing:
        raise SystemExit(f"setup.py: compiled module(s) not found: {', '.join(missing)}")
    return [str(path.relative_to(HERE)) for path in sources]


def ext_modules() -> list[object]:
    if os.environ.get("ROUTECTL_COMPILE", "0") != "1":
        return []
    from mypyc.build import mypycify  # only needed, and only required, when compiling

    os.chdir(HERE)  # mypy reads [tool.mypy] (strict) from pyproject.toml here
    return list(mypycify(compiled_sources(), opt_level="3", debug_level="0"))


setup(ext_modules=ext_modules())
