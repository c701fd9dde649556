"""Fuzzing the log reader: any text ends in events or `FILE:LINE: reason`, nothing lost.

Run longer by hand with ``HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz_logreader.py``.
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from routectl.errors import BadLogRow
from routectl.logreader import COLUMNS, read_events

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
    """How many non-blank CSV records follow the header, by the csv module's own count."""
    records = list(csv.reader(io.StringIO(text.replace("\x00", ""), newline="")))
    non_blank = [r for r in records if r and not (len(r) == 1 and not r[0].strip())]
    return max(len(non_blank) - 1, 0)


def _render(rows: list[list[str]], line_end: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return HEADER + line_end + buffer.getvalue()


@given(st.lists(row, max_size=25), st.sampled_from(["\n", "\r\n"]))
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
