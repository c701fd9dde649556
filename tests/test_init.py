"""`routectl init`: a commented starter that validates cleanly; never clobbers a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from routectl.cli import cli
from routectl.config import check_config_text
from routectl.config.starter import starter_text


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_starter_that_validates_strictly(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0
    assert result.stdout == (
        "wrote shopconfig.toml; edit it, then check it with 'routectl validate shopconfig.toml'\n"
    )
    assert (in_tmp / "shopconfig.toml").read_text("utf-8") == starter_text()
    checked = runner.invoke(cli, ["validate", "--strict"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.endswith("1 file, 0 invalid, 0 errors, 0 warnings\n")


def test_starter_is_commented_and_has_no_problems() -> None:
    text = starter_text()
    config, problems = check_config_text(text, "starter.toml")
    assert config is not None and problems == []
    assert text.count("#") > 30
    assert "docs/config.md" in text


def test_init_refuses_to_overwrite(runner: CliRunner, in_tmp: Path) -> None:
    (in_tmp / "mine.toml").write_text("keep me")
    result = runner.invoke(cli, ["init", "mine.toml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "routectl: error: mine.toml already exists; use --force to overwrite it\n"
    )
    assert (in_tmp / "mine.toml").read_text() == "keep me"


def test_init_force_overwrites(runner: CliRunner, in_tmp: Path) -> None:
    (in_tmp / "mine.toml").write_text("old")
    result = runner.invoke(cli, ["init", "--force", "mine.toml"])
    assert result.exit_code == 0
    assert (in_tmp / "mine.toml").read_text("utf-8") == starter_text()
    assert [p.name for p in in_tmp.iterdir()] == ["mine.toml"]


def test_init_to_standard_output(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(cli, ["init", "-"])
    assert result.exit_code == 0
    assert result.stdout == starter_text()
    assert list(in_tmp.iterdir()) == []


@pytest.mark.parametrize(
    ("target", "code", "stderr"),
    [
        ("sub", 2, "routectl: error: sub: is a folder; give a file name such as "
         "sub/shopconfig.toml\n"),
        ("nowhere/x.toml", 2, "routectl: error: nowhere/x.toml: cannot write: "
         "No such file or directory\n"),
    ],
)  # fmt: skip
def test_init_bad_targets(
    runner: CliRunner, in_tmp: Path, target: str, code: int, stderr: str
) -> None:
    (in_tmp / "sub").mkdir()
    result = runner.invoke(cli, ["init", target])
    assert result.exit_code == code
    assert result.stderr == stderr


def test_init_in_chinese_writes_the_same_config_with_chinese_comments(
    runner: CliRunner, in_tmp: Path
) -> None:
    import tomllib

    result = runner.invoke(cli, ["--lang", "zh", "init", "-"])
    assert result.exit_code == 0, result.output
    assert "# 分组（客服分组）" in result.output and "客服分流" in result.output
    assert tomllib.loads(result.output) == tomllib.loads(starter_text("en"))
    (in_tmp / "shopconfig.toml").write_text(result.output, encoding="utf-8")
    checked = runner.invoke(cli, ["validate", "shopconfig.toml", "--strict"])
    assert checked.exit_code == 0, checked.output
