"""Aggregate one replay (events + engine outputs) into a :class:`Report`, streaming.

Feed :meth:`ReportBuilder.feed` every event with the outputs the engine returned for it,
then :meth:`ReportBuilder.finish` with the engine's final outputs. Memory grows with
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
    StatusChange,
    Transferred,
)
from routectl.model import ShopConfig
from routectl.report.clock import LocalClock
from routectl.report.explain import explain_imbalances
from routectl.report.presence import Presence
from routectl.report.questions import Question, QuestionTracker
from routectl.report.result import Report
from routectl.report.sales import SalesLedger
from routectl.report.shares import ShareModel
from routectl.report.stats import Histogram, RateCounts, ReplyStats, record, record_average
from routectl.report.tables import Tables
from routectl.report.window import Window

UNANSWERED_AFTER_S = 600.0
"""An assigned inquiry with no human reply this long after assignment is flagged."""

NO_GROUP = "-"
"""Group label of inquiries not routed by group (recent contact, dedicated, bot, pool)."""

_NOT_AGENTS = (ASSIGNEE_BOT, ASSIGNEE_OFFLINE)


class Counts:
    """Plain counters for one breakdown row (the shop or a day)."""

    __slots__ = ("inquiries", "messages", "offline_messages", "replies")

    def __init__(self) -> None:
        self.messages = 0
        self.inquiries = 0
        self.offline_messages = 0
        self.replies = ReplyStats()


class HourCounts:
    """Counters for one hour of day (no response times: the hour table shows no median)."""

    __slots__ = ("inquiries", "messages", "replies")

    def __init__(self) -> None:
        self.messages = 0
        self.inquiries = 0
        self.replies = RateCounts()


class ReportBuilder:
    """The streaming state of a report."""

    def __init__(
        self, config: ShopConfig, window: Window, *, days: bool = True, breakdowns: bool = True
    ) -> None:
        self.config = config
        self.window = window
        self.breakdowns = breakdowns
        """Keep the hour, day and group rows and the imbalance explanation. Without them
        (``routectl diff``) the report has its summary and agent rows only, same figures."""
        self.days = days and breakdowns
        """Keep the per-day rows (``--by day``); without them a report is cheaper."""
        self.threshold = float(config.reply_rate.threshold_s)
        self.slow_after = float(config.reply_rate.slow_after_s)
        self.avg_cap = float(config.reply_rate.avg_cap_s)
        self.clock = LocalClock(ZoneInfo(config.shop.timezone))
        self.presence = Presence(config, window, self.clock)
        self.shares = ShareModel(config)
        self.questions = QuestionTracker(config.reply_rate, window, self.clock, self._answered)
        self.sales = SalesLedger(window, float(config.sales.conversion_window_s))
        self._asked = self.sales.last_message
        self.first_event: float | None = None
        self.last_event: float | None = None
        self.shop = Counts()
        self.by_hour = [HourCounts() for _ in range(24)]
        self._no_hour = RateCounts()  # where record() counts the hour without breakdowns
        self._since = window.since
        self._until = window.until
        self.by_day: defaultdict[str, Counts] = defaultdict(Counts)
        self.by_agent: defaultdict[str, ReplyStats] = defaultdict(ReplyStats)
        self.by_group: defaultdict[str, ReplyStats] = defaultdict(ReplyStats)
        self.group_inquiries: Counter[str] = Counter()
        self.group_queued: Counter[str] = Counter()
        self.agent_rules: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.buyer_group: dict[str, str] = {}
        self.watches: dict[str, float] = {}
        self.last_reply: dict[str, float] = {}
        self.figures: Counter[str] = Counter()
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
        if type(event) is BuyerMessage:
            if type(outputs) is not list:
                outputs = list(outputs)
            self._message(event, _own_routed(event.line, outputs))
        elif type(event) is HumanReply:
            self._reply(event)
        elif type(event) is Paid:
            self.sales.paid(event)
        elif isinstance(event, StatusChange):
            # Outputs of timers that fired before this status change saw the old presence.
            later = []
            for output in outputs:
                if _effective_time(output) < event.time:
                    self._output(output)
                else:
                    later.append(output)
            self.presence.status(event)
            outputs = later
        for output in outputs:
            self._output(output)

    def finish(self, outputs: Iterable[Output]) -> Report:
        """The engine's end-of-log outputs; returns the report."""
        for output in outputs:
            self._output(output)
        self.questions.finish()
        end = self._end()
        self.presence.finish(end)
        for deadline in self.watches.values():
            if deadline <= end:
                self.figures["unanswered_after_10m"] += 1
        self.watches.clear()
        self.shares.settle()
        tables = Tables(self)
        agents = tables.agents()
        full = self.breakdowns
        return Report(
            shop=self.config.shop.name,
            timezone=self.config.shop.timezone,
            since=self.window.bounded_since,
            until=self.window.bounded_until,
            first_event=self.first_event,
            last_event=self.last_event,
            days=tables.days_spanned,
            reply_hours=self.config.reply_rate.window_text,
            threshold_s=self.config.reply_rate.threshold_s,
            avg_hours=self.config.reply_rate.avg_window_text,
            avg_cap_s=self.config.reply_rate.avg_cap_s,
            slow_after_s=self.config.reply_rate.slow_after_s,
            conversion_window_s=self.config.sales.conversion_window_s,
            summary=tables.summary(),
            agents=agents,
            groups=tables.groups() if full else (),
            hours=tables.hours() if full else (),
            days_rows=tables.days() if full else (),
            imbalances=explain_imbalances(self.config, agents, tables.agent_context())
            if full
            else (),
        )

    def _end(self) -> float:
        """Where online time stops: the window's end or the last event, the earlier."""
        if self.last_event is None:
            return self.window.since if not math.isinf(self.window.since) else 0.0
        return min(self.last_event, self.window.until)

    # --- events -------------------------------------------------------------------

    def _message(self, message: BuyerMessage, own: Routed | None) -> None:
        moment = message.time
        if self._since <= moment < self._until:
            self.shop.messages += 1
            if self.breakdowns:
                hour, day = self.clock.hour_and_day(moment)
                self.by_hour[hour].messages += 1
                if self.days:
                    self.by_day[day].messages += 1
        self.questions.message(message, own)
        self._asked[message.buyer] = moment  # SalesLedger.message, inlined (every message)

    def _reply(self, reply: HumanReply) -> None:
        self.questions.reply(reply)
        self.last_reply[reply.buyer] = reply.time
        deadline = self.watches.pop(reply.buyer, None)
        if deadline is not None and reply.time > deadline:
            self.figures["unanswered_after_10m"] += 1

    def _answered(self, question: Question) -> None:
        """A counted or averaged question is complete (answered or never) and attributed."""
        routed = question.routed
        agent = question.owner or (routed.assignee if routed is not None else ASSIGNEE_OFFLINE)
        if not self.breakdowns:
            self._answered_shop_and_agent(question, agent)
            return
        if question.group_label is not None:
            group = question.group_label
        elif routed is not None and routed.new_inquiry:
            group = routed.group or NO_GROUP
        else:
            group = self.buyer_group.get(routed.buyer if routed else "", NO_GROUP)
        shop: tuple[ReplyStats, ...] = (self.shop.replies,)
        if self.days:
            shop = (self.shop.replies, self.by_day[question.day].replies)
        if agent != ASSIGNEE_OFFLINE and agent != ASSIGNEE_BOT:
            stats = (*shop, self.by_agent[agent], self.by_group[group])
        else:
            stats = (*shop, self.by_group[group])
        hour = self.by_hour[question.hour].replies
        response = question.response_s
        cap = self.avg_cap if question.averaged else None
        if question.counted:
            record(stats, hour, response, self.threshold, self.slow_after, cap)
        elif cap is not None:
            record_average((*stats, hour), response, cap)

    def _answered_shop_and_agent(self, question: Question, agent: str) -> None:
        """:meth:`_answered` without breakdowns: the shop's and the agent's figures."""
        stats: tuple[ReplyStats, ...] = (self.shop.replies,)
        if agent != ASSIGNEE_OFFLINE and agent != ASSIGNEE_BOT:
            stats = (self.shop.replies, self.by_agent[agent])
        cap = self.avg_cap if question.averaged else None
        if question.counted:
            record(stats, self._no_hour, question.response_s, self.threshold, self.slow_after, cap)
        elif cap is not None:
            record_average(stats, question.response_s, cap)

    # --- engine outputs -------------------------------------------------------------

    def _output(self, output: Output) -> None:
        if type(output) is Routed:
            self._routed(output)
            return
        if isinstance(output, Transferred):
            self._transferred(output)
            return
        if not self._since <= output.time < self._until:
            return
        if isinstance(output, AutoReplySent):
            name = "greetings_sent" if output.kind == "greeting" else "offline_auto_replies"
            self.figures[name] += 1
        elif isinstance(output, PoolExpired):
            self.figures["expired_pool_messages"] += 1
        elif isinstance(output, LagHeld):
            self.figures["lag_held_messages"] += 1

    def _routed(self, routed: Routed) -> None:
        if self.questions.unattributed:  # most Routed come with their message: none waits
            self.questions.routed(routed)
        if routed.new_inquiry:
            label = self.buyer_group[routed.buyer] = routed.group or NO_GROUP
            assignee = routed.assignee
            if routed.assigned_at is not None and assignee not in _NOT_AGENTS:
                self.sales.receipt(routed.buyer, assignee, label, routed.time)
        if not self._since <= routed.time < self._until:
            return
        if routed.rule == RULE_OFFLINE:
            self.shop.offline_messages += 1
            if self.days:
                self.by_day[self.clock.day(routed.time)].offline_messages += 1
        if routed.assignee == ASSIGNEE_BOT:
            self.figures["bot_messages"] += 1
        if routed.new_inquiry:
            self._inquiry(routed)

    def _inquiry(self, routed: Routed) -> None:
        self.shop.inquiries += 1
        if self.breakdowns:
            hour, day = self.clock.hour_and_day(routed.time)
            self.by_hour[hour].inquiries += 1
            if self.days:
                self.by_day[day].inquiries += 1
        label = routed.group or NO_GROUP
        self.group_inquiries[label] += 1
        self._waited(routed, label)
        assignee = routed.assignee
        if assignee == ASSIGNEE_BOT:
            self.figures["bot_inquiries"] += 1
            return
        if assignee == ASSIGNEE_OFFLINE or routed.assigned_at is None:
            self.figures["unassigned_inquiries"] += 1
            return
        presence = self.presence
        self.shares.inquiry(assignee, routed.group, presence.available, presence.version)
        self.agent_rules[assignee][routed.rule] += 1
        self._watch(routed, routed.assigned_at)

    def _transferred(self, transfer: Transferred) -> None:
        """R17b/R11: the buyer's conversation moved to a human (R18 questions, R25 credit)."""
        buyer = transfer.buyer
        label = self._transfer_group(buyer, transfer.to_agent)
        self.buyer_group[buyer] = label
        self.questions.transferred(transfer, label)
        self.sales.receipt(buyer, transfer.to_agent, label, transfer.time)
        if self._since <= transfer.time < self._until:
            self.figures["transfers"] += 1

    def _transfer_group(self, buyer: str, agent_id: str) -> str:
        """The buyer's group if the new agent is in it, else the agent's first group."""
        current = self.buyer_group.get(buyer, NO_GROUP)
        agent = self.config.agent(agent_id)
        if agent is None or not agent.groups or current in agent.groups:
            return current
        return agent.groups[0]

    def _watch(self, routed: Routed, assigned_at: float) -> None:
        """Start the 10-minute watch of an assigned inquiry (answered before? no watch)."""
        buyer = routed.buyer
        old = self.watches.get(buyer)
        if old is not None:
            if assigned_at <= old:
                return  # the buyer is still within the first inquiry's 10 minutes: one watch
            self.figures["unanswered_after_10m"] += 1  # a new inquiry, the old one never answered
        if self.last_reply.get(buyer, -math.inf) >= routed.time:
            self.watches.pop(buyer, None)
            return  # replied to while it waited for an agent
        self.watches[buyer] = assigned_at + UNANSWERED_AFTER_S

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


def _own_routed(line: int, outputs: list[Output]) -> Routed | None:
    for output in outputs:
        if isinstance(output, Routed) and output.line == line:
            return output
    return None
