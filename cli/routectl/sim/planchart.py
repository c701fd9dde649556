"""``report --format html --plan-target 85%``: the plan computed in the report's own pass
over the log, as the plan's JSON document for the page's chart of the hourly need."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.sim.calibrate import learned_model
from routectl.sim.inputs import Inputs
from routectl.sim.plan import Goal, plan
from routectl.sim.planlog import Observer
from routectl.sim.planrender import plan_json
from routectl.sim.predict import DEFAULT_RUNS, default_jobs

Pairs = Iterable[tuple[Event | None, list[Output]]]


class ReportPlan:
    def __init__(self, config: ShopConfig, goal: Goal, inputs: Inputs) -> None:
        self.config = config
        self.goal = goal
        self.inputs = inputs
        self.observer = Observer(config, inputs)

    def watch(self, replayed: Pairs) -> Iterator[tuple[Event | None, list[Output]]]:
        return self.observer.watch(replayed)

    def document(self) -> dict[str, Any] | None:
        """The plan (``routectl plan``'s defaults, the whole log); None: no buyer."""
        if self.observer.result is None or self.inputs.arrivals == 0:
            return None
        evidence, actual = self.observer.result
        routing = sum(1 for agent in self.config.agents if agent.routing)
        result = plan(
            self.config, learned_model(self.config, evidence, self.inputs.events, 1), self.inputs,
            actual, self.goal,
            max_agents=max(20, 2 * routing), like=None, runs=DEFAULT_RUNS, seed=1,
            jobs=default_jobs(),
        )  # fmt: skip
        document: dict[str, Any] = json.loads(plan_json(result))
        return document


@contextmanager
def planning(config: ShopConfig, goal: Goal | None) -> Iterator[ReportPlan | None]:
    if goal is None:
        yield None
        return
    with Inputs() as inputs:
        yield ReportPlan(config, goal, inputs)
