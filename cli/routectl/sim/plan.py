"""Staffing by simulation (P12): the least number of available agents each hour for a goal.

Who is online with k agents: :mod:`.staffing`. The log's own figures: :mod:`.planlog`.

**The search.** Whole days are simulated with a per-hour staffing vector, so a backlog
left by a thin hour reaches the next one. Every round simulates all runs at one vector
and moves every unsettled hour at once: an hour climbs k = 1, 2, 4, 8, ... (capped at
``max_agents``) until its figure reaches the goal, then halves the gap between the last
k that missed and the first that reached (about 2 log2(max_agents) rounds at most).
Climbing from below matters: a slow agent takes a share of the buyers, so where agents
barely slow down with load, more agents can mean a *lower* rate, and a bisection of
[0, max_agents] would jump past a small team that reaches the goal. Then the found
vector is simulated whole; an hour that misses the goal there (its neighbours moved)
gets one more agent, up to ``FIX_ROUNDS`` times. Every vector is simulated with the
same runs and seeds (common random numbers: each buyer's draws are its own), so k and
k + 1 agents differ only by the staffing.

An hour whose figure counts no question (outside ``[reply_rate] window``, or no buyer)
needs 0 agents: nothing there is graded; its buyers then wait for the next staffed hour,
whose need includes them.
"""

from __future__ import annotations

import math
import multiprocessing
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from routectl.durations import parse_duration
from routectl.errors import UsageProblem
from routectl.i18n import _
from routectl.model import ShopConfig
from routectl.report import Report, Window, build_report
from routectl.sim.core import Simulation
from routectl.sim.inputs import Inputs, Record
from routectl.sim.model import ReplyModel
from routectl.sim.planlog import Observed, observed_by_weekday, observed_hour
from routectl.sim.predict import quiet_worker, run_seed
from routectl.sim.staffing import (
    HOURS,
    Team,
    Vector,
    Weekdays,
    hour_starts,
    make_team,
    on_weekday,
    staffed,
    with_added,
)
from routectl.sim.weeks import WARM_UP_S

PLAN_FIGURES = ("response_rate", "avg_response_s")
PLAN_BY = ("hour", "weekday-hour")
FIX_ROUNDS = 3

HourFigures = tuple[float | None, ...]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Goal:
    """``figure`` reaching ``target``: a rate at least it, a time at most it."""

    figure: str
    target: float

    def reached(self, value: float | None) -> bool:
        if value is None:
            return True  # nothing counted in the hour: nothing to reach
        if self.figure == "response_rate":
            return value >= self.target - 1e-9
        return value <= self.target + 1e-9


def parse_goal(figure: str, target: str) -> Goal:
    """``85%`` (or ``0.85``) for the rate; a duration (``60s``, ``2m``) for the average."""
    text = target.strip()
    if figure == "response_rate":
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise UsageProblem(
                _("--target {target}: write the rate like 85%").format(target=target)
            ) from None
        if not 0.0 < value <= 1.0:
            raise UsageProblem(
                _("--target {target}: a rate between 0% and 100%").format(target=target)
            )
        return Goal(figure, value)
    try:
        return Goal(figure, float(parse_duration(text)))
    except ValueError as exc:
        raise UsageProblem(
            _("--target {target}: {reason}").format(target=target, reason=exc)
        ) from None


# --- runs ------------------------------------------------------------------------------


PLAN_DAYS = 14
"""A run simulates at most the log's last 14 days (a month-long log costs a fortnight a
run); with ``--by weekday-hour``, the last :data:`PLAN_WEEKDAYS` of each weekday."""
PLAN_WEEKDAYS = 4


@dataclass(frozen=True)
class PlanJob:
    """Everything a run needs (inherited by forked workers, never pickled)."""

    config: ShopConfig
    model: ReplyModel
    team: Team
    inputs: Inputs
    goal: Goal
    seed: int
    days: int
    starts: tuple[tuple[float, int], ...]
    weekday: int | None = None
    """Only buyers of this local weekday (0: Monday; None: every day)."""
    since: float | None = None
    """Simulate and report from this moment on (the days :data:`PLAN_DAYS` keeps)."""


