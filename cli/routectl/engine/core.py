"""The routing engine: replays events through rules R1-R17b and says who got each message.

Pure: no file, clock or Click access. Feed events in log order with :meth:`Engine.feed`
and call :meth:`Engine.finish` at the end of the log. This file takes the events in and
follows presence (R1, R2); the rules live in the layers below (see :mod:`.base`).
Decisions where ROUTING.md is silent are in docs/design/engine-decisions.md.
"""

from __future__ import annotations

from routectl.engine.decision import ASSIGN, describe_inquiry, prefixed
from routectl.engine.holding import Holder
from routectl.engine.state import OFFLINE, ONLINE, BuyerState, Conversation, Held
from routectl.engine.timers import EXPIRY, HELD_EXPIRY
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


class Engine(Holder):
    """Deterministic replay of one shop's routing; see the module docstring."""

    # --- public surface -----------------------------------------------------------

    def feed(self, event: Event) -> list[Output]:
        """Fire the timers due by ``event.time``, then handle ``event``.

        Raises ValueError (engine state unchanged) for an event it cannot use: time
        going backwards, an unknown agent, a transfer it cannot carry out.
        """
        time = event.time
        if time < self._last_time:
            raise ValueError("time goes backwards (rows must be in time order)")
        kind = type(event)
        if kind is BuyerMessage or kind is StatusChange:
            agent = event.agent  # type: ignore[union-attr]
            if agent is not None and agent not in self._by_id:
                raise ValueError(f"unknown agent {agent!r} (not in the config's [[agents]])")
        elif kind is Transfer:
            self._check_transfer(event)  # type: ignore[arg-type]
        out: list[Output] = []
        self._out = out
        self._line = event.line
        timers = self._timers.entries
        if timers and timers[0][0] <= time:  # TimerHeap.due_by, inlined (once per event)
            self._fire_timers(time)
        self._last_time = time
        if kind is BuyerMessage:
            self._message(event)  # type: ignore[arg-type]
        elif kind is HumanReply:
            self._reply(event)  # type: ignore[arg-type]
        elif kind is StatusChange:
            self._status(event)  # type: ignore[arg-type]
        elif kind is Close:
            self._close_event(event)  # type: ignore[arg-type]
        elif kind is Transfer:
            self._transfer(event)  # type: ignore[arg-type]
        # Paid (R25) changes no routing: only the report reads it.
        return out

    def load(self, agent_id: str) -> int:
        """Open conversations ``agent_id`` holds now (its R13 load)."""
        return self._by_id[agent_id].load

    def finish(self) -> list[Output]:
        """End of log (decision 15): whatever still waits or is held ends unassigned."""
        out = self._still_waiting() + self._still_held()
        out.sort(key=_line_of)
        if not self._batches:  # else the Rows handed out still read from it
            self._spill.close()
        return out

    def _fire_timers(self, now: float) -> None:
        timers = self._timers
        while (timer := timers.pop_due(now)) is not None:
            due, priority, payload = timer
            if priority == EXPIRY:
                self._expire(due)
            elif priority == HELD_EXPIRY:
                assert isinstance(payload, Held)
                self._expire_held(payload, due)
            else:
                assert isinstance(payload, Conversation)
                self._timeout_due(payload, due)

    # --- events -------------------------------------------------------------------

    def _status(self, event: StatusChange) -> None:
        """R1, R2: the agent's effective state; its groups' availability follows."""
        agent = self._by_id[event.agent]
        new = agent.set_device(event.device, event.status)
        old = agent.state
        if new == old:
            return
        agent.state = new
        if old == ONLINE:
            for group in agent.groups:
                group.available -= 1
                if not group.available and group.queue:
                    self._fall_back(group, event.time)
        if new == OFFLINE:
            agent.offline_since = event.time
        elif new == ONLINE:
            under_cap = agent.load < agent.max_concurrent
            for group in agent.groups:
                group.available += 1
                if under_cap:
                    group.rejoin(agent)
            self._came_back(agent, event.line, event.time)

    def _reply(self, event: HumanReply) -> None:
        buyer = self._buyers.get(event.buyer)
        if buyer is not None and buyer.conversation is not None:
            buyer.conversation.last = event.time

    def _close_event(self, event: Close) -> None:
        buyer = self._buyers.get(event.buyer)
        if buyer is not None and buyer.conversation is not None:
            self._note_for(buyer.id, event.line, event.time, "R6: conversation closed")
            self._close(buyer.conversation, event.time, event.time)

    def _message(self, message: BuyerMessage) -> None:
        buyer = self._buyers.get(message.buyer)
        if buyer is None:
            buyer = self._buyers[message.buyer] = BuyerState(message.buyer)
        conversation = buyer.conversation
        if conversation is None:
            self._new_inquiry(message, buyer)
            return
        conversation.last = message.time
        agent = conversation.agent
        if agent is not None and agent.state == OFFLINE:
            self._to_offline_agent(message, buyer, agent, conversation)
            return
        waiting = conversation.waiting
        if waiting is not None:  # decision 12: decided with the inquiry it belongs to
            waiting.join(message.line, message.time, self._spill)
            return
        assignee = agent.id if agent is not None else ASSIGNEE_BOT
        row = Routed(
            message.line, message.time, message.buyer, assignee, RULE_CONVERSATION,
            message.time, conversation.reason,
        )  # fmt: skip
        self._out.append(row)

    def _new_inquiry(self, message: BuyerMessage, buyer: BuyerState) -> None:
        trace = self._explain == buyer.id
        if trace:
            self._note(message, describe_inquiry(message))
        if message.agent is None:
            decision = self._decide(message, message, buyer, None, False, trace)
            self._start(message, buyer, decision)
            return
        addressed = self._by_id[message.agent]
        if addressed.state == ONLINE:
            why = f"addressed to {addressed.id}, who is online"
            if trace:
                self._note(message, f"direct: {why}; max_concurrent does not apply")
            self._start(message, buyer, (ASSIGN, addressed, None, RULE_DIRECT, why))
        elif addressed.state == OFFLINE:
            self._to_offline_agent(message, buyer, addressed, None)
        else:
            why = f"addressed to {addressed.id}, who is suspended (R16)"
            if trace:
                self._note(message, f"R16: {why}; routed by R7/R8 without {addressed.id}")
            decision = self._decide(message, message, buyer, addressed, False, trace, divert="R16")
            self._start(message, buyer, prefixed(decision, why))


def _line_of(row: Output) -> int:
    return row.line
