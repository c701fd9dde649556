"""Fast conversion between log time strings and POSIX seconds in the shop's time zone.

Logs are in time order, so both directions keep one-entry caches. Parsing caches the
current minute: its text up to the minute (``2026-11-02T08:00``), the text after the
seconds (the offset: ``""``, ``Z``, ``+08:00``, ``+0800``...) and the minute's POSIX
start. Every later row of that minute costs two string comparisons, whatever its form.
Formatting caches the current minute's prefix and offset text.

Readings where the calendar is not plain (documented in docs/log-format.md):

- A local time in a repeated hour (clocks set back) is the earlier occurrence, unless
  that would make time go backwards inside the repeated hour: then the later one.
- A local time in a skipped hour (clocks set forward) does not exist: a
  :class:`NonexistentTime` error, so the row is a bad row.
- Second ``60`` (a leap second, ``23:59:60``) is the first instant of the next minute,
  as POSIX time counts it. Fractions may have any number of digits; they are rounded
  to microseconds (``.9999999`` is the next second).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from routectl.i18n import _

_GENERAL = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2}(?::\d{2})?)?)?$"
)
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)
_MICROS = 1_000_000


class NonexistentTime(ValueError):
    """A local time inside the hour the clocks skip (daylight saving starts)."""


class TimeParser:
    """Parse ISO 8601 (and ``YYYY/MM/DD HH:MM[:SS]``) to POSIX seconds.

    A time without an offset is local time in ``zone``. :meth:`parse` is the log
    reader's per-row fast path: a whole second in the cached minute costs two string
    comparisons and no other call.
    """

    def __init__(self, zone: ZoneInfo, *, in_log_order: bool = True) -> None:
        """``in_log_order=False`` for times that are not read in log order: a repeated
        hour's local time is then always its earlier occurrence (no going-back check)."""
        self.zone = zone
        self.in_log_order = in_log_order
        self._minute_key = "\0"  # the cached minute's text, e.g. "2026-11-02T08:00"
        self._tail = ""  # its text after the seconds: the offset ("" when local)
        self._length = -1  # len(key + ":SS" + tail); -1 matches no text
        self._minute_start = 0.0
        self._hour_key = (0, 0, 0, 0)
        self._hour_start: int | None = None  # None: the zone's offset changes in the hour
        self._offsets: dict[str, int] = {}
        self._repeated_latest = -math.inf  # latest time read inside a repeated hour

    def parse(self, text: str) -> float:
        """Return POSIX seconds; raise ValueError when ``text`` is not a time."""
        if (
            len(text) == self._length
            and text.startswith(self._minute_key)
            and text.endswith(self._tail)
        ):
            seconds = text[17:19]
            if text[16] == ":" and seconds.isdigit() and seconds < "60":
                return self._minute_start + int(seconds)
        return self._parse_other(text)

    def _parse_other(self, text: str) -> float:
        fraction_end = len(text) - len(self._tail)
        if (
            len(text) > self._length + 1
            and text[19:20] == "."
            and text.startswith(self._minute_key)
            and text.endswith(self._tail)
            and text[16] == ":"
        ):
            # A fraction of a second inside the cached minute.
            seconds = text[17:19]
            if seconds.isdigit() and seconds < "60" and text[20:fraction_end].isdigit():
                micros = round(float(text[19:fraction_end]) * _MICROS)
                return _exact(int(self._minute_start), int(seconds), micros)
        return self._parse_new_minute(text.strip())

    def _parse_new_minute(self, text: str) -> float:
        match = _GENERAL.match(text)
        if not match:
            raise ValueError(text)
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        whole = int(second or 0)
        if whole > 60:
            raise ValueError(text)
        micros = round(float(fraction) * _MICROS) if fraction else 0
        naive = datetime(_year(year), int(month), int(day), int(hour or 0), int(minute or 0))
        if offset is None:
            start = self._local_minute_start(naive)
            if start is None:  # the offset changes in this hour: no cache, no shortcut
                self._minute_key, self._length = "\0", -1
                return self._local_exact(naive, whole, micros)
        else:
            start = (naive - _EPOCH) // _SECOND - self._offset_seconds(offset)
        if match.start(6) == 17:  # "YYYY-MM-DD HH:MM:SS...": cache the minute
            self._minute_key = text[:16]
            self._tail = text[match.end(7) if fraction else 19 :]
            self._length = 19 + len(self._tail)
            self._minute_start = float(start)
        return _exact(start, whole, micros)

    def _offset_seconds(self, offset: str) -> int:
        seconds = self._offsets.get(offset)
        if seconds is None:
            seconds = _offset_seconds(offset)
            self._offsets[offset] = seconds
        return seconds

    def _local_minute_start(self, naive: datetime) -> int | None:
        key = (naive.year, naive.month, naive.day, naive.hour)
        if key != self._hour_key:
            self._hour_start = self._steady_hour_start(naive.replace(minute=0))
            self._hour_key = key
        if self._hour_start is None:
            return None
        return self._hour_start + naive.minute * 60

    def _steady_hour_start(self, hour: datetime) -> int | None:
        """The hour's POSIX start, or None when the zone's offset changes inside it."""
        start = hour.replace(tzinfo=self.zone)
        end = hour.replace(minute=59, second=59, tzinfo=self.zone)
        offset = start.utcoffset()
        for moment in (start.replace(fold=1), end, end.replace(fold=1)):
            if moment.utcoffset() != offset:
                # Daylight saving starts or ends inside the hour (Lord Howe moves by 30
                # minutes at 02:00; LMT ended at odd seconds): every row is read exactly.
                return None
        return int(start.timestamp())

    def _local_exact(self, naive: datetime, whole: int, micros: int) -> float:
        """A local time in an hour where the zone's offset changes, to the second."""
        local = naive.replace(second=min(whole, 59), tzinfo=self.zone)
        later = local.replace(fold=1)
        earlier_offset = local.utcoffset() or timedelta(0)
        later_offset = later.utcoffset() or timedelta(0)
        leap = whole - local.second
        if earlier_offset == later_offset:
            return _exact(int(local.timestamp()), leap, micros)
        if earlier_offset < later_offset:
            raise NonexistentTime(
                _(
                    "{time} does not exist in {zone}: "
                    "the clocks were set forward over it (daylight saving)"
                ).format(time=naive.replace(second=local.second), zone=self.zone.key)
            )
        # A repeated hour: the earlier reading unless time would go backwards.
        moment = _exact(int(local.timestamp()), leap, micros)
        if not self.in_log_order:
            return moment
        if moment < self._repeated_latest:
            moment = _exact(int(later.timestamp()), leap, micros)
        self._repeated_latest = max(self._repeated_latest, moment)
        return moment


