"""The progress bar of `replay`/`report` (issue 5): shown only on a terminal, costs no rows."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routectl import progress
from routectl.logio.reader import read_events
from routectl.progress import ProgressBar, clear_progress, progress_enabled, track_progress

HEADER = "time,event,buyer,agent,device,status,entry,item,order_status,intent,text\n"
BODY = (
    "{0},status,,shop:a,pc,online,,,,,\n"
    '{1},message,buyer_1,,,,item_detail,1001,,,"在吗, 老板"\n'
    '{2},message,buyer_1,,,,,,,,"多行\n文字"\n'
    "{3},reply,buyer_1,shop:a,,,,,,,亲，在的\n"
)
START = datetime(2026, 11, 2, 8)


def body(n: int) -> str:
    """``n`` copies of BODY, times going forward."""
    parts = []
    for i in range(n):
        times = [(START + timedelta(seconds=4 * i + k)).isoformat() for k in range(4)]
        parts.append(BODY.format(*times))
    return "".join(parts)


LOG = HEADER + body(2000)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    """A fake monotonic clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(LOG, encoding="utf-8")
    return path


def open_text(path: Path, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
    return open(path, encoding=encoding, newline="")


def rows_of(text: io.TextIOBase | io.TextIOWrapper) -> list[list[str]]:
    return list(csv.reader(text))  # type: ignore[arg-type]


# --- when to show it --------------------------------------------------------------


def test_enabled_on_a_terminal() -> None:
    assert progress_enabled(Terminal(), environ={})


def test_disabled_when_not_a_terminal() -> None:
    assert not progress_enabled(io.StringIO(), environ={})


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_disabled_when_ci_is_set(value: str) -> None:
    assert not progress_enabled(Terminal(), environ={"CI": value})


def test_empty_ci_does_not_count() -> None:
    assert progress_enabled(Terminal(), environ={"CI": ""})


def test_closed_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    stream.close()  # isatty() now raises ValueError
    assert not progress_enabled(stream, environ={})


def test_default_stream_is_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", Terminal())
    assert progress_enabled()
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not progress_enabled()


# --- the wrapped stream reads exactly the same ------------------------------------


def test_disabled_yields_the_same_stream(log_file: Path) -> None:
    out = io.StringIO()
    with open_text(log_file) as text, track_progress(text, label="x", out=out) as tracked:
        assert tracked is text
    assert out.getvalue() == ""


def test_not_a_text_wrapper_is_left_alone() -> None:
    text = io.StringIO(LOG)
    with track_progress(text, label="x", out=Terminal(), enabled=True) as tracked:
        assert tracked is text


def test_same_rows_with_and_without_the_bar(log_file: Path) -> None:
    with open_text(log_file) as text:
        plain = rows_of(text)
    out = Terminal()
    with (
        open_text(log_file) as text,
        track_progress(text, label="log.csv", out=out, enabled=True, clock=Clock(0.05)) as t,
    ):
        assert t is not text
        tracked = rows_of(t)
    assert tracked == plain
    assert len(plain) == 1 + 4 * 2000


def test_same_events_through_the_log_reader(log_file: Path) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    with open_text(log_file) as text:
        plain = list(read_events(text, "log.csv", zone))
    with (
        open_text(log_file) as text,
        track_progress(text, label="log.csv", out=Terminal(), enabled=True) as tracked,
    ):
        wrapped = list(read_events(tracked, "log.csv", zone))
    assert wrapped == plain


def test_bom_and_encoding_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(LOG.encode("gb18030"))
    with open_text(path, "gb18030") as text:
        plain = rows_of(text)
    with (
        open_text(path, "gb18030") as text,
        track_progress(text, label="x", out=Terminal(), enabled=True) as tracked,
    ):
        assert rows_of(tracked) == plain
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + LOG.encode("utf-8"))
    with (
        open_text(bom) as text,
        track_progress(text, label="x", out=Terminal(), enabled=True) as tracked,
    ):
        assert rows_of(tracked)[0][0] == "time"


