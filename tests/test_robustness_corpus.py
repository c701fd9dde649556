"""The corpus of nasty inputs: each file's exact outcome (exit code, message, rows).

``tests/corpus/logs/*.csv`` are replayed with ``tests/corpus/shop.toml`` (the agents of
examples/tiny-shop.toml); ``tests/corpus/configs/*.toml`` are validated. The tables below
are the expected results; a file without a row fails ``test_every_corpus_file_has_a_row``.
Add a case here whenever fuzzing finds one (docs/robustness.md). ``.gitattributes`` keeps
the bytes (CR, CRLF, NUL, BOM, GB18030) exactly as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner, Result

from routectl.cli import cli

CORPUS = Path(__file__).resolve().parent / "corpus"
SHOP = CORPUS / "shop.toml"
NOT_TEXT = "not valid text in this encoding (exported from Chinese Excel? try --encoding gb18030)"
ISO = "expected ISO 8601 like 2026-11-02T08:00:00"


class LogCase(NamedTuple):
    file: str
    exit_code: int
    stderr: str
    """Exact standard error; ``{log}`` stands for the log's path."""
    rows: int | None = None
    """Replay rows written (exit 0 only)."""
    args: tuple[str, ...] = ()
    pinned: str | None = None
    """A known bug (test_robustness_findings.py): the case is ``xfail(strict=True)``."""
    exact: bool = True
    """False: only the exit code and each message's ``LOG:LINE`` are binding."""


def _one(message: str) -> str:
    return f"routectl: error: {{log}}:{message}\n"


def _skipped(*messages: str) -> str:
    lines = [f"routectl: skipped: {{log}}:{m}\n" for m in messages]
    rows = "row" if len(messages) == 1 else "rows"
    return "".join(lines) + f"routectl: skipped {len(messages)} bad {rows} (--skip-bad)\n"


def _sorted(line: int) -> str:
    return (
        f"routectl: {{log}}: rows are not in time order (line {line} goes back in time); "
        "sorting them by time first (equal times keep file order)\n"
    )


