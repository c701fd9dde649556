"""``diff --predict``: both configs simulated on the log's arrivals and presence."""

from __future__ import annotations

from dataclasses import dataclass

from routectl.model import ShopConfig
from routectl.report import Report, Window
from routectl.sim.inputs import Inputs
from routectl.sim.model import ReplyModel
from routectl.sim.predict import (
    Figures,
    Interval,
    Job,
    agent_intervals,
    change_intervals,
    figures_of,
    run_all,
    side_intervals,
)

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
    base: dict[str, Interval | None]
    new: dict[str, Interval | None]
    change: dict[str, Interval | None]
    agents: tuple[tuple[str, dict[str, Interval | None], dict[str, Interval | None]], ...]
    notes: tuple[str, ...]


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
) -> Prediction:
    days = 1
    if inputs.first is not None and inputs.last is not None:
        days = max(1, round((inputs.last - inputs.first) / 86400.0))
    job = Job((base, new), model, inputs, seed, days, Window())
    results = run_all(job, runs, jobs)
    base_agents, new_agents = agent_intervals(results, 0), agent_intervals(results, 1)
    names = sorted(set(base_agents) | set(new_agents))
    return Prediction(
        runs=runs,
        seed=seed,
        actual=figures_of(actual),
        base=side_intervals(results, 0),
        new=side_intervals(results, 1),
        change=change_intervals(results),
        agents=tuple((name, base_agents.get(name, {}), new_agents.get(name, {})) for name in names),
        notes=tuple(notes(base, new, inputs)),
    )


def notes(base: ShopConfig, new: ShopConfig, inputs: Inputs) -> list[str]:
    """What the prediction cannot know, said plainly."""
    out = []
    for section, key in MEANING_KEYS:
        before = getattr(getattr(base, section), key)
        after = getattr(getattr(new, section), key)
        if before != after:
            out.append(
                f"[{section}] {key.removesuffix('_text')} changes from {before} to {after}: "
                "this changes what the figure means, not how the shop serves"
            )
    added = sorted(
        agent.id for agent in new.agents
        if agent.routing and agent.id not in inputs.agents_seen
    )  # fmt: skip
    if added:
        out.append(
            f"never online in the log, so never online in the prediction: {', '.join(added)} "
            "(presence comes from the log's status rows; add them to the log to try them)"
        )
    return out
