from click.testing import CliRunner

from routectl import __version__, build
from routectl.cli import cli


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"routectl, version {__version__} ({build()})\n"


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("validate", "replay", "report", "init", "config", "generate-log"):
        assert f"  {name} " in result.output


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