OPEN_QUOTE = (
    "unreadable CSV: a quote opened in this row is never closed, so every line after it was "
    "read into one field (unexpected end of data)"
)
EMPTY = "1: empty log: a header row is required (at least: time,event)"
EVENTS = "status, message, reply, close, transfer, paid"
LOG_CASES = [
    # The header: missing, empty, doubled, unreadable -> exit 1 at line 1, even with --skip-bad.
    LogCase("empty.csv", 1, _one(EMPTY)),
    LogCase("empty.csv", 1, _one(EMPTY), args=("--skip-bad",)),
    LogCase("bom-only.csv", 1, _one(EMPTY)),
    LogCase(
        "no-header.csv",
        1,
        _one(
            "1: header lacks column(s) time, event; found: 2026-11-02T08:00:00, status, , tiny:a, "
            ", online, , , , , "
        ),
    ),
    LogCase(
        "header-lacks-time.csv",
        1,
        _one("1: header lacks column(s) time; found: when, event, buyer"),
    ),
    LogCase("duplicate-header.csv", 1, _one("1: duplicate column(s): buyer")),
    LogCase("duplicate-header.csv", 1, _one("1: duplicate column(s): buyer"), args=("--skip-bad",)),
    LogCase(
        "nul-in-header.csv",
        1,
        _one("1: header lacks column(s) time; found: ti\\x00me, event, buyer"),  # escaped
    ),
    # An undecodable byte is a bad row at its own line (F2, fixed): line 1 is ASCII here.
    # Encodings: a file's is detected (issue 23); one named that does not fit stops the run.
    LogCase("gb18030.csv", 0, "", rows=1),
    LogCase("gb18030.csv", 1, _one(f"2: {NOT_TEXT}"), args=("--encoding", "utf-8")),
    LogCase("bad-utf8.csv", 1, _one(f"3: {NOT_TEXT}")),
    LogCase("bad-utf8.csv", 0, _skipped(f"3: {NOT_TEXT}"), rows=0, args=("--skip-bad",)),
    LogCase("gb18030.csv", 0, "", rows=1, args=("--encoding", "gb18030")),
    # UTF-16 (its byte-order mark cannot start UTF-8 text) is read as UTF-16 (issue 14).
    LogCase("utf16.csv", 0, "", rows=1),
    LogCase("utf16.csv", 0, "", rows=1, args=("--encoding", "auto")),
    # Shapes the csv module reads: every message row comes out once.
    LogCase("header-only-crlf.csv", 0, "", rows=0),
    LogCase("nul-in-field.csv", 0, "", rows=1),
    LogCase("mixed-line-ends.csv", 0, "", rows=3),
    LogCase("cr-only.csv", 0, "", rows=2),
    LogCase("no-final-newline.csv", 0, "", rows=1),
    LogCase("blank-lines.csv", 0, "", rows=1),
    LogCase("ragged-rows.csv", 0, "", rows=1),  # short rows: absent cells are empty
    LogCase("quoted-newline.csv", 0, "", rows=2),
    LogCase("formula-cells.csv", 0, "", rows=3),
    # Quotes (F6, fixed): one never closed would swallow every row after it; now the row
    # where it opened is bad. A quote inside an unquoted field is fine; after a closing one
    # it is not.
    LogCase("stray-quote.csv", 1, _one(f"3: {OPEN_QUOTE}")),
    LogCase("stray-quote.csv", 0, _skipped(f"3: {OPEN_QUOTE}"), rows=0, args=("--skip-bad",)),
    LogCase("truncated-quote.csv", 1, _one(f"3: {OPEN_QUOTE}")),
    LogCase("header-open-quote.csv", 1, _one("1: unreadable CSV header: unexpected end of data")),
    LogCase("quote-inside-field.csv", 1, _one("3: unreadable CSV: ',' expected after '\"'")),
    LogCase(
        "quote-inside-field.csv",
        0,
        _skipped("3: unreadable CSV: ',' expected after '\"'"),
        rows=1,
        args=("--skip-bad",),
    ),
    # A row of only commas (Excel's trailing rows) is a blank line, not a row.
    LogCase("all-empty-row.csv", 0, "", rows=1),
    # Bad rows: exit 1 at the row, or skipped and counted with --skip-bad.
    LogCase("bad-time.csv", 1, _one(f"3: bad time '2026-11-31T08:01:00': {ISO}")),
    # Years outside 1900-9998 (F1, fixed): every instant must convert in every zone.
    LogCase("year-1.csv", 1, _one(f"2: bad time '0001-01-01T00:00:00': {ISO}")),
    LogCase("year-9999-utc.csv", 1, _one(f"2: bad time '9999-12-31T23:59:59+00:00': {ISO}")),
    # A file out of time order is sorted first, with one line saying so (issue 23); on
    # standard input it is a bad row (tests/test_shop_exports.py).
    LogCase("time-backwards.csv", 0, _sorted(4), rows=2),
    LogCase("time-backwards.csv", 0, _sorted(4), rows=2, args=("--skip-bad",)),
    LogCase("missing-buyer.csv", 1, _one("3: 'message' row needs a value in column 'buyer'")),
    LogCase(
        "unknown-agent.csv", 1, _one("2: unknown agent 'tiny:z' (not in the config's [[agents]])")
    ),
    LogCase(
        "unknown-status.csv",
        1,
        _one("2: unknown status 'away'; expected online, suspended or offline"),
    ),
    LogCase("unknown-device.csv", 1, _one("2: unknown device 'tablet'; expected pc or mobile")),
    LogCase(
        "unknown-entry.csv",
        1,
        _one(
            "3: unknown entry 'front_door'; expected one of: "
            "shop_home, item_detail, contact_list, order"
        ),
    ),
    LogCase(
        "unknown-event.csv",
        1,
        _one(
            "3: unknown event 'mesage'; expected one of: "
            "status, message, reply, close, transfer, paid"
        ),
    ),
    LogCase(
        "transfer-not-held.csv",
        1,
        _one("4: transfer for buyer 'u1', whose conversation the bot does not hold"),
    ),
    LogCase(
        "transfer-not-held.csv",
        0,
        _skipped("4: transfer for buyer 'u1', whose conversation the bot does not hold"),
        rows=1,
        args=("--skip-bad",),
    ),
    # Hostile values (issue 14): control and bidi characters are escaped in messages; the
    # CSV output keeps values exact. Too many cells: a bad row (routectl/logio/linebound.py).
    LogCase(
        "escape-in-header.csv",
        1,
        _one("1: header lacks column(s) time; found: ti\\x1b]0;owned\\x07me, event, \\u202ebuyer"),
    ),
    LogCase(
        "escape-in-values.csv",
        1,
        _one("4: unknown event 'mess\\x1b[31mage'; expected one of: " + EVENTS),
    ),
    LogCase(
        "escape-in-values.csv",
        0,
        _skipped("4: unknown event 'mess\\x1b[31mage'; expected one of: " + EVENTS),
        rows=1,
        args=("--skip-bad",),
    ),
    LogCase("many-cells.csv", 1, _one("2: row has 100003 cells; at most 100000")),
    LogCase(
        "many-cells.csv",
        0,
        _skipped("2: row has 100003 cells; at most 100000"),
        rows=1,
        args=("--skip-bad",),
    ),
    LogCase("every-row-bad.csv", 1, _one(f"2: bad time 'x': {ISO}")),
    LogCase(
        "every-row-bad.csv",
        0,
        _skipped(
            f"2: bad time 'x': {ISO}",
            f"3: bad time 'never': {ISO}",
            "5: unknown event 'dance'; expected one of: "
            "status, message, reply, close, transfer, paid",
        )
        + "routectl: warning: --skip-bad skipped 3 of 3 rows; the output comes from the other 0 "
        "only\n",
        rows=0,
        args=("--skip-bad",),
    ),
]

