import pytest
from click.testing import CliRunner

from routectl import __version__, build
from routectl.cli import cli


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"routectl, version {__version__} ({build()})\n"


EVERY_COMMAND = ("validate", "replay", "report", "init", "config", "generate-log", "diff",
                 "test", "schema", "model", "backtest", "plan")  # fmt: skip
"""Written out, not read from the group, so that a command dropped from it fails here."""


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.startswith("  ") and not line.startswith("   ")]  # fmt: skip
    assert listed == list(EVERY_COMMAND)


@pytest.mark.parametrize("name", EVERY_COMMAND)
def test_every_command_has_its_help(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: routectl {name} ")


def test_unknown_command_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "routectl: error: No such command 'frobnicate'." in result.stderr


def test_routectl_alone_prints_the_help_not_an_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, [])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == runner.invoke(cli, ["--help"]).stdout
    assert "error:" not in result.output


def test_a_misspelt_command_gets_a_did_you_mean(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["replya"])
    assert result.exit_code == 2
    assert "routectl: error: No such command 'replya'. Did you mean 'replay'?" in result.stderr


def test_a_misspelt_by_value_gets_a_did_you_mean(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["report", "-", "--by", "hours"])
    assert result.exit_code == 2
    assert "hours: choose from agent, group, hour, day; did you mean 'hour'?" in result.stderr


def test_help_texts_point_at_the_source_repository_for_docs(runner: CliRunner) -> None:
    for command in ("replay", "report"):
        text = runner.invoke(cli, [command, "--help"]).output
        assert "docs/" in text and "source repository" in text
