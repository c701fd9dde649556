"""``diff --predict``: both configs simulated on the log's arrivals and presence."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from routectl.i18n import _
from routectl.model import ShopConfig
from routectl.report import Report, Window
from routectl.sim.inputs import Inputs
from routectl.sim.model import ReplyModel
from routectl.sim.predict import (
    FIGURES,
    RATES,
    Figures,
    Interval,
    Job,
    agent_intervals,
    change_intervals,
    figures_of,
    run_all,
    side_intervals,
)
from routectl.sim.weeks import WEEK_DAYS, WeekReports, spread

MEANING_KEYS = (
    ("reply_rate", "threshold_s"), ("reply_rate", "window_text"),
    ("reply_rate", "avg_window_text"), ("reply_rate", "avg_cap_s"),
    ("reply_rate", "slow_after_s"), ("sales", "conversion_window_s"),
)  # fmt: skip
"""Edits that change what a figure means, not how the shop serves."""


@dataclass(frozen=True)
class Prediction:
    runs: int
    seed: int
    actual: Figures
    """The log's own figures for what was simulated: the whole log, or its weeks."""
    base: dict[str, Interval | None]
    new: dict[str, Interval | None]
    change: dict[str, Interval | None]
    expected: dict[str, Interval | None]
    """The log's own figure plus the predicted change (:func:`log_plus_change`)."""
    agents: tuple[tuple[str, dict[str, Interval | None], dict[str, Interval | None]], ...]
    notes: tuple[str, ...]
    weeks: tuple[Window, ...] = ()
    """The week each run simulated (empty: every run simulated the whole log)."""
    timezone: str = "Asia/Shanghai"


def predict(
    base: ShopConfig,
    new: ShopConfig,
    model: ReplyModel,
    inputs: Inputs,
    actual: Report,
    *,
    runs: int,
    seed: int,
    jobs: int,
    weeks: WeekReports | None = None,
) -> Prediction:
    """Both configs simulated ``runs`` times. A log of more than a week with whole weeks
    (``weeks``, fed in the learning pass) has each run simulate one of them."""
    blocks, logged = _period(actual, weeks, inputs, runs)
    days = 1
    if inputs.first is not None and inputs.last is not None:
        days = max(1, round((inputs.last - inputs.first) / 86400.0))
    job = Job((base, new), model, inputs, seed, days, Window(), blocks=blocks)
    results = run_all(job, runs, jobs)
    base_agents, new_agents = agent_intervals(results, 0), agent_intervals(results, 1)
    names = sorted(set(base_agents) | set(new_agents))
    base_side = side_intervals(results, 0)
    change = change_intervals(results)
    replayed = {row.agent: float(row.inquiries) for row in actual.agents}
    return Prediction(
        runs=runs,
        seed=seed,
        actual=logged,
        base=base_side,
        new=side_intervals(results, 1),
        change=change,
        expected=log_plus_change(logged, change),
        agents=tuple((name, base_agents.get(name, {}), new_agents.get(name, {})) for name in names),
        notes=(
            *calibration_notes(logged, base_side, base_agents, inputs.receivers or replayed),
            *notes(base, new, inputs),
        ),
        weeks=blocks,
        timezone=base.shop.timezone,
    )


def log_plus_change(
    logged: Figures, change: Mapping[str, Interval | None]
) -> dict[str, Interval | None]:
    """What the log would have shown under NEW: its own figure moved by the predicted
    change. A bias the model has on both sides cancels (the back-tests' what-ifs land
    closer this way than on the simulated new side, docs/prediction.md); rates stay in
    0..1 and other figures at or above 0."""
    out: dict[str, Interval | None] = {}
    for name in FIGURES:
        today, moved = logged[name], change[name]
        if today is None or moved is None:
            out[name] = None
            continue
        top = 1.0 if name in RATES else math.inf
        values = (today + moved.mean, today + moved.low, today + moved.high)
        out[name] = Interval(*(min(max(value, 0.0), top) for value in values))
    return out


