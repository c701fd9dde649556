"""Aggregate one replay (events + engine outputs) into a :class:`~.tally.Tally`, streaming.

Feed :meth:`ReportBuilder.feed` every event with the outputs the engine returned for it,
then :meth:`ReportBuilder.finish` with the engine's final outputs; its tally becomes a
report in :func:`~.assemble.assemble_report`. Memory grows with
buyers, agents and days (a few bounded histograms per day), never with rows.

Everything is attributed to the moment of its message: a message, inquiry, offline
message, auto-reply or lag-held message counts when its time is inside the window; a
question when its first message is (R19); online time is clipped to the window (R4).
Answers and assignments that come after ``--until`` still complete what started inside.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    RULE_OFFLINE,
    AutoReplySent,
    BuyerMessage,
    Event,
    HumanReply,
    LagHeld,
    Output,
    Paid,
    PoolExpired,
    Routed,
    Rows,
    StatusChange,
    Transferred,
)
from routectl.model import ShopConfig
from routectl.report.clock import LocalClock
from routectl.report.contradictions import contradiction_kind
from routectl.report.presence import Presence
from routectl.report.questions import QuestionTracker
from routectl.report.records import NO_GROUP, BuyerFigures, Question
from routectl.report.sales import SalesLedger
from routectl.report.shares import ShareModel
from routectl.report.stats import Histogram, ReplyStats, record, record_average
from routectl.report.tally import Counts, HourCounts, Tally
from routectl.report.weights import WeightEvidence
from routectl.report.window import Window

UNANSWERED_AFTER_S = 600.0
"""An assigned inquiry with no human reply this long after assignment is flagged."""

_NOT_AGENTS = (ASSIGNEE_BOT, ASSIGNEE_OFFLINE)


class ReportBuilder:
    """The streaming state of a report."""

    def __init__(
        self, config: ShopConfig, window: Window, *, days: bool = True, breakdowns: bool = True
    ) -> None:
        self.config = config
        self.window = window
        self.breakdowns = breakdowns
        """Keep the hour, day and group rows and the imbalance explanation. Without them
        (``routectl diff``) the report has its summary, same figures, and agent rows with
        what the diff shows (inquiries, share, rules, reply figures, online time); their
        expected shares and sales are left empty."""
        self.days = days and breakdowns
        """Keep the per-day rows (``--by day``); without them a report is cheaper."""
        self.threshold = float(config.reply_rate.threshold_s)
        self.slow_after = float(config.reply_rate.slow_after_s)
        self.avg_cap = float(config.reply_rate.avg_cap_s)
        self.clock = LocalClock(ZoneInfo(config.shop.timezone))
        self.presence = Presence(config, window, self.clock)
        self.shares = ShareModel(config, expected=breakdowns)
        self.buyers: dict[str, BuyerFigures] = {}
        self.questions = QuestionTracker(
            config.reply_rate, window, self.clock, self._answered, breakdowns=breakdowns
        )
        self.sales = SalesLedger(window, float(config.sales.conversion_window_s), rows=breakdowns)
        self.first_event: float | None = None
        self.last_event: float | None = None
        self.shop = Counts()
        """The shop's counters. Its ``replies`` stay empty until :meth:`finish` sums them
        from ``by_agent`` and ``no_agent``."""
        self.by_hour = [HourCounts() for _ in range(24)]
        self.by_day: defaultdict[str, Counts] = defaultdict(Counts)
        self.by_agent: defaultdict[str, ReplyStats] = defaultdict(ReplyStats)
        self.no_agent = ReplyStats()
        """Questions attributed to ``bot`` or ``offline`` (no agent's): with ``by_agent``,
        every question exactly once."""
        self.by_group: defaultdict[str, ReplyStats] = defaultdict(ReplyStats)
        self.group_inquiries: Counter[str] = Counter()
        self.group_queued: Counter[str] = Counter()
        self.figures: Counter[str] = Counter()
        self._group_names = frozenset(group.name for group in config.groups)
        self._routing_members = {
            group.name: tuple(a.id for a in config.agents if a.routing and group.name in a.groups)
            for group in config.groups
        }
        self.weight_evidence = WeightEvidence()
        self.attributed: Counter[str] = Counter()
        """Counted questions by where their agent comes from (P2)."""
        self.observed_inquiries: Counter[str] = Counter()
        """Inquiries in the window by the log's ``received_by`` (P3)."""
        self.agreement: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
        """Per engine rule: [inquiries with a ``received_by``, routed to that same agent]."""
        self.contradictions: dict[str, list[Any]] = {}
        """Per kind: [count, first line, its buyer, its receiver] (see :mod:`.contradictions`)."""
        # Two shop-wide histograms, exact to the second: at most one entry per second of
        # the longest wait, not per row (the per-day and per-agent ones are bucketed).
        self.pool_waits = Histogram(exact=True)
        self.queue_waits = Histogram(exact=True)

    # --- input --------------------------------------------------------------------

    def feed(self, event: Event, outputs: Iterable[Output]) -> None:
        """One event and the outputs the engine returned while handling it."""
        if self.first_event is None:
            self.first_event = event.time
        self.last_event = event.time
        if isinstance(event, BuyerMessage):
            self._message(event, outputs)
            return
        if isinstance(event, HumanReply):
            self._reply(event)
        elif isinstance(event, Paid):
            self.sales.paid(self.buyers.get(event.buyer), event)
        elif isinstance(event, StatusChange):
            self._status(event, outputs)
            return
        for output in outputs:
            self._output(output)

    def finish(self, outputs: Iterable[Output]) -> Tally:
        """The engine's end-of-log outputs; returns what the replay counted."""
        for output in outputs:
            self._output(output)
        self.questions.finish(self.buyers.values())
        end = self._end()
        self.presence.finish(end)
        self._close_watches(end)
        self.shares.settle(self.presence.available)
        self._sum_shop_replies()
        return self._tally(end)

    def _close_watches(self, end: float) -> None:
        """Watches that ran out by the end of the log were never answered in time."""
        for buyer in self.buyers.values():
            if buyer.watch is not None and buyer.watch <= end:
                self.figures["unanswered_after_10m"] += 1
            buyer.watch = None

    def _tally(self, end: float) -> Tally:
        questions = self.questions
        return Tally(
            config=self.config,
            window=self.window,
            clock=self.clock,
            breakdowns=self.breakdowns,
            first_event=self.first_event,
            last_event=self.last_event,
            end=end,
            shop=self.shop,
            by_hour=self.by_hour,
            by_day=self.by_day,
            by_agent=self.by_agent,
            by_group=self.by_group,
            group_inquiries=self.group_inquiries,
            group_queued=self.group_queued,
            figures=self.figures,
            transferred_unanswered=questions.transferred_unanswered,
            questions_outside_hours=questions.outside_hours,
            bot_questions=questions.bot_questions,
            agent_times=self.presence.agents,
            shares=self.shares,
            sales=self.sales,
            pool_waits=self.pool_waits,
            queue_waits=self.queue_waits,
            attributed=self.attributed,
            observed_inquiries=self.observed_inquiries,
            agreement=self.agreement,
            contradictions=self.contradictions,
            weight_evidence=self.weight_evidence,
        )

    def _sum_shop_replies(self) -> None:
        """Every question is held by exactly one agent or by none: the shop is their sum."""
        shop = ReplyStats()
        for stats in (*self.by_agent.values(), self.no_agent):
            shop.merge(stats)
        self.shop.replies = shop

    def _end(self) -> float:
        """Where online time stops: the window's end or the last event, the earlier."""
        if self.last_event is None:
            return self.window.since if not math.isinf(self.window.since) else 0.0
        return min(self.last_event, self.window.until)

    def _buyer(self, buyer_id: str) -> BuyerFigures:
        buyer = self.buyers.get(buyer_id)
        if buyer is None:
            buyer = self.buyers[buyer_id] = BuyerFigures()
        return buyer

    # --- events -------------------------------------------------------------------

    def _message(self, message: BuyerMessage, outputs: Iterable[Output]) -> None:
        if type(outputs) is not list:
            outputs = list(outputs)
        moment = message.time
        line = message.line
        own = None
        if outputs:  # the message's own Routed, if the engine decided it now: last, mostly
            last = outputs[-1]
            if type(last) is Routed and last.line == line:
                own = last
            else:
                for output in outputs:
                    if type(output) is Routed and output.line == line:
                        own = output
                        break
        if self.window.contains(moment):
            self.shop.messages += 1
            if self.breakdowns:
                hour, day = self.clock.hour_and_day(moment)
                self.by_hour[hour].messages += 1
                if self.days:
                    self.by_day[day].messages += 1
        buyer = self._buyer(message.buyer)
        self.questions.message(buyer, message, own)
        buyer.last_message = moment
        for output in outputs:
            if own is not None and output is own:
                self._routed(own, buyer)
            else:
                self._output(output)

    def _reply(self, reply: HumanReply) -> None:
        buyer = self._buyer(reply.buyer)
        self.questions.reply(buyer, reply)
        buyer.last_reply = reply.time
        deadline = buyer.watch
        if deadline is not None:
            buyer.watch = None
            if reply.time > deadline:
                self.figures["unanswered_after_10m"] += 1

    def _status(self, event: StatusChange, outputs: Iterable[Output]) -> None:
        # Outputs of timers that fired before this status change saw the old presence.
        later = []
        for output in outputs:
            if _effective_time(output) < event.time:
                self._output(output)
            else:
                later.append(output)
        presence = self.presence
        if self.shares.expected and presence.changes_availability(event):
            self.shares.flush(presence.available)  # what was handed out so far saw this set
        presence.status(event)
        for output in later:
            self._output(output)

    def _answered(self, question: Question) -> None:
        """A counted or averaged question is complete (answered or never) and attributed."""
        routed = question.routed
        agent = question.agent
        held = self.by_agent[agent] if agent not in _NOT_AGENTS else self.no_agent
        cap = self.avg_cap if question.averaged else None
        source = question.source
        if question.counted:
            self.attributed[source] += 1
        if not self.breakdowns:
            if question.counted:
                record((held,), None, question.response_s, self.threshold, self.slow_after, cap)
            elif cap is not None:
                record_average((held,), question.response_s, cap)
            return
        if question.group_label is not None:
            group = question.group_label
        elif routed is not None and routed.new_inquiry:
            group = routed.group or NO_GROUP
        else:
            buyer = self.buyers.get(routed.buyer) if routed is not None else None
            group = buyer.group if buyer is not None else NO_GROUP
        if source != "replayed" and group in self._group_names:
            group = self._transfer_group(group, agent)  # the log's holder is not in it
        stats: tuple[ReplyStats, ...] = (held, self.by_group[group])
        if self.days:
            stats = (held, self.by_group[group], self.by_day[question.day].replies)
        hour = self.by_hour[question.hour].replies
        if question.counted:
            record(stats, hour, question.response_s, self.threshold, self.slow_after, cap)
        elif cap is not None:
            record_average((*stats, hour), question.response_s, cap)

    # --- engine outputs -------------------------------------------------------------

    def _output(self, output: Output) -> None:
        if isinstance(output, Routed):
            self._routed(output, self._buyer(output.buyer))
            return
        if isinstance(output, Rows):  # rows one decision settled (an engine with batches)
            buyer = self._buyer(output.buyer)
            for routed in output:
                self._routed(routed, buyer)
            return
        if isinstance(output, Transferred):
            self._transferred(output)
            return
        if not self.window.contains(output.time):
            return
        if isinstance(output, AutoReplySent):
            kind_of_reply = output.kind
            name = "greetings_sent" if kind_of_reply == "greeting" else "offline_auto_replies"
            self.figures[name] += 1
        elif isinstance(output, PoolExpired):
            self.figures["expired_pool_messages"] += 1
        elif isinstance(output, LagHeld):
            self.figures["lag_held_messages"] += 1

    def _routed(self, routed: Routed, buyer: BuyerFigures) -> None:
        if self.questions.unattributed:  # most Routed come with their message: none waits
            self.questions.routed(routed)
        new_inquiry = routed.new_inquiry
        if new_inquiry:
            label = buyer.group = routed.group or NO_GROUP
            assignee = routed.assignee
            if routed.assigned_at is not None and assignee not in _NOT_AGENTS:
                observed = routed.observed  # R25 credit goes to who held it in the log (P2)
                if observed is not None and observed != assignee:
                    assignee, label = observed, self._transfer_group(label, observed)
                self.sales.receipt(buyer, routed.buyer, assignee, label, routed.time)
        if not self.window.contains(routed.time):
            return
        if routed.rule == RULE_OFFLINE:
            self.shop.offline_messages += 1
            if self.days:
                self.by_day[self.clock.day(routed.time)].offline_messages += 1
        if routed.assignee == ASSIGNEE_BOT:
            self.figures["bot_messages"] += 1
        if new_inquiry:
            self._inquiry(routed, buyer)

    def _inquiry(self, routed: Routed, buyer: BuyerFigures) -> None:
        self.shop.inquiries += 1
        if self.breakdowns:
            hour, day = self.clock.hour_and_day(routed.time)
            self.by_hour[hour].inquiries += 1
            if self.days:
                self.by_day[day].inquiries += 1
        label = routed.group or NO_GROUP
        self.group_inquiries[label] += 1
        assignee = routed.assignee
        observed = routed.observed
        if observed is not None:
            self.observed_inquiries[observed] += 1
            agreed = self.agreement[routed.rule]
            agreed[0] += 1
            if observed == assignee:
                agreed[1] += 1
            elif routed.assigned_at == routed.time:
                self._contradiction(routed, observed)
            if routed.assigned_at == routed.time and routed.group in self._routing_members:
                self._weight_pick(routed.group, observed)
        assigned_at = routed.assigned_at
        if routed.rule == RULE_OFFLINE or assigned_at != routed.time:
            self._waited(routed, label)
        if assignee == ASSIGNEE_BOT:
            self.figures["bot_inquiries"] += 1
            return
        if assignee == ASSIGNEE_OFFLINE or assigned_at is None:
            self.figures["unassigned_inquiries"] += 1
            return
        self.shares.inquiry(assignee, routed.group, routed.rule)
        self._watch(buyer, routed, assigned_at)

    def _weight_pick(self, group: str, observed: str) -> None:
        """A group pick the log names: evidence for the implied weights (P3)."""
        available = self.presence.available
        candidates = tuple(a for a in self._routing_members[group] if a in available)
        if observed in candidates and len(candidates) > 1:
            self.weight_evidence.pick(candidates, observed)

    def _contradiction(self, routed: Routed, observed: str) -> None:
        """P3: the log's receiver of a routed inquiry is one the config could not pick."""
        kind = contradiction_kind(self.config, routed, observed, self.presence.available)
        if kind is not None:
            seen = self.contradictions.get(kind)
            if seen is None:
                self.contradictions[kind] = [1, routed.line, routed.buyer, observed]
            else:
                seen[0] += 1

    def _transferred(self, transfer: Transferred) -> None:
        """R17b/R11: the buyer's conversation moved to a human (R18 questions, R25 credit)."""
        buyer = self._buyer(transfer.buyer)
        label = buyer.group = self._transfer_group(buyer.group, transfer.to_agent)
        self.questions.transferred(buyer, transfer, label)
        self.sales.receipt(buyer, transfer.buyer, transfer.to_agent, label, transfer.time)
        if self.window.contains(transfer.time):
            self.figures["transfers"] += 1

    def _transfer_group(self, current: str, agent_id: str) -> str:
        """The buyer's group if the new agent is in it, else the agent's first group."""
        agent = self.config.agent(agent_id)
        if agent is None or not agent.groups or current in agent.groups:
            return current
        return agent.groups[0]

    def _watch(self, buyer: BuyerFigures, routed: Routed, assigned_at: float) -> None:
        """Start the 10-minute watch of an assigned inquiry (answered before? no watch)."""
        old = buyer.watch
        if old is not None:
            if assigned_at <= old:
                return  # the buyer is still within the first inquiry's 10 minutes: one watch
            self.figures["unanswered_after_10m"] += 1  # a new inquiry, the old one never answered
        if buyer.last_reply >= routed.time:
            buyer.watch = None
            return  # replied to while it waited for an agent
        buyer.watch = assigned_at + UNANSWERED_AFTER_S

    def _waited(self, routed: Routed, label: str) -> None:
        """Pooled (R14) and queued (R13) inquiries: how many, and how long they waited."""
        assigned_at = routed.assigned_at
        if routed.rule == RULE_OFFLINE:
            self.figures["pooled_inquiries"] += 1
            if assigned_at is None:
                self.figures["pooled_never_assigned"] += 1
            else:
                self.pool_waits.add(assigned_at - routed.time)
        elif routed.assignee != ASSIGNEE_BOT and (assigned_at is None or assigned_at > routed.time):
            self.figures["queued_inquiries"] += 1
            self.group_queued[label] += 1
            if assigned_at is not None:
                self.queue_waits.add(assigned_at - routed.time)


def _effective_time(output: Output) -> float:
    if isinstance(output, Routed) and output.assigned_at is not None:
        return output.assigned_at
    return output.time
