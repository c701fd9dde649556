"""The engine's shared ground: its tables and state, timers, explain notes, auto-replies.

The engine is built in layers, one file per group of rules, each layer using the ones
below it: :mod:`.decision` (R7-R13) < :mod:`.waiting` (R13 queue, R14 pool, R17)
< :mod:`.conversations` (R5, R6, R17b) < :mod:`.holding` (R15, R17) < :mod:`.core`
(events in, presence R1/R2). Decisions where ROUTING.md is silent are in
docs/design/engine-decisions.md (quoted as "decision N").
"""

from __future__ import annotations

import math
from collections import deque

from routectl.durations import format_duration
from routectl.engine import tables
from routectl.engine.rows import SpillFile
from routectl.engine.state import (
    ALL_AGENTS,
    AgentState,
    BuyerState,
    Conversation,
    Held,
    Waiting,
)
from routectl.engine.timers import TIMEOUT, TimerHeap
from routectl.events import AutoReplySent, Event, Output, Rows, TraceStep
from routectl.model import ShopConfig

DAY = 86400.0

Timer = Conversation | Held | None
"""A timer's payload: a conversation (R6 timeout), a held entry or None (R17 expiry)."""


class EngineBase:
    """State shared by every layer; see the module docstring."""

    def __init__(
        self, config: ShopConfig, *, explain_buyer: str | None = None, batches: bool = False
    ) -> None:
        routing = config.routing
        self._timeout = float(routing.session_timeout_s)
        self._delay = float(routing.offline_delay_s)
        self._delay_text = format_duration(routing.offline_delay_s)
        self._offline_routing = routing.offline_routing
        self._fallback_offline = routing.fallback == "offline"
        self._greeting = config.auto_reply.greeting is not None
        self._offline_reply = config.auto_reply.offline is not None
        self._bot_first = config.bot.enabled and config.bot.priority_reception
        self._retention = config.offline.pool_retention_days * DAY
        self._explain = explain_buyer
        self._agents = tables.agent_states(config)
        self._by_id = {agent.id: agent for agent in self._agents}
        self._groups = tables.stride_groups(config, self._agents)
        self._all = self._groups[ALL_AGENTS]
        self._entry_targets = tables.entry_targets(config, self._groups)
        self._rule_targets = tables.rule_targets(config, self._groups)
        self._crowd_targets = tables.crowd_targets(config, self._groups)
        self._dedicated = tables.dedicated(config, self._by_id)
        self._policy = config.offline.policy
        self._policy_agent = self._by_id.get(self._policy.target or "")
        policy_group = self._groups.get(self._policy.target or "")
        self._policy_members = (
            frozenset(agent.order for agent in policy_group.members) if policy_group else None
        )
        self._buyers: dict[str, BuyerState] = {}
        self._timers: TimerHeap[Timer] = TimerHeap()
        """Conversation timeouts (R6), held-message expiries and one pool expiry (R17)."""
        self._expiry_due = math.inf
        """Due time of the earliest pending pool timer (inf: none); later ones are stale."""
        self._pool: deque[Waiting] = deque()
        self._seq = 0
        self._last_time = float("-inf")
        self._out: list[Output] = []
        self._line = 0
        """Line of the event being fed: where timer-driven trace steps are reported."""
        self._batches = batches
        """Emit rows settled together as one :class:`Rows` (else one Routed each)."""
        self._spill = SpillFile()
        """Where waiting and held rows go past their memory budget (:mod:`.rows`)."""

    def _emit_rows(self, rows: Rows | None, out: list[Output]) -> None:
        """Rows settled together: one :class:`Rows`, or (``batches`` off) their Routed."""
        if rows is None:
            return
        if self._batches:
            out.append(rows)
        else:
            out.extend(rows)

    def _arm(self, conversation: Conversation) -> None:
        if not conversation.timer_live:
            conversation.timer_live = True
            self._timers.push(conversation.last + self._timeout, TIMEOUT, conversation)

    def _pool_recent(self, buyer: BuyerState, now: float) -> AgentState | None:
        recent = buyer.recent
        if recent is None or now - buyer.recent_close >= 3 * DAY:
            return None
        return recent

    def _auto_reply(self, line: int, now: float, buyer: str, kind: str) -> None:
        if kind == "greeting":
            self._out.append(AutoReplySent(line, now, buyer, "greeting"))
        elif self._offline_reply:
            self._out.append(AutoReplySent(line, now, buyer, "offline"))

    def _retention_text(self) -> str:
        count = round(self._retention / DAY)
        return f"{count} day" if count == 1 else f"{count} days"

    # --- explain --------------------------------------------------------------------

    def _note(self, at: Event, text: str) -> None:
        buyer = self._explain or ""
        self._out.append(TraceStep(at.line, at.time, buyer, text))

    def _note_if(self, trace: bool, at: Event, text: str) -> None:
        if trace:
            self._note(at, text)

    def _note_for(self, buyer: str, line: int, now: float, text: str) -> None:
        if buyer == self._explain:
            self._out.append(TraceStep(line, now, buyer, text))
