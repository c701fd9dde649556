"""Weeks: what a prediction of a long log simulates, and the log's own figures for them.

A run of ``diff --predict`` simulates one week of a long log, not all of it, so that a
run costs a week whatever the log's length (P9: runs stay cheap enough for CI). The
runs take the log's whole weeks (7 local days from the local midnight of its first day)
spread evenly over it, and together they cover it. A per-question figure (the 3-minute
rate, average response, reply rate) of a week estimates the log's; a per-buyer one
(conversion: buyers who paid / buyers who asked) does not, since a buyer who asks in
three weeks is one buyer of the month and one of each week. So the log's own figures
are taken for the same weeks (:class:`WeekReports`, in the same pass that learns), and
the prediction is compared with them, like with like.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.report import Report, ReportBuilder, Window, assemble_report

WEEK_DAYS = 7
WARM_UP_S = 86400.0
"""A week is simulated, and reported from the log, from a day before it: open
conversations, pooled buyers and recent contacts carry over."""
COOL_DOWN_S = 86400.0
"""The log's week report also sees a day after the week: replies to its last
questions (the simulation answers them too, after its last arrival)."""


def local_time(day: date, hour: int, zone: ZoneInfo) -> float:
    """The instant of ``hour``:00 on local ``day`` (its midnight for hour 0)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp()


class Weeks:
    """The log's weeks: week ``k`` is ``[origin + 7k days, origin + 7(k + 1) days)`` in
    local days (a daylight-saving week is 167 or 169 hours)."""

    def __init__(self, zone: ZoneInfo, first: float) -> None:
        self.zone = zone
        self.origin = datetime.fromtimestamp(first, zone).date()

    def window(self, index: int) -> Window:
        return Window(self._midnight(index * WEEK_DAYS), self._midnight((index + 1) * WEEK_DAYS))

    def _midnight(self, days: int) -> float:
        return local_time(self.origin + timedelta(days=days), 0, self.zone)

    def index(self, moment: float) -> int:
        day = datetime.fromtimestamp(moment, self.zone).date()
        return (day - self.origin).days // WEEK_DAYS

    def whole(self, last: float) -> int:
        """How many whole weeks end by the midnight after ``last``'s day."""
        end = datetime.fromtimestamp(last, self.zone).date() + timedelta(days=1)
        return (end - self.origin).days // WEEK_DAYS


def spread(weeks: int, runs: int) -> tuple[int, ...]:
    """The week each run simulates: evenly over ``weeks``, the first and the last
    included; with more runs than weeks, each week in turn."""
    if weeks <= 0:
        return ()
    if runs >= weeks:
        return tuple(run % weeks for run in range(runs))
    return tuple(round(run * (weeks - 1) / max(runs - 1, 1)) for run in range(runs))


class WeekReports:
    """The log's report of each week, fed the replay's ``(event, outputs)`` pairs in one
    pass; at most three weeks' builders are alive at once (memory: buyers and agents)."""

    def __init__(self, config: ShopConfig) -> None:
        self.config = config
        self.zone = ZoneInfo(config.shop.timezone)
        self.weeks: Weeks | None = None
        self.alive: dict[int, ReportBuilder] = {}
        self.finished: dict[int, Report] = {}

    def feed(self, event: Event, outputs: list[Output]) -> None:
        weeks = self.weeks
        if weeks is None:
            weeks = self.weeks = Weeks(self.zone, event.time)
        moment = event.time
        current = weeks.index(moment)
        for index in (current - 1, current, current + 1):
            if index < 0 or index in self.finished:
                continue
            window = weeks.window(index)
            if window.since - WARM_UP_S <= moment < window.until + COOL_DOWN_S:
                builder = self.alive.get(index)
                if builder is None:
                    builder = self.alive[index] = ReportBuilder(
                        self.config, window, days=False, breakdowns=False
                    )
                builder.feed(event, outputs)
        for index in sorted(i for i in self.alive if i < current - 1):
            self.finished[index] = assemble_report(self.alive.pop(index).finish(()))

    def finish(self, outputs: list[Output]) -> dict[int, Report]:
        """Every week's report (the engine's end-of-log ``outputs`` go to the weeks
        still open)."""
        for index in sorted(self.alive):
            self.finished[index] = assemble_report(self.alive.pop(index).finish(outputs))
        return self.finished
