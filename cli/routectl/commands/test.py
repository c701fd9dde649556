"""``routectl test [SUITE]...``: run routing test suites (docs/testing.md)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from routectl.errors import UsageProblem
from routectl.helptext import Command
from routectl.i18n import _
from routectl.model import ShopConfig
from routectl.output import open_output
from routectl.suite.core import load_suite, run_test
from routectl.suite.report import result_lines, to_junit, totals

DEFAULT_SUITES = "tests/routing/*.toml"


@click.command("test", cls=Command)
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
        raise UsageProblem(_("--junit needs a file: the test results go to standard output"))
    selector = _selector(pattern or "")
    paths = suites or tuple(sorted(str(p) for p in Path().glob(DEFAULT_SUITES)))
    if not paths:
        raise UsageProblem(
            _("no suites given, and {pattern} matches nothing here").format(pattern=DEFAULT_SUITES)
        )
    configs: dict[Path, ShopConfig] = {}
    loaded = [load_suite(path, configs) for path in paths]
    chosen = [(s.path, t) for s in loaded for t in s.tests if selector.search(t.name)]
    if not chosen:
        raise UsageProblem(_("no test name matches --run {pattern}").format(pattern=repr(pattern)))
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


MAX_PATTERN = 1000
"""Longest ``--run`` pattern, in characters: test names are short, and the bound keeps
the parser's recursion and the backtracking check below small."""


def _selector(pattern: str) -> re.Pattern[str]:
    """``--run``'s pattern compiled, or a usage error (exit 2) that says why not.

    Python's ``re`` backtracks: a repetition inside a repetition, or alternatives inside
    one (``(a+)+$``, ``(a|aa)*b``), takes time exponential in the name's length, and
    nothing can interrupt a match. Such patterns are refused before matching; a pattern
    nested too deeply for the parser (a RecursionError) is refused as well.
    """
    if len(pattern) > MAX_PATTERN:
        raise click.BadParameter(
            _("the pattern is {length} characters long; at most {most}").format(
                length=len(pattern), most=MAX_PATTERN
            ),
            param_hint="--run",
        )
    try:
        compiled = re.compile(pattern)
        nested = _nested_repeat(_parse(pattern), inside=False)
    except re.error as exc:
        raise click.BadParameter(
            _("not a regular expression: {reason}").format(reason=exc), param_hint="--run"
        ) from None
    except (RecursionError, OverflowError, MemoryError):
        raise click.BadParameter(
            _("the pattern is nested too deeply"), param_hint="--run"
        ) from None
    if nested:
        raise click.BadParameter(
            _(
                "a repetition of a group that itself repeats or has alternatives (like (a+)+ "
                "or (a|ab)*) can take exponential time to match; write it without the outer "
                "repetition (a+, (a|ab))"
            ),
            param_hint="--run",
        )
    return compiled


def _parse(pattern: str) -> Any:
    return _sre("_parser", "sre_parse").parse(pattern)


def _sre(name: str, before_311: str) -> Any:
    """The regular expression engine's own module (``re._parser`` from Python 3.11 on,
    ``sre_parse`` before)."""
    import importlib

    try:
        return importlib.import_module(f"re.{name}")
    except ImportError:
        return importlib.import_module(before_311)


def _nested_repeat(items: Iterable[Any], *, inside: bool) -> bool:
    """Whether a parsed pattern repeats (more than once) something that repeats or
    branches: the shapes whose backtracking is exponential."""
    sre = _sre("_constants", "sre_constants")
    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)}
    for op, value in items:
        if op in repeats:
            many = value[1] > 1  # (min, max, body)
            if many and inside:
                return True
            parts = [value[2]]
            inside_parts = inside or many
        elif op is sre.BRANCH:
            if inside:
                return True
            parts, inside_parts = list(value[1]), inside
        elif op is sre.SUBPATTERN:
            parts, inside_parts = [value[-1]], inside
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            parts, inside_parts = [value[1]], inside
        elif op is sre.GROUPREF_EXISTS:
            parts, inside_parts = [part for part in value[1:] if part], inside
        else:
            continue
        if any(_nested_repeat(part, inside=inside_parts) for part in parts):
            return True
    return False
