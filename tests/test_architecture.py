"""The package's layout holds (docs/design/architecture.md): dependencies point one way,
the engine depends on the shared vocabulary alone, Click stays in the shell, and no
module imports itself round a circle.

Imports are read from the source: every ``import``/``from`` at module level or inside a
function (a lazy import is still a dependency); the layer rules leave out imports under
``if TYPE_CHECKING:`` (annotations only), the circle rule counts them too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from import_cycles import find_cycle

PACKAGE = Path(__file__).resolve().parents[1] / "cli" / "routectl"

LAYERS: dict[str, int] = {
    # 0: the shared vocabulary every part speaks
    "i18n": 0, "safetext": 0, "durations": 0, "events": 0, "model": 0, "similar": 0,
    "errors": 0, "stdio": 0,
    # 1: reading and writing logs, the routing engine, table output, progress, charts
    "logio/": 1, "engine/": 1, "output": 1, "progress": 1, "svgchart": 1,
    # 2: configs, the replay loop, reports, notices
    "config/": 2, "replay": 2, "report/": 2, "notices": 2,
    # 3: what is built on replays and reports
    "reasons": 3, "diff/": 3, "suite/": 3, "sim/": 3,
    # 4: the shell: Click commands and their helpers
    "commands/": 4, "cli": 4, "helptext": 4, "options": 4, "__main__": 4, "routectl": 4,
}  # fmt: skip
"""Each part of the package and its layer: a part imports parts of its own layer or
lower, never higher (and never round a circle, below)."""

VOCABULARY = {name for name, layer in LAYERS.items() if layer == 0}
ENGINE_MAY_IMPORT = {"events", "model", "durations"}
CLICK_MODULES = {"cli", "helptext", "options", "__main__", "logio.source"}
"""Modules outside commands/ that may import Click: the shell's own, and logio.source,
the reading edge that prints skipped rows and asks Click whether a terminal is waiting."""


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        yield name.removesuffix(".__init__") if name != "__init__" else "routectl", path


def part(module: str) -> str:
    """The part a module belongs to: ``engine/`` for routectl.engine.core, ``cli`` for cli."""
    head = module.split(".")[0]
    return f"{head}/" if (PACKAGE / head).is_dir() else head


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(path: Path, typing_too: bool = False) -> set[str]:
    """Every module ``path`` imports (``routectl.``-relative, or the top-level name);
    ``typing_too``: with the imports under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if typing_too else _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module != "routectl":  # from routectl import x: a dependency on x only
                found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {_ours(name) for name in found}


def _ours(name: str) -> str:
    if not name.startswith("routectl."):
        return name.split(".")[0]
    inner = name.removeprefix("routectl.")
    while inner and not _exists(inner):
        inner = inner.rpartition(".")[0]
    return inner or "routectl"


def _exists(module: str) -> bool:
    base = PACKAGE.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


GRAPH = {name: imports(path) for name, path in modules()}
TYPED_GRAPH = {name: imports(path, typing_too=True) for name, path in modules()}
OURS = {name for name in GRAPH}


def test_every_part_has_a_layer() -> None:
    assert {part(name) for name in GRAPH} - set(LAYERS) == set()


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down_the_layers(module: str) -> None:
    layer = LAYERS[part(module)]
    upward = sorted(
        target for target in GRAPH[module] & OURS
        if part(target) != part(module) and LAYERS[part(target)] > layer
    )  # fmt: skip
    assert upward == [], f"{module} (layer {layer}) imports {upward}"


def test_the_engine_speaks_only_the_shared_vocabulary() -> None:
    for module in (name for name in GRAPH if part(name) == "engine/"):
        outside = {t for t in GRAPH[module] & OURS if part(t) != "engine/"}
        assert outside <= ENGINE_MAY_IMPORT, (module, outside)
        allowed = _STDLIB_OK | _ENGINE_EXCEPTIONS.get(module, set())
        foreign = {t for t in GRAPH[module] - OURS if t not in allowed}
        assert foreign == set(), (module, foreign)


_ENGINE_EXCEPTIONS = {"engine.rows": {"array", "tempfile"}}
"""engine.rows keeps waiting rows as packed floats and spills them to an anonymous
temporary file past 2 MiB (decision 33: memory must not grow with one buyer's messages);
the file is the engine's scratch space, not an input or output."""


_STDLIB_OK = {"__future__", "bisect", "collections", "dataclasses", "heapq", "itertools",
              "math", "typing", "zoneinfo", "datetime", "functools", "enum", "sys"}  # fmt: skip


def test_click_stays_in_the_shell() -> None:
    users = sorted(
        name for name, found in GRAPH.items()
        if "click" in found and part(name) != "commands/" and name not in CLICK_MODULES
    )  # fmt: skip
    assert users == [], f"Click imported outside the shell: {users}"


def test_no_circle_between_parts() -> None:
    edges: dict[str, set[str]] = {}
    for module, found in GRAPH.items():
        for target in found & OURS:
            if part(target) != part(module) and part(module) != "routectl":
                edges.setdefault(part(module), set()).add(part(target))
    assert find_cycle(edges) is None


def test_no_circle_between_modules() -> None:
    """Counting imports for annotations too: a circle through ``TYPE_CHECKING`` is still
    two modules that cannot be understood apart (the report package had two)."""
    edges = {
        module: {t for t in found & OURS if t != module} for module, found in TYPED_GRAPH.items()
    }
    for module in edges:  # a package's __init__ re-exporting its modules is not a circle
        if (PACKAGE / module.replace(".", "/") / "__init__.py").is_file():
            edges[module] = {t for t in edges[module] if not t.startswith(module + ".")}
    cycle = find_cycle(edges)
    assert cycle is None, " -> ".join(cycle)
