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
