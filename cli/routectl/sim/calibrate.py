"""Calibration: make the simulated log answer as fast, and as often, as the learned one.

The parts of the model are fitted one by one (delays by load and hour, never-answered
shares, buyer behaviour), and a simulation puts them together: loads that build up,
buyers who write again while waiting, questions that reach an agent at login. What the
parts miss together shows as a gap between the log and a simulation of the same
arrivals and presence. :func:`calibrate` simulates the learning period and compares
each agent's answered first-reply delays, quantile by quantile, and its never-answered
share with the log's; each quantile of the agent's delay distribution is then moved by
the ratio at that quantile (quantile mapping, as bias correction of simulation models
does it), and its never-answered shares by theirs (``ROUNDS`` times; an agent with
fewer than ``MIN_QUESTIONS`` answered questions on either side is left as fitted; the
typical agent takes the shop's ratios). The model is judged, and corrected, on the
figures it is asked to predict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.sim.core import Simulation
from routectl.sim.hist import BINS, QuantileTable, quantiles
from routectl.sim.inputs import Inputs, Record
from routectl.sim.learn import AgentEvidence, Evidence, learn
from routectl.sim.model import TYPICAL, AgentModel, ReplyModel, fit, from_json, to_json
from routectl.sim.prepare import Preparation

ROUNDS = 3
MIN_QUESTIONS = 20
MAX_STEP = 2.0
"""At most this factor per round (a guard against a run of few questions)."""


def calibrate(
    config: ShopConfig,
    model: ReplyModel,
    learned: Evidence,
    records: Callable[[], Iterable[Record]],
    seed: int,
) -> ReplyModel:
    """``model`` with its calibration factors fitted; ``records`` opens the learning
    period's inputs again for each round."""
    target = _figures(learned.agents)
    for round_ in range(ROUNDS):
        simulation = Simulation(config, model, seed + round_)
        simulated = _figures(learn(config, simulation.run(records())).agents)
        model = _corrected(model, target, simulated)
    return model


def learned_model(
    config: ShopConfig,
    learned: Evidence,
    records: Callable[[], Iterable[Record]],
    seed: int,
) -> ReplyModel:
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


def _figures(agents: Mapping[str, AgentEvidence]) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    shop_counts = [0.0] * BINS
    shop_asked = shop_never = 0
    for name in sorted(agents):
        pool = agents[name]
        counts = _answered(pool)
        for index, count in enumerate(counts):
            shop_counts[index] += count
        shop_asked += sum(pool.asked)
        shop_never += sum(pool.unanswered)
        found = _figure(counts, sum(pool.asked), sum(pool.unanswered))
        if found is not None:
            out[name] = found
    shop = _figure(shop_counts, shop_asked, shop_never)
    if shop is not None:
        out[TYPICAL] = shop
    return out


def _answered(pool: AgentEvidence) -> list[float]:
    counts = [0.0] * BINS
    for level in pool.by_level:
        for index, count in enumerate(level):
            counts[index] += count
    return counts


def _figure(counts: list[float], asked: int, never: int) -> Figure | None:
    points = quantiles(counts)
    if points is None:
        return None
    return int(sum(counts)), points, never / asked if asked else 0.0


def _corrected(
    model: ReplyModel, target: Mapping[str, Figure], simulated: Mapping[str, Figure]
) -> ReplyModel:
    agents = {name: _agent(agent, target.get(name), simulated.get(name))
              for name, agent in model.agents.items()}  # fmt: skip
    typical = _agent(model.typical, target.get(TYPICAL), simulated.get(TYPICAL))
    return replace(model, agents=agents, typical=typical)


def _agent(agent: AgentModel, target: Figure | None, simulated: Figure | None) -> AgentModel:
    """Quantile mapping: each quantile of the agent's delays moves by the ratio of the
    log's to the simulation's answered delays at that quantile."""
    if target is None or simulated is None:
        return agent
    if min(target[0], simulated[0]) < MIN_QUESTIONS:
        return agent
    ratios = [
        min(max((want + 1.0) / (got + 1.0), 1.0 / MAX_STEP), MAX_STEP)
        for want, got in zip(target[1], simulated[1], strict=True)
    ]
    points = sorted((b + 1.0) * r - 1.0 for b, r in zip(agent.base.points, ratios, strict=True))
    never = agent.never
    if simulated[2] > 0.0 and target[2] > 0.0:
        ratio = min(max(target[2] / simulated[2], 1.0 / MAX_STEP), MAX_STEP)
        never = tuple(min(p * ratio, 1.0) for p in never)
    return replace(agent, base=QuantileTable([max(p, 0.0) for p in points]), never=never)
