"""Fuzzing the log reader: any text ends in events or `FILE:LINE: reason`, nothing lost.

Run longer by hand with ``HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz_logreader.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import ROOT
from routectl.cli import cli
from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Event
from routectl.logio.reader import COLUMNS, EVENTS, MAX_FIELD_BYTES, read_events

ZONE = ZoneInfo("Asia/Shanghai")
HEADER = ",".join(COLUMNS)

cell = st.one_of(
    st.sampled_from(
        ["message", "reply", "status", "close", "transfer", "online", "挂起", "pc", "手机",
         "shop:a", "b1", "2026-11-02T08:00:00", "2026-11-02 09:00", "", "店铺首页", "\x00"]
    ),
    st.text(max_size=12),
)  # fmt: skip
row = st.lists(cell, min_size=0, max_size=len(COLUMNS) + 2)


def _data_rows(text: str) -> int:
    """How many non-blank CSV records follow the header, by the csv module's own count.

    A record whose cells are all blank (an empty line, or Excel's trailing row of only
    commas) is not a row, as in the reader.
    """
    records = list(csv.reader(io.StringIO(text.replace("\x00", ""), newline="")))
    non_blank = [r for r in records if "".join(r).strip()]
    return max(len(non_blank) - 1, 0)


def _render(rows: list[list[str]], line_end: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return HEADER + line_end + buffer.getvalue()


@given(st.lists(row, max_size=25), st.sampled_from(["\n", "\r\n"]))
@example([["", " ", ""]], "\n")  # a row of only commas is blank, not data (it once failed)
def test_every_row_is_an_event_or_a_reported_skip(rows: list[list[str]], line_end: str) -> None:
    text = _render(rows, line_end)
    skipped: list[BadLogRow] = []
    events = list(
        read_events(io.StringIO(text, newline=""), "fuzz.csv", ZONE, on_bad=skipped.append)
    )
    for error in skipped:
        assert str(error).startswith(f"fuzz.csv:{error.line}: ")
        assert error.line >= 2
    if "\x00" not in text:
        assert len(events) + len(skipped) == _data_rows(text)


@given(st.text(max_size=400))
def test_arbitrary_text_never_escapes_as_anything_but_bad_row(text: str) -> None:
    try:
        list(read_events(io.StringIO(text, newline=""), "fuzz.csv", ZONE, on_bad=lambda e: None))
    except BadLogRow as error:
        assert str(error).startswith("fuzz.csv:")


@given(st.lists(row, min_size=1, max_size=10))
def test_without_skip_the_first_bad_row_stops_the_run(rows: list[list[str]]) -> None:
    text = _render(rows, "\n")
    try:
        events = list(read_events(io.StringIO(text, newline=""), "fuzz.csv", ZONE))
    except BadLogRow as error:
        assert error.line >= 1
    else:
        assert all(event.line >= 2 for event in events)


# --- bytes, headers, line ends and encodings ---------------------------------------------
#
# The tests below build logs the way a broken export or a hand edit does: columns in any
# order, missing or doubled, unknown ones, BOMs, NUL bytes, CR/LF/CRLF mixed in one file,
# a last line cut short, foreign encodings, oversized fields. Each run must end in events
# and counted skips, or in one `FILE:LINE: reason` - through the functions and the CLI.

AGENTS = ("tiny:a", "tiny:b", "tiny:c")
"""The agents of examples/tiny-shop.toml, used by the CLI tests."""
TIME_FORMS = (
    "{d}T{t}", "{d} {t}", "{d}T{t}+08:00", "{d}T{t}Z", "{ds}T{t}", "{d} {hm}",
)  # fmt: skip
LINE_ENDS = ("\n", "\r\n", "\r")


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    names = draw(st.permutations(COLUMNS))
    names = names[: draw(st.integers(0, len(names)))]
    names += draw(st.lists(st.sampled_from(["extra", "备注", "", "Time", "EVENT", "time"]),
                           max_size=2))  # fmt: skip
    names = draw(st.permutations(names))
    return [draw(st.sampled_from([n, n.upper(), f" {n} ", n])) for n in names]


@st.composite
def times(draw: st.DrawFn, second: int) -> str:
    if draw(st.integers(0, 20)) == 0:
        return draw(
            st.sampled_from(
                [
                    "",
                    "yesterday",
                    "2026-13-01T00:00:00",
                    "2026-11-02T25:00",
                    "0000-00-00",
                    "2026-11-02T08:00:00+99:00",
                    "\x00",
                ]
            )
        )
    minute, sec = divmod(second, 60)
    hour, minute = divmod(minute, 60)
    day = 2 + hour // 24
    form = draw(st.sampled_from(TIME_FORMS))
    return form.format(
        d=f"2026-11-{day:02d}",
        ds=f"2026/11/{day:02d}",
        t=f"{hour % 24:02d}:{minute:02d}:{sec:02d}",
        hm=f"{hour % 24:02d}:{minute:02d}",
    )


def _value(draw: st.DrawFn, column: str, second: int) -> str:
    choices: dict[str, st.SearchStrategy[str]] = {
        "time": times(second),
        "event": st.sampled_from([*EVENTS, "message", "message", "MESSAGE", "mesage", ""]),
        "buyer": st.sampled_from(["b1", "b2", "买家", "=HYPERLINK(1)", "", "b\x00"]),
        "agent": st.sampled_from(["", "", *AGENTS, "tiny:x"]),
        "device": st.sampled_from(["", "pc", "mobile", "手机", "tablet"]),
        "status": st.sampled_from(["online", "online", "suspended", "离线", "offline", "away"]),
        "entry": st.sampled_from(["", "shop_home", "order", "订单", "front_door"]),
    }
    default = st.one_of(st.sampled_from(["", "1001", "退货", '"quoted"', "a,b", "x\ny"]),
                        st.text(max_size=8))  # fmt: skip
    return draw(choices.get(column.strip().lower(), default))


@st.composite
def csv_logs(draw: st.DrawFn) -> bytes:
    """A log as bytes: random header, rows in roughly time order, mixed line ends, oddities."""
    header = draw(headers())
    lines: list[str] = []
    second = 8 * 3600
    for _ in range(draw(st.integers(0, 12))):
        second += draw(st.sampled_from([0, 1, 30, 300, 1000, -60]))
        cells = [_value(draw, column, second) for column in header]
        cells += draw(st.lists(st.sampled_from(["", "x"]), max_size=2))  # ragged rows
        if draw(st.integers(0, 3)) == 0 and cells:
            cells = cells[: draw(st.integers(0, len(cells)))]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(cells)
        lines.append(buffer.getvalue())
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(header)
    text = buffer.getvalue()
    for line in lines:
        text += draw(st.sampled_from(LINE_ENDS)) + line
    text += draw(st.sampled_from(["", *LINE_ENDS]))
    oddity = draw(st.sampled_from(["none"] * 6 + ["bom", "nul", "truncate", "quote", "blank"]))
    if oddity == "bom":
        text = "\ufeff" + text
    elif oddity == "nul":
        spot = draw(st.integers(0, len(text)))
        text = text[:spot] + "\x00" + text[spot:]
    elif oddity == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif oddity == "quote":
        spot = draw(st.integers(0, len(text)))
        text = text[:spot] + '"' + text[spot:]
    elif oddity == "blank":
        text += "\n\n \n,,,\n"
    return text.encode("utf-8")


def _read_bytes(data: bytes, encoding: str = "utf-8-sig") -> tuple[list[Event], list[BadLogRow]]:
    skipped: list[BadLogRow] = []
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    events = list(
        read_events(text, "fuzz.csv", ZONE, known_agents=frozenset(AGENTS), on_bad=skipped.append)
    )
    return events, skipped


@given(csv_logs())
def test_malformed_logs_give_events_and_skips_or_one_header_error(data: bytes) -> None:
    try:
        events, skipped = _read_bytes(data)
    except BadLogRow as error:
        assert error.line == 1, error  # only the header (or the encoding) stops a skip run
        return
    lines = [e.line for e in events] + [s.line for s in skipped]
    assert len(lines) == len(set(lines)), "a row was counted twice"
    assert all(line >= 2 for line in lines)
    assert [e.line for e in events] == sorted(e.line for e in events)
    times = [e.time for e in events]
    assert times == sorted(times)  # accepted rows are in time order


@given(st.binary(max_size=300), st.sampled_from(["utf-8-sig", "gb18030"]))
def test_arbitrary_bytes_in_either_encoding_end_cleanly(data: bytes, encoding: str) -> None:
    try:
        _read_bytes(b"time,event,buyer\n" + data, encoding)
    except BadLogRow as error:
        assert str(error).startswith("fuzz.csv:")


@given(
    st.text(alphabet=st.sampled_from('在线挂起离线买家订单中文,"\r\n:-0123456789T'), max_size=200)
)
def test_gb18030_round_trip_reads_like_utf8(text: str) -> None:
    """The same log saved by Chinese Excel (GB18030) reads exactly as its UTF-8 original."""
    data = ("time,event,buyer,agent,status,entry\n" + text).encode("utf-8")
    assert _outcome(data.decode("utf-8").encode("gb18030"), "gb18030") == _outcome(data)


def _outcome(data: bytes, encoding: str = "utf-8-sig") -> object:
    try:
        events, skipped = _read_bytes(data, encoding)
    except BadLogRow as error:
        return str(error)
    return events, [str(error) for error in skipped]


@pytest.mark.parametrize("size", [MAX_FIELD_BYTES - 1, MAX_FIELD_BYTES])
def test_field_up_to_the_cap_is_read(size: int) -> None:
    data = f"time,event,buyer,text\n2026-11-02T08:00:00,message,b1,{'x' * size}\n".encode()
    events, skipped = _read_bytes(data)
    assert skipped == [] and len(events) == 1
    assert isinstance(events[0], BuyerMessage) and events[0].text == "x" * size


@pytest.mark.parametrize("quoted", [False, True])
def test_field_over_the_cap_is_a_bad_row_and_the_next_row_reads(quoted: bool) -> None:
    big = "x" * (MAX_FIELD_BYTES + 1)
    cell = f'"{big}"' if quoted else big
    data = (
        "time,event,buyer,text\n"
        f"2026-11-02T08:00:00,message,b1,{cell}\n"
        "2026-11-02T08:00:01,message,b2,hi\n"
    ).encode()
    events, skipped = _read_bytes(data)
    assert [str(s) for s in skipped] == [
        "fuzz.csv:2: unreadable CSV: field larger than field limit (1000000)"
    ]
    assert [(e.line, getattr(e, "buyer", None)) for e in events] == [(3, "b2")]
    with pytest.raises(BadLogRow, match=r"^fuzz\.csv:2: unreadable CSV: field larger"):
        list(read_events(io.StringIO(data.decode(), newline=""), "fuzz.csv", ZONE))


# --- through the CLI ----------------------------------------------------------------------

TINY = str(ROOT / "examples" / "tiny-shop.toml")
SKIPPED = re.compile(r"routectl: skipped: <stdin>:(\d+): .+")
MOST_SKIPPED = re.compile(r"routectl: warning: --skip-bad skipped \d+ of \d+ rows; .+")


def _cli(args: list[str], data: bytes) -> Result:
    result = CliRunner().invoke(cli, [*args, "-c", TINY], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _reference(data: bytes) -> tuple[int, int] | None:
    """(message rows, reader skips) as the reader sees them; None if the log stops at once."""
    try:
        events, skipped = _read_bytes(data)
    except BadLogRow:
        return None
    return sum(isinstance(e, BuyerMessage) for e in events), len(skipped)


@given(csv_logs())
def test_replay_cli_one_row_per_message_row_or_a_clean_error(data: bytes) -> None:
    reference = _reference(data)
    strict = _cli(["replay", "-", "--format", "csv"], data)
    assert strict.exit_code in (0, 1)
    if strict.exit_code == 1:
        # One message; it may span lines when it quotes a header cell holding a newline.
        assert re.fullmatch(r"routectl: error: <stdin>:\d+: .+\n", strict.stderr, re.DOTALL)
    lenient = _cli(["replay", "-", "--format", "csv", "--skip-bad"], data)
    if reference is None:
        assert lenient.exit_code == 1
        assert re.fullmatch(r"routectl: error: <stdin>:1: .+\n", lenient.stderr, re.DOTALL)
        return
    messages, reader_skips = reference
    assert lenient.exit_code == 0, lenient.stderr
    rows = list(csv.reader(io.StringIO(lenient.stdout, newline="")))
    assert len(rows) - 1 == messages  # every accepted message row, exactly once
    stderr = lenient.stderr.splitlines()
    skipped = [line for line in stderr if SKIPPED.fullmatch(line)]
    assert len(skipped) >= reader_skips  # + transfers the engine refused
    if skipped:
        plural = "row" if len(skipped) == 1 else "rows"
        summary = f"routectl: skipped {len(skipped)} bad {plural} (--skip-bad)"
        assert stderr[: len(skipped) + 1] == [*skipped, summary]
        # and, when most rows were skipped, one warning saying so
        assert all(MOST_SKIPPED.fullmatch(line) for line in stderr[len(skipped) + 1 :])
        assert len(stderr) <= len(skipped) + 2
    else:
        assert stderr == []
    if strict.exit_code == 0:
        assert strict.stdout == lenient.stdout and not skipped


@given(csv_logs(), st.sampled_from(["json", "table", "csv"]))
def test_report_cli_ends_in_a_report_or_a_clean_error(data: bytes, fmt: str) -> None:
    reference = _reference(data)
    result = _cli(["report", "-", "--format", fmt, "--skip-bad"], data)
    if reference is None:
        assert result.exit_code == 1
        return
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["summary"]["messages"] == reference[0]


@pytest.mark.parametrize("skip_bad", [False, True])
def test_field_over_the_cap_through_the_cli(skip_bad: bool) -> None:
    big = "x" * (MAX_FIELD_BYTES + 1)
    data = (
        "time,event,buyer,agent,status,text\n"
        "2026-11-02T08:00:00,status,,tiny:a,online,\n"
        f"2026-11-02T08:00:01,message,b1,,,{big}\n"
        "2026-11-02T08:00:02,message,b2,,,hi\n"
    ).encode()
    result = _cli(["replay", "-", "--format", "csv", *(["--skip-bad"] if skip_bad else [])], data)
    reason = "<stdin>:3: unreadable CSV: field larger than field limit (1000000)"
    if skip_bad:
        assert result.exit_code == 0
        assert result.stderr == (
            f"routectl: skipped: {reason}\nroutectl: skipped 1 bad row (--skip-bad)\n"
        )
        assert [line.split(",")[:3] for line in result.stdout.splitlines()[1:]] == [
            ["4", "2026-11-02T08:00:02+08:00", "b2"]
        ]
    else:
        assert (result.exit_code, result.stderr) == (1, f"routectl: error: {reason}\n")
