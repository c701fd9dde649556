"""One error path: `routectl: error: ...`, the contract's exit codes, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from routectl.cli import cli
from routectl.errors import BadLogRow, RoutectlError, UsageProblem


@click.command("boom")
@click.argument("kind")
def boom(kind: str) -> None:
    if kind == "runtime":
        raise RoutectlError("the log says no")
    if kind == "usage":
        raise UsageProblem("shopconfig.toml: no such file")
    if kind == "row":
        raise BadLogRow("log.csv", 7, "unknown event 'mesage'")
    if kind == "interrupt":
        raise KeyboardInterrupt
    click.echo("fine")


@pytest.fixture(autouse=True)
def boom_command() -> Iterator[None]:
    cli.add_command(boom)
    yield
    cli.commands.pop("boom")


@pytest.mark.parametrize(
    ("kind", "code", "stderr"),
    [
        ("runtime", 1, "routectl: error: the log says no\n"),
        ("usage", 2, "routectl: error: shopconfig.toml: no such file\n"),
        ("row", 1, "routectl: error: log.csv:7: unknown event 'mesage'\n"),
        ("interrupt", 130, "\nroutectl: interrupted\n"),
    ],
)
def test_errors_are_one_line_with_contract_exit_code(
    runner: CliRunner, kind: str, code: int, stderr: str
) -> None:
    result = runner.invoke(cli, ["boom", kind])
    assert result.exit_code == code
    assert result.stderr == stderr
    assert result.stdout == ""


def test_success_exits_zero(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["boom", "ok"])
    assert (result.exit_code, result.stdout) == (0, "fine\n")


def test_missing_argument_is_usage_error_with_hint(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["boom"])
    assert result.exit_code == 2
    assert "Try 'routectl boom --help' for help." in result.stderr
    assert result.stderr.endswith("routectl: error: Missing argument 'KIND'.\n")


def test_closed_pipe_ends_quietly() -> None:
    # `routectl --help | head -c1`: the reader leaves early; no traceback, no noise.
    script = (
        "import sys\nfrom routectl.cli import main\nsys.argv = ['routectl', '--help']\nmain()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        stderr = process.stderr.read()
        process.wait()
    assert b"Traceback" not in stderr
    assert process.returncode in (0, -13)  # -13: ended by SIGPIPE, a shell shows 141
