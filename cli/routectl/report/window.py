"""The report window (``--since``/``--until``): which moments count.

Pure: the current time comes in as ``now`` (an aware datetime in the shop's zone), read
by the command, never here. Accepted forms, for either bound:

- a date ``2026-11-02`` (or ``2026/11/02``), ``today``/``今天``, ``yesterday``/``昨天``:
  a whole local day. As ``--since`` it means the start of that day; as ``--until`` the
  end of it, so ``--since yesterday --until yesterday`` is exactly yesterday;
- a date and time ``2026-11-02T08:00`` (or with a space, seconds, an offset): that
  instant, local time when there is no offset;
- a duration back from now: ``7d``, ``24h``, ``90m``, ``1h30m``; and ``now``.

The window is half-open: ``since <= t < until``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from routectl.durations import parse_duration
from routectl.logio.timefmt import TimeParser

_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_RELATIVE = re.compile(r"^(?:\d+[dhms])+$")
_DAY_WORDS = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1}

FORMS = (
    "a date (2026-11-02), a date and time (2026-11-02T08:00), today, yesterday, now, "
    "or a duration back from now (7d, 24h, 90m)"
)


@dataclass(frozen=True, slots=True)
class Window:
    """``[since, until)`` in POSIX seconds; infinite bounds when not given."""

    since: float = -math.inf
    until: float = math.inf

    def contains(self, moment: float) -> bool:
        return self.since <= moment < self.until

    @property
    def bounded_since(self) -> float | None:
        return None if math.isinf(self.since) else self.since

    @property
    def bounded_until(self) -> float | None:
        return None if math.isinf(self.until) else self.until


def resolve_window(since: str | None, until: str | None, now: datetime) -> Window:
    """Parse both bounds against ``now``; raise ValueError naming the bad one."""
    start = -math.inf if since is None else _bound("--since", since, now, end=False)
    stop = math.inf if until is None else _bound("--until", until, now, end=True)
    if start >= stop:
        raise ValueError(f"--since {since} is not before --until {until}: the window is empty")
    return Window(start, stop)


EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc).timestamp()
LATEST = datetime(9999, 1, 1, tzinfo=timezone.utc).timestamp()
"""Log times lie in the years 1900-9998 (logreader). A ``--since`` before EARLIEST is no
bound at all, an ``--until`` after LATEST too; the other way round they are clamped, so a
window is always finite or open, never a date Python cannot compute with."""


def _bound(option: str, text: str, now: datetime, *, end: bool) -> float:
    try:
        moment = parse_bound(text, now, end=end)
    except ValueError as exc:
        raise ValueError(f"{option} {text!r}: {exc}") from None
    if moment < EARLIEST:
        return EARLIEST if end else -math.inf
    if moment > LATEST:
        return math.inf if end else LATEST
    return moment


_LONGEST_LOOK_BACK_S = 10**12
"""Any look-back longer than this (about 31,700 years) reaches before every log."""


def parse_bound(text: str, now: datetime, *, end: bool) -> float:
    """One bound in POSIX seconds; ``end`` makes a whole day mean its end."""
    zone = now.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise TypeError("now must carry the shop's ZoneInfo")
    now = now.replace(microsecond=0)  # "7d" and "now" in whole seconds: printed without ms
    cleaned = text.strip().lower()
    if cleaned == "now":
        return now.timestamp()
    if cleaned in _DAY_WORDS:
        return _day_bound(now.date() - timedelta(days=_DAY_WORDS[cleaned]), zone, end)
    if _RELATIVE.match(cleaned):
        back = parse_duration(cleaned)
        # Compare as ints first: a compiled build cannot turn a 400-digit int into a float.
        if back > _LONGEST_LOOK_BACK_S or back > now.timestamp() - EARLIEST:
            return -math.inf
        return now.timestamp() - back
    found = _DATE.match(cleaned)
    if found:
        year, month, day = (int(part) for part in found.groups())
        if not 1900 <= year <= 9998:  # outside what a log holds: the caller clamps
            date(year if 1 <= year <= 9999 else 2000, month, day)  # still a real date?
            return -math.inf if year < 1900 else math.inf
        return _day_bound(date(year, month, day), zone, end)
    try:
        return TimeParser(zone).parse(text.strip())
    except (ValueError, OverflowError):
        raise ValueError(f"not a time; expected {FORMS}") from None


def _day_bound(day: date, zone: ZoneInfo, end: bool) -> float:
    if end:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


PLATFORM_DAYS = 30
"""R26: on day D the platform shows the 30 days D-30..D-1."""


def as_of_window(text: str, now: datetime) -> Window:
    """R26 ``--as-of DATE``: the whole local days DATE-30..DATE-1 (DATE itself excluded).

    ``DATE`` is a date (``2026-12-01``), ``today``/``今天`` or ``yesterday``/``昨天``.
    """
    zone = now.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise TypeError("now must carry the shop's ZoneInfo")
    cleaned = text.strip().lower()
    if cleaned in _DAY_WORDS:
        day = now.date() - timedelta(days=_DAY_WORDS[cleaned])
    else:
        found = _DATE.match(cleaned)
        if not found:
            raise ValueError(f"--as-of {text!r}: expected a date (2026-12-01), today or yesterday")
        try:
            day = date(*(int(part) for part in found.groups()))
        except ValueError as exc:
            raise ValueError(f"--as-of {text!r}: {exc}") from None
    if not date(1900, 1, 1) + timedelta(days=PLATFORM_DAYS) <= day <= date(9998, 12, 31):
        raise ValueError(f"--as-of {text!r}: the 30 days before it must fall in 1900-9998")
    first = day - timedelta(days=PLATFORM_DAYS)
    return Window(_day_bound(first, zone, False), _day_bound(day, zone, False))
