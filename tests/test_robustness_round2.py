"""Hostile input, second round (issue 21): outputs onto inputs for every command, injection
in diff and test output, the HTML page's embedded JSON, a lone future-dated row."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from test_robustness_faults import _run

TINY = ROOT / "examples" / "tiny-shop.toml"
LOG = "time,event,buyer,agent,status,entry\n2026-11-02T08:00:00,status,,tiny:a,online,\n"


def _log(tmp_path: Path, rows: int = 3) -> Path:
    path = tmp_path / "log.csv"
    body = "".join(f"2026-11-02T08:00:{n:02d},message,b{n},,,shop_home\n" for n in range(rows))
    path.write_text(LOG + body, encoding="utf-8")
    return path


def _suite(tmp_path: Path, config: Path) -> Path:
    suite = tmp_path / "s" / "t.toml"
    suite.parent.mkdir(exist_ok=True)
    suite.write_text(
        f'config = "{config.as_posix()}"\ndate = "2026-11-02"\n\n[[tests]]\nname = "one"\n'
        'log = """\ntime,event,buyer,agent,status,entry\n08:00,status,,tiny:a,online,\n'
        '08:01,message,u1,,,shop_home\n"""\nexpect = [{ buyer = "u1", assignee = "tiny:a" }]\n',
        encoding="utf-8",
    )
    return suite


# --- every file a command reads is refused as an output ----------------------------------


def test_junit_onto_the_config_a_suite_names_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "s" / "shop.toml"
    config.parent.mkdir()
    config.write_bytes(TINY.read_bytes())
    suite = _suite(tmp_path, Path("shop.toml"))
    result = _run(["test", str(suite), "--junit", str(config)])
    assert result.exit_code == 2
    assert "is the same file as the input" in result.stderr
    assert config.read_bytes() == TINY.read_bytes()


def test_junit_onto_the_suite_is_refused(tmp_path: Path) -> None:
    suite = _suite(tmp_path, TINY)
    before = suite.read_bytes()
    result = _run(["test", str(suite), "--junit", str(suite)])
    assert result.exit_code == 2
    assert suite.read_bytes() == before


@pytest.mark.parametrize("onto", ["base", "new", "log"])
def test_diff_output_onto_any_of_its_inputs_is_refused(tmp_path: Path, onto: str) -> None:
    base, new = tmp_path / "base.toml", tmp_path / "new.toml"
    base.write_bytes(TINY.read_bytes())
    new.write_bytes(TINY.read_bytes())
    log = _log(tmp_path)
    victim = {"base": base, "new": new, "log": log}[onto]
    before = victim.read_bytes()
    result = _run(["diff", str(base), str(new), str(log), "-o", str(victim)])
    assert result.exit_code == 2
    assert "is the same file as the input" in result.stderr
    assert victim.read_bytes() == before


def test_generate_log_write_config_onto_the_output_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "x"
    result = _run(
        ["generate-log", "-c", str(TINY), "--rows", "10", "--write-config", str(target),
         "-o", str(target)]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--write-config and -o name the same file" in result.stderr
    assert not target.exists()


def test_generate_log_write_config_onto_its_own_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    result = _run(
        ["generate-log", "-c", str(config), "--rows", "10", "--write-config", str(config),
         "-o", str(tmp_path / "log.csv")]
    )  # fmt: skip
    assert result.exit_code == 2
    assert config.read_bytes() == TINY.read_bytes()


@pytest.mark.parametrize("command", ["replay", "report"])
def test_an_empty_output_name_says_so(tmp_path: Path, command: str) -> None:
    result = _run([command, str(_log(tmp_path)), "-c", str(TINY), "-o", ""])
    assert result.exit_code == 2
    assert "output file name is empty" in result.stderr
    assert "Is a directory" not in result.stderr