def simulate(job: PlanJob, run: int, staffing: Vector | None) -> Report:
    """One run: the log's presence (``staffing`` None) or the staffing's."""
    seed = run_seed(job.seed, run)
    model = job.model.perturbed(random.Random(seed), job.days)
    warm = None if job.since is None else job.since - WARM_UP_S
    records: Iterable[Record] = job.inputs.events(warm)
    if job.weekday is not None:
        records = on_weekday(records, job.weekday, Weekdays(ZoneInfo(job.config.shop.timezone)))
    config = job.config
    if staffing is not None:
        config = job.team.config
        model = with_added(model, job.team)
        records = staffed(records, job.team.order, staffing, job.starts)
    pairs = Simulation(config, model, seed).run(records)
    window = Window() if job.since is None else Window(job.since)
    return build_report(config, pairs, window, days=False)


def hour_figures(job: PlanJob, run: int, staffing: Vector | None) -> HourFigures:
    report = simulate(job, run, staffing)
    values: list[float | None] = [None] * HOURS
    for row in report.hours:
        value = getattr(row, job.goal.figure)
        values[row.hour] = None if value is None else float(value)
    return tuple(values)


_JOB: PlanJob | None = None


def _worker(task: tuple[int, Vector | None]) -> HourFigures:
    assert _JOB is not None
    return hour_figures(_JOB, task[0], task[1])


class Runner:
    """Runs ``runs`` simulations per staffing, on ``jobs`` forked processes."""

    def __init__(self, job: PlanJob, runs: int, jobs: int) -> None:
        self.job = job
        self.runs = runs
        self.jobs = min(jobs, runs)
        self.simulations = 0
        self._pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> Runner:
        global _JOB
        if self.jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            _JOB = self.job
            self._pool = multiprocessing.get_context("fork").Pool(
                self.jobs, initializer=quiet_worker
            )
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        global _JOB
        if self._pool is not None:
            if kind is None:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            self._pool = None
        _JOB = None

    def __call__(self, staffing: Vector | None) -> list[HourFigures]:
        self.simulations += self.runs
        tasks = [(run, staffing) for run in range(self.runs)]
        if self._pool is None:
            return [hour_figures(self.job, run, vector) for run, vector in tasks]
        return self._pool.map(_worker, tasks, chunksize=1)


def mean_by_hour(results: Sequence[HourFigures]) -> HourFigures:
    out: list[float | None] = []
    for hour in range(HOURS):
        present = [value for r in results if (value := r[hour]) is not None]
        out.append(math.fsum(present) / len(present) if present else None)
    return tuple(out)


# --- the search ------------------------------------------------------------------------


@dataclass(frozen=True)
class HourPlan:
    weekday: int | None
    """0: Monday (``--by weekday-hour``); None: every day."""
    hour: int
    inquiries_per_day: float
    agents_online: float
    predicted_now: float | None
    agents_needed: int | None
    """None: the goal is out of reach within ``max_agents``."""
    predicted_needed: float | None
    """The figure at ``agents_needed`` (at ``max_agents`` when out of reach)."""
    staffed: int
    """Agents in the final simulated vector (``max_agents`` when out of reach)."""
    beyond_log: bool = False
    """The need asks each agent to take more inquiries an hour than any hour of the log
    shows (:func:`beyond_the_log`): the model extrapolates its load effect there."""

    @property
    def rota_need(self) -> int:
        """What a rota covers: the need, or where the goal is out of reach today's
        staffing rounded up (more agents do not reach it there)."""
        if self.agents_needed is not None:
            return self.agents_needed
        return math.ceil(self.agents_online - 1e-9)


@dataclass(frozen=True)
class Search:
    needed: tuple[int | None, ...]
    staffing: Vector
    figures: HourFigures
    rounds: int


def search(goal: Goal, max_agents: int, evaluate: Callable[[Vector], HourFigures]) -> Search:
    """The least agents per hour reaching ``goal`` (see the module's docstring)."""
    low = [1] * HOURS
    """The least k not ruled out yet."""
    high = [max_agents + 1] * HOURS
    """The least k seen reaching the goal (``max_agents + 1``: none yet)."""
    rounds = 0
    while any(lo < hi for lo, hi in zip(low, high)):
        vector = tuple(_probe(lo, hi, max_agents) for lo, hi in zip(low, high))
        figures = evaluate(vector)
        rounds += 1
        for hour in range(HOURS):
            if low[hour] >= high[hour]:
                continue
            if figures[hour] is None:
                low[hour] = high[hour] = 0  # nothing graded in the hour: no one needed
            elif goal.reached(figures[hour]):
                high[hour] = vector[hour]
            else:
                low[hour] = vector[hour] + 1
    staffing = [min(h, max_agents) for h in high]
    for round_ in range(FIX_ROUNDS + 1):
        figures = evaluate(tuple(staffing))
        rounds += 1
        short = [
            h for h in range(HOURS) if not goal.reached(figures[h]) and staffing[h] < max_agents
        ]
        if not short or round_ == FIX_ROUNDS:
            break
        for hour in short:
            staffing[hour] += 1
    needed = tuple(staffing[h] if goal.reached(figures[h]) else None for h in range(HOURS))
    return Search(needed, tuple(staffing), figures, rounds)


