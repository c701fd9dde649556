"""Times of a synthetic log: local days in, POSIX instants through the simulation, text out.

A synthetic source (:mod:`.synthetic`) thinks in local wall-clock seconds of a day; the
simulation core runs on POSIX instants; the log is written as local text. Every
conversion is the one the log reader makes when it reads the text back
(:class:`routectl.logio.timefmt.TimeParser`), so the engine that routed the rows while they
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

from routectl.logio.timefmt import NonexistentTime, TimeParser
from routectl.sim.generate_times import TimeWriter

DAY = 86_400


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
    """A settled instant as the log writes it: local text in ``time_format``.

    Within a span of instants where the zone's offset does not change, the local time
    is the instant plus the offset: the text is the local hour's prefix (cached) and
    ``MM:SS`` from a table, so a row costs a lookup and a concatenation.
    """

    def __init__(self, zone: ZoneInfo, time_format: str) -> None:
        self.zone = zone
        self._writer = TimeWriter(zone, time_format)
        self._naive = time_format == "naive"
        self._lo = 0
        self._hi = 0
        self._offset = 0
        self._hour = -1
        self._prefix = ""

    def __call__(self, moment: float) -> str:
        second = int(moment)
        if self._lo <= second < self._hi:
            local = second + self._offset
            hour, rest = divmod(local, 3600)
            if hour != self._hour:
                self._hour = hour
                self._prefix = _hour_prefix(hour * 3600)
            text = self._prefix + _MM_SS[rest]
        else:
            text = self._slow(second)
        return text if self._naive else self._writer.write(text)

    def _slow(self, second: int) -> str:
        here = datetime.fromtimestamp(second, self.zone)
        offset = here.utcoffset()
        if offset == datetime.fromtimestamp(second + DAY, self.zone).utcoffset():
            # The same offset a day later: the zone does not change it in between.
            self._lo, self._hi = second, second + DAY
            self._offset = int((offset or timedelta(0)).total_seconds())
            self._hour = -1
        return (
            f"{here.year:04d}-{here.month:02d}-{here.day:02d}T"
            f"{here.hour:02d}:{here.minute:02d}:{here.second:02d}"
        )


_MM_SS = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
_EPOCH = datetime(1970, 1, 1)


def _hour_prefix(local_hour_start: int) -> str:
    """``YYYY-MM-DDTHH:`` of a local hour given as seconds from the local epoch."""
    hour = _EPOCH + timedelta(seconds=local_hour_start)
    return f"{hour.year:04d}-{hour.month:02d}-{hour.day:02d}T{hour.hour:02d}:"


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
