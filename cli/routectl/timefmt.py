"""Fast conversion between log time strings and POSIX seconds in the shop's time zone.

Logs are in time order, so both directions keep one-entry caches (the current local
minute and hour when parsing, the current minute when formatting): the zone lookup
happens about once per hour of log, and most rows cost one string comparison.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_GENERAL = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


class TimeParser:
    """Parse ISO 8601 (and ``YYYY/MM/DD HH:MM[:SS]``) to POSIX seconds.

    A time without an offset is local time in ``zone``.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._hour_key = ""
        self._hour_start = 0.0
        self._minute_key = "\0"  # matches no time: the first parse fills the cache
        self._minute_start = 0.0

    def parse(self, text: str) -> float:
        """Return POSIX seconds; raise ValueError when ``text`` is not a time."""
        if len(text) == 19 and text.startswith(self._minute_key):
            seconds = text[17:]
            if text[16] == ":" and seconds.isdigit() and seconds < "60":
                return self._minute_start + int(seconds)
        return self._parse_new_minute(text)

    def _parse_new_minute(self, text: str) -> float:
        if (
            len(text) == 19
            and text[13] == ":"
            and text[16] == ":"
            and text[10] in "T "
            and text[4] == "-"
        ):
            minute = int(text[14:16])
            second = int(text[17:19])
            if minute < 60 and second < 60 and text[14:19].replace(":", "").isdigit():
                key = text[:13]
                if key != self._hour_key:
                    self._hour_start = self._local_hour_start(key)
                    self._hour_key = key
                if self._hour_start != self._hour_start:  # NaN: the offset changes inside
                    self._minute_key = "\0"
                    return self._parse_general(text)
                self._minute_key = text[:16]
                self._minute_start = self._hour_start + minute * 60
                return self._minute_start + second
        return self._parse_general(text.strip())

    def _local_hour_start(self, key: str) -> float:
        if not (key[:4].isdigit() and key[5:7].isdigit() and key[8:10].isdigit()):
            raise ValueError(key)
        hour = datetime(_year(key[:4]), int(key[5:7]), int(key[8:10]), int(key[11:13]))
        start = hour.replace(tzinfo=self.zone)
        end = hour.replace(minute=59, second=59, tzinfo=self.zone)
        if start.utcoffset() != end.utcoffset():
            # A daylight-saving change inside the hour (Lord Howe moves by 30 minutes at
            # 02:00): "hour start + minutes" is wrong there, so such hours are not cached.
            return math.nan
        return start.timestamp()

    def _parse_general(self, text: str) -> float:
        match = _GENERAL.match(text)
        if not match:
            raise ValueError(text)
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        moment = datetime(
            _year(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            round(float(fraction) * 1_000_000) if fraction else 0,
        )
        if offset is None:
            return moment.replace(tzinfo=self.zone).timestamp()
        return moment.replace(tzinfo=_offset_zone(offset)).timestamp()


FIRST_YEAR, LAST_YEAR = 1900, 9998
"""Years a log time may have: every instant in them converts in every time zone."""


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return year


def _offset_zone(offset: str) -> timezone:
    if offset == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    if hours > 23 or minutes > 59:
        raise ValueError(offset)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))


class TimeFormatter:
    """Format POSIX seconds as ``2026-11-02T08:00:05+08:00`` in ``zone``."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
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
            local = datetime.fromtimestamp(minute_start, self.zone).isoformat()
            # local looks like 2026-11-02T08:00:00+08:00: keep date-hour-minute and offset.
            self._prefix = local[:17]
            self._suffix = local[19:]
            self._minute_start = minute_start
        fraction = moment - whole
        seconds = whole - minute_start
        if fraction:
            return f"{self._prefix}{seconds + fraction:06.3f}{self._suffix}"
        return self._prefix + _TWO_DIGITS[seconds] + self._suffix
