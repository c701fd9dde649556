"""Local time of day for POSIX seconds, cached per hour (logs are in time order)."""

from __future__ import annotations

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
        """``(local hour, seconds)`` for each local hour that ``[start, end)`` touches."""
        moment = start
        while moment < end:
            hour = self.hour(moment)
            stop = min(self._hi, end)
            yield hour, stop - moment
            moment = stop