def test_source_stream_stays_open(log_file: Path) -> None:
    with open_text(log_file) as text:
        with track_progress(text, label="x", out=Terminal(), enabled=True) as tracked:
            rows_of(tracked)
        assert not text.closed


# --- what it draws ----------------------------------------------------------------


def test_draws_bar_and_clears_it_at_the_end(log_file: Path) -> None:
    out = Terminal()
    with (
        open_text(log_file) as text,
        track_progress(text, label="log.csv", out=out, enabled=True, clock=Clock(0.3)) as t,
    ):
        rows_of(t)
    drawn = out.getvalue()
    assert "log.csv" in drawn
    assert "%" in drawn
    assert "rows/s" in drawn
    assert "MB" in drawn
    assert drawn.endswith("\r\x1b[K")


def test_redraws_at_most_five_times_a_second(log_file: Path) -> None:
    out = Terminal()
    # The clock moves 1 ms per chunk: the whole file is read in far less than 0.2 s.
    with (
        open_text(log_file) as text,
        track_progress(text, label="x", out=out, enabled=True, clock=Clock(0.001)) as t,
    ):
        rows_of(t)
    assert out.getvalue() == ""


def test_render_with_known_total() -> None:
    bar = ProgressBar(Terminal(), "log.csv", 1_000_000, clock=lambda: 0.0)
    bar.bytes, bar.rows = 250_000, 5_000
    line = bar.render(2.0)
    assert "[######------------------]  25%" in line
    assert "0.2/1.0 MB" in line
    assert "2500 rows/s" in line
    assert "ETA 0:06" in line


def test_render_without_total_for_a_pipe() -> None:
    bar = ProgressBar(Terminal(), "<stdin>", None, clock=lambda: 0.0)
    bar.bytes, bar.rows = 3_500_000, 2_000_000
    line = bar.render(4.0)
    assert "%" not in line
    assert "ETA" not in line
    assert "3.5 MB" in line
    assert "500k rows/s" in line


def test_long_labels_are_shortened() -> None:
    bar = ProgressBar(Terminal(), "/very/long/path/" * 5 + "log.csv", 10)
    assert len(bar.label) == 30
    assert bar.label.endswith("log.csv")


def test_counts_rows_from_newlines(log_file: Path) -> None:
    seen: list[ProgressBar] = []
    original = ProgressBar.__init__

    def spy(self: ProgressBar, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        seen.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ProgressBar, "__init__", spy)
        with (
            open_text(log_file) as text,
            track_progress(text, label="x", out=Terminal(), enabled=True) as tracked,
        ):
            rows_of(tracked)
    (bar,) = seen
    assert bar.bytes == log_file.stat().st_size
    assert bar.rows == LOG.count("\n")


def test_clear_progress_erases_the_bar_before_other_messages(log_file: Path) -> None:
    out = Terminal()
    with (
        open_text(log_file) as text,
        track_progress(text, label="x", out=out, enabled=True, clock=Clock(1.0)) as tracked,
    ):
        tracked.readline()
        tracked.readline()
        assert out.getvalue().endswith("\x1b[K")
        clear_progress()
        assert out.getvalue().endswith("\r\x1b[K")
        out.write("routectl: skipped: ...\n")
    assert not progress._active


def test_bar_is_cleared_on_errors(log_file: Path) -> None:
    out = Terminal()
    with (
        pytest.raises(RuntimeError),
        open_text(log_file) as text,
        track_progress(text, label="x", out=out, enabled=True, clock=Clock(1.0)) as tracked,
    ):
        tracked.readline()
        raise RuntimeError("boom")
    assert out.getvalue().endswith("\r\x1b[K")
    assert not progress._active


def test_pipe_has_no_total() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, "".join(f"{i}\n" for i in range(100)).encode())
    os.close(write_end)
    out = Terminal()
    with (
        open(read_end, encoding="utf-8", newline="") as text,
        track_progress(text, label="<stdin>", out=out, enabled=True, clock=Clock(1.0)) as t,
    ):
        assert len(t.read().splitlines()) == 100
    assert "%" not in out.getvalue()
    assert "MB" in out.getvalue()
