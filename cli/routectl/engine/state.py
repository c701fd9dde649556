"""The engine's mutable state: agents, stride groups, conversations, waiting and held rows.

Every class uses ``__slots__``: the engine touches these objects once or twice per log
row, so attribute access and memory per buyer are what replay speed depends on.
"""

from __future__ import annotations

import heapq
from collections import deque

from routectl.engine.rows import RowQueue, SpillFile
from routectl.events import RULE_CONVERSATION, BuyerMessage, Routed, Rows
from routectl.model import Agent

OFFLINE = 0
SUSPENDED = 1
ONLINE = 2
STATE_NAMES = ("offline", "suspended", "online")
_STATUS_RANK = {"offline": OFFLINE, "suspended": SUSPENDED, "online": ONLINE}

ALL_AGENTS = "*"
"""Label of the stride group made of every routing agent (R12 with no group, fallback)."""

DAY = 86400.0


class AgentState:
    """One agent: its config, device states (R1, R2) and current load."""

    __slots__ = (
        "counts_mobile",
        "groups",
        "held",
        "id",
        "load",
        "max_concurrent",
        "mobile",
        "offline_since",
        "order",
        "pc",
        "routing",
        "state",
        "stride",
        "weight",
    )

    def __init__(self, order: int, agent: Agent, stride: int, counts_mobile: bool) -> None:
        self.order = order
        self.id = agent.id
        self.weight = agent.weight
        self.stride = stride
        self.routing = agent.routing
        self.max_concurrent = agent.max_concurrent
        self.counts_mobile = counts_mobile
        self.pc = OFFLINE
        self.mobile = OFFLINE
        self.state = OFFLINE
        # An agent never seen online has been offline since before the log: no R15 lag.
        self.offline_since = float("-inf")
        self.load = 0
        self.groups: list[StrideGroup] = []
        self.held: dict[str, Held] = {}
        """Buyer id -> the messages held for it while it is offline (R15, R17), in order."""

    def set_device(self, device: str, status: str) -> int:
        """Record a device's status; return the new effective state (not yet stored)."""
        rank = _STATUS_RANK[status]
        if device == "mobile":
            self.mobile = rank
        else:
            self.pc = rank
        if self.counts_mobile and self.mobile > self.pc:
            return self.mobile
        return self.pc

    @property
    def is_candidate(self) -> bool:
        """R13: available, routing and below its cap."""
        return self.state == ONLINE and self.routing and self.load < self.max_concurrent


class StrideGroup:
    """R13 for one target group: stride scheduling over its routing agents.

    ``heap`` holds ``(pass, agent order)`` for agents believed to be candidates; an agent
    found not to be one when it reaches the top is dropped (lazy invalidation) and
    pushed back by :meth:`rejoin` when it becomes a candidate again.
    """

    __slots__ = (
        "available",
        "busyness",
        "heap",
        "in_heap",
        "label",
        "members",
        "passes",
        "queue",
        "virtual_time",
    )

    def __init__(self, label: str, members: list[AgentState], busyness: bool = False) -> None:
        self.label = label
        self.members = members
        self.busyness = busyness
        """R13b: pick the fewest open conversations per unit of weight, not the stride."""
        self.passes = {agent.order: 0 for agent in members}
        self.heap: list[tuple[int, int]] = []
        self.in_heap: set[int] = set()
        self.virtual_time = 0
        self.available = 0
        """How many members are online and not suspended (R7, decision 7)."""
        self.queue: deque[Waiting] = deque()
        """R13: inquiries waiting for a member to free a slot, oldest first."""

    def rejoin(self, agent: AgentState) -> None:
        """Put a (new) candidate back in the heap; absence never banks credit."""
        order = agent.order
        if order in self.in_heap or self.busyness:
            return
        start = max(self.passes[order], self.virtual_time)
        self.passes[order] = start
        self.in_heap.add(order)
        heapq.heappush(self.heap, (start, order))

    def pick(self, agents: list[AgentState]) -> AgentState | None:
        """The candidate with the lowest ``(pass, agent order)``, charged one stride.

        Under R13b busyness: the candidate with the lowest open / weight, ties by that
        same ``(pass, agent order)``.
        """
        if self.busyness:
            return self._least_busy()
        heap = self.heap
        while heap:
            current, order = heap[0]
            agent = agents[order]
            if agent.state != ONLINE or agent.load >= agent.max_concurrent:
                heapq.heappop(heap)
                self.in_heap.discard(order)
                continue
            self.virtual_time = current
            following = current + agent.stride
            self.passes[order] = following
            heapq.heapreplace(heap, (following, order))
            return agent
        return None

    def candidates(self) -> list[AgentState]:
        """Members that are candidates now (R13), in agent order."""
        return [agent for agent in self.members if agent.is_candidate]

    def _least_busy(self) -> AgentState | None:
        # load * stride is load / weight scaled by lcm(weights): exact integer comparison.
        virtual = self.virtual_time
        passes = self.passes
        best: AgentState | None = None
        best_key = (0, 0, 0)
        for agent in self.members:
            if agent.state != ONLINE or agent.load >= agent.max_concurrent:
                continue
            key = (agent.load * agent.stride, max(passes[agent.order], virtual), agent.order)
            if best is None or key < best_key:
                best, best_key = agent, key
        if best is not None:
            self.virtual_time = best_key[1]
            passes[best.order] = best_key[1] + best.stride
        return best


