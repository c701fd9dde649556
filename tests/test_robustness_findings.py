"""Bugs the robustness suite found in code owned elsewhere (docs/robustness.md, Findings).

F1-F6 are fixed, and each keeps its test here as a regression test (F4 and F5, about
``-o``, are in test_robustness_output.py). A new finding in someone else's code is pinned
here with ``xfail(strict=True)``: the test states what the contract asks for and fails
until the fix lands; then strict xfail turns the pass into a failure and the marker must
be removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from routectl.cli import cli

CORPUS = Path(__file__).resolve().parent / "corpus"
SHOP = CORPUS / "shop.toml"
ISO = "expected ISO 8601 like 2026-11-02T08:00:00"
BAD_TIMES = {"year-9999-utc.csv": "9999-12-31T23:59:59+00:00", "year-1.csv": "0001-01-01T00:00:00"}
NOT_TEXT = "not valid text in this encoding (exported from Chinese Excel? try --encoding gb18030)"

F1 = (
    "F1: a time whose instant lies outside datetime's range in the shop zone (year 1, or "
    "9999-12-31 with an offset) is accepted by logreader/timefmt, then crashes with "
    "OverflowError/ValueError in timefmt.TimeFormatter._format_new_minute (replay) and "
    "report/clock.LocalClock._load (report). Fix: reject it as a bad row in "
    "logreader._RowConverter.convert (e.g. years 1900-9998)."
)
F2 = (
    "F2: an undecodable byte is reported at the line where the 8 KiB decode chunk starts "
    "(often line 1), and --skip-bad cannot skip it. Fix: open the log with "
    "errors='surrogateescape' (logsource.open_log_text) and make a row holding U+DC80-U+DCFF "
    "a bad row at its own line in logreader.read_events."
)
F3 = (
    "F3: report divides by zero (report/tables.py agent_context, len(team) == 0) when an "
    "agent is in no group and the shop has no routing agent: _teammates returns the empty "
    "ALL member list. Fix: `return list(members[ALL]) or [agent_id]`."
)

F6 = (
    "F6: a quote opened in a field and never closed (a buyer's text starting with a quote "
    "mark) makes the csv module read every following line into that one field up to the "
    "end of the file (or 1 MB): those rows are lost without a word, exit 0. Fix: "
    "csv.reader(lines, strict=True) in logreader.read_events, which turns it into "
    "`LOG:LINE: unreadable CSV: unexpected end of data` at the line the quote opened."
)


def _run(args: list[str], **kwargs: str) -> Result:
    return CliRunner().invoke(cli, args, **kwargs)  # type: ignore[arg-type]


def _clean(result: Result) -> bool:
    return (result.exception is None or isinstance(result.exception, SystemExit)) and (
        "Traceback" not in result.output
    )


# Fixed in 4f557af; was: F1.
@pytest.mark.parametrize("log", ["year-9999-utc.csv", "year-1.csv"])
@pytest.mark.parametrize("command", ["replay", "report"])
def test_F1_times_outside_the_zone_range_are_bad_rows(command: str, log: str) -> None:
    path = CORPUS / "logs" / log
    result = _run([command, str(path), "-c", str(SHOP)])
    assert _clean(result)
    assert (result.exit_code, result.stderr) == (
        1,
        f"routectl: error: {path}:2: bad time '{BAD_TIMES[log]}': {ISO}\n",
    )


# Fixed in 4f557af; was: F2.
def test_F2_undecodable_byte_is_reported_at_its_line() -> None:
    path = CORPUS / "logs" / "bad-utf8.csv"  # the bad byte is on line 3
    result = _run(["replay", str(path), "-c", str(SHOP)])
    assert (result.exit_code, result.stderr) == (1, f"routectl: error: {path}:3: {NOT_TEXT}\n")


# Fixed in 4f557af; was: F2.
def test_F2_undecodable_row_can_be_skipped() -> None:
    path = CORPUS / "logs" / "bad-utf8.csv"
    result = _run(["replay", str(path), "-c", str(SHOP), "--skip-bad"])
    assert result.exit_code == 0
    assert result.stderr.startswith(f"routectl: skipped: {path}:3: {NOT_TEXT}\n")


# Fixed in 4f557af; was: F3.
def test_F3_report_for_a_shop_without_routing_agents() -> None:
    config = CORPUS / "configs" / "no-routing-agent-no-group.toml"
    log = "time,event,buyer\n2026-11-02T08:00:00,message,b1\n"
    result = _run(["report", "-", "-c", str(config), "--format", "json"], input=log)
    assert _clean(result)
    assert result.exit_code == 0


# Fixed in a31d562; was: F6.
def test_F6_an_unclosed_quote_does_not_swallow_the_rest_of_the_log() -> None:
    path = CORPUS / "logs" / "stray-quote.csv"  # rows 4, 5 and 6 follow the open quote
    result = _run(["replay", str(path), "-c", str(SHOP), "--format", "csv"])
    assert _clean(result)
    assert (result.exit_code, result.stderr) == (
        1,
        f"routectl: error: {path}:3: unreadable CSV: a quote opened in this row is never "
        "closed, so every line after it was read into one field (unexpected end of data)\n",
    )
