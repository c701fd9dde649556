"""routectl.report has no import circle (issue 22; docs/design/report.md).

The graph is read from the modules' source (their ASTs), not from ``sys.modules``: an
import inside a function counts like one at the top, and so does one under
``if TYPE_CHECKING:``. Both are dependencies all the same; the two circles issue 22
removed each had one leg under ``TYPE_CHECKING`` (``buyers`` -> ``questions``,
``tables`` -> ``compute``), which a test of runtime imports alone would have let pass.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import routectl.report
from import_cycles import find_cycle

PACKAGE = "routectl.report"
ROOT = Path(routectl.report.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.glob("*.py")):
        name = PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"
        found[name] = path
    return found


def _targets(node: ast.AST, module: str, modules: Mapping[str, Path]) -> set[str]:
    """The package's modules that ``node`` imports (none for any other node)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:  # relative: from the module's package
        base = ".".join([PACKAGE, base]) if base else PACKAGE
    if base not in modules:
        return set()
    targets = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        targets.add(submodule if submodule in modules else base)
    targets.discard(module)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = set().union(*(_targets(n, name, modules) for n in ast.walk(tree)))
    return graph


def test_the_search_finds_a_circle_and_only_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_the_package_imports() -> None:
    graph = import_graph()
    assert f"{PACKAGE}.compute" in graph[PACKAGE]
    assert f"{PACKAGE}.labels" in graph[f"{PACKAGE}.explain"]  # from routectl.report import labels
    assert f"{PACKAGE}.tally" in graph[f"{PACKAGE}.tables"]


def test_report_package_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle in routectl.report: " + " -> ".join(cycle or [])


def test_tables_read_the_tally_not_the_builder() -> None:
    graph = import_graph()
    for reader in ("tables", "assemble", "explain", "result", "render", "html"):
        assert f"{PACKAGE}.compute" not in graph[f"{PACKAGE}.{reader}"], reader


def test_tables_leave_tabulates_module_settings_as_they_were() -> None:
    import tabulate

    from routectl.output import render_table

    padding, wide = tabulate.MIN_PADDING, tabulate.WIDE_CHARS_MODE
    tabulate.MIN_PADDING = 7
    try:
        assert render_table(["a", "b"], [["1", "2"]], min_padding=0).splitlines()[0] == "a  b"
        assert tabulate.MIN_PADDING == 7
        assert tabulate.WIDE_CHARS_MODE is wide
    finally:
        tabulate.MIN_PADDING = padding
