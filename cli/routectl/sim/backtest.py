"""``routectl backtest`` (P11): fit on the days before the holdout, predict the holdout.

The holdout is the last ``holdout_s`` of the log, starting at a local midnight:
``since`` is the local midnight ``holdout`` before the day after the last event, and
``until`` that day's midnight. ``actual`` is the report of the log for
``[since, until)``, the same as ``routectl report --since SINCE --until UNTIL``. The
prediction simulates the holdout's arrivals and presence (from 3 days before ``since``,
so that recent contacts and open conversations are warm) with the model fitted on the
events before ``since`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from routectl.events import Event
from routectl.i18n import _
from routectl.model import ShopConfig
from routectl.replay import run
from routectl.report import Report, ReportBuilder, Window, assemble_report
from routectl.sim.calibrate import learned_model
from routectl.sim.inputs import Inputs
from routectl.sim.model import ReplyModel
from routectl.sim.predict import DAY_FIGURES, FIGURES, Interval, Job, RunResult, run_all, summarise
from routectl.sim.prepare import Preparation
from routectl.sim.weeks import local_time

WARM_UP_S = 3 * 86400.0


class TooShort(ValueError):
    """The log has no day before the holdout to learn from."""


@dataclass(frozen=True)
class Backtest:
    train_since: float
    train_until: float
    since: float
    until: float
    runs: int
    seed: int
    actual: Report
    figures: dict[str, tuple[float | None, Interval | None]]
    days: tuple[tuple[str, dict[str, tuple[float | None, Interval | None]]], ...]
    model: ReplyModel


def holdout_window(first: float, last: float, holdout_s: float, zone: ZoneInfo) -> Window:
    end_day = datetime.fromtimestamp(last, zone).date() + timedelta(days=1)
    days = max(1, round(holdout_s / 86400.0))
    since = local_time(end_day - timedelta(days=days), 0, zone)
    if since <= first:
        raise TooShort(
            _(
                "the log has no whole day before the holdout to learn from: "
                "give a shorter --holdout or a longer log"
            )
        )
    return Window(since, local_time(end_day, 0, zone))


def backtest(
    config: ShopConfig,
    events: Callable[[], Iterator[Event]],
    span: tuple[float, float],
    *,
    holdout_s: float,
    runs: int,
    seed: int,
    jobs: int,
    model: ReplyModel | None = None,
    source: str = "<log>",
) -> Backtest:
    """``events`` opens the log again (the holdout is known once ``span`` is)."""
    zone = ZoneInfo(config.shop.timezone)
    window = holdout_window(span[0], span[1], holdout_s, zone)
    with Inputs() as inputs:
        preparation = Preparation(config, inputs, learn_until=window.since)
        actual = ReportBuilder(config, window)
        end = _one_pass(config, events(), source, preparation, actual)
        evidence = preparation.finish()
        report = assemble_report(actual.finish(end))
        fitted = model
        if fitted is None:
            fitted = learned_model(
                config, evidence, lambda since: inputs.events(since, window.since), seed
            )
        days = max(1, round((window.until - window.since) / 86400.0))
        job = Job((config,), fitted, inputs, seed, days, window, breakdowns=True,
                  since=window.since - WARM_UP_S)  # fmt: skip
        results = run_all(job, runs, jobs)
    return Backtest(
        train_since=span[0],
        train_until=window.since,
        since=window.since,
        until=window.until,
        runs=runs,
        seed=seed,
        actual=report,
        figures=_figures(report, results),
        days=_days(report, results),
        model=fitted,
    )


def _one_pass(
    config: ShopConfig,
    events: Iterable[Event],
    source: str,
    preparation: Preparation,
    actual: ReportBuilder,
) -> list:  # type: ignore[type-arg]
    for event, outputs in run(config, events, source=source):
        if event is None:
            return outputs
        preparation.feed(event, outputs)
        actual.feed(event, outputs)
    return []


def _figures(
    actual: Report, results: list[RunResult]
) -> dict[str, tuple[float | None, Interval | None]]:
    summary = actual.summary
    return {
        name: (
            _value(getattr(summary, name)),
            summarise([r.shop[0][name] for r in results], name),
        )
        for name in FIGURES
    }


def _days(
    actual: Report, results: list[RunResult]
) -> tuple[tuple[str, dict[str, tuple[float | None, Interval | None]]], ...]:
    out = []
    for row in actual.days_rows:
        figures = {}
        for name in DAY_FIGURES:
            predicted = [result.days[0].get(row.day, {}).get(name) for result in results]
            figures[name] = (_value(getattr(row, name)), summarise(predicted, name))
        out.append((row.day, figures))
    return tuple(out)


def _value(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
