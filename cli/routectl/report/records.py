"""The records the report keeps while it reads a log: per buyer, and per question.

:class:`BuyerFigures` is what the report keeps per buyer, one record so that each row
costs one lookup: the question tracker (R18-R24), the sales ledger (R25) and the
builder's watches read and write it; nothing here grows with rows, only with buyers.
:class:`Question` is one question of :mod:`.questions` (R18-R23).
"""

from __future__ import annotations

import math

from routectl.events import ASSIGNEE_OFFLINE, Routed

NO_GROUP = "-"
"""Group label of inquiries not routed by group (recent contact, dedicated, bot, pool)."""


class BuyerFigures:
    """One buyer's report state."""

    __slots__ = (
        "bot_run", "group", "last_message", "last_reply", "question", "receipt", "watch",
    )  # fmt: skip

    def __init__(self) -> None:
        self.question: Question | None = None
        """The open question (R18), or None; a shared placeholder when it does not count."""
        self.bot_run = False
        """The bot holds the buyer's messages since the last human reply (R21)."""
        self.group = NO_GROUP
        """The group label the buyer's inquiry (or transfer) was credited to."""
        self.last_message: float | None = None
        self.last_reply = -math.inf
        self.watch: float | None = None
        """When the open 10-minute watch of an assigned inquiry runs out."""
        self.receipt: tuple[float, str, str] | None = None
        """R25: the last receipt inside the window: (time, agent, group)."""


class Question:
    """One counted (R19) or averaged (R23) question; ``response_s`` None: no human replied."""

    __slots__ = (
        "averaged", "counted", "day", "done", "group_label", "hour", "line", "observed",
        "owner", "replier", "response_s", "routed", "start",
    )  # fmt: skip

    def __init__(
        self, line: int, start: float, counted: bool, averaged: bool, hour: int, day: str
    ) -> None:
        self.line = line
        self.start = start
        self.counted = counted
        self.averaged = averaged
        self.hour = hour
        self.day = day
        self.routed: Routed | None = None
        self.owner: str | None = None
        """The agent a transfer named (or the one it took the question from)."""
        self.group_label: str | None = None
        """The group a transferred question is credited to."""
        self.response_s: float | None = None
        self.done = False
        self.observed: str | None = None
        """The log's ``received_by`` of the question's first message."""
        self.replier: str | None = None
        """The agent of the reply that answered it, as the log names it."""

    @property
    def agent(self) -> str:
        """Who held it in the log: receiver, else replier, else the replay's guess."""
        if self.observed is not None:
            return self.observed
        if self.replier is not None:
            return self.replier
        if self.owner is not None:
            return self.owner
        return self.routed.assignee if self.routed is not None else ASSIGNEE_OFFLINE

    @property
    def source(self) -> str:
        """Where :attr:`agent` comes from: ``received_by``, ``replier`` or ``replayed``."""
        if self.observed is not None:
            return "received_by"
        return "replier" if self.replier is not None else "replayed"

    @property
    def attributed(self) -> bool:
        return self.owner is not None or self.routed is not None
