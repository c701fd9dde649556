"""Calibration: make the simulated log answer as fast, and as often, as the learned one.

The parts of the model are fitted one by one (delays by load and hour, never-answered
shares, buyer behaviour), and a simulation puts them together: loads that build up,
buyers who write again while waiting, questions that reach an agent at login. What the
parts miss together shows as a gap between the log and a simulation of the same
arrivals and presence. :func:`calibrate` simulates the learning period's last days and
compares each agent's answered first-reply delays (of questions that met a logged-in
holder), quantile by quantile, and its never-answered share with the log's; each
quantile of the agent's delay distribution is then moved by the ratio at that quantile
(quantile mapping, as bias correction of simulation models does it), and its
never-answered shares by theirs, ``ROUNDS`` times. Each ratio is shrunk towards the
shop's by the questions behind it (:func:`_ratios`), the shop's towards none; an agent
with fewer than ``MIN_QUESTIONS`` answered questions on either side, and the typical
agent, take the shop's ratios.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.sim.core import Simulation
from routectl.sim.hist import BINS, POINTS, QuantileTable, quantiles
from routectl.sim.inputs import Inputs, Record
from routectl.sim.learn import Evidence, learn
from routectl.sim.model import TYPICAL, AgentModel, ReplyModel, fit, from_json, to_json
from routectl.sim.prepare import Preparation
from routectl.sim.weeks import WARM_UP_S, local_time

ROUNDS = 2
DAYS = 14
"""Calibrate on the learning period's last this many local days (a simulation of
every day would cost a run each round). Two weeks, not one: a week's late and
never-answered questions are few (one agent's moved from 3 to 17 between weeks of one
benchmark world), and a ratio fitted to one week carried its luck into every
prediction. Two rounds of two weeks simulate a quarter more than three rounds of one
did; a third round moved the queue worlds' held-out errors both ways, by 1.2 points
and 5 % at most (docs/prediction.md)."""
MIN_QUESTIONS = 20
MAX_STEP = 2.0
"""At most this factor per round (a guard against a run of few questions)."""

Records = Callable[[float | None], Iterable[Record]]
"""Opens the learning period's inputs from a moment (None: from the start)."""


def calibrate(
    config: ShopConfig, model: ReplyModel, learned: Evidence, records: Records, seed: int
) -> ReplyModel:
    """``model`` with its delay quantiles and never-answered shares corrected on the last
    :data:`DAYS` days of the learning period."""
    days = sorted(learned.days)[-DAYS:]
    if not days:
        return model
    zone = ZoneInfo(config.shop.timezone)
    since = local_time(date.fromisoformat(days[0]), 0, zone) - WARM_UP_S
    target = _figures(learned, days)
    for round_ in range(ROUNDS):
        simulation = Simulation(config, model, seed + round_)
        simulated = _figures(learn(config, simulation.run(records(since))), days)
        model = _corrected(model, target, simulated)
    return model


def learned_model(config: ShopConfig, learned: Evidence, records: Records, seed: int) -> ReplyModel:
    """The reply model of a log: fitted from its evidence, then calibrated on its
    learning period (``records`` opens that period's inputs). It is returned as its JSON
    reads back, so a model saved by ``routectl model -o`` predicts exactly what the
    learned one does."""
    calibrated = calibrate(config, fit(config, learned), learned, records, seed)
    return from_json(to_json(calibrated))


def learn_model(
    config: ShopConfig, replayed: Iterable[tuple[Event | None, list[Output]]], seed: int = 1
) -> ReplyModel:
    """The calibrated reply model of a whole replayed log (``routectl model``)."""
    with Inputs() as inputs:
        learned = Preparation(config, inputs).consume(replayed)
        return learned_model(config, learned, inputs.events, seed)


Figure = tuple[int, list[float], float]
"""An agent's answered questions, their delays' quantiles, and its never-answered share."""