def _probe(low: int, high: int, max_agents: int) -> int:
    """The k an hour tries next: climbing 1, 2, 4, 8, ... until one reaches the goal,
    then halving the gap below it; a settled hour stays at its answer."""
    if low >= high:
        return min(high, max_agents)
    if high > max_agents:
        return min(max(low, 2 * (low - 1)), max_agents)
    return (low + high) // 2


@dataclass(frozen=True)
class PlanResult:
    goal: Goal
    runs: int
    seed: int
    max_agents: int
    by: str
    team: Team
    hours: tuple[HourPlan, ...]
    rounds: int
    simulations: int


def plan(
    config: ShopConfig,
    model: ReplyModel,
    inputs: Inputs,
    actual: Report,
    goal: Goal,
    *,
    max_agents: int,
    like: str | None,
    runs: int,
    seed: int,
    jobs: int,
    by: str = "hour",
    progress: Progress | None = None,
) -> PlanResult:
    """The plan for ``inputs`` (the log's arrivals), with ``actual`` (the log's report)
    giving each hour's inquiries per day and agents online. ``by="weekday-hour"``: each
    weekday is planned apart, on that weekday's buyers only. ``progress`` hears the
    simulations done so far after every round."""
    if inputs.first is None or inputs.last is None:
        raise ValueError(_("the log has no buyer to plan for"))
    team = make_team(config, model, max_agents, like)
    zone = ZoneInfo(config.shop.timezone)
    starts = hour_starts(inputs.first, inputs.last, zone)
    if by == "hour":
        parts: list[tuple[int | None, tuple[tuple[float, int], ...]]] = [(None, starts)]
        observed: dict[tuple[int | None, int], Observed] = {
            (None, row.hour): observed_hour(row, actual, len(starts) // HOURS)
            for row in actual.hours
        }
    else:
        weekdays = Weekdays(zone)
        parts = [(w, tuple(s for s in starts if weekdays.of(s[0]) == w)) for w in range(7)]
        days = [len(part) // HOURS for _, part in parts]
        parts = [(w, part) for w, part in parts if part]
        observed = observed_by_weekday(config, inputs, actual, zone, days)
    hours: list[HourPlan] = []
    rounds = simulations = 0
    for weekday, whole in parts:
        part = whole[-(PLAN_DAYS if weekday is None else PLAN_WEEKDAYS) * HOURS :]
        job = PlanJob(config, model, team, inputs, goal, seed, len(part) // HOURS, part, weekday,
                      since=part[0][0] if len(part) < len(whole) else None)  # fmt: skip
        with Runner(job, runs, jobs) as runner:

            def evaluate(
                vector: Vector | None, runner: Runner = runner, before: int = simulations
            ) -> HourFigures:
                figures = mean_by_hour(runner(vector))
                if progress is not None:
                    progress(before + runner.simulations)
                return figures

            now = evaluate(None)
            found = search(goal, max_agents, evaluate)
            simulations += runner.simulations
        rounds += found.rounds
        for hour in range(HOURS):
            seen = observed.get((weekday, hour), Observed(0.0, 0.0))
            hours.append(
                HourPlan(weekday, hour, seen.inquiries_per_day, seen.agents_online, now[hour],
                         found.needed[hour], found.figures[hour], found.staffing[hour])
            )  # fmt: skip
    hours = beyond_the_log(hours)
    return PlanResult(goal, runs, seed, max_agents, by, team, tuple(hours), rounds, simulations)


def beyond_the_log(hours: Sequence[HourPlan]) -> list[HourPlan]:
    """Flag the hours whose need gives an agent more inquiries an hour than the log's
    busiest hour gave its agents on average (hours with at least half an agent online).
    The load effect beyond what the log shows is an extrapolation (docs/plan.md)."""
    busiest = max(
        (h.inquiries_per_day / h.agents_online for h in hours if h.agents_online >= 0.5),
        default=0.0,
    )
    return [
        replace(h, beyond_log=True)
        if h.agents_needed and h.inquiries_per_day / h.agents_needed > busiest + 1e-9
        else h
        for h in hours
    ]
