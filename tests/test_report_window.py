"""--since/--until: dates, datetimes and relative forms, against a frozen clock."""

from __future__ import annotations

from datetime import datetime

import pytest
from freezegun import freeze_time

from routectl.report.window import Window, parse_bound, resolve_window
from test_report_support import SHANGHAI, at

# 2026-11-03 02:30 UTC is 10:30 in Shanghai.
FROZEN = "2026-11-03 02:30:00"


def shop_now() -> datetime:
    return datetime.now(SHANGHAI)


@freeze_time(FROZEN)
def test_today_is_the_shop_day_since_midnight() -> None:
    window = resolve_window("today", None, shop_now())
    assert window.since == at("2026-11-03T00:00:00")
    assert window.until == float("inf")


@freeze_time(FROZEN)
def test_today_as_until_includes_the_whole_day() -> None:
    assert resolve_window(None, "today", shop_now()).until == at("2026-11-04T00:00:00")


@freeze_time(FROZEN)
def test_yesterday_to_yesterday_is_exactly_yesterday() -> None:
    window = resolve_window("yesterday", "yesterday", shop_now())
    assert window == Window(at("2026-11-02T00:00:00"), at("2026-11-03T00:00:00"))


@freeze_time("2026-11-02 17:00:00")  # 01:00 on 11-03 in Shanghai, still 11-02 in UTC
def test_days_are_shop_days_not_utc_days() -> None:
    assert resolve_window("today", None, shop_now()).since == at("2026-11-03T00:00:00")
    assert resolve_window("yesterday", None, shop_now()).since == at("2026-11-02T00:00:00")


@freeze_time(FROZEN)
@pytest.mark.parametrize(
    ("text", "seconds"),
    [("7d", 7 * 86400), ("24h", 86400), ("90m", 5400), ("1h30m", 5400), ("45s", 45), ("now", 0)],
)
def test_relative_forms_count_back_from_now(text: str, seconds: int) -> None:
    now = at("2026-11-03T10:30:00")
    assert parse_bound(text, shop_now(), end=False) == now - seconds
    assert parse_bound(text, shop_now(), end=True) == now - seconds


@freeze_time(FROZEN)
def test_relative_window_of_the_last_24_hours() -> None:
    window = resolve_window("24h", "now", shop_now())
    assert window == Window(at("2026-11-02T10:30:00"), at("2026-11-03T10:30:00"))


@freeze_time(FROZEN)
@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2026-11-01", False, "2026-11-01T00:00:00"),
        ("2026-11-01", True, "2026-11-02T00:00:00"),
        ("2026/11/1", False, "2026-11-01T00:00:00"),
        ("2026-11-01T08:00", False, "2026-11-01T08:00:00"),
        ("2026-11-01 08:00:30", True, "2026-11-01T08:00:30"),
        ("2026-11-01T00:00:00Z", False, "2026-11-01T08:00:00"),
        ("昨天", False, "2026-11-02T00:00:00"),
        ("TODAY", False, "2026-11-03T00:00:00"),
    ],
)
def test_absolute_forms(text: str, end: bool, expected: str) -> None:
    assert parse_bound(text, shop_now(), end=end) == at(expected)


@freeze_time(FROZEN)
@pytest.mark.parametrize("text", ["last week", "2026-13-01", "7 days", "", "-3h"])
def test_unknown_forms_are_refused_with_the_accepted_ones(text: str) -> None:
    with pytest.raises(ValueError, match=r"--since .*"):
        resolve_window(text, None, shop_now())


@freeze_time(FROZEN)
def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="not before --until"):
        resolve_window("today", "yesterday", shop_now())


def test_no_bounds_is_everything() -> None:
    window = resolve_window(None, None, datetime(2026, 1, 1, tzinfo=SHANGHAI))
    assert window.contains(-1e12) and window.contains(1e12)
    assert window.bounded_since is None and window.bounded_until is None


def test_the_window_is_half_open() -> None:
    window = Window(at("08:00:00"), at("09:00:00"))
    assert window.contains(at("08:00:00"))
    assert not window.contains(at("09:00:00"))
