"""Calibration: make the simulated log answer as fast, and as often, as the learned one.

The parts of the model are fitted one by one (delays by load and hour, never-answered
shares, buyer behaviour), and a simulation puts them together: loads that build up,
buyers who write again while waiting, questions that reach an agent at login. What the
parts miss together shows as a gap between the log and a simulation of the same
arrivals and presence. :func:`calibrate` simulates the learning period, compares each
agent's mean log first-reply delay and never-answered share with the log's, and
corrects the agent's ``calibration`` factor and never-answered shares by the gap
(``ROUNDS`` times; an agent with fewer than ``MIN_QUESTIONS`` answered questions on
either side keeps its factor). The typical agent takes the shop's gap. This is the
indirect-inference step of simulation models: the model is judged, and corrected, on
the figures it is asked to predict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.sim.core import Simulation
from routectl.sim.inputs import Inputs, Record
from routectl.sim.learn import AgentEvidence, Evidence, learn
from routectl.sim.model import AgentModel, ReplyModel, fit
from routectl.sim.prepare import Preparation

ROUNDS = 2
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
    learning period (``records`` opens that period's inputs)."""
    return calibrate(config, fit(config, learned), learned, records, seed)


def learn_model(
    config: ShopConfig, replayed: Iterable[tuple[Event | None, list[Output]]], seed: int = 1
) -> ReplyModel:
    """The calibrated reply model of a whole replayed log (``routectl model``)."""
    with Inputs() as inputs:
        learned = Preparation(config, inputs).consume(replayed)
        return learned_model(config, learned, inputs.events, seed)


Figures = Mapping[str, tuple[int, float, float]]
"""Per agent: answered questions, mean log(delay + 1), never-answered share."""


def _figures(agents: Mapping[str, AgentEvidence]) -> dict[str, tuple[int, float, float]]:
    out: dict[str, tuple[int, float, float]] = {}
    shop_n, shop_log, shop_asked, shop_never = 0, 0.0, 0, 0
    for name, pool in agents.items():
        answered = sum(pool.cross_n)
        asked, never = sum(pool.asked), sum(pool.unanswered)
        total_log = math.fsum(pool.cross_sum)
        shop_n += answered
        shop_log += total_log
        shop_asked += asked
        shop_never += never
        if answered:
            out[name] = (answered, total_log / answered, never / asked)
    if shop_n:
        out["*"] = (shop_n, shop_log / shop_n, shop_never / shop_asked)
    return out


def _corrected(model: ReplyModel, target: Figures, simulated: Figures) -> ReplyModel:
    agents = {name: _agent(agent, target.get(name), simulated.get(name))
              for name, agent in model.agents.items()}  # fmt: skip
    typical = _agent(model.typical, target.get("*"), simulated.get("*"))
    return replace(model, agents=agents, typical=typical)


def _agent(
    agent: AgentModel,
    target: tuple[int, float, float] | None,
    simulated: tuple[int, float, float] | None,
) -> AgentModel:
    if target is None or simulated is None:
        return agent
    if min(target[0], simulated[0]) < MIN_QUESTIONS:
        return agent
    step = min(max(math.exp(target[1] - simulated[1]), 1.0 / MAX_STEP), MAX_STEP)
    never = agent.never
    if simulated[2] > 0.0 and target[2] > 0.0:
        ratio = min(max(target[2] / simulated[2], 1.0 / MAX_STEP), MAX_STEP)
        never = tuple(min(p * ratio, 1.0) for p in never)
    return replace(agent, calibration=agent.calibration * step, never=never)
