"""``routectl test [SUITE]...``: run routing test suites (docs/testing.md)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import click

from routectl.errors import UsageProblem
from routectl.model import ShopConfig
from routectl.output import open_output
from routectl.suite import load_suite, run_test
from routectl.suitereport import result_lines, to_junit, totals

DEFAULT_SUITES = "tests/routing/*.toml"


@click.command("test")
@click.argument("suites", nargs=-1, metavar="[SUITE]...")
@click.option(
    "--junit", "junit_path", type=click.Path(dir_okay=False),
    metavar="FILE", help="Also write JUnit XML to FILE (CI test dashboards); checked first.",
)  # fmt: skip
@click.option("--run", "pattern", metavar="REGEX", help="Only the tests whose name matches.")
def test(suites: tuple[str, ...], junit_path: str | None, pattern: str | None) -> int:
    """Run routing test suites (default: tests/routing/*.toml).

    A suite names a config, a date and tests: a short inline log and the assignee, rule
    or assigned_at each buyer message must get, and optionally report figures. Prints
    one line per test and, for a failure, expected against actual with the replay's
    reason. Exit 0 all pass, 1 a test failed, 2 a bad suite (FILE:LINE) or usage.
    How to write one: docs/testing.md
    """
    if junit_path == "-":
        raise UsageProblem("--junit needs a file: the test results go to standard output")
    try:
        selector = re.compile(pattern or "")
    except re.error as exc:
        raise click.BadParameter(f"not a regular expression: {exc}", param_hint="--run") from None
    paths = suites or tuple(sorted(str(p) for p in Path().glob(DEFAULT_SUITES)))
    if not paths:
        raise UsageProblem(f"no suites given, and {DEFAULT_SUITES} matches nothing here")
    configs: dict[Path, ShopConfig] = {}
    loaded = [load_suite(path, configs) for path in paths]
    chosen = [(s.path, t) for s in loaded for t in s.tests if selector.search(t.name)]
    if not chosen:
        raise UsageProblem(f"no test name matches --run {pattern!r}")
    # The JUnit file is opened before any test runs, so a path that cannot be written
    # fails at once; it is put in place only when the run completes.
    # Every file the run reads is an input: the suites and the configs they name.
    inputs = (*paths, *(str(config_path) for config_path in configs))
    junit = open_output(junit_path, inputs=inputs) if junit_path else contextlib.nullcontext()
    with junit as out:
        results = []
        for suite_path, routing_test in chosen:
            results.append(run_test(suite_path, routing_test))
            click.echo("\n".join(result_lines(results[-1])))
        click.echo(totals(results))
        if out is not None:
            out.write(to_junit(results))
    return 0 if all(r.passed for r in results) else 1
