"""The routing engine: replays events through rules R1-R17b and says who got each message.

Pure: no file, clock or Click access. Feed events in log order with :meth:`Engine.feed`
and call :meth:`Engine.finish` at the end of the log. The engine wires its collaborators,
each the one owner of its rules' state (docs/design/engine.md): :class:`.Presence`
(R1, R2), :class:`.Decider` (R7-R13b), :class:`.WaitingRoom` (R13 queue, R14 pool, R17),
:class:`.Conversations` (R5, R6, R11, R17b) and :class:`.Holder` (R15, R17); it takes
buyer messages in itself (R5, R16) and fires the timers. Decisions where ROUTING.md is
silent are in docs/design/engine-decisions.md.
"""

from __future__ import annotations

from typing import final

from routectl.engine.conversations import Conversations
from routectl.engine.decision import ASSIGN, Decider, describe_inquiry, prefixed
from routectl.engine.holding import Holder
from routectl.engine.outbox import Outbox
from routectl.engine.presence import Presence
from routectl.engine.state import DAY, OFFLINE, ONLINE, BuyerState, Conversation, Held, Timer
from routectl.engine.tables import Shop
from routectl.engine.timers import EXPIRY, HELD_EXPIRY, Timeouts, TimerHeap
from routectl.engine.waiting import WaitingRoom
from routectl.events import (
    ASSIGNEE_BOT,
    RULE_CONVERSATION,
    RULE_DIRECT,
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Output,
    Routed,
    StatusChange,
    Transfer,
)
from routectl.model import ShopConfig