def _exact(start: int, seconds: int, micros: int) -> float:
    """``start + seconds + micros`` as ``datetime.timestamp`` rounds it."""
    if micros:
        return ((start + seconds) * _MICROS + micros) / _MICROS
    return float(start + seconds)


FIRST_YEAR, LAST_YEAR = 1900, 9998
"""Years a log time may have: every instant in them converts in every time zone."""


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return year


def _offset_seconds(offset: str) -> int:
    if offset == "Z":
        return 0
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    seconds = int(digits[4:6]) if len(digits) > 4 else 0  # LMT, as isoformat writes it
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(offset)
    return sign * (hours * 3600 + minutes * 60 + seconds)


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))


class TimeFormatter:
    """Format POSIX seconds as ``2026-11-02T08:00:05+08:00`` in ``zone``."""

    def __init__(self, zone: ZoneInfo, *, in_log_order: bool = True) -> None:
        """``in_log_order=False`` for times that are not read in log order: a repeated
        hour's local time is then always its earlier occurrence (no going-back check)."""
        self.zone = zone
        self.in_log_order = in_log_order
        self._minute_start = math.nan  # matches nothing: the first call fills the cache
        self._prefix = ""
        self._suffix = ""

    def format(self, moment: float | None) -> str:
        if moment is None:
            return ""
        second = moment - self._minute_start
        if 0 <= second < 60 and second == int(second):
            return self._prefix + _TWO_DIGITS[int(second)] + self._suffix
        return self._format_new_minute(moment)

    def _format_new_minute(self, moment: float) -> str:
        whole = int(moment // 1)
        minute_start = whole - whole % 60
        if minute_start != self._minute_start:
            local = datetime.fromtimestamp(minute_start, self.zone)
            offset = local.utcoffset()
            last = datetime.fromtimestamp(minute_start + 59, self.zone).utcoffset()
            if offset != last or offset is None or offset % timedelta(minutes=1):
                # Local minutes do not start on UTC minutes (an LMT offset such as
                # +08:05:43), or the offset changes in this minute: no cache.
                self._minute_start = math.nan
                return self._format_exact(moment, whole)
            text = local.isoformat()
            # text looks like 2026-11-02T08:00:00+08:00: keep date-hour-minute and offset.
            self._prefix = text[:17]
            self._suffix = text[19:]
            self._minute_start = float(minute_start)
        return self._join(self._prefix, whole - minute_start, moment, self._suffix)

    def _format_exact(self, moment: float, whole: int) -> str:
        text = datetime.fromtimestamp(whole, self.zone).isoformat()
        return self._join(text[:17], int(text[17:19]), moment, text[19:])

    def _join(self, prefix: str, seconds: int, moment: float, suffix: str) -> str:
        whole = int(moment // 1)
        fraction = moment - whole
        if not fraction:
            return prefix + _TWO_DIGITS[seconds] + suffix
        shown = f"{seconds + fraction:06.3f}"
        if shown.startswith("60"):  # 59.9996 rounds up: write the next whole second
            return self.format(float(whole + 1))
        return prefix + shown + suffix
