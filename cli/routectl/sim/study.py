"""The shell side of ``diff --predict``: learn during diff's own pass over the log, then
predict (the log is read once)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.report import Report
from routectl.sim import render
from routectl.sim.calibrate import learned_model
from routectl.sim.inputs import Inputs
from routectl.sim.learn import Evidence
from routectl.sim.model import ReplyModel
from routectl.sim.prepare import Preparation
from routectl.sim.weeks import WeekReports
from routectl.sim.whatif import Prediction, predict


class Study:
    def __init__(self, base: ShopConfig, inputs: Inputs) -> None:
        self.base = base
        self.inputs = inputs
        self.preparation = Preparation(base, inputs)
        self.weeks = WeekReports(base)
        self.evidence: Evidence | None = None
        """What the pass learned, once it has ended."""

    def observe(self, event: Event | None, outputs: list[Output]) -> None:
        if event is None:
            self.evidence = self.preparation.finish(outputs)
            self.weeks.finish(outputs)
        else:
            self.preparation.feed(event, outputs)
            self.weeks.feed(event, outputs)

    def predict(
        self, new: ShopConfig, actual: Report, saved: ReplyModel | None, runs: int, seed: int,
        jobs: int,
    ) -> Prediction:  # fmt: skip
        if self.evidence is None:
            self.observe(None, [])
        model = saved
        if model is None:
            assert self.evidence is not None  # the pass has ended just above
            model = learned_model(self.base, self.evidence, self.inputs.events, seed)
        return predict(self.base, new, model, self.inputs, actual, runs=runs, seed=seed,
                       jobs=jobs, weeks=self.weeks)  # fmt: skip


@contextmanager
def predicting(base: ShopConfig, wanted: bool) -> Iterator[Study | None]:
    if not wanted:
        yield None
        return
    with Inputs() as inputs:
        yield Study(base, inputs)


def with_prediction(text: str, fmt: str, prediction: Prediction) -> str:
    if fmt == "json":
        return render.with_prediction_json(text, prediction)
    if fmt == "markdown":
        return text + "\n" + render.prediction_markdown(prediction)
    return text + "\n" + render.prediction_table(prediction)
