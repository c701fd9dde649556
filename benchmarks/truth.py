"""Hand-made "truth" worlds for back-tests: reply mechanics unlike the learned model's.

A world takes a log's arrivals and presence (any log: here `generate-log`'s), replaces
every reply, follow-up, close and payment by a hand-made behaviour, and writes the
resulting log. The behaviours are deliberately not the model's family: lognormal and
two-regime delays, load effects that are linear or a step, a lunch-time slowdown, a
day-to-day speed factor per agent that the learned model cannot see, and buyers whose
patience differs from any default.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from zoneinfo import ZoneInfo

from routectl.events import Event
from routectl.logio.writer import HEADER, log_rows
from routectl.model import ShopConfig
from routectl.replay import run
from routectl.sim.core import Simulation, uniform
from routectl.sim.hist import POINTS, QuantileTable
from routectl.sim.inputs import Inputs, Recorder
from routectl.sim.model import NO_TRANSFERS, BuyerModel, ConversionModel, TransferModel

_NORMAL = NormalDist()


def _z(u: float) -> float:
    return _NORMAL.inv_cdf(min(max(u, 1e-9), 1 - 1e-9))


def _table(median: float, sigma: float) -> QuantileTable:
    return QuantileTable(
        [median * math.exp(sigma * _z(max(min(i / (POINTS - 1), 0.999), 0.001)))
         for i in range(POINTS)]
    )  # fmt: skip


@dataclass
class TruthAgent:
    name: str
    median_s: float
    mechanics: str
    day_sigma: float = 0.2
    never: tuple[float, ...] = (0.02, 0.03, 0.04, 0.05, 0.07, 0.1)
    mood_seed: int = 7
    """Draws each day's speed factor: another seed is another run of the same world's
    moods (the oracle of benchmarks/prediction.py)."""

    def delay(self, level: int, hour: int, u: float, moment: float = 0.0, load: int = 0) -> float:
        day = int(moment // 86400)
        key = sum(ord(c) for c in self.name)
        daily = math.exp(self.day_sigma * _z(uniform(self.mood_seed, key, day, 1)))
        lunch = 1.4 if 12 <= hour < 14 else 1.0
        held = float(max(load, (0, 1, 2, 3, 4, 6)[level]))  # a caller may give the level only
        if self.mechanics == "lognormal":
            base = self.median_s * math.exp(0.9 * _z(u))
            return base * (1 + 0.25 * held) * lunch * daily
        if self.mechanics == "two-regime":
            if u < 0.8:
                base = self.median_s * math.exp(0.6 * _z(u / 0.8))
            else:
                base = 6 * self.median_s * math.exp(0.5 * _z((u - 0.8) / 0.2))
            return (base + 15 * held) * lunch * daily
        # "step": fine until three conversations, then much slower
        base = self.median_s * math.exp(0.7 * _z(u))
        return base * (2.5 if held >= 3 else 1.0) * daily


@dataclass
class TruthWorld:
    agents: dict[str, TruthAgent]
    typical: TruthAgent
    buyers: BuyerModel = field(
        default_factory=lambda: BuyerModel(
            follow_up=0.3, follow_gap=_table(25, 0.8),
            ask_again=(0.65, 0.6, 0.55, 0.45, 0.3, 0.2), next_gap=_table(90, 1.0),
            tail=_table(8, 1.5), close=0.35, close_gap=_table(60, 1.0),
            bot_transfer=0.4, bot_gap=_table(25, 0.5),
        )
    )  # fmt: skip
    conversion: ConversionModel = field(
        default_factory=lambda: ConversionModel(
            rate=(0.3, 0.26, 0.22, 0.15, 0.1, 0.05), visits=(0,) * 6,
            lag=_table(1800, 1.2), amount=_table(120, 0.6), unpriced=0.1,
        )
    )  # fmt: skip

    transfers: TransferModel = NO_TRANSFERS

    def agent(self, name: str) -> TruthAgent:
        return self.agents.get(name, self.typical)


def world(config: ShopConfig, mechanics: str, seed: int, mood_seed: int = 7) -> TruthWorld:
    agents = {}
    for index, agent in enumerate(config.agents):
        u = uniform(seed, index, 0, 3)
        agents[agent.id] = TruthAgent(agent.id, 15 + 120 * u * u, mechanics, mood_seed=mood_seed)
    return TruthWorld(agents, TruthAgent("*", 60, mechanics, mood_seed=mood_seed))


def record(config: ShopConfig, events: Iterable[Event], inputs: Inputs) -> None:
    recorder = Recorder(config, inputs)
    for event, _ in run(config, events):
        if event is not None:
            recorder.feed(event)
    inputs.close_writing()


def write_world(
    config: ShopConfig, truth: TruthWorld, inputs: Inputs, seed: int, target: Path
) -> None:
    simulation = Simulation(config, truth, seed)  # type: ignore[arg-type]
    zone = ZoneInfo(config.shop.timezone)
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(log_rows(simulation.run(inputs.events()), zone))
