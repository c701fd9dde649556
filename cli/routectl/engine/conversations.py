"""Conversations: opening one for a decision (R5), closing it (R6, the R9 recent contact)
and moving it to another agent (R11 hand-over, R17b transfer)."""

from __future__ import annotations

import sys
from typing import final

from routectl.engine.decision import ASSIGN, BOT, QUEUE, Decider, Decision
from routectl.engine.outbox import Outbox
from routectl.engine.state import OFFLINE, ONLINE, AgentState, BuyerState, Conversation
from routectl.engine.tables import Shop
from routectl.engine.timers import Timeouts
from routectl.engine.waiting import WaitingRoom
from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    BuyerMessage,
    Routed,
    Transfer,
    Transferred,
)


@final
class Conversations:
    """Open, apply a decision to, close and transfer conversations; the buyers' state."""

    __slots__ = ("_by_id", "_decider", "_greeting", "_outbox", "_timeouts", "_waiting", "buyers")

    def __init__(
        self,
        shop: Shop,
        outbox: Outbox,
        timeouts: Timeouts,
        decider: Decider,
        waiting: WaitingRoom,
        *,
        greeting: bool,
    ) -> None:
        self._by_id = shop.by_id
        self._outbox = outbox
        self._timeouts = timeouts
        self._decider = decider
        self._waiting = waiting
        self._greeting = greeting
        self.buyers: dict[str, BuyerState] = {}
        """Buyer id -> its open conversation (R5) and recent contact (R9)."""

    def buyer(self, buyer_id: str) -> BuyerState:
        """The buyer's state, made at its first message."""
        buyer = self.buyers.get(buyer_id)
        if buyer is None:
            buyer = self.buyers[buyer_id] = BuyerState(buyer_id)
        return buyer

    def open(self, message: BuyerMessage, buyer: BuyerState, greet: bool = True) -> Conversation:
        conversation = Conversation(buyer, message)
        buyer.conversation = conversation
        if greet and self._greeting:
            self._outbox.auto_reply(message.line, message.time, buyer.id, "greeting")
        return conversation

    def start(
        self, message: BuyerMessage, buyer: BuyerState, decision: Decision, *, greet: bool = True
    ) -> None:
        conversation = self.open(message, buyer, greet)
        kind, agent, group, rule, why = decision
        if kind >= QUEUE:
            # Waiting inquiries keep their reason for long; many share one text.
            why = sys.intern(why)
            decision = kind, agent, group, rule, why
        row = Routed(
            message.line, message.time, buyer.id, ASSIGNEE_OFFLINE, rule, None, why, True,
            group.label if group is not None else None,
        )  # fmt: skip
        self._apply(conversation, decision, row, message.line, message.time)

    def _apply(
        self,
        conversation: Conversation,
        decision: Decision,
        row: Routed | None,
        line: int,
        now: float,
    ) -> None:
        """Carry out a decision; ``row`` is None for a bot hand-over (R11 transfer)."""
        kind, agent, group, _, why = decision
        if kind == ASSIGN:
            assert agent is not None
            conversation.agent = agent
            conversation.reason = f"open conversation with {agent.id}"
            agent.load += 1
            self._timeouts.arm(conversation)
            if row is not None:
                row.assignee = agent.id
                row.assigned_at = now
                self._outbox.emit(row)
            else:
                buyer = conversation.buyer.id
                self._outbox.emit(Transferred(line, now, buyer, ASSIGNEE_BOT, agent.id))
        elif kind == BOT:
            conversation.bot = True
            conversation.reason = "open conversation with the bot"
            self._timeouts.arm(conversation)
            if row is not None:
                row.assignee = ASSIGNEE_BOT
                row.assigned_at = now
                self._outbox.emit(row)
        else:
            self._waiting.wait(conversation, group if kind == QUEUE else None, row, why, line, now)

    def timeout_due(self, conversation: Conversation, due: float) -> None:
        """R6 with lazy invalidation: one live timer per conversation, re-armed on fire."""
        conversation.timer_live = False
        if conversation.buyer.conversation is not conversation or conversation.waiting:
            return  # closed already, or waiting (waiting inquiries do not time out)
        if conversation.last + self._timeouts.timeout > due:
            self._timeouts.arm(conversation)
            return
        self._outbox.note_for(
            conversation.buyer.id, self._outbox.line, due, "R6: conversation timed out"
        )
        self.close(conversation, conversation.last, due)

    def close(self, conversation: Conversation, close_time: float, now: float) -> None:
        """R6. Messages held for an offline agent stay held (R17): see :mod:`.holding`."""
        buyer = conversation.buyer
        buyer.conversation = None
        if conversation.waiting is not None:
            entry = conversation.waiting
            self._waiting.resolve_unassigned(
                entry, f"{entry.why}; conversation closed while waiting", now
            )
            return
        agent = conversation.agent
        if agent is None:
            return  # the bot's: no recent contact (R9)
        buyer.recent = agent
        buyer.recent_close = close_time
        self._release(agent, now)

    def _release(self, agent: AgentState, now: float) -> None:
        agent.load -= 1
        if agent.state == ONLINE:
            for group in agent.groups:
                group.rejoin(agent)
            self._waiting.drain(agent, now)

    # --- transfers (R11, R17b) -----------------------------------------------------

    def check_transfer(self, event: Transfer) -> None:
        """Raise ValueError for a transfer the engine cannot carry out (decision 25)."""
        buyer = self.buyers.get(event.buyer)
        conversation = buyer.conversation if buyer else None
        if (
            conversation is not None
            and conversation.waiting is None  # waiting conversations do not time out
            and conversation.last + self._timeouts.timeout <= event.time
        ):
            conversation = None  # timed out: its timer fires before the transfer
        if event.agent is None:
            if conversation is None or not conversation.bot:
                raise ValueError(
                    f"transfer for buyer {event.buyer!r}, whose conversation the bot does not hold"
                )
            return
        target = self._by_id.get(event.agent)
        if target is None:
            raise ValueError(f"unknown agent {event.agent!r} (not in the config's [[agents]])")
        if conversation is None:
            raise ValueError(f"transfer for buyer {event.buyer!r}, who has no open conversation")
        if conversation.waiting is not None:
            raise ValueError(
                f"transfer for buyer {event.buyer!r}, whose inquiry is still waiting "
                "for an agent (queue or pool)"
            )
        if target is conversation.agent:
            raise ValueError(f"transfer to {target.id!r}, who already holds the conversation")
        if target.state == OFFLINE:
            raise ValueError(
                f"transfer to {target.id!r}, who is offline (R17b: transfer to an agent "
                "online or suspended)"
            )

    def transfer(self, event: Transfer) -> None:
        buyer = self.buyers[event.buyer]
        conversation = buyer.conversation
        assert conversation is not None
        conversation.last = event.time
        trace = self._outbox.explain == buyer.id
        if event.agent is not None:
            self._move(conversation, self._by_id[event.agent], event, trace)
            return
        conversation.bot = False
        if trace:
            self._outbox.note(event, "R11: the bot transfers to a human (R7, R9, R10, R12, R13)")
        decision = self._decider.decide(conversation.message, event, buyer, None, True, trace)
        self._apply(conversation, decision, None, event.line, event.time)

    def _move(
        self, conversation: Conversation, target: AgentState, event: Transfer, trace: bool
    ) -> None:
        """R17b: the conversation moves to ``target`` (cap ignored, as for direct)."""
        old = conversation.agent
        source = old.id if old is not None else ASSIGNEE_BOT
        conversation.bot = False
        conversation.agent = target
        conversation.reason = f"open conversation with {target.id} (transferred from {source})"
        target.load += 1
        self._timeouts.arm(conversation)
        self._outbox.emit(Transferred(event.line, event.time, event.buyer, source, target.id))
        if trace:
            self._outbox.note(event, f"R17b: transferred from {source} to {target.id}")
        if old is not None:
            self._release(old, event.time)