def _figures(evidence: Evidence, days: list[str]) -> dict[str, Figure]:
    """Per agent (and the shop, ``*``), over ``days``."""
    delays: dict[str, list[float]] = {}
    counts: dict[str, list[float]] = {}
    for day in days:
        for agent, histogram in evidence.day_delays.get(day, {}).items():
            _add(delays.setdefault(agent, [0.0] * BINS), histogram)
            _add(delays.setdefault(TYPICAL, [0.0] * BINS), histogram)
        for agent, cell in evidence.days.get(day, {}).items():
            _add(counts.setdefault(agent, [0.0, 0.0, 0.0]), cell)
            _add(counts.setdefault(TYPICAL, [0.0, 0.0, 0.0]), cell)
    out: dict[str, Figure] = {}
    for agent in sorted(delays):
        points = quantiles(delays[agent])
        answered, _, never = counts.get(agent, [0.0, 0.0, 0.0])
        if points is not None:
            share = never / (answered + never) if answered + never > 0 else 0.0
            out[agent] = (int(answered), points, share)
    return out


def _add(into: list[float], values: Sequence[float]) -> None:
    for index, value in enumerate(values):
        into[index] += value


def _corrected(
    model: ReplyModel, target: Mapping[str, Figure], simulated: Mapping[str, Figure]
) -> ReplyModel:
    shop = _shop_ratios(target.get(TYPICAL), simulated.get(TYPICAL))
    agents = {name: _agent(agent, target.get(name), simulated.get(name), shop)
              for name, agent in model.agents.items()}  # fmt: skip
    typical = _apply(model.typical, shop)
    return replace(model, agents=agents, typical=typical)


Ratios = tuple[list[float], float]
"""Per quantile, the factor on ``delay + 1``; and the factor on the never-answered shares."""

NO_RATIOS: Ratios = ([1.0] * POINTS, 1.0)


def _shop_ratios(target: Figure | None, simulated: Figure | None) -> Ratios:
    """The shop's ratios (all agents' questions together), each shrunk towards no
    correction by how much evidence stands behind it."""
    if target is None or simulated is None or min(target[0], simulated[0]) < MIN_QUESTIONS:
        return NO_RATIOS
    return _ratios(target, simulated, NO_RATIOS)


def _ratios(target: Figure, simulated: Figure, prior: Ratios) -> Ratios:
    """Log ratio per quantile, shrunk towards ``prior`` with weight ``e / (e + 20)``:
    ``e``, the questions a quantile rests on (``2 n min(p, 1 - p)``: the median all of
    them, a tail point few, the maximum none); the never-answered ratio the same way by
    its questions never answered. The calibration days of a busy agent move its own
    quantiles; a tail point or a handful of never-answered questions leans on the
    shop's."""
    answered = min(target[0], simulated[0])
    quantile_ratios = []
    for index, (want, got) in enumerate(zip(target[1], simulated[1], strict=True)):
        p = index / (POINTS - 1)
        weight = _weight(2.0 * answered * min(p, 1.0 - p))
        own = math.log((want + 1.0) / (got + 1.0))
        quantile_ratios.append(_step(weight * own + (1.0 - weight) * math.log(prior[0][index])))
    never = prior[1]
    if simulated[2] > 0.0 and target[2] > 0.0:
        events = min(target[2] * target[0], simulated[2] * simulated[0])
        weight = _weight(events)
        own = math.log(target[2] / simulated[2])
        never = _step(weight * own + (1.0 - weight) * math.log(prior[1]))
    return quantile_ratios, never


def _weight(evidence: float) -> float:
    return evidence / (evidence + MIN_QUESTIONS)


def _step(log_ratio: float) -> float:
    return min(max(math.exp(log_ratio), 1.0 / MAX_STEP), MAX_STEP)


def _agent(
    agent: AgentModel, target: Figure | None, simulated: Figure | None, shop: Ratios
) -> AgentModel:
    """Quantile mapping: each quantile of the agent's delays moves by the ratio of the
    log's to the simulation's answered delays at that quantile (shrunk towards the
    shop's); an agent with too few questions on either side takes the shop's ratios."""
    if target is None or simulated is None or min(target[0], simulated[0]) < MIN_QUESTIONS:
        return _apply(agent, shop)
    return _apply(agent, _ratios(target, simulated, shop))


def _apply(agent: AgentModel, ratios: Ratios) -> AgentModel:
    quantile_ratios, never_ratio = ratios
    points = sorted(
        (b + 1.0) * r - 1.0 for b, r in zip(agent.base.points, quantile_ratios, strict=True)
    )
    never = tuple(min(p * never_ratio, 1.0) for p in agent.never)
    return replace(agent, base=QuantileTable([max(p, 0.0) for p in points]), never=never)
