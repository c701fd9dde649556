"""Times of a synthetic log: local days in, POSIX instants through the simulation, text out.

A synthetic source (:mod:`.synthetic`) thinks in local wall-clock seconds of a day; the
simulation core runs on POSIX instants; the log is written as local text. Every
conversion is the one the log reader makes when it reads the text back
(:class:`routectl.timefmt.TimeParser`), so the engine that routed the rows while they
were generated and ``routectl replay`` see the same instants:

- :meth:`LocalDays.posix`: the instant of a local time. A local time that does not
  exist (clocks set forward) moves to the end of the gap; a repeated one (clocks set
  back) is its first occurrence.
- :meth:`LocalDays.settle`: the instant an action the simulation schedules happens:
  rounded up to a whole second (the log has whole seconds), and moved out of the
  second occurrence of a repeated hour, which a naive local time cannot say, to the
  first instant after it. The core settles every action it schedules
  (``Simulation(settle=...)``), so everything it feeds its engine is writable exactly.
- :class:`Stamps`: the written text of a settled instant, in a ``--time-format``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from routectl.generate_times import TimeWriter
from routectl.timefmt import NonexistentTime, TimeParser

DAY = 86_400
_SS = tuple(f"{s:02d}" for s in range(60))


class LocalDays:
    """Local seconds of the days from ``start`` as POSIX instants (see the module doc)."""

    def __init__(self, zone: ZoneInfo, start: date) -> None:
        self.zone = zone
        self.start = start
        self._parser = TimeParser(zone, in_log_order=False)
        self._day = -1
        self._date = start
        self._base = 0
        self._steady = True
        self._gaps: tuple[tuple[int, int], ...] = ()
        self._lo = 0
        self._hi = 0
        """A span of instants known writable (no change of offset in it)."""

    def date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def day_start(self, day: int) -> float:
        """The first instant of ``day``: its local midnight, or the end of a gap over it."""
        return _midnight(self.date(day), self.zone)

    def posix(self, day: int, second: int) -> float:
        """The instant of local ``second`` (0..86399) of ``day`` (0: the start date)."""
        if day != self._day:
            self._new_day(day)
        if self._steady:
            return float(self._base + second)
        for gap_start, gap_end in self._gaps:
            if gap_start <= second < gap_end:
                second = gap_end
        if second >= DAY:  # a gap up to midnight: the next day's 00:00:00
            return _midnight(self._date + timedelta(days=1), self.zone)
        while True:
            text = f"{self._date.isoformat()}T{_clock(second)}"
            try:
                return self._parser.parse(text)
            except NonexistentTime:  # a gap that does not start on a whole minute
                second += 1
                if second >= DAY:
                    return _midnight(self._date + timedelta(days=1), self.zone)

    def _new_day(self, day: int) -> None:
        self._day = day
        self._date = self.date(day)
        midnight = datetime(self._date.year, self._date.month, self._date.day, tzinfo=self.zone)
        following = _next_midnight(self._date, self.zone)
        self._steady = midnight.utcoffset() == following.utcoffset()
        self._gaps = () if self._steady else _local_gaps(self._date, self.zone)
        if self._steady:
            self._base = int(midnight.timestamp())

    def settle(self, moment: float) -> float:
        """``moment`` rounded up to a whole second, out of a repeated hour's second
        occurrence (see the module docstring)."""
        second = math.ceil(moment)
        if self._lo <= second < self._hi:
            return float(second)
        return float(self._settle(second))

    def _settle(self, second: int) -> int:
        zone = self.zone
        here = datetime.fromtimestamp(second, zone)
        if not here.fold:
            if datetime.fromtimestamp(second + DAY, zone).utcoffset() == here.utcoffset():
                self._lo, self._hi = second, second + DAY
            return second
        # The second occurrence of a repeated local time: the first instant after it.
        low, high = second, second + DAY
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, zone).fold:
                low = middle
            else:
                high = middle
        return high


class Stamps:
    """A settled instant as the log writes it: local text in ``time_format``."""

    def __init__(self, zone: ZoneInfo, time_format: str) -> None:
        self.zone = zone
        self._writer = TimeWriter(zone, time_format)
        self._naive = time_format == "naive"
        self._minute = 0
        self._prefix = ""
        self._cached = False

    def __call__(self, moment: float) -> str:
        second = int(moment)
        offset = second - self._minute
        if self._cached and 0 <= offset < 60:
            text = self._prefix + _SS[offset]
        else:
            text = self._new_minute(second)
        return text if self._naive else self._writer.write(text)

    def _new_minute(self, second: int) -> str:
        here = datetime.fromtimestamp(second, self.zone)
        start = second - here.second
        later = datetime.fromtimestamp(start + 59, self.zone)
        prefix = (
            f"{here.year:04d}-{here.month:02d}-{here.day:02d}T{here.hour:02d}:{here.minute:02d}:"
        )
        # Cache the minute unless the offset changes inside it (old local mean times).
        self._cached = later.utcoffset() == here.utcoffset() and later.minute == here.minute
        self._minute = start
        self._prefix = prefix
        return prefix + _SS[here.second]


def _clock(second: int) -> str:
    return f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


def _next_midnight(day: date, zone: ZoneInfo) -> datetime:
    if day >= date.max:
        return datetime.max.replace(tzinfo=zone)
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=zone)


def _midnight(day: date, zone: ZoneInfo) -> float:
    """The first instant of local ``day`` (its 00:00:00, or the end of a gap over it)."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    for gap_start, gap_end in _local_gaps(day, zone):
        if gap_start == 0:
            start = start + timedelta(seconds=gap_end)
    return float(int(start.astimezone(timezone.utc).timestamp()))


_GAP_CACHE: dict[tuple[str, date], tuple[tuple[int, int], ...]] = {}


def _local_gaps(day: date, zone: ZoneInfo) -> tuple[tuple[int, int], ...]:
    """Local ``(start_s, end_s)`` spans of ``day`` that do not exist (DST gap), if any."""
    if day >= date.max:
        return ()
    key = (zone.key, day)
    cached = _GAP_CACHE.get(key)
    if cached is not None:
        return cached
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = _next_midnight(day, zone)
    gaps: list[tuple[int, int]] = []
    if midnight.utcoffset() != following.utcoffset():
        gap_start: int | None = None
        for minute in range(1440):
            local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
            aware = local.replace(tzinfo=zone)
            back = aware.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
            missing = back != local
            if missing and gap_start is None:
                gap_start = minute * 60
            elif not missing and gap_start is not None:
                gaps.append((gap_start, minute * 60))
                gap_start = None
        if gap_start is not None:
            gaps.append((gap_start, DAY))
    result = tuple(gaps)
    if len(_GAP_CACHE) > 256:
        _GAP_CACHE.clear()
    _GAP_CACHE[key] = result
    return result