def _period(
    actual: Report, weeks: WeekReports | None, inputs: Inputs, runs: int
) -> tuple[tuple[Window, ...], Figures]:
    """The weeks the runs simulate and the log's figures for them (the mean over the
    runs' weeks), or no weeks and the whole log's figures."""
    whole = figures_of(actual)
    if weeks is None or weeks.weeks is None or inputs.first is None or inputs.last is None:
        return (), whole
    count = weeks.weeks.whole(inputs.last)
    if inputs.last - inputs.first <= WEEK_DAYS * 86400.0 or count < 1:
        return (), whole
    chosen = spread(count, runs)
    reports = weeks.finished
    logged: Figures = {}
    for name in FIGURES:
        values = [figures_of(reports[index])[name] for index in chosen if index in reports]
        present = [value for value in values if value is not None]
        logged[name] = math.fsum(present) / len(present) if present else None
    return tuple(weeks.weeks.window(index) for index in chosen), logged


SPLIT_GAP = 0.10
"""The split note's threshold: the share of inquiries that would have to move between
agents to turn the simulated split into the log's (total variation distance)."""


def calibration_notes(
    actual: Figures,
    predicted: dict[str, Interval | None],
    agents: dict[str, dict[str, Interval | None]],
    logged_split: Mapping[str, float],
) -> list[str]:
    """Where the predicted base does not reproduce the log: the prediction's level is then
    suspect (its change less so: both sides share the error)."""
    out = []
    rate, found = actual.get("response_rate"), predicted.get("response_rate")
    if rate is not None and found is not None and not found.low <= rate <= found.high:
        out.append(
            _(
                "the predicted base 3-minute rate ({predicted:.1f} %) misses the log's "
                "({logged:.1f} %) by more than its interval: trust the change more than "
                "the level (docs/prediction.md#reading-a-prediction)"
            ).format(predicted=found.mean * 100, logged=rate * 100)
        )
    split = split_gap(agents, logged_split)
    if split is not None:
        distance, worst = split
        named = _("; ").join(
            _("{agent} {logged:.1f} % in the log, {simulated:.1f} % simulated").format(
                agent=agent, logged=logged * 100, simulated=simulated * 100
            )
            for agent, logged, simulated in worst
        )
        out.append(
            _(
                "the config splits buyers unlike the log ({distance:.0f} % of inquiries "
                "would have to move; {named}): the prediction assumes the config's split; "
                "see report's routing agreement"
            ).format(distance=distance * 100, named=named)
        )
    return out


def split_gap(
    agents: dict[str, dict[str, Interval | None]], logged_split: Mapping[str, float]
) -> tuple[float, list[tuple[str, float, float]]] | None:
    """The total variation distance between the log's split of inquiries (the visits'
    ``received_by`` where the log names them, else the replay's) and the simulated base
    split, with the three agents furthest apart; None when under :data:`SPLIT_GAP`."""
    simulated = {name: found.mean for name, v in agents.items() if (found := v.get("inquiries"))}
    observed = {name: float(count) for name, count in logged_split.items()}
    simulated_total, observed_total = math.fsum(simulated.values()), math.fsum(observed.values())
    if simulated_total <= 0 or observed_total <= 0:
        return None
    gaps = []
    for agent in sorted(set(simulated) | set(observed)):
        share = observed.get(agent, 0.0) / observed_total
        gaps.append((agent, share, simulated.get(agent, 0.0) / simulated_total))
    distance = math.fsum(abs(share - sim) for _agent, share, sim in gaps) / 2
    if distance < SPLIT_GAP:
        return None
    gaps.sort(key=lambda gap: (-abs(gap[1] - gap[2]), gap[0]))
    return distance, gaps[:3]


def notes(base: ShopConfig, new: ShopConfig, inputs: Inputs) -> list[str]:
    """What the prediction cannot know, said plainly."""
    out = []
    for section, key in MEANING_KEYS:
        before = getattr(getattr(base, section), key)
        after = getattr(getattr(new, section), key)
        if before != after:
            out.append(
                _(
                    "[{section}] {key} changes from {before} to {after}: "
                    "this changes what the figure means, not how the shop serves"
                ).format(section=section, key=key.removesuffix("_text"), before=before, after=after)
            )
    added = sorted(
        agent.id for agent in new.agents
        if agent.routing and agent.id not in inputs.agents_seen
    )  # fmt: skip
    if added:
        out.append(
            _(
                "never online in the log, so never online in the prediction: {agents} "
                "(presence comes from the log's status rows; add them to the log to try them)"
            ).format(agents=", ".join(added))
        )
    return out