@final
class Engine:
    """Deterministic replay of one shop's routing; see the module docstring."""

    __slots__ = (
        "_by_id",
        "_conversations",
        "_decider",
        "_holder",
        "_last_time",
        "_outbox",
        "_presence",
        "_timers",
        "_waiting",
    )

    def __init__(
        self, config: ShopConfig, *, explain_buyer: str | None = None, batches: bool = False
    ) -> None:
        shop = Shop(config)
        retention = config.offline.pool_retention_days * DAY
        timers: TimerHeap[Timer] = TimerHeap()
        timeouts = Timeouts(timers, float(config.routing.session_timeout_s))
        outbox = Outbox(explain_buyer, batches, config.auto_reply.offline is not None)
        decider = Decider(config, shop, outbox)
        waiting = WaitingRoom(
            shop, outbox, timers, timeouts,
            retention=retention, fallback_offline=decider.fallback_offline,
        )  # fmt: skip
        conversations = Conversations(
            shop, outbox, timeouts, decider, waiting,
            greeting=config.auto_reply.greeting is not None,
        )  # fmt: skip
        holder = Holder(
            config, shop, outbox, timers, timeouts, decider, conversations, retention=retention
        )
        self._by_id = shop.by_id
        self._timers = timers
        """Conversation timeouts (R6), held-message expiries and one pool expiry (R17)."""
        self._outbox = outbox
        self._decider = decider
        self._waiting = waiting
        self._conversations = conversations
        self._holder = holder
        self._presence = Presence(shop, waiting, holder)
        self._last_time = float("-inf")

    # --- public surface -----------------------------------------------------------

    def feed(self, event: Event) -> list[Output]:
        """Fire the timers due by ``event.time``, then handle ``event``.

        Raises ValueError (engine state unchanged) for an event it cannot use: time
        going backwards, an unknown agent, a transfer it cannot carry out.
        """
        time = event.time
        if time < self._last_time:
            raise ValueError("time goes backwards (rows must be in time order)")
        # By frequency in shop logs: messages, then replies, then the rest.
        if isinstance(event, BuyerMessage):
            self._check_agent(event.agent)
            out = self._advance(time, event.line)
            self._message(event)
        elif isinstance(event, HumanReply):
            out = self._advance(time, event.line)
            self._reply(event)
        elif isinstance(event, StatusChange):
            self._check_agent(event.agent)
            out = self._advance(time, event.line)
            self._presence.status(event)
        elif isinstance(event, Close):
            out = self._advance(time, event.line)
            self._close(event)
        elif isinstance(event, Transfer):
            self._conversations.check_transfer(event)
            out = self._advance(time, event.line)
            self._conversations.transfer(event)
        else:  # Paid (R25) changes no routing: only the report reads it.
            out = self._advance(time, event.line)
        return out

    def peek(self) -> float | None:
        """When the next timer is due (None: no timer), for a driver that interleaves
        its own events (SimPy-style); a timer may find nothing left to do."""
        return self._timers.peek()

    def advance(self, until: float) -> list[Output]:
        """Fire the timers due by ``until``; the engine's clock moves there.

        Raises ValueError if ``until`` is before the last event or ``advance``.
        """
        if until < self._last_time:
            raise ValueError("time goes backwards (rows must be in time order)")
        return self._advance(until, self._outbox.line)

    def load(self, agent_id: str) -> int:
        """Open conversations ``agent_id`` holds now (its R13 load)."""
        return self._by_id[agent_id].load

    def finish(self) -> list[Output]:
        """End of log (decision 15): whatever still waits or is held ends unassigned."""
        out: list[Output] = []
        outbox = self._outbox
        outbox.out = out
        self._waiting.still_waiting(self._last_time)
        self._holder.still_held(self._last_time)
        out.sort(key=_line_of)
        if not outbox.batches:  # else the Rows handed out still read from it
            outbox.spill.close()
        return out

    # --- timers -------------------------------------------------------------------

    def _advance(self, now: float, line: int) -> list[Output]:
        """A fresh output list for the event at ``line``, with the timers due by ``now``."""
        out: list[Output] = []
        outbox = self._outbox
        outbox.out = out
        outbox.line = line
        if self._timers.due_by(now):
            self._fire_timers(now)
        self._last_time = now
        return out

    def _fire_timers(self, now: float) -> None:
        timers = self._timers
        while (timer := timers.pop_due(now)) is not None:
            due, priority, payload = timer
            if priority == EXPIRY:
                self._waiting.expire(due)
            elif priority == HELD_EXPIRY:
                assert isinstance(payload, Held)
                self._holder.expire_held(payload, due)
            else:
                assert isinstance(payload, Conversation)
                self._conversations.timeout_due(payload, due)

    # --- events -------------------------------------------------------------------

    def _check_agent(self, agent: str | None) -> None:
        if agent is not None and agent not in self._by_id:
            raise ValueError(f"unknown agent {agent!r} (not in the config's [[agents]])")

    def _reply(self, event: HumanReply) -> None:
        buyer = self._conversations.buyers.get(event.buyer)
        if buyer is not None and buyer.conversation is not None:
            buyer.conversation.last = event.time

    def _close(self, event: Close) -> None:
        buyer = self._conversations.buyers.get(event.buyer)
        if buyer is not None and buyer.conversation is not None:
            self._outbox.note_for(buyer.id, event.line, event.time, "R6: conversation closed")
            self._conversations.close(buyer.conversation, event.time, event.time)

    def _message(self, message: BuyerMessage) -> None:
        """R5: a message continues the buyer's open conversation or starts an inquiry."""
        buyer = self._conversations.buyer(message.buyer)
        conversation = buyer.conversation
        if conversation is None:
            self._new_inquiry(message, buyer)
            return
        conversation.last = message.time
        agent = conversation.agent
        if agent is not None and agent.state == OFFLINE:
            self._holder.to_offline_agent(message, buyer, agent, conversation)
            return
        waiting = conversation.waiting
        if waiting is not None:  # decision 12: decided with the inquiry it belongs to
            waiting.join(message.line, message.time, self._outbox.spill)
            return
        assignee = agent.id if agent is not None else ASSIGNEE_BOT
        row = Routed(
            message.line, message.time, message.buyer, assignee, RULE_CONVERSATION,
            message.time, conversation.reason,
        )  # fmt: skip
        self._outbox.emit(row)

    def _new_inquiry(self, message: BuyerMessage, buyer: BuyerState) -> None:
        """A direct message to an online agent, R15 to an offline one, R16 to a suspended
        one; else R7/R8 decide."""
        outbox = self._outbox
        trace = outbox.explain == buyer.id
        if trace:
            outbox.note(message, describe_inquiry(message))
        if message.agent is None:
            decision = self._decider.decide(message, message, buyer, None, False, trace)
            self._conversations.start(message, buyer, decision)
            return
        addressed = self._by_id[message.agent]
        if addressed.state == ONLINE:
            why = f"addressed to {addressed.id}, who is online"
            if trace:
                outbox.note(message, f"direct: {why}; max_concurrent does not apply")
            self._conversations.start(message, buyer, (ASSIGN, addressed, None, RULE_DIRECT, why))
        elif addressed.state == OFFLINE:
            self._holder.to_offline_agent(message, buyer, addressed, None)
        else:
            why = f"addressed to {addressed.id}, who is suspended (R16)"
            if trace:
                outbox.note(message, f"R16: {why}; routed by R7/R8 without {addressed.id}")
            decision = self._decider.decide(
                message, message, buyer, addressed, False, trace, divert="R16"
            )
            self._conversations.start(message, buyer, prefixed(decision, why))


def _line_of(row: Output) -> int:
    return row.line
