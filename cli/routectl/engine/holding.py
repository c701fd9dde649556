"""R15 and R17: messages that stay with an offline agent, and offline routing.

A message addressed to, or held by, an offline agent is re-routed (offline routing on,
past the detection lag) or stays that agent's offline message. Held messages wait for
the agent whether or not their conversation ends meanwhile (seed 004: the agent replies
"the next day"): they are assigned when it is back online (``assigned_at`` = the return)
or expire after ``pool_retention_days``, never dropped. Memory: one :class:`Held` entry
and one expiry timer per (agent, buyer) with held messages; the held rows themselves are
two floats each and spill to disk past a budget (:mod:`.rows`).
"""

from __future__ import annotations

import math
import sys
from typing import final

from routectl.durations import format_duration, humanize_seconds
from routectl.engine.conversations import Conversations
from routectl.engine.decision import Decider, rerouted
from routectl.engine.outbox import Outbox, days_text
from routectl.engine.state import AgentState, BuyerState, Conversation, Held, Timer
from routectl.engine.tables import Shop
from routectl.engine.timers import HELD_EXPIRY, Timeouts, TimerHeap
from routectl.events import (
    ASSIGNEE_OFFLINE,
    RULE_OFFLINE,
    BuyerMessage,
    LagHeld,
    Routed,
    Rows,
)
from routectl.model import ShopConfig


@final
class Holder:
    """Offline agents' messages: re-routed (R15) or held until return or expiry (R17).

    The held messages themselves are kept per agent (``AgentState.held``).
    """

    __slots__ = (
        "_agents",
        "_conversations",
        "_decider",
        "_delay",
        "_delay_text",
        "_offline_routing",
        "_outbox",
        "_retention",
        "_timeouts",
        "_timers",
    )

    def __init__(
        self,
        config: ShopConfig,
        shop: Shop,
        outbox: Outbox,
        timers: TimerHeap[Timer],
        timeouts: Timeouts,
        decider: Decider,
        conversations: Conversations,
        *,
        retention: float,
    ) -> None:
        routing = config.routing
        self._delay = float(routing.offline_delay_s)
        """R15: the detection lag before offline routing re-routes."""
        self._delay_text = format_duration(routing.offline_delay_s)
        self._offline_routing = routing.offline_routing
        self._retention = retention
        self._agents = shop.agents
        self._outbox = outbox
        self._timers = timers
        self._timeouts = timeouts
        self._decider = decider
        self._conversations = conversations

    def to_offline_agent(
        self,
        message: BuyerMessage,
        buyer: BuyerState,
        agent: AgentState,
        conversation: Conversation | None,
    ) -> None:
        """R15: a message addressed to, or held by, an agent who is offline."""
        trace = self._outbox.explain == buyer.id
        offline_for = message.time - agent.offline_since
        if self._offline_routing and offline_for >= self._delay:
            how_long = "" if math.isinf(offline_for) else f" for {humanize_seconds(offline_for)}"
            why = f"{agent.id} offline{how_long} (past the {self._delay_text} lag); re-routed"
            if trace:
                self._outbox.note(message, f"R15: {why} by R7/R8 without {agent.id}")
            inquiry = message
            if conversation is not None:
                inquiry = conversation.message  # R12 looks at where the inquiry came from
                self._conversations.close(conversation, message.time, message.time)
            decision = self._decider.decide(
                inquiry, message, buyer, agent, True, trace, divert="R15"
            )
            # The buyer is mid-conversation when it is re-routed: no second greeting.
            self._conversations.start(
                message, buyer, rerouted(decision, why), greet=conversation is None
            )
            return
        starts = conversation is None
        if conversation is None:
            conversation = self._conversations.open(message, buyer)
            conversation.agent = agent
            conversation.reason = f"open conversation with {agent.id}"
            agent.load += 1
            self._timeouts.arm(conversation)
        if self._offline_routing:
            why = (
                f"{agent.id} went offline {humanize_seconds(offline_for)} ago, inside the "
                f"{self._delay_text} detection lag; held"
            )
            self._outbox.emit(LagHeld(message.line, message.time, buyer.id, agent.id))
        else:
            why = f"{agent.id} offline and offline routing is off; held as an offline message"
            if conversation.offline_spell != agent.offline_since:
                conversation.offline_spell = agent.offline_since
                self._outbox.auto_reply(message.line, message.time, buyer.id, "offline")
        if trace:
            self._outbox.note(message, f"R15: {why}")
        why = sys.intern(why)  # held rows can wait for days; most share their reason
        held = agent.held.get(buyer.id)
        if held is None:
            held = agent.held[buyer.id] = Held(agent, buyer.id, self._outbox.spill)
            self._timers.push(message.time + self._retention, HELD_EXPIRY, held)
        held.rows.append(message.line, message.time, starts, why)

    def came_back(self, agent: AgentState, line: int, now: float) -> None:
        """An agent became available: its held rows reach it."""
        for held in agent.held.values():
            held.live = False
            rows = held.rows
            if held.buyer == self._outbox.explain:
                for _ in range(rows.size):
                    self._outbox.note_for(
                        held.buyer, line, now, f"{agent.id} back online: held row reached it"
                    )
            rows.release()
            self._outbox.emit_rows(
                Rows(rows, rows.first_line(), now, held.buyer, agent.id, RULE_OFFLINE, now, "",
                     back=agent.id),
            )  # fmt: skip
        agent.held = {}

    def expire_held(self, held: Held, due: float) -> None:
        """R17: held rows older than the retention expire; the rest wait on."""
        if not held.live:
            return  # the agent came back meanwhile
        rows = held.rows
        days = days_text(self._retention)
        agent = held.agent.id
        why = f"held for {agent}, who was offline and did not come back within {days}: expired"
        while rows.size and rows.first_time() + self._retention <= due:
            line, time, starts, _ = rows.popleft()
            self._outbox.emit(
                Routed(line, time, held.buyer, ASSIGNEE_OFFLINE, RULE_OFFLINE, None, why, starts)
            )
            self._outbox.note_for(
                held.buyer, self._outbox.line, due, f"R17: held row expired after {days}"
            )
        if rows.size:
            self._timers.push(rows.first_time() + self._retention, HELD_EXPIRY, held)
        else:
            held.live = False
            del held.agent.held[held.buyer]

    def still_held(self, now: float) -> None:
        """End of log: rows still held for an agent who did not come back."""
        for agent in self._agents:
            why = (
                f"held for {agent.id}, who was offline and did not come back by the end of the log"
            )
            for held in agent.held.values():
                held.live = False
                rows = held.rows
                rows.release()
                self._outbox.emit_rows(
                    Rows(rows, rows.first_line(), now, held.buyer, ASSIGNEE_OFFLINE,
                         RULE_OFFLINE, None, why),
                )  # fmt: skip
            agent.held = {}
