"""Log times <-> POSIX seconds in the shop's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routectl.timefmt import TimeFormatter, TimeParser

SHANGHAI = ZoneInfo("Asia/Shanghai")
EIGHT_AM = datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI).timestamp()


@pytest.mark.parametrize(
    ("text", "seconds_after_8am"),
    [
        ("2026-11-02T08:00:05", 5),
        ("2026-11-02 08:00:05", 5),
        ("2026/11/02 08:00:05", 5),
        ("2026/11/2 8:00", 0),
        ("2026-11-02T08:00", 0),
        ("2026-11-02T08:00:05.250", 5.25),
        ("2026-11-02T00:00:05Z", 5),
        ("2026-11-02T00:00:05+00:00", 5),
        ("2026-11-02T09:00:05+0900", 5),
        ("2026-11-02T08:00:05+08", 5),
        (" 2026-11-02 08:00:05 ", 5),
    ],
)
def test_parse_accepts_common_forms(text: str, seconds_after_8am: float) -> None:
    assert TimeParser(SHANGHAI).parse(text) == EIGHT_AM + seconds_after_8am


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2026-13-02T08:00:00", "2026-11-02T08:60:00", "2026-11-02T24:00:00",
     "2026-11-02T08:00:00+25:00", "2026-11-02T0a:00:00", "2026-02-30 08:00:00"],
)  # fmt: skip
def test_parse_rejects_non_times(text: str) -> None:
    with pytest.raises(ValueError):
        TimeParser(SHANGHAI).parse(text)


def test_local_time_follows_daylight_saving() -> None:
    new_york = ZoneInfo("America/New_York")
    parser = TimeParser(new_york)
    before = parser.parse("2026-03-08 01:30:00")  # EST, UTC-5
    after = parser.parse("2026-03-08 03:30:00")  # EDT, UTC-4: only one real hour later
    assert after - before == 3600


def test_format_uses_shop_offset_and_keeps_fractions() -> None:
    formatter = TimeFormatter(SHANGHAI)
    assert formatter.format(EIGHT_AM + 5) == "2026-11-02T08:00:05+08:00"
    assert formatter.format(EIGHT_AM + 5.5) == "2026-11-02T08:00:05.500+08:00"
    assert formatter.format(None) == ""


def test_format_half_hour_zone() -> None:
    formatter = TimeFormatter(ZoneInfo("Asia/Kolkata"))
    assert formatter.format(EIGHT_AM + 59) == "2026-11-02T05:30:59+05:30"


@given(st.integers(min_value=0, max_value=4_000_000_000))
def test_format_then_parse_is_identity(moment: int) -> None:
    for zone in (SHANGHAI, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kathmandu")):
        text = TimeFormatter(zone).format(moment)
        assert TimeParser(zone).parse(text) == moment


def test_half_hour_daylight_saving_change_inside_an_hour() -> None:
    # Lord Howe Island: 02:00 -> 02:30 on 2026-10-04 (UTC+10:30 -> UTC+11).
    parser = TimeParser(ZoneInfo("Australia/Lord_Howe"))
    before = parser.parse("2026-10-04 01:59:00")
    after = parser.parse("2026-10-04 02:58:27")
    assert after - before == 29 * 60 + 27
    assert parser.parse("2026-10-04 03:03:40") - after == 5 * 60 + 13
