"""One pass over a replayed log feeds both the learner and the inputs recorder."""

from __future__ import annotations

from collections.abc import Iterable

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.sim.inputs import Inputs, Recorder
from routectl.sim.learn import Evidence, Learner


class Preparation:
    """Learns from events before ``learn_until`` (all: None) and records every input."""

    def __init__(
        self,
        config: ShopConfig,
        inputs: Inputs | None = None,
        *,
        learn_until: float | None = None,
    ) -> None:
        self.learner = Learner(config)
        self.recorder = Recorder(config, inputs) if inputs is not None else None
        self.learn_until = learn_until
        self.learning = True

    def feed(self, event: Event, outputs: Iterable[Output]) -> None:
        if self.learning:
            if self.learn_until is not None and event.time >= self.learn_until:
                self.learning = False
            else:
                self.learner.feed(event, outputs)
        if self.recorder is not None:
            self.recorder.feed(event)

    def finish(self, outputs: Iterable[Output] = ()) -> Evidence:
        evidence = self.learner.finish(outputs if self.learning else ())
        if self.recorder is not None:
            self.recorder.inputs.close_writing()
        return evidence

    def consume(self, replayed: Iterable[tuple[Event | None, list[Output]]]) -> Evidence:
        for event, outputs in replayed:
            if event is None:
                return self.finish(outputs)
            self.feed(event, outputs)
        return self.finish()
