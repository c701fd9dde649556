"""Bounded reading (routectl/logio/linebound.py): no line, row or cell count can fill the memory.

The limits are module constants; the tests shrink them (monkeypatch) instead of writing
huge files. One test runs the real command on ``/dev/zero`` in a process with a small
address-space limit, as the finding did (it grew ~270 MB/s until killed).
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from routectl.cli import cli
from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Event
from routectl.logio import linebound
from routectl.logio.reader import read_events

SHOP = Path(__file__).resolve().parent / "corpus" / "shop.toml"
_SCRIPT = Path(sys.executable).with_name("routectl")
ROUTECTL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "routectl"]
HEAD = "time,event,buyer,text\n"
ZONE = ZoneInfo("Asia/Shanghai")


def _message(second: int, buyer: str = "b", text: str = "hi") -> str:
    return f"2026-11-02T08:00:{second:02d},message,{buyer}{second},{text}\n"


def _read(text: str) -> tuple[list[Event], list[BadLogRow]]:
    bad: list[BadLogRow] = []
    stream = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="")
    events = list(read_events(stream, "log.csv", ZONE, on_bad=bad.append))
    return events, bad


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linebound, "MAX_LINE_CHARS", 100)
    monkeypatch.setattr(linebound, "MAX_ROW_CHARS", 250)
    monkeypatch.setattr(linebound, "MAX_CELLS", 20)


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_a_line_past_the_limit_is_a_bad_row_at_its_line(line_end: str) -> None:
    text = HEAD + _message(1) + "x" * 500 + "\n" + _message(2) + "y" * 101 + "\n" + _message(3)
    events, bad = _read(text.replace("\n", line_end))
    assert [e.line for e in events] == [2, 4, 6]
    assert [str(b) for b in bad] == [
        "log.csv:3: line longer than 100 characters",
        "log.csv:5: line longer than 100 characters",
    ]


@pytest.mark.usefixtures("small_limits")
def test_a_long_last_line_without_a_newline() -> None:
    events, bad = _read(HEAD + _message(1) + "z" * 1000)
    assert [e.line for e in events] == [2]
    assert [str(b) for b in bad] == ["log.csv:3: line longer than 100 characters"]


@pytest.mark.usefixtures("small_limits")
def test_a_line_at_the_limit_is_read() -> None:
    row = _message(1, text="t" * 100)
    row = _message(1, text="t" * (101 - len(row) + 100))  # 100 characters and "\n"
    assert len(row) == 101
    events, bad = _read(HEAD + row)
    assert (len(events), bad) == (1, [])


@pytest.mark.usefixtures("small_limits")
def test_a_long_header_stops_the_run_even_when_skipping() -> None:
    with pytest.raises(
        BadLogRow, match=r"^log\.csv:1: unreadable CSV header: line longer than 100"
    ):
        _read("time,event," + "c," * 200 + "\n" + _message(1))


@pytest.mark.usefixtures("small_limits")
def test_a_row_running_on_over_many_quoted_lines_is_bounded() -> None:
    # Each line closes a quoted cell and opens the next: one row of ever more cells.
    text = HEAD + _message(1) + '2026-11-02T08:00:02,message,b,"' + 'ab\n","' * 100 + '"\n'
    events, bad = _read(text)
    assert [e.line for e in events] == [2]
    assert str(bad[0]).startswith("log.csv:3: row longer than 250 characters")


@pytest.mark.usefixtures("small_limits")
def test_a_row_past_the_cell_limit_is_a_bad_row() -> None:
    events, bad = _read(HEAD + _message(1) + "a," * 30 + "\n" + _message(2))
    assert [e.line for e in events] == [2, 4]
    assert [str(b) for b in bad] == ["log.csv:3: row has 31 cells; at most 20"]


def test_bounded_lines_count_dropped_lines_for_line_numbers() -> None:
    bounded = linebound.BoundedLines(["short\n", "x" * (linebound.MAX_LINE_CHARS + 1), "ok\n"])
    out = []
    while True:
        try:
            out.append(next(bounded))
        except linebound.LineTooLong as exc:
            assert exc.at_line
            out.append("<long>")
        except StopIteration:
            break
    assert (out, bounded.dropped) == (["short\n", "<long>", "ok\n"], 1)


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("skip_bad", [False, True])
def test_long_line_through_the_cli(tmp_path: Path, skip_bad: bool) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEAD + _message(1) + "ab," * 1000 + "\n" + _message(2), encoding="utf-8")
    args = ["replay", str(log), "-c", str(SHOP), "--format", "csv"]
    result = CliRunner().invoke(cli, args + (["--skip-bad"] if skip_bad else []))
    if skip_bad:
        assert result.exit_code == 0
        assert result.stderr == (
            f"routectl: skipped: {log}:3: line longer than 100 characters\n"
            "routectl: skipped 1 bad row (--skip-bad)\n"
        )
        assert [r.split(",")[0] for r in result.stdout.splitlines()[1:]] == ["2", "4"]
    else:
        assert (result.exit_code, result.stderr) == (
            1,
            f"routectl: error: {log}:3: line longer than 100 characters\n",
        )


class _Endless(io.RawIOBase):
    """A header, then ``size`` bytes of one line with no newline, then one good row."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.head = HEAD.encode()
        self.tail = b"\n" + _message(1).encode()
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self.head:
            chunk, self.head = self.head, b""
        elif self.left:
            chunk = b"ab," * min(len(view) // 3, self.left // 3 + 1)
            self.left = max(0, self.left - len(chunk))
        elif self.tail:
            chunk, self.tail = self.tail, b""
        else:
            return 0
        view[: len(chunk)] = chunk
        return len(chunk)


def test_a_30_mb_line_of_cells_is_read_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linebound, "MAX_LINE_CHARS", 100_000)
    stream = io.TextIOWrapper(io.BufferedReader(_Endless(30_000_000)), encoding="utf-8", newline="")
    bad: list[BadLogRow] = []
    tracemalloc.start()
    try:
        events = list(read_events(stream, "log.csv", ZONE, on_bad=bad.append))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [str(b) for b in bad] == ["log.csv:2: line longer than 100000 characters"]
    assert len(events) == 1 and isinstance(events[0], BuyerMessage) and events[0].line == 3
    assert peak < 5_000_000, f"peak {peak} bytes for a 30 MB line"


