"""Runs and intervals (P9, P10): what ``diff --predict``, ``backtest`` and ``plan`` share.

A run draws the model's own uncertainty first (:meth:`ReplyModel.perturbed`: the log's
days resampled with replacement, as many as the simulated period has), then simulates
every config with the same seed, so the sides of a run differ only by the config. A
figure's interval is a 90 % prediction interval over the runs,
``mean +- t(0.95, runs - 1) * sd * sqrt(1 + 1 / runs)``: where one more run, or the
real period, is expected to fall. A change's interval comes from the per-run
differences, which common random numbers make much tighter than either side.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from routectl.i18n import N_
from routectl.model import ShopConfig
from routectl.report import Report, Window, build_report
from routectl.sim.core import Simulation, uniform
from routectl.sim.inputs import Inputs
from routectl.sim.model import ReplyModel
from routectl.sim.weeks import WARM_UP_S, WEEK_DAYS

FIGURES = ("response_rate", "reply_rate", "avg_response_s", "slow_questions", "conversion_rate")
AGENT_FIGURES = ("inquiries", "response_rate", "reply_rate", "avg_response_s")
DEFAULT_RUNS = 8
RATES = frozenset({"response_rate", "reply_rate", "conversion_rate"})
FIGURE_NAMES = {
    "response_rate": N_("3-minute response rate"), "reply_rate": N_("reply rate"),
    "avg_response_s": N_("average response"), "slow_questions": N_("slow responses"),
    "conversion_rate": N_("inquiry conversion"), "inquiries": N_("inquiries"),
}  # fmt: skip
"""Each figure's name for people, in English: the message id of its translation (the
prediction tables and plan's title read it)."""

# One-sided 95 % quantiles of Student's t, by degrees of freedom (1-30); above: 1.645.
_T95 = (
    6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782,
    1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711,
    1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
)  # fmt: skip

Figures = dict[str, float | None]


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def to_json(self, digits: int = 4) -> dict[str, float]:
        return {"mean": round(self.mean, digits), "low": round(self.low, digits),
                "high": round(self.high, digits)}  # fmt: skip


def interval(
    values: Sequence[float], bounded: bool = False, signed: bool = False
) -> Interval | None:
    """The 90 % prediction interval of ``values``; ``bounded``: a rate in [0, 1];
    ``signed``: a change, which may be negative (other figures are never below 0)."""
    if not values:
        return None
    runs = len(values)
    mean = math.fsum(values) / runs
    if runs == 1:
        return Interval(mean, mean, mean)
    variance = math.fsum((v - mean) ** 2 for v in values) / (runs - 1)
    t = _T95[runs - 2] if runs - 2 < len(_T95) else 1.645
    half = t * math.sqrt(variance) * math.sqrt(1.0 + 1.0 / runs)
    low, high = mean - half, mean + half
    if bounded:
        low, high = max(low, 0.0), min(high, 1.0)
    return Interval(mean, low if signed else max(low, 0.0), high)


def figures_of(report: Report) -> Figures:
    summary = report.summary
    return {name: _number(getattr(summary, name)) for name in FIGURES}


def agent_figures_of(report: Report) -> dict[str, Figures]:
    return {
        row.agent: {name: _number(getattr(row, name)) for name in AGENT_FIGURES}
        for row in report.agents
    }


DAY_FIGURES = ("response_rate", "avg_response_s")


