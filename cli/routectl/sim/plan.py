"""Staffing by simulation (P12): the least number of available agents each hour for a goal.

**Who is online with k agents.** The log's status rows are replaced by synthetic ones:
in every local hour of every simulated day exactly ``k[hour]`` agents are online (pc),
taken from a fixed *staffing order*: the config's routing agents, fastest first (the
model's median first reply alone, ties by id), then added agents. So when the plan
removes agents the slowest go first, and when it adds agents they are new ids
(``plan:added-01``, ...) in a copied config, each answering like the shop's typical
agent (``ReplyModel.typical``) or like ``--like AGENT``. An added agent belongs to the
copied agent's groups with its weight and ``max_concurrent`` (for the typical agent: to
every group, with the median weight and ``max_concurrent`` of the routing agents).

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

import heapq
import math
import multiprocessing
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from statistics import median_low
from zoneinfo import ZoneInfo

from routectl.durations import parse_duration
from routectl.errors import UsageProblem
from routectl.events import BuyerMessage, Event, Output, StatusChange
from routectl.model import Agent, ShopConfig
from routectl.report import Report, ReportBuilder, Window, build_report
from routectl.report.clock import LocalClock
from routectl.report.presence import Presence
from routectl.report.result import HourRow
from routectl.sim.core import Simulation
from routectl.sim.inputs import Inputs, Record
from routectl.sim.learn import Evidence
from routectl.sim.model import ReplyModel
from routectl.sim.predict import run_seed
from routectl.sim.prepare import Preparation

PLAN_FIGURES = ("response_rate", "avg_response_s")
PLAN_BY = ("hour", "weekday-hour")
ADDED_PREFIX = "plan:added-"
FIX_ROUNDS = 3
HOURS = 24

Vector = tuple[int, ...]
HourFigures = tuple[float | None, ...]


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
            raise UsageProblem(f"--target {target}: write the rate like 85%") from None
        if not 0.0 < value <= 1.0:
            raise UsageProblem(f"--target {target}: a rate between 0% and 100%")
        return Goal(figure, value)
    try:
        return Goal(figure, float(parse_duration(text)))
    except ValueError as exc:
        raise UsageProblem(f"--target {target}: {exc}") from None


@dataclass(frozen=True)
class Team:
    """The agents a staffing vector draws from, in staffing order, and what they run on."""

    config: ShopConfig
    """The shop's config with the added agents (never online unless staffed)."""
    order: tuple[str, ...]
    added: tuple[str, ...]
    like: str | None
    """The agent the added ones copy; None: the shop's typical agent."""


def make_team(
    config: ShopConfig, model: ReplyModel, max_agents: int, like: str | None = None
) -> Team:
    """The staffing order (fastest first) and ``max_agents`` minus those, added."""
    routing = [agent for agent in config.agents if agent.routing]
    routing.sort(key=lambda agent: (model.agent(agent.id).median_s(), agent.id))
    own = tuple(agent.id for agent in routing[:max_agents])
    template = _template(config, routing, like)
    taken = {agent.id for agent in config.agents}
    added: list[Agent] = []
    number = 0
    while len(own) + len(added) < max_agents:
        number += 1
        name = f"{ADDED_PREFIX}{number:02d}"
        if name not in taken:
            added.append(replace(template, id=name, routing=True, mobile=False))
    names = tuple(agent.id for agent in added)
    return Team(replace(config, agents=config.agents + tuple(added)), own + names, names, like)


def _template(config: ShopConfig, routing: Sequence[Agent], like: str | None) -> Agent:
    if like is not None:
        found = config.agent(like)
        if found is None:
            raise ValueError(f"--like {like}: no such agent in the config")
        return found
    weights = [agent.weight for agent in routing] or [100]
    caps = [agent.max_concurrent for agent in routing] or [20]
    groups = tuple(group.name for group in config.groups)
    return Agent(id="", groups=groups, weight=median_low(weights),
                 max_concurrent=median_low(caps))  # fmt: skip