PINNED: list[LogCase] = []
"""Cases of open bugs in code owned elsewhere (test_robustness_findings.py), each with
``pinned=REASON``; empty since F1-F6 were fixed. Give the message the suggested fix prints,
or ``exact=False`` to bind only the exit code and each message's ``LOG:LINE``."""


def _replay(log: Path, *args: str) -> Result:
    result = CliRunner().invoke(
        cli, ["replay", str(log), "-c", str(SHOP), "--format", "csv", *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _where(stderr: str) -> list[str]:
    """``error:LINE`` / ``skipped:LINE`` of each message line."""
    return re.findall(r"^routectl: (error|skipped): .*?:(\d+): ", stderr, re.MULTILINE)


def _params(cases: list[LogCase]) -> list[object]:
    return [
        pytest.param(
            case,
            id=" ".join((case.file, *case.args)),
            marks=[pytest.mark.xfail(strict=True, reason=case.pinned)] if case.pinned else [],
        )
        for case in cases
    ]


@pytest.mark.parametrize("case", _params(LOG_CASES + PINNED))
def test_corpus_log(case: LogCase) -> None:
    log = CORPUS / "logs" / case.file
    result = _replay(log, *case.args)
    expected = case.stderr.format(log=log)
    if not case.exact:  # the fix may word it differently: compare where, not what
        assert (result.exit_code, _where(result.stderr)) == (case.exit_code, _where(expected))
    else:
        assert (result.exit_code, result.stderr) == (case.exit_code, expected)
    if case.rows is not None:
        assert result.stdout.count("\n") == case.rows + 1  # + the header


def test_quoted_newlines_keep_the_line_numbers_of_the_file() -> None:
    # The row after a 3-line text field starts on line 6 of the file.
    result = _replay(CORPUS / "logs" / "quoted-newline.csv")
    lines = [row.split(",", 1)[0] for row in result.stdout.splitlines()[1:]]
    assert lines == ["3", "6"]


def test_every_corpus_file_has_a_row() -> None:
    logs = {case.file for case in LOG_CASES + PINNED}
    assert sorted(p.name for p in (CORPUS / "logs").iterdir()) == sorted(logs)
    configs = {case.file for case in CONFIG_CASES}
    assert sorted(p.name for p in (CORPUS / "configs").iterdir()) == sorted(configs)


class ConfigCase(NamedTuple):
    file: str
    exit_code: int
    first_line: str
    """First line ``routectl validate`` prints; ``{config}`` stands for the path."""


NESTED = "{config}: error: not valid TOML: nested too deeply"
CONFIG_CASES = [
    ConfigCase(
        "empty.toml",
        1,
        "{config}: error: shop.name: missing; every config needs a shop "
        'name: name = "..." under [shop]',
    ),
    ConfigCase(
        "utf16.toml", 1, "{config}: error: UTF-16 text (Windows 'Unicode'); save the file as UTF-8"
    ),
    ConfigCase("binary.toml", 1, "{config}: error: binary data, not a TOML text file"),
    ConfigCase("nul-in-string.toml", 1, "{config}: error: binary data, not a TOML text file"),
    ConfigCase(
        "latin1.toml", 1, "{config}:2: error: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ),
    ConfigCase("bom-crlf.toml", 0, "{config}: ok: 1 group, 1 agent, 0 rules, 0 dedicated buyers"),
    ConfigCase(
        "escape-in-strings.toml",
        0,
        "{config}:11: warning: agents[0].mobile: 'a\\x1b]0;title\\x07' has mobile = true but "
        "routing.mobile_reception is false, so its mobile presence never counts for routing "
        "(R2) [W001 mobile-not-allowed]",
    ),
    ConfigCase("deep-array.toml", 1, NESTED),
    ConfigCase("deep-inline-table.toml", 1, NESTED),
    ConfigCase("long-dotted-key.toml", 1, NESTED.replace("}:", "}:3:")),
    ConfigCase(
        "syntax-error.toml",
        1,
        "{config}:2: error: not valid TOML: illegal character '\\n' (column 10)",
    ),
    ConfigCase(
        "unterminated-table.toml",
        1,
        "{config}:1: error: not valid TOML: expected ']' "
        "at the end of a table declaration (column 6)",
    ),
    ConfigCase(
        "typo-key.toml",
        1,
        "{config}:10: error: agents[0].wieght: unknown key; did you mean 'weight'?",
    ),
    ConfigCase(
        "huge-integer.toml",
        1,
        "{config}:10: error: agents[0].weight: must be an integer "
        "from 1 to 1000, got 99999999999999999999999",
    ),
    ConfigCase("wrong-types.toml", 1, '{config}:1: error: shop: must be a table ([shop]), got "x"'),
    ConfigCase(
        "no-routing-agent-no-group.toml",
        0,
        "{config}: warning: auto_reply.offline: not "
        "set: buyers whose inquiry waits in the offline pool or stays with an offline "
        "agent get no reply at all (R14, R15) [W006 no-offline-auto-reply]",
    ),
]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=lambda c: c.file)
def test_corpus_config(case: ConfigCase) -> None:
    config = CORPUS / "configs" / case.file
    result = CliRunner().invoke(cli, ["validate", str(config)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == case.exit_code
    assert result.stdout.splitlines()[0] == case.first_line.format(config=config)
    assert "Traceback" not in result.output
    replay = CliRunner().invoke(cli, ["replay", "-", "-c", str(config)], input="time,event\n")
    assert replay.exception is None or isinstance(replay.exception, SystemExit)
    if case.exit_code == 0:
        assert (replay.exit_code, replay.stderr) == (0, "")
    else:
        assert replay.exit_code == 1
        assert replay.stderr.startswith(f"routectl: error: invalid config {config} (")
