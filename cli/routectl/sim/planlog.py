"""The log's side of a plan: one pass that learns, records and reports, and the log's
own inquiries and agents online per hour (of each weekday)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from routectl.events import BuyerMessage, Event, Output, StatusChange
from routectl.model import ShopConfig
from routectl.report import Report, ReportBuilder, Window, assemble_report
from routectl.report.clock import LocalClock
from routectl.report.presence import Presence
from routectl.report.result import HourRow
from routectl.sim.inputs import Inputs
from routectl.sim.learn import Evidence
from routectl.sim.prepare import Preparation
from routectl.sim.staffing import HOURS, Weekdays
from routectl.sim.weeks import local_time


@dataclass(frozen=True)
class Observed:
    """The log's own figures for one hour of day (of one weekday)."""

    inquiries_per_day: float
    agents_online: float


def observed_hour(row: HourRow, actual: Report, days: int) -> Observed:
    """The report's hour row over ``days``, the days of the log's buyers and presence (the
    report counts a day more when the last replies spill past midnight)."""
    days = max(1, days)
    return Observed(row.inquiries / days, round(row.agents_available * actual.days / days, 2))


def observed_by_weekday(
    config: ShopConfig, inputs: Inputs, actual: Report, zone: ZoneInfo, days: Sequence[int]
) -> dict[tuple[int | None, int], Observed]:
    """Per (weekday, hour): the log's arrivals per day and agents available on average
    (the report's presence, cut at every local midnight); ``days``: of each weekday."""
    if actual.first_event is None or actual.last_event is None:
        return {}
    clock = LocalClock(zone)
    weekdays = Weekdays(zone)
    presence = Presence(config, Window(), clock)
    seconds = [[0.0] * HOURS for _ in range(7)]
    arrivals = [[0] * HOURS for _ in range(7)]
    taken = [0.0] * HOURS
    midnight = _next_midnight(actual.first_event, zone)

    def cut(until: float) -> None:
        nonlocal midnight, taken
        while midnight <= until:
            taken = _take(presence, midnight, taken, seconds[weekdays.of(midnight - 1.0)])
            midnight = _next_midnight(midnight, zone)

    for record in inputs.events():
        if type(record) is StatusChange:
            cut(record.time)
            presence.status(record)
        elif type(record) is BuyerMessage:
            arrivals[weekdays.of(record.time)][clock.hour(record.time)] += 1
    cut(actual.last_event)
    _take(presence, actual.last_event, taken, seconds[weekdays.of(actual.last_event)])
    return {
        (w, h): Observed(arrivals[w][h] / max(1, days[w]),
                         round(seconds[w][h] / (3600.0 * max(1, days[w])), 2))
        for w in range(7) for h in range(HOURS)
    }  # fmt: skip


def _take(presence: Presence, until: float, taken: list[float], into: list[float]) -> list[float]:
    """Add the available seconds accumulated since ``taken`` to ``into``; the new totals."""
    presence.finish(until)
    totals = [0.0] * HOURS
    for agent in presence.agents.values():
        for hour in range(HOURS):
            totals[hour] += agent.available_by_hour[hour]
    for hour in range(HOURS):
        into[hour] += totals[hour] - taken[hour]
    return totals


def _next_midnight(moment: float, zone: ZoneInfo) -> float:
    day = datetime.fromtimestamp(moment, zone).date() + timedelta(days=1)
    return local_time(day, 0, zone)


class Observer:
    """Watches a replayed log once: the model's evidence, the inputs recorded, and the
    log's own report (its inquiries and agents online per hour)."""

    def __init__(self, config: ShopConfig, inputs: Inputs) -> None:
        self.preparation = Preparation(config, inputs)
        self.actual = ReportBuilder(config, Window(), days=False)
        self.result: tuple[Evidence, Report] | None = None

    def watch(
        self, replayed: Iterable[tuple[Event | None, list[Output]]]
    ) -> Iterator[tuple[Event | None, list[Output]]]:
        """The pairs, passed on unchanged (for a report built in the same pass)."""
        for event, outputs in replayed:
            if event is None:
                self._finish(outputs)
            else:
                self.preparation.feed(event, outputs)
                self.actual.feed(event, outputs)
            yield event, outputs
        if self.result is None:
            self._finish([])

    def _finish(self, outputs: list[Output]) -> None:
        self.result = self.preparation.finish(outputs), assemble_report(self.actual.finish(outputs))


def observe(
    config: ShopConfig, replayed: Iterable[tuple[Event | None, list[Output]]], inputs: Inputs
) -> tuple[Evidence, Report]:
    """One pass over the replayed log (see :class:`Observer`)."""
    observer = Observer(config, inputs)
    for _ in observer.watch(replayed):
        pass
    assert observer.result is not None
    return observer.result
