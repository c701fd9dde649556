"""R18-R21, R23: questions, their first-response times, and which ones count.

- R18: a question is a run of buyer messages with no human reply between them, held by
  one agent. Its clock starts at the run's first message and stops at the next human
  reply to that buyer (whichever conversation the reply lands in: the chat window is the
  buyer's). Auto-replies and the bot are not human replies; a ``transfer`` is not a reply
  either. When the engine reports a transfer to another agent (a ``Transferred`` output)
  before the reply, the open question ends unanswered for the agent that held it, and a
  new question starts for the new agent at the transfer time. A transfer from the bot
  (R11) ends the bot's run (never counted, R21) and starts a question for the human at
  the transfer time: the buyer has been waiting for a human since then.
- R19/R20: a question counts when its first message (or its transfer) is inside the
  report window and inside ``[reply_rate] window`` (shop local time of day).
- R23: it is *averaged* when that moment is inside the report window and inside
  ``avg_window`` (08:00-23:00 by default); the two sets are kept apart.
- R21: a message the bot holds (its Routed assignee is ``bot``) neither starts nor
  joins a question; a run of them is a *bot question*, reported apart, never counted.

A question is credited to the agent that held it in the log (P2): its first message's
``received_by``, else the agent of the reply that answered it, else the replay's
assignee of its first message or the agent a transfer named. Shop figures do not
depend on it. The engine may name the assignee later than the
message (pooled, queued or held rows), so a question can be answered before it is
attributed; it is handed to ``on_done`` once both are known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    BuyerMessage,
    HumanReply,
    Routed,
    Transferred,
)
from routectl.model import ReplyRate
from routectl.report.clock import LocalClock
from routectl.report.records import BuyerFigures, Question
from routectl.report.window import Window

QuestionSink = Callable[[Question], None]

_UNCOUNTED = Question(0, 0.0, False, False, 0, "")
"""Stands for an open question that does not count: one shared object, no state."""


class QuestionTracker:
    """Per buyer (in its :class:`BuyerFigures`): the open question or bot run.

    ``breakdowns=False``: questions carry no hour and day (the report shows none)."""

    def __init__(
        self,
        reply_rate: ReplyRate,
        window: Window,
        clock: LocalClock,
        on_done: QuestionSink,
        *,
        breakdowns: bool = True,
    ) -> None:
        self.hours_start = float(reply_rate.window_start_s)
        self.hours_end = float(reply_rate.window_end_s)
        self.avg_start = float(reply_rate.avg_window_start_s)
        self.avg_end = float(reply_rate.avg_window_end_s)
        self.window = window
        self.clock = clock
        self.breakdowns = breakdowns
        self.on_done = on_done
        self.unattributed: dict[int, Question] = {}
        self.bot_questions = 0
        self.transferred_unanswered = 0
        """Counted questions a transfer ended before any reply (R18)."""
        self.outside_hours = 0
        """Questions in the report window but outside ``[reply_rate] window`` (R19)."""

    def message(self, buyer: BuyerFigures, message: BuyerMessage, routed: Routed | None) -> None:
        """A buyer message; ``routed`` is its Routed when the engine gave it right away."""
        if routed is not None and routed.assignee == ASSIGNEE_BOT:
            if not buyer.bot_run:
                buyer.bot_run = True
                if self.window.contains(message.time):
                    self.bot_questions += 1
            return
        if buyer.question is not None:
            return
        question = buyer.question = self._start(message.line, message.time)
        if question is _UNCOUNTED:
            return
        question.observed = message.received_by
        if routed is None:
            self.unattributed[message.line] = question
        else:
            question.routed = routed

    def _start(self, line: int, moment: float) -> Question:
        if not self.window.contains(moment):
            return _UNCOUNTED
        if self.breakdowns:
            second, hour, day = self.clock.place(moment)
        else:
            second, hour, day = self.clock.second_of_day(moment), 0, ""
        counted = self.hours_start <= second < self.hours_end
        averaged = self.avg_start <= second < self.avg_end
        if not counted:
            self.outside_hours += 1
            if not averaged:
                return _UNCOUNTED
        return Question(line, moment, counted, averaged, hour, day)

    def reply(self, buyer: BuyerFigures, reply: HumanReply) -> None:
        """A human reply ends the buyer's open question and bot run."""
        buyer.bot_run = False
        question = buyer.question
        if question is None:
            return
        buyer.question = None
        if question is _UNCOUNTED:
            return
        question.response_s = reply.time - question.start
        question.replier = reply.agent
        question.done = True
        if question.attributed:
            self.on_done(question)

    def routed(self, routed: Routed) -> None:
        """A Routed that came after its message: attribute a waiting question."""
        question = self.unattributed.pop(routed.line, None)
        if question is None:
            return
        question.routed = routed
        if question.done:
            self.on_done(question)

    def transferred(self, buyer: BuyerFigures, transfer: Transferred, group_label: str) -> None:
        """R18: the buyer's conversation moved to ``transfer.to_agent``."""
        waiting = buyer.bot_run
        buyer.bot_run = False
        question = buyer.question
        buyer.question = None
        if question is not None:
            waiting = True
            if transfer.from_assignee == ASSIGNEE_BOT and question is not _UNCOUNTED:
                # A message sent after an R11 hand-over that had to wait (pool, queue):
                # the question already started after the transfer; it is the new agent's.
                self._hand_to(question, transfer.to_agent, group_label)
                buyer.question = question
                return
            if question is not _UNCOUNTED:
                self._end_unanswered(question, transfer.from_assignee)
        if not waiting:
            return  # every message was answered: nothing is pending for the new agent
        new = buyer.question = self._start(transfer.line, transfer.time)
        if new is not _UNCOUNTED:
            self._hand_to(new, transfer.to_agent, group_label)

    def _hand_to(self, question: Question, agent: str, group_label: str) -> None:
        self.unattributed.pop(question.line, None)
        question.owner = agent
        question.group_label = group_label
        if question.done:
            self.on_done(question)

    def _end_unanswered(self, question: Question, agent: str) -> None:
        self.unattributed.pop(question.line, None)
        if agent != ASSIGNEE_BOT and agent != ASSIGNEE_OFFLINE:
            question.owner = agent
        question.done = True
        if question.counted:
            self.transferred_unanswered += 1
        self.on_done(question)

    def finish(self, buyers: Iterable[BuyerFigures]) -> None:
        """End of log: open questions were never answered; hand everything over."""
        for buyer in buyers:
            question = buyer.question
            buyer.question = None
            if question is not None and question is not _UNCOUNTED:
                question.done = True
                if question.attributed:
                    self.on_done(question)
        for question in self.unattributed.values():
            self.on_done(question)
        self.unattributed.clear()
