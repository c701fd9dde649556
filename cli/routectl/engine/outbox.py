"""What the engine says: routed rows, auto-replies and the explain trace of one buyer.

Every collaborator writes here; :class:`~routectl.engine.core.Engine` hands out what one
event (or the end of the log) produced.
"""

from __future__ import annotations

from typing import final

from routectl.engine.rows import SpillFile
from routectl.engine.state import DAY
from routectl.events import AutoReplySent, Event, Output, Rows, TraceStep


@final
class Outbox:
    """The outputs of the event being fed, and how they are worded."""

    __slots__ = ("batches", "explain", "line", "offline_reply", "out", "spill")

    def __init__(self, explain: str | None, batches: bool, offline_reply: bool) -> None:
        self.out: list[Output] = []
        """Outputs of the event being fed (a new list per event)."""
        self.line = 0
        """Line of the event being fed: where timer-driven trace steps are reported."""
        self.explain = explain
        """The buyer whose decisions are traced (``replay --explain``), if any."""
        self.batches = batches
        """Emit rows settled together as one :class:`Rows` (else one Routed each)."""
        self.offline_reply = offline_reply
        self.spill = SpillFile()
        """Where waiting and held rows go past their memory budget (:mod:`.rows`)."""

    def emit(self, output: Output) -> None:
        self.out.append(output)

    def emit_rows(self, rows: Rows | None) -> None:
        """Rows settled together: one :class:`Rows`, or (``batches`` off) their Routed."""
        if rows is None:
            return
        if self.batches:
            self.out.append(rows)
        else:
            self.out.extend(rows)

    def auto_reply(self, line: int, now: float, buyer: str, kind: str) -> None:
        if kind == "greeting":
            self.out.append(AutoReplySent(line, now, buyer, "greeting"))
        elif self.offline_reply:
            self.out.append(AutoReplySent(line, now, buyer, "offline"))

    def note(self, at: Event, text: str) -> None:
        """A trace step at an event, for the explained buyer (the caller checked)."""
        self.out.append(TraceStep(at.line, at.time, self.explain or "", text))

    def note_for(self, buyer: str, line: int, now: float, text: str) -> None:
        """A trace step if ``buyer`` is the explained one."""
        if buyer == self.explain:
            self.out.append(TraceStep(line, now, buyer, text))


def days_text(seconds: float) -> str:
    """``pool_retention_days`` as the reasons say it: ``1 day``, ``3 days``."""
    count = round(seconds / DAY)
    return f"{count} day" if count == 1 else f"{count} days"
