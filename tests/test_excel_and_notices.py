"""Excel first, and no silent empty answers (issue 12)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli
from routectl.logio import source as logsource
from routectl.logio.source import skipped_notice
from routectl.notices import window_notice

TINY = ROOT / "examples" / "tiny-shop.toml"
TINY_LOG = ROOT / "examples" / "tiny-day.csv"
FORMULAS = ROOT / "tests" / "corpus" / "logs" / "formula-cells.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


# --- Excel ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["replay", "report"])
def test_csv_written_to_a_file_is_excel_safe_by_default(command: str, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, _, err = run(command, str(FORMULAS), "-c", str(TINY), "--format=csv", "-o", str(target))
    assert (code, err) == (0, "")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    if command == "replay":
        assert b",\"'=HYPERLINK(" in data and b',"=HYPERLINK(' not in data


@pytest.mark.parametrize("command", ["replay", "report"])
def test_no_excel_writes_plain_csv_to_a_file(command: str, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, _, _ = run(
        command, str(FORMULAS), "-c", str(TINY), "--format", "csv", "-o", str(target), "--no-excel"
    )
    assert code == 0
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    if command == "replay":
        assert b',"=HYPERLINK(' in data


def test_csv_on_standard_output_stays_plain_unless_asked() -> None:
    _, plain, _ = run("replay", str(FORMULAS), "-c", str(TINY), "--format", "csv")
    _, excel, _ = run("replay", str(FORMULAS), "-c", str(TINY), "--format", "csv", "--excel")
    assert not plain.startswith("\ufeff") and excel.startswith("\ufeff")


@pytest.mark.parametrize(
    ("command", "fmt"),
    [("replay", "jsonl"), ("replay", "table"), ("report", "json"), ("report", "table")],
)
def test_excel_without_format_csv_is_a_usage_error(command: str, fmt: str) -> None:
    code, out, err = run(command, str(TINY_LOG), "-c", str(TINY), "--format", fmt, "--excel")
    assert (code, out) == (2, "")
    assert f"routectl: error: --excel applies to CSV only (this run writes {fmt})" in err


# --- no silent empty answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "until"), [("2026-11-05", None), (None, "2026-11-01"), ("2026-10-01", "2026-10-31")]
)
def test_a_window_that_misses_the_log_says_so(since: str | None, until: str | None) -> None:
    args = ["report", str(TINY_LOG), "-c", str(TINY), "--format", "json"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    code, out, err = run(*args)
    assert code == 0 and out
    assert err.startswith("routectl: warning: the window ")
    assert "misses the log (2026-11-02T07:50:00+08:00 .. 2026-11-02T" in err
    assert err.count("\n") == 1


def test_a_window_inside_the_log_says_nothing() -> None:
    code, _, err = run(
        "report", str(TINY_LOG), "-c", str(TINY), "--format", "json", "--since", "2026-11-02T08:01"
    )
    assert (code, err) == (0, "")


def test_window_notice_without_a_window_or_with_an_empty_log() -> None:
    assert window_notice(None, None, 1.0, 2.0, "Asia/Shanghai") is None
    assert window_notice(0.0, None, None, None, "UTC") == (
        "routectl: warning: the log has no events, so the window "
        "1970-01-01T00:00:00+00:00 .. end counts nothing"
    )


@pytest.mark.parametrize(
    ("skipped", "rows", "notice"),
    [
        (0, 10, None),
        (5, 10, None),
        (6, 10, "routectl: warning: --skip-bad skipped 6 of 10 rows; the output comes from the "
         "other 4 only"),
    ],
)  # fmt: skip
def test_skipped_notice_only_when_most_rows_were_skipped(
    skipped: int, rows: int, notice: str | None
) -> None:
    assert skipped_notice(skipped, rows) == notice


def test_skip_bad_skipping_most_rows_still_exits_0_and_says_so(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "time,event,buyer\n2026-11-02T08:00:00,message,b1\nx,message,b2\ny,message,b3\n",
        encoding="utf-8",
    )
    code, _, err = run("report", str(log), "-c", str(TINY), "--format", "json", "--skip-bad")
    assert code == 0
    assert err.splitlines()[-2:] == [
        "routectl: skipped 2 bad rows (--skip-bad)",
        "routectl: warning: --skip-bad skipped 2 of 3 rows; the output comes from the other 1 only",
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reading_standard_input_on_a_terminal_is_announced(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal())
    logsource._say_reading_stdin()
    assert capsys.readouterr().err == (
        "routectl: reading the log from standard input (give a LOG file to read one; "
        "end input with Ctrl-D)\n"
    )


def test_reading_piped_standard_input_is_silent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    logsource._say_reading_stdin()
    assert capsys.readouterr().err == ""
