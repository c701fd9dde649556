"""Log times <-> POSIX seconds in the shop's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routectl import build
from routectl.logio.timefmt import NonexistentTime, TimeFormatter, TimeParser

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


# --- Cached forms (issue 13): every form, after the first row of a minute, is cached ---

FORMS = [
    "2026-11-02T08:{m:02d}:{s:02d}",
    "2026-11-02T08:{m:02d}:{s:02d}+08:00",
    "2026-11-02T09:{m:02d}:{s:02d}+0900",
    "2026-11-02T00:{m:02d}:{s:02d}Z",
    "2026-11-02T08:{m:02d}:{s:02d}+08",
    "2026/11/02 08:{m:02d}:{s:02d}",
    "2026-11-02 08:{m:02d}:{s:02d} +08:00",
    "2026-11-02T08:{m:02d}:{s:02d}.250+08:00",
    "2026-11-02T08:{m:02d}:{s:02d}.5",
    "2026-11-02T08:{m:02d}:{s:02d}.1234567Z",
]


@given(st.lists(st.tuples(st.sampled_from(FORMS), st.integers(0, 2), st.integers(0, 60))))
def test_one_parser_reads_every_form_like_a_fresh_parser(texts: list[tuple[str, int, int]]) -> None:
    shared = TimeParser(SHANGHAI)
    for form, minute, second in texts:
        text = form.format(m=minute, s=second)
        assert shared.parse(text) == TimeParser(SHANGHAI).parse(text), text


@pytest.mark.parametrize(
    "text",
    ["2026-11-02T08:00:05+08:00", "2026-11-02T08:00:05+0800", "2026-11-02T00:00:05Z",
     "2026/11/02 08:00:05", "2026-11-02T08:00:05.250+08:00"],
)  # fmt: skip
def test_offset_forms_fill_the_minute_cache(text: str) -> None:
    parser = TimeParser(SHANGHAI)
    parser.parse(text)
    same_minute = text[:17] + "07" + text[19:]
    assert same_minute.startswith(parser._minute_key)
    assert same_minute.endswith(parser._tail)
    assert parser.parse(same_minute) - parser.parse(text) == 2


def test_a_different_offset_in_the_same_minute_is_not_a_cache_hit() -> None:
    parser = TimeParser(SHANGHAI)
    first = parser.parse("2026-11-02T08:00:05+08:00")
    assert parser.parse("2026-11-02T08:00:05+09:00") == first - 3600
    assert parser.parse("2026-11-02T08:00:05") == first


# --- Time correctness (issue 14) ---

NEW_YORK = ZoneInfo("America/New_York")


def test_repeated_hour_takes_the_later_reading_when_time_would_go_backwards() -> None:
    # 2026-11-01: New York sets clocks back from 02:00 EDT to 01:00 EST.
    parser = TimeParser(NEW_YORK)
    first = parser.parse("2026-11-01 01:30:00")  # EDT (the earlier 01:30)
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    assert parser.parse("2026-11-01 01:50:00") - first == 20 * 60
    assert parser.parse("2026-11-01 01:10:00") - first == 40 * 60  # EST: the second 01:10
    assert parser.parse("2026-11-01 01:40:00") - first == 70 * 60  # still EST
    assert parser.parse("2026-11-01 02:00:00") - first == 90 * 60


def test_repeated_hour_keeps_the_earlier_reading_while_time_goes_forward() -> None:
    parser = TimeParser(NEW_YORK)
    first = parser.parse("2026-11-01 01:30:00")
    assert parser.parse("2026-11-01 01:30:00") == first
    assert parser.parse("2026-11-01 01:31:10") - first == 70


def test_repeated_hour_log_reads_without_bad_rows() -> None:
    from routectl.logio.reader import read_events

    rows = ["time,event,buyer", "2026-11-01 01:50:00,message,b1", "2026-11-01 01:05:00,message,b1"]
    events = list(read_events(rows, "log.csv", NEW_YORK))
    assert events[1].time - events[0].time == 15 * 60


def test_skipped_hour_time_does_not_exist() -> None:
    # 2026-03-08: New York sets clocks forward from 02:00 EST to 03:00 EDT.
    with pytest.raises(NonexistentTime, match="does not exist in America/New_York"):
        TimeParser(NEW_YORK).parse("2026-03-08 02:30:00")
    assert TimeParser(NEW_YORK).parse("2026-03-08 02:30:00-05:00") > 0  # an instant: fine


def test_skipped_hour_time_is_a_bad_row_with_the_reason() -> None:
    from routectl.errors import BadLogRow
    from routectl.logio.reader import read_events

    rows = ["time,event,buyer", "2026-03-08 02:30:00,message,b1"]
    with pytest.raises(BadLogRow, match=r"log.csv:2: bad time .*does not exist"):
        list(read_events(rows, "log.csv", NEW_YORK))


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("Asia/Shanghai", datetime(1900, 6, 1, 4, 0, 17, tzinfo=ZoneInfo("UTC"))),
        ("Africa/Monrovia", datetime(1970, 6, 1, 12, 0, 0, tzinfo=ZoneInfo("UTC"))),
        ("Africa/Monrovia", datetime(1970, 6, 1, 12, 0, 59, tzinfo=ZoneInfo("UTC"))),
        ("Europe/Amsterdam", datetime(1930, 1, 1, 0, 0, 31, tzinfo=ZoneInfo("UTC"))),
    ],
)
def test_format_offsets_that_are_not_whole_minutes(zone: str, moment: datetime) -> None:
    formatter = TimeFormatter(ZoneInfo(zone))
    for step in (0, 1, 29, 61):  # the cache would carry a wrong minute to later seconds
        seconds = moment.timestamp() + step
        expected = datetime.fromtimestamp(seconds, ZoneInfo(zone)).isoformat()
        assert formatter.format(seconds) == expected
        assert TimeParser(ZoneInfo(zone)).parse(expected) == seconds


def test_format_never_writes_second_60_for_a_fraction_that_rounds_up() -> None:
    assert TimeFormatter(SHANGHAI).format(EIGHT_AM + 59.9996) == "2026-11-02T08:01:00+08:00"


@pytest.mark.parametrize(
    ("text", "seconds_after_8am"),
    [
        ("2026-11-02T08:00:05.9999999", 6),
        ("2026-11-02T08:00:05.1234567", 5.123457),
        ("2026-11-02T08:00:59.9999999+08:00", 60),
        ("2026-11-02T08:00:05.0000001", 5),
    ],
)
def test_seven_digit_fractions_round_to_microseconds(text: str, seconds_after_8am: float) -> None:
    parser = TimeParser(SHANGHAI)
    assert parser.parse(text) == EIGHT_AM + seconds_after_8am
    parser.parse("2026-11-02T08:00:00+08:00")  # the same, read from the minute cache
    assert parser.parse(text) == EIGHT_AM + seconds_after_8am


@pytest.mark.parametrize(
    ("leap", "next_minute"),
    [
        ("2026-12-31T23:59:60Z", "2027-01-01T00:00:00Z"),
        ("2027-01-01T07:59:60+08:00", "2027-01-01T08:00:00+08:00"),
        ("2026-12-31 23:59:60", "2027-01-01 00:00:00"),
        ("2026-12-31T23:59:60.500Z", "2027-01-01T00:00:00.500Z"),
    ],
)
def test_leap_second_is_the_first_instant_of_the_next_minute(leap: str, next_minute: str) -> None:
    parser = TimeParser(SHANGHAI)
    assert parser.parse(leap) == TimeParser(SHANGHAI).parse(next_minute)
    parser.parse(leap[:17] + "59" + leap[19:])  # the minute cached: 60 still read right
    assert parser.parse(leap) == TimeParser(SHANGHAI).parse(next_minute)


def test_second_61_is_not_a_time() -> None:
    with pytest.raises(ValueError):
        TimeParser(SHANGHAI).parse("2026-12-31T23:59:61")


@pytest.mark.skipif(build() != "pure Python", reason="compiled classes cannot be patched")
@pytest.mark.parametrize("tail", ["", "+08:00", "+0800", "Z"])
def test_log_reader_reads_a_minute_of_any_offset_from_the_cache(
    tail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from routectl.logio import reader as logreader

    calls: list[str] = []
    parse_new_minute = TimeParser._parse_new_minute

    def counted(self: TimeParser, text: str) -> float:
        calls.append(text)
        return parse_new_minute(self, text)

    monkeypatch.setattr(TimeParser, "_parse_new_minute", counted)
    rows = ["time,event,buyer"] + [f"2026-11-02T08:00:{s:02d}{tail},message,b1" for s in range(9)]
    events = list(logreader.read_events(rows, "log.csv", SHANGHAI))
    assert [event.time for event in events] == [events[0].time + s for s in range(9)]
    assert calls == [rows[1].split(",")[0]]  # only the minute's first row is parsed in full
