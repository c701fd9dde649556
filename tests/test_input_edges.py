"""Edges found by the final review: each used to end in a traceback or a wrong figure."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT
from routectl.cli import cli

TINY_SHOP = ROOT / "examples" / "tiny-shop.toml"
TINY_DAY = ROOT / "examples" / "tiny-day.csv"


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def test_utf16_asked_for_a_file_without_a_bom_is_one_error_line() -> None:
    result = _run("report", str(TINY_DAY), "-c", str(TINY_SHOP), "--encoding", "utf-16")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "cannot read as this encoding" in result.stderr and "--encoding auto" in result.stderr


@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-01-31", "1900-01-30", "9999-01-01"])
def test_R26_as_of_outside_the_years_a_log_holds_is_a_usage_error(as_of: str) -> None:
    result = _run("report", str(TINY_DAY), "-c", str(TINY_SHOP), "--as-of", as_of)
    assert result.exit_code == 2
    assert "the 30 days before it must fall in 1900-9998" in result.stderr


def test_R26_as_of_the_first_whole_window_is_accepted() -> None:
    result = _run("report", str(TINY_DAY), "-c", str(TINY_SHOP), "--as-of", "1900-01-31")
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("199,5", "bad amount '199,5': write decimals with a point, like 199.50"),
        ("1e308", "bad amount '1e308': expected a decimal number like 199.00"),
        ("-5", "bad amount '-5': expected a number from 0 to 1000000000000"),
        ("nan", "bad amount 'nan': expected a decimal number like 199.00"),
        # issue 21: float() reads these, a log's amount column does not
        ("1_000", "bad amount '1_000': expected a decimal number like 199.00"),
        ("١٢٣", "bad amount '١٢٣': expected a decimal number like 199.00"),
        ("1000000000001", "bad amount '1000000000001': expected a number from 0 to 1000000000000"),
    ],
)
def test_R25_bad_amounts_are_bad_rows(tmp_path: Path, amount: str, reason: str) -> None:
    log = tmp_path / "paid.csv"
    log.write_text(f'time,event,buyer,amount\n2026-11-02T09:00:00,paid,b,"{amount}"\n')
    result = _run("replay", str(log), "-c", str(TINY_SHOP))
    assert (result.exit_code, result.stderr) == (1, f"routectl: error: {log}:2: {reason}\n")


def test_R25_thousands_separators_are_read(tmp_path: Path) -> None:
    log = tmp_path / "paid.csv"
    log.write_text(
        "time,event,buyer,agent,status,entry,amount\n"
        "2026-11-02T09:00:00,status,,tiny:a,online,,\n"
        "2026-11-02T09:01:00,message,b,,,shop_home,\n"
        '2026-11-02T09:05:00,paid,b,,,,"1,299.50"\n'
    )
    result = _run("report", str(log), "-c", str(TINY_SHOP), "--format", "json")
    assert result.exit_code == 0
    assert '"sales": 1299.5' in result.stdout


def _broken_schema() -> dict[str, object]:
    raise RuntimeError("boom\x1b[2J")


def test_an_internal_error_is_one_escaped_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from routectl.commands import schema as schema_command

    monkeypatch.delenv("ROUTECTL_DEBUG", raising=False)
    monkeypatch.setattr(schema_command, "config_schema", _broken_schema)
    result = _run("schema")
    assert result.exit_code == 1
    assert result.stderr == (
        "routectl: error: internal error (RuntimeError: boom\\x1b[2J); please report it, "
        "with ROUTECTL_DEBUG=1 set for the details\n"
    )


EXAMPLE_CONFIG = ROOT / "shopconfig.example.toml"


def test_diff_reads_a_shop_export_as_report_does() -> None:
    export = ROOT / "examples" / "qianniu-export.csv"
    result = _run(
        "diff", str(EXAMPLE_CONFIG), str(EXAMPLE_CONFIG), str(export),
        "--encoding", "gb18030", "--sort", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert '"changed_messages": 0' in result.stdout and '"messages": 459' in result.stdout


def test_diff_refuses_to_write_onto_a_config(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_bytes(EXAMPLE_CONFIG.read_bytes())
    log = ROOT / "examples" / "shop-day.csv"
    result = _run("diff", str(base), str(EXAMPLE_CONFIG), str(log), "-o", str(base))
    assert result.exit_code == 2
    assert "is the same file as the input" in result.stderr
    assert base.read_bytes() == EXAMPLE_CONFIG.read_bytes()


def test_an_unwritable_junit_file_fails_before_any_test_runs(tmp_path: Path) -> None:
    suite = ROOT / "tests" / "routing" / "example-shop.toml"
    result = _run("test", str(suite), "--junit", str(tmp_path / "missing" / "x.xml"))
    assert result.exit_code == 2
    assert result.stdout == ""  # no test ran
    assert "cannot write" in result.stderr


def test_junit_to_standard_output_is_refused() -> None:
    suite = ROOT / "tests" / "routing" / "example-shop.toml"
    result = _run("test", str(suite), "--junit", "-")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "--junit needs a file" in result.stderr