def _limit_memory() -> None:
    limit = 250 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_dev_zero_ends_at_once_in_a_small_address_space() -> None:
    done = subprocess.run(
        [*ROUTECTL, "replay", "/dev/zero", "-c", str(SHOP)],
        capture_output=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert (done.returncode, done.stderr) == (
        1,
        b"routectl: error: /dev/zero:1: unreadable CSV header: line longer than "
        + str(linebound.MAX_LINE_CHARS).encode()
        + b" characters\n",
    )


@given(
    st.lists(
        st.one_of(st.integers(0, 130).map(lambda n: "x" * n), st.just("MSG")),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_line_numbers_stay_true_around_long_lines(lines: list[str], line_end: str) -> None:
    # hypothesis and fixtures: set the limits by hand and restore them.
    saved = linebound.MAX_LINE_CHARS, linebound.MAX_ROW_CHARS
    linebound.MAX_LINE_CHARS, linebound.MAX_ROW_CHARS = 60, 1000
    try:
        body = [_message(n % 60, text="m") if raw == "MSG" else raw for n, raw in enumerate(lines)]
        text = HEAD + "".join(line.rstrip("\n") + line_end for line in body)
        events, bad = _read(text)
    finally:
        linebound.MAX_LINE_CHARS, linebound.MAX_ROW_CHARS = saved
    sizes = [len(line.rstrip("\n")) for line in body]
    long = [n + 2 for n, size in enumerate(sizes) if size > 60]
    messages = [n + 2 for n, raw in enumerate(lines) if raw == "MSG"]
    assert [b.line for b in bad if "longer" in b.reason] == long
    assert [e.line for e in events] == [m for m in messages if m not in long]
