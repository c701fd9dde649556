"""Typed events: what the log reader produces and the engine consumes and emits.

Input events are plain (non-frozen) slotted dataclasses: the log reader builds one per
row, and a frozen dataclass costs about eight times as much to construct. Treat them as
read-only all the same. Times are POSIX seconds (float). ``line`` is the event's line
number in the log (the header is line 1), so every output can point back at its input row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from routectl.durations import humanize_seconds

Status = Literal["online", "suspended", "offline"]
Device = Literal["pc", "mobile"]

# --- input events -----------------------------------------------------------------


@dataclass(slots=True)
class StatusChange:
    """R1/R2: an agent's state on one device changes."""

    line: int
    time: float
    agent: str
    status: Status
    device: Device = "pc"


@dataclass(slots=True)
class BuyerMessage:
    """A buyer message; ``agent`` is set when the buyer wrote to one sub-account."""

    line: int
    time: float
    buyer: str
    agent: str | None = None
    entry: str | None = None
    item: str | None = None
    order_status: str | None = None
    intent: str | None = None
    text: str | None = None
    received_by: str | None = None
    """The sub-account that actually received it on the platform (the log's word, P1);
    never an input to routing."""


@dataclass(slots=True)
class HumanReply:
    """An agent's reply in the buyer's conversation (R18)."""

    line: int
    time: float
    buyer: str
    agent: str | None = None
    text: str | None = None


@dataclass(slots=True)
class Close:
    """R6: the buyer's conversation is closed explicitly."""

    line: int
    time: float
    buyer: str


@dataclass(slots=True)
class Transfer:
    """R11/R17b: the buyer's conversation is handed on.

    Without ``agent`` the bot hands it to a human chosen by R9-R13 (R11); with ``agent``
    the conversation moves to that agent, from the bot or from another agent (R17b).
    """

    line: int
    time: float
    buyer: str
    agent: str | None = None


@dataclass(slots=True)
class Paid:
    """R25: the buyer paid an order (付款); ``amount`` in shop currency, if the log has it."""

    line: int
    time: float
    buyer: str
    amount: float | None = None


Event = StatusChange | BuyerMessage | HumanReply | Close | Transfer | Paid

# --- engine outputs ---------------------------------------------------------------

# Values of Routed.rule (contract: replay output, column `rule`).
RULE_CONVERSATION = "conversation"  # R5
RULE_RECENT_CONTACT = "recent_contact"  # R9
RULE_DEDICATED = "dedicated"  # R10
RULE_BOT = "bot"  # R11
RULE_SPECIAL_PREFIX = "special:"  # R12, followed by the rule kind
RULE_GROUP = "group"  # R13
RULE_OFFLINE_ROUTING = "offline_routing"  # R15
RULE_DIRECT = "direct"  # addressed agent kept it
RULE_OFFLINE = "offline"  # R14/R15 kept offline or pooled

ASSIGNEE_BOT = "bot"
ASSIGNEE_OFFLINE = "offline"


@dataclass(slots=True)
class Routed:
    """The engine's final word on one message row: exactly one per BuyerMessage.

    Emitted as soon as the assignee is known, which for pooled or queued inquiries is
    later than the message itself, so Routed outputs may come out of log order.
    ``assigned_at`` is None when no agent ever got it; ``assignee`` is then ``offline``
    (contract), also for rows an offline agent held but never came back for (R15).
    """

    line: int
    time: float
    buyer: str
    assignee: str
    rule: str
    assigned_at: float | None
    reason: str
    new_inquiry: bool = False
    group: str | None = None
    observed: str | None = None
    """The message's ``received_by``: set by :func:`routectl.replay.run`, not the engine."""


@dataclass(frozen=True, slots=True)
class AutoReplySent:
    """The shop's greeting or offline auto-reply went to a buyer (not a human reply)."""

    line: int
    time: float
    buyer: str
    kind: Literal["greeting", "offline"]


@dataclass(frozen=True, slots=True)
class PoolExpired:
    """R17: a pooled inquiry outlived ``pool_retention_days``."""

    line: int
    time: float
    buyer: str
    expired_at: float


@dataclass(frozen=True, slots=True)
class LagHeld:
    """R15: a message stayed with an agent who had gone offline, inside the detection lag."""

    line: int
    time: float
    buyer: str
    agent: str


@dataclass(frozen=True, slots=True)
class Transferred:
    """R17b: the buyer's open conversation moved from ``from_assignee`` (an agent id or
    ``bot``) to the agent ``to_agent`` at ``time`` (the transfer row's time)."""

    line: int
    time: float
    buyer: str
    from_assignee: str
    to_agent: str


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One line of an ``--explain`` decision trace for a buyer."""

    line: int
    time: float
    buyer: str
    text: str


class RowSource(Protocol):
    """Where :class:`Rows` reads its rows: :class:`routectl.engine.rows.RowQueue`."""

    def read(self) -> Iterator[tuple[int, float, bool, str]]: ...


class Rows:
    """Message rows of one buyer that one decision settled together: the later messages
    of an inquiry that waited (decision 12) or the messages held for an offline agent
    (R15, R17). Iterating it gives one :class:`Routed` per row, in line order, each made
    as it is read, so a million rows never exist at once; it can be iterated again (the
    rows are read from where the engine kept them, in memory or in a temporary file).

    Only engines made with ``Engine(config, batches=True)`` emit it; others give the
    rows as Routed outputs. ``line`` is the first row's, ``time`` when it was decided.
    """

    __slots__ = (
        "assigned_at", "assignee", "back", "buyer", "line", "observed", "reason", "rule",
        "source", "time",
    )  # fmt: skip

    def __init__(
        self, source: RowSource, line: int, time: float, buyer: str, assignee: str,
        rule: str, assigned_at: float | None, reason: str, back: str | None = None,
    ) -> None:  # fmt: skip
        self.source = source
        self.line = line
        self.time = time
        self.buyer = buyer
        self.assignee = assignee
        self.rule = rule
        self.assigned_at = assigned_at
        self.reason = reason
        """Every row's reason; empty: each row's own (held rows)."""
        self.back = back
        """The agent whose return settled held rows: each reason then says how long after."""
        self.observed: dict[int, str] | None = None
        """The log's receivers by line (:func:`routectl.replay.run`): each row takes its own."""

    def __iter__(self) -> Iterator[Routed]:
        buyer, assignee, rule, assigned_at = self.buyer, self.assignee, self.rule, self.assigned_at
        fixed, back, observed = self.reason, self.back, self.observed
        for line, time, starts, text in self.source.read():
            reason = fixed or text
            if back is not None and assigned_at is not None:
                reason = f"{text}; {back} back online {humanize_seconds(assigned_at - time)} later"
            row = Routed(line, time, buyer, assignee, rule, assigned_at, reason, starts)
            if observed:
                receiver = observed.pop(line, None)
                if receiver is not None:
                    row.observed = receiver
            yield row


Output = Routed | AutoReplySent | PoolExpired | LagHeld | Transferred | TraceStep | Rows