def with_added(model: ReplyModel, team: Team) -> ReplyModel:
    """``model`` with the added agents answering like ``team.like`` (else: typical)."""
    if team.like is None or not team.added:
        return model
    copied = model.agent(team.like)
    agents = dict(model.agents)
    for name in team.added:
        agents[name] = replace(copied, agent=name)
    return replace(model, agents=agents)


# --- synthetic presence ----------------------------------------------------------------


def hour_starts(first: float, last: float, zone: ZoneInfo) -> tuple[tuple[float, int], ...]:
    """Each local hour of the days from ``first`` to ``last``: (start, hour of day). As in
    the report, an event at midnight does not open a day of its own."""
    day = datetime.fromtimestamp(first, zone).date()
    end = datetime.fromtimestamp(max(first, last - 1e-6), zone).date()
    starts: list[tuple[float, int]] = []
    while day <= end:
        for hour in range(HOURS):
            starts.append((_local(day, hour, zone), hour))
        day += timedelta(days=1)
    return tuple(starts)


def _local(day: date, hour: int, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp()


def presence_rows(
    order: Sequence[str], staffing: Vector, starts: Iterable[tuple[float, int]]
) -> Iterator[StatusChange]:
    """Status rows putting the first ``staffing[hour]`` agents of ``order`` online."""
    online = 0
    for moment, hour in starts:
        wanted = staffing[hour]
        for index in range(online - 1, wanted - 1, -1):
            yield StatusChange(0, moment, order[index], "offline")
        for index in range(online, wanted):
            yield StatusChange(0, moment, order[index], "online")
        online = wanted


def staffed(
    records: Iterable[Record], order: Sequence[str], staffing: Vector,
    starts: Sequence[tuple[float, int]],
) -> Iterator[Record]:  # fmt: skip
    """The log's records with its status rows replaced by the staffing's (status first
    at equal times: an agent staffed from 10:00 is there for a buyer at 10:00)."""
    kept = (record for record in records if type(record) is not StatusChange)
    return heapq.merge(presence_rows(order, staffing, starts), kept, key=_time)


def _time(record: Record) -> float:
    return record.time


class Weekdays:
    """The local weekday of a moment (0: Monday), looked up once per local hour."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.clock = LocalClock(zone)
        self._days: dict[str, int] = {}

    def of(self, moment: float) -> int:
        day = self.clock.day(moment)
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = date.fromisoformat(day).weekday()
        return found


def on_weekday(records: Iterable[Record], weekday: int, weekdays: Weekdays) -> Iterator[Record]:
    """The records with the buyers (arrivals, silent orders) of one weekday only; every
    status row stays (presence carries over midnight)."""
    for record in records:
        if type(record) is StatusChange or weekdays.of(record.time) == weekday:
            yield record


# --- runs ------------------------------------------------------------------------------


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


def simulate(job: PlanJob, run: int, staffing: Vector | None) -> Report:
    """One run: the log's presence (``staffing`` None) or the staffing's."""
    seed = run_seed(job.seed, run)
    model = job.model.perturbed(random.Random(seed), job.days)
    records: Iterable[Record] = job.inputs.events()
    if job.weekday is not None:
        records = on_weekday(records, job.weekday, Weekdays(ZoneInfo(job.config.shop.timezone)))
    config = job.config
    if staffing is not None:
        config = job.team.config
        model = with_added(model, job.team)
        records = staffed(records, job.team.order, staffing, job.starts)
    pairs = Simulation(config, model, seed).run(records)
    return build_report(config, pairs, Window(), days=False)


def hour_figures(job: PlanJob, run: int, staffing: Vector | None) -> HourFigures:
    report = simulate(job, run, staffing)
    values: list[float | None] = [None] * HOURS
    for row in report.hours:
        value = getattr(row, job.goal.figure)
        values[row.hour] = None if value is None else float(value)
    return tuple(values)


Evaluate = Callable[[Vector | None], list[HourFigures]]
"""All runs at one staffing: each run's figure per hour."""

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
            self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        global _JOB
        if self._pool is not None:
            # close, not terminate: terminate's SIGTERM meets routectl's handler in the
            # workers, which would print a traceback each
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
        present = [r[hour] for r in results if r[hour] is not None]
        out.append(math.fsum(present) / len(present) if present else None)  # type: ignore[arg-type]
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


@dataclass(frozen=True)
class Observed:
    """The log's own figures for one hour of day (of one weekday)."""

    inquiries_per_day: float
    agents_online: float


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
) -> PlanResult:
    """The plan for ``inputs`` (the log's arrivals), with ``actual`` (the log's report)
    giving each hour's inquiries per day and agents online. ``by="weekday-hour"``: each
    weekday is planned apart, on that weekday's buyers only."""
    if inputs.first is None or inputs.last is None:
        raise ValueError("the log has no buyer to plan for")
    team = make_team(config, model, max_agents, like)
    zone = ZoneInfo(config.shop.timezone)
    starts = hour_starts(inputs.first, inputs.last, zone)
    if by == "hour":
        parts: list[tuple[int | None, tuple[tuple[float, int], ...]]] = [(None, starts)]
        observed: dict[tuple[int | None, int], Observed] = {
            (None, row.hour): _observed_hour(row, actual) for row in actual.hours
        }
    else:
        weekdays = Weekdays(zone)
        parts = [(w, tuple(s for s in starts if weekdays.of(s[0]) == w)) for w in range(7)]
        parts = [(w, part) for w, part in parts if part]
        observed = observed_by_weekday(config, inputs, actual, zone)
    hours: list[HourPlan] = []
    rounds = simulations = 0
    for weekday, part in parts:
        job = PlanJob(config, model, team, inputs, goal, seed, len(part) // HOURS, part, weekday)
        with Runner(job, runs, jobs) as runner:
            now = mean_by_hour(runner(None))
            found = search(goal, max_agents, lambda vector: mean_by_hour(runner(vector)))
            simulations += runner.simulations
        rounds += found.rounds
        for hour in range(HOURS):
            seen = observed.get((weekday, hour), Observed(0.0, 0.0))
            hours.append(
                HourPlan(weekday, hour, seen.inquiries_per_day, seen.agents_online, now[hour],
                         found.needed[hour], found.figures[hour], found.staffing[hour])
            )  # fmt: skip
    return PlanResult(goal, runs, seed, max_agents, by, team, tuple(hours), rounds, simulations)


def _observed_hour(row: HourRow, actual: Report) -> Observed:
    return Observed(row.inquiries / max(1, actual.days), row.agents_available)


def observed_by_weekday(
    config: ShopConfig, inputs: Inputs, actual: Report, zone: ZoneInfo
) -> dict[tuple[int | None, int], Observed]:
    """Per (weekday, hour): the log's arrivals per day and agents available on average
    (the report's presence, cut at every local midnight)."""
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
    days = _days_by_weekday(actual.first_event, actual.last_event, zone)
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
    return _local(day, 0, zone)


def _days_by_weekday(first: float, last: float, zone: ZoneInfo) -> list[int]:
    day = datetime.fromtimestamp(first, zone).date()
    end = datetime.fromtimestamp(max(first, last - 1e-6), zone).date()
    days = [0] * 7
    while day <= end:
        days[day.weekday()] += 1
        day += timedelta(days=1)
    return days


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
        self.result = self.preparation.finish(outputs), self.actual.finish(outputs)


def observe(
    config: ShopConfig, replayed: Iterable[tuple[Event | None, list[Output]]], inputs: Inputs
) -> tuple[Evidence, Report]:
    """One pass over the replayed log (see :class:`Observer`)."""
    observer = Observer(config, inputs)
    for _ in observer.watch(replayed):
        pass
    assert observer.result is not None
    return observer.result
