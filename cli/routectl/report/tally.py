"""What a finished replay counted: the counters the builder fills, and the frozen tally.

:class:`~.compute.ReportBuilder` fills :class:`Counts` and :class:`HourCounts` while it
reads; its ``finish()`` hands everything the tables need over in one :class:`Tally`.
From there on nothing feeds them: :mod:`.tables` reads the tally, :mod:`.assemble`
turns it into a :class:`~.result.Report`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from routectl.model import ShopConfig
from routectl.report.clock import LocalClock
from routectl.report.presence import AgentTime
from routectl.report.sales import SalesLedger
from routectl.report.shares import ShareModel
from routectl.report.stats import Histogram, RateCounts, ReplyStats
from routectl.report.weights import WeightEvidence
from routectl.report.window import Window


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


@dataclass(frozen=True, slots=True)
class Tally:
    """Everything one replay counted, as the tables read it.

    The containers are the builder's own (handed over, not copied: the builder is done).
    Some are ``defaultdict`` or ``Counter``: a table asking for an agent or group with
    nothing counted reads zeros."""

    config: ShopConfig
    window: Window
    clock: LocalClock
    breakdowns: bool
    """Hour, day and group rows and imbalances wanted (see :class:`~.compute.ReportBuilder`)."""
    first_event: float | None
    last_event: float | None
    end: float
    """Where online time stops: the window's end or the last event, the earlier."""
    shop: Counts
    by_hour: list[HourCounts]
    by_day: defaultdict[str, Counts]
    by_agent: defaultdict[str, ReplyStats]
    by_group: defaultdict[str, ReplyStats]
    group_inquiries: Counter[str]
    group_queued: Counter[str]
    figures: Counter[str]
    """Shop-wide event counts by summary name (transfers, bot_messages, ...)."""
    transferred_unanswered: int
    questions_outside_hours: int
    bot_questions: int
    agent_times: dict[str, AgentTime]
    shares: ShareModel
    sales: SalesLedger
    pool_waits: Histogram
    queue_waits: Histogram
    attributed: Counter[str]
    observed_inquiries: Counter[str]
    agreement: defaultdict[str, list[int]]
    contradictions: dict[str, list[Any]]
    weight_evidence: WeightEvidence