def day_figures_of(report: Report) -> dict[str, Figures]:
    return {
        row.day: {name: _number(getattr(row, name)) for name in DAY_FIGURES}
        for row in report.days_rows
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class RunResult:
    """One run's figures, per config: the shop's, each agent's and (``Job.breakdowns``)
    each day's. Plain data: it comes back from a worker pickled, and a report's classes
    are compiled (mypyc) in one build and cannot be."""

    shop: tuple[Figures, ...]
    agents: tuple[dict[str, Figures], ...]
    days: tuple[dict[str, Figures], ...] = ()


@dataclass(frozen=True)
class Job:
    """Everything a run needs (inherited by forked workers, never pickled)."""

    configs: tuple[ShopConfig, ...]
    model: ReplyModel
    inputs: Inputs
    seed: int
    days: int
    window: Window
    breakdowns: bool = False
    since: float | None = None
    """Simulate the inputs from this moment on (a back-test's warm-up start)."""
    blocks: tuple[Window, ...] = ()
    """Per run, the week it simulates and reports instead of ``window`` (a long log's
    weeks, :mod:`.weeks`)."""


def run_seed(seed: int, run: int) -> int:
    return int(uniform(seed, run, 0, 99) * 2**62)


def one_run(job: Job, run: int) -> RunResult:
    rng = random.Random(run_seed(job.seed, run))
    window, since, days = job.window, job.since, job.days
    if job.blocks:
        window = job.blocks[run % len(job.blocks)]
        since, days = window.since - WARM_UP_S, WEEK_DAYS
    model = job.model.perturbed(rng, days)
    seed = run_seed(job.seed, run)
    reports = []
    for config in job.configs:
        simulation = Simulation(config, model, seed)
        records = job.inputs.events(since, window.until if job.blocks else None)
        reports.append(
            build_report(config, simulation.run(records), window,
                         days=job.breakdowns, breakdowns=job.breakdowns)
        )  # fmt: skip
    return RunResult(
        shop=tuple(figures_of(r) for r in reports),
        agents=tuple(agent_figures_of(r) for r in reports),
        days=tuple(day_figures_of(r) for r in reports) if job.breakdowns else (),
    )


_JOB: Job | None = None


def _worker(run: int) -> RunResult:
    assert _JOB is not None
    return one_run(_JOB, run)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def quiet_worker() -> None:
    """A forked worker leaves Ctrl-C to the parent and dies quietly when the pool is
    terminated (routectl's own SIGTERM handler would print a traceback in each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def run_all(job: Job, runs: int, jobs: int) -> list[RunResult]:
    """``runs`` runs, on ``jobs`` processes (forked: the inputs file is shared)."""
    global _JOB
    if jobs <= 1 or runs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [one_run(job, run) for run in range(runs)]
    _JOB = job
    pool = multiprocessing.get_context("fork").Pool(min(jobs, runs), initializer=quiet_worker)
    try:
        results = pool.map(_worker, range(runs), chunksize=1)
        pool.close()
        return results
    finally:
        pool.terminate()
        pool.join()
        _JOB = None


def summarise(values: Sequence[float | None], name: str) -> Interval | None:
    present = [v for v in values if v is not None]
    if len(present) < len(values) or not present:
        return None
    return interval(present, bounded=name in RATES)


def side_intervals(results: Sequence[RunResult], side: int) -> dict[str, Interval | None]:
    return {name: summarise([r.shop[side][name] for r in results], name) for name in FIGURES}


def change_intervals(results: Sequence[RunResult]) -> dict[str, Interval | None]:
    out: dict[str, Interval | None] = {}
    for name in FIGURES:
        deltas: list[float | None] = []
        for result in results:
            base, new = result.shop[0][name], result.shop[1][name]
            deltas.append(None if base is None or new is None else new - base)
        present = [d for d in deltas if d is not None]
        out[name] = interval(present, signed=True) if len(present) == len(deltas) else None
    return out


def agent_intervals(
    results: Sequence[RunResult], side: int
) -> dict[str, dict[str, Interval | None]]:
    names = sorted({agent for r in results for agent in r.agents[side]})
    out: dict[str, dict[str, Interval | None]] = {}
    for agent in names:
        out[agent] = {
            name: summarise([r.agents[side].get(agent, {}).get(name) for r in results], name)
            for name in AGENT_FIGURES
        }
    return out


def interval_json(found: Interval | None, name: str) -> dict[str, float] | None:
    if found is None:
        return None
    return found.to_json(1 if name == "avg_response_s" or name == "slow_questions" else 4)


def intervals_json(values: Mapping[str, Interval | None]) -> dict[str, Any]:
    return {name: interval_json(found, name) for name, found in values.items()}


Progress = Callable[[int], None]
