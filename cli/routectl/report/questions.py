"""R18-R21: questions, their first-response times, and which ones count.

- R18: a question is a run of buyer messages with no human reply between them. Its
  clock starts at the run's first message and stops at the next human reply to that
  buyer (whichever conversation the reply lands in: the chat window is the buyer's).
  Auto-replies and the bot are not human replies; a ``transfer`` is not a reply either.
- R19/R20: a question counts when its first message is inside the report window and
  inside ``[reply_rate] window`` (shop local time of day).
- R21: a message the bot holds (its Routed assignee is ``bot``) neither starts nor
  joins a question; a run of them is a *bot question*, reported apart, never counted.

A question is credited to the assignee of its first message and that message's group.
The engine may name that assignee later than the message (pooled, queued or held
rows), so a question can be answered before it is attributed; it is handed to
``on_done`` once both are known.
"""

from __future__ import annotations

from collections.abc import Callable

from routectl.events import ASSIGNEE_BOT, ASSIGNEE_OFFLINE, BuyerMessage, HumanReply, Routed
from routectl.model import ReplyRate
from routectl.report.clock import LocalClock
from routectl.report.window import Window


class Question:
    """One counted question; ``response_s`` None means no human replied."""

    __slots__ = ("counted", "day", "done", "hour", "line", "response_s", "routed", "start")

    def __init__(self, line: int, start: float, counted: bool, hour: int, day: str) -> None:
        self.line = line
        self.start = start
        self.counted = counted
        self.hour = hour
        self.day = day
        self.routed: Routed | None = None
        self.response_s: float | None = None
        self.done = False

    @property
    def agent(self) -> str:
        return self.routed.assignee if self.routed is not None else ASSIGNEE_OFFLINE

    @property
    def group(self) -> str | None:
        return self.routed.group if self.routed is not None else None


QuestionSink = Callable[[Question], None]

_UNCOUNTED = Question(0, 0.0, False, 0, "")
"""Stands for an open question that does not count: one shared object, no state."""


class QuestionTracker:
    """Per buyer: the open question (or bot run). Memory grows with buyers, not rows."""

    def __init__(
        self, reply_rate: ReplyRate, window: Window, clock: LocalClock, on_done: QuestionSink
    ) -> None:
        self.hours_start = float(reply_rate.window_start_s)
        self.hours_end = float(reply_rate.window_end_s)
        self.window = window
        self.clock = clock
        self.on_done = on_done
        self.open: dict[str, Question] = {}
        self.bot_runs: set[str] = set()
        self.unattributed: dict[int, Question] = {}
        self.bot_questions = 0
        self.outside_hours = 0
        """Questions in the report window but outside ``[reply_rate] window`` (R19)."""

    def message(self, message: BuyerMessage, routed: Routed | None) -> None:
        """A buyer message; ``routed`` is its Routed when the engine gave it right away."""
        buyer = message.buyer
        if routed is not None and routed.assignee == ASSIGNEE_BOT:
            if buyer not in self.bot_runs:
                self.bot_runs.add(buyer)
                if self.window.contains(message.time):
                    self.bot_questions += 1
            return
        if buyer in self.open:
            return
        moment = message.time
        counted = False
        if self.window.contains(moment):
            counted = self.hours_start <= self.clock.second_of_day(moment) < self.hours_end
            if not counted:
                self.outside_hours += 1
        if not counted:
            self.open[buyer] = _UNCOUNTED
            return
        clock = self.clock
        question = Question(message.line, moment, True, clock.hour(moment), clock.day(moment))
        self.open[buyer] = question
        if routed is None:
            self.unattributed[message.line] = question
        else:
            question.routed = routed

    def reply(self, reply: HumanReply) -> None:
        """A human reply ends the buyer's open question and bot run."""
        self.bot_runs.discard(reply.buyer)
        question = self.open.pop(reply.buyer, None)
        if question is None or not question.counted:
            return
        question.response_s = reply.time - question.start
        question.done = True
        if question.routed is not None:
            self.on_done(question)

    def routed(self, routed: Routed) -> None:
        """A Routed that came after its message: attribute a waiting question."""
        question = self.unattributed.pop(routed.line, None)
        if question is None:
            return
        question.routed = routed
        if question.done:
            self.on_done(question)

    def finish(self) -> None:
        """End of log: open questions were never answered; hand everything over."""
        for question in self.open.values():
            if question.counted:
                question.done = True
                if question.routed is not None:
                    self.on_done(question)
        self.open.clear()
        for question in self.unattributed.values():
            self.on_done(question)
        self.unattributed.clear()
