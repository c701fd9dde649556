"""Local time of day for POSIX seconds, cached per hour (logs are in time order)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

HOUR = 3600.0


class LocalClock:
    """Answers "which local hour, date and second of the day is this?" cheaply.

    The zone lookup happens once per local hour of log: inside the cached hour, the
    answer is arithmetic.
    """

    __slots__ = ("_day", "_hi", "_hour", "_lo", "_sod", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._lo = 0.0
        self._hi = -1.0
        self._hour = 0
        self._day = ""
        self._sod = 0

    def _load(self, moment: float) -> None:
        local = datetime.fromtimestamp(moment, self.zone)
        into_hour = local.minute * 60 + local.second + local.microsecond / 1_000_000
        self._lo = moment - into_hour
        self._hi = self._lo + HOUR
        self._hour = local.hour
        self._day = local.date().isoformat()
        self._sod = local.hour * 3600

    def hour(self, moment: float) -> int:
        """Local hour of day, 0..23."""
        if not self._lo <= moment < self._hi:
            self._load(moment)
        return self._hour

    def day(self, moment: float) -> str:
        """Local date as ``YYYY-MM-DD``."""
        if not self._lo <= moment < self._hi:
            self._load(moment)
        return self._day

    def hour_and_day(self, moment: float) -> tuple[int, str]:
        if not self._lo <= moment < self._hi:
            self._load(moment)
        return self._hour, self._day

    def second_of_day(self, moment: float) -> float:
        """Wall-clock seconds since local midnight (what ``[reply_rate] window`` means)."""
        if not self._lo <= moment < self._hi:
            self._load(moment)
        return self._sod + (moment - self._lo)

    def place(self, moment: float) -> tuple[float, int, str]:
        """:meth:`second_of_day`, :meth:`hour` and :meth:`day` in one call."""
        if not self._lo <= moment < self._hi:
            self._load(moment)
        return self._sod + (moment - self._lo), self._hour, self._day

    def split_hours(self, start: float, end: float) -> Iterator[tuple[int, float]]:
        """``(local hour, seconds)`` for each local hour that ``[start, end)`` touches.

        A span longer than :data:`LONG_SPAN` is summed per hour of the day instead (at
        most 24 pairs): walking it hour by hour made a 3-row log spanning 1900-9998 take
        minutes, work that grew with the calendar and not with the rows.
        """
        if end - start > LONG_SPAN:
            yield from self._split_long(start, end)
            return
        moment = start
        while moment < end:
            hour = self.hour(moment)
            stop = min(self._hi, end)
            yield hour, stop - moment
            moment = stop

    def _split_long(self, start: float, end: float) -> Iterator[tuple[int, float]]:
        """Seconds per local hour of day over ``[start, end)``, by stretches of one UTC
        offset: the zone is probed every :data:`PROBE` and a change is found to the
        second by bisection; inside a stretch the local hour is arithmetic."""
        totals = [0.0] * 24
        moment = start
        while moment < end:
            offset = self._offset(moment)
            same, probe = moment, min(end, moment + PROBE)
            while probe < end and self._offset(probe) == offset:
                same, probe = probe, min(end, probe + PROBE)
            if probe < end or self._offset(end) != offset:
                probe = self._change(same, probe, offset)
            _add_hours(totals, moment + offset, probe + offset)
            moment = probe
        for hour, seconds in enumerate(totals):
            if seconds:
                yield hour, seconds

    def _offset(self, moment: float) -> float:
        shift = datetime.fromtimestamp(moment, self.zone).utcoffset()
        return shift.total_seconds() if shift is not None else 0.0

    def _change(self, same: float, differs: float, offset: float) -> float:
        """The first whole second after ``same`` whose UTC offset is not ``offset``."""
        low, high = math.floor(same), math.ceil(differs)
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset(middle) == offset:
                low = middle
            else:
                high = middle
        return float(high)


LONG_SPAN = 40 * 86400.0
"""Spans longer than this are summed per hour of the day, not walked hour by hour."""
PROBE = 7 * 86400.0
"""How often a long span's zone is probed for a change of UTC offset (daylight saving
changes are months apart)."""


def _add_hours(totals: list[float], start: float, end: float) -> None:
    """Add ``[start, end)``, local POSIX seconds, to ``totals`` by hour of the day."""
    moment = start
    first_full = math.ceil(moment / HOUR) * HOUR
    if first_full > moment:
        stop = min(first_full, end)
        totals[int(moment // HOUR) % 24] += stop - moment
        moment = stop
    if moment >= end:
        return
    hours = int((end - moment) // HOUR)
    cycles, rest = divmod(hours, 24)
    if cycles:
        for hour in range(24):
            totals[hour] += cycles * HOUR
    first = int(moment // HOUR) % 24
    for index in range(rest):
        totals[(first + index) % 24] += HOUR
    moment += hours * HOUR
    if moment < end:
        totals[int(moment // HOUR) % 24] += end - moment