class Conversation:
    """An open conversation (R5, R6): with an agent, with the bot, or waiting."""

    __slots__ = (
        "agent",
        "bot",
        "buyer",
        "last",
        "message",
        "offline_spell",
        "reason",
        "timer_live",
        "waiting",
    )

    def __init__(self, buyer: BuyerState, message: BuyerMessage) -> None:
        self.buyer = buyer
        self.agent: AgentState | None = None
        self.bot = False
        self.waiting: Waiting | None = None
        self.last = message.time
        """Time of the last message or reply: the close time on timeout (R6)."""
        self.timer_live = False
        self.message = message
        """The message that started it: what R12 looks at on a transfer or re-route."""
        self.reason = ""
        """Reason given to later messages of this conversation (rule ``conversation``)."""
        self.offline_spell = float("nan")
        """``offline_since`` of the spell the offline auto-reply was last sent for."""


class BuyerState:
    """Per buyer: the open conversation and the recent contact (R9)."""

    __slots__ = ("conversation", "id", "recent", "recent_close")

    def __init__(self, buyer: str) -> None:
        self.id = buyer
        self.conversation: Conversation | None = None
        self.recent: AgentState | None = None
        self.recent_close = 0.0


class Waiting:
    """An inquiry waiting in an R13 queue or the R14 offline pool."""

    __slots__ = (
        "conversation",
        "group",
        "handover",
        "joined",
        "line",
        "live",
        "recent",
        "rows",
        "seq",
        "since",
        "why",
    )

    def __init__(
        self,
        seq: int,
        line: int,
        since: float,
        conversation: Conversation,
        group: StrideGroup | None,
        recent: AgentState | None,
        why: str,
    ) -> None:
        self.seq = seq
        """Arrival order: waiting inquiries are served oldest first (decision 8)."""
        self.line = line
        self.since = since
        self.conversation = conversation
        self.rows: list[Routed] = []
        """Its own row (the inquiry's first message; none for a bot hand-over)."""
        self.joined: RowQueue | None = None
        """Later messages of the conversation (decision 12), compact and spilled past a
        budget (:mod:`.rows`): they all end the same way, so no Routed apiece."""
        self.group = group
        """The R13 queue it waits in; None for the offline pool."""
        self.recent = recent
        """The buyer's R9 agent when pooled (policy ``recent_contact``)."""
        self.live = True
        self.why = why
        self.handover = False
        """A bot hand-over (R11 transfer) waiting for a human: no row of its own."""

    def join(self, line: int, time: float, store: SpillFile) -> None:
        """A later message of the waiting conversation (decision 12)."""
        if self.joined is None:
            self.joined = RowQueue(store)
        self.joined.append(line, time)

    def resolve(
        self, assignee: str, assigned_at: float | None, why: str, joined_why: str, now: float
    ) -> tuple[list[Routed], Rows | None]:
        """The inquiry's own row with its final assignee, and its later messages as one
        :class:`~routectl.events.Rows` (None without any); then empty."""
        out = self.rows
        for row in out:
            row.assignee = assignee
            row.assigned_at = assigned_at
            row.reason = why
        joined = self.joined
        later = None
        if joined is not None:
            joined.release()
            later = Rows(
                joined, joined.first_line(), now, self.conversation.buyer.id, assignee,
                RULE_CONVERSATION, assigned_at, joined_why,
            )  # fmt: skip
        self.rows = []  # resolved: dead entries may sit in a deque a while, rows need not
        self.joined = None
        return out, later


class Held:
    """R15/R17: one buyer's messages held for one offline agent, oldest first.

    One entry per (agent, buyer), whatever the number of conversations: the rows stay
    the agent's until it is back (assigned then) or each outlives the retention.
    """

    __slots__ = ("agent", "buyer", "live", "rows")

    def __init__(self, agent: AgentState, buyer: str, store: SpillFile) -> None:
        self.agent = agent
        self.buyer = buyer
        self.rows = RowQueue(store)
        """(line, time, starts a conversation, reason), compact and spilled (:mod:`.rows`)."""
        self.live = True


Timer = Conversation | Held | None
"""A timer's payload: a conversation (R6 timeout), a held entry or None (R17 pool expiry)."""
