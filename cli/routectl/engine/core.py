"""The routing engine: replays events through rules R1-R17 and says who got each message.

Pure: no file, clock or Click access. Feed events in log order with :meth:`Engine.feed`
and call :meth:`Engine.finish` at the end of the log. Decisions where ROUTING.md is
silent are in docs/design/engine-decisions.md (quoted below as "decision N").
"""

from __future__ import annotations

import heapq
import math
from collections import deque

from routectl.durations import format_duration, humanize_seconds
from routectl.engine.state import (
    ALL_AGENTS,
    OFFLINE,
    ONLINE,
    STATE_NAMES,
    AgentState,
    BuyerState,
    Conversation,
    StrideGroup,
    Waiting,
)
from routectl.engine.timers import EXPIRY, TIMEOUT, TimerHeap
from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    RULE_BOT,
    RULE_CONVERSATION,
    RULE_DEDICATED,
    RULE_DIRECT,
    RULE_GROUP,
    RULE_OFFLINE,
    RULE_OFFLINE_ROUTING,
    RULE_RECENT_CONTACT,
    RULE_SPECIAL_PREFIX,
    AutoReplySent,
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    LagHeld,
    Output,
    PoolExpired,
    Routed,
    StatusChange,
    TraceStep,
    Transfer,
)
from routectl.model import ShopConfig

DAY = 86400.0

# What a routing decision resolves to.
ASSIGN = 0
BOT = 1
QUEUE = 2
POOL = 3

Decision = tuple[int, AgentState | None, StrideGroup | None, str, str]
"""(kind, agent, target group, rule, reason)."""

Target = tuple[StrideGroup, str, str]
"""An R12 outcome: (group, rule, reason)."""


class Engine:
    """Deterministic replay of one shop's routing; see the module docstring."""

    def __init__(self, config: ShopConfig, *, explain_buyer: str | None = None) -> None:
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
        self._agents = _agent_states(config)
        self._by_id = {agent.id: agent for agent in self._agents}
        self._groups = _stride_groups(config, self._agents)
        self._all = self._groups[ALL_AGENTS]
        self._entry_targets = _entry_targets(config, self._groups)
        self._rule_targets = _rule_targets(config, self._groups)
        self._crowd_targets = _crowd_targets(config, self._groups)
        self._dedicated = _dedicated(config, self._by_id)
        self._policy = config.offline.policy
        self._policy_agent = self._by_id.get(self._policy.target or "")
        policy_group = self._groups.get(self._policy.target or "")
        self._policy_members = (
            frozenset(agent.order for agent in policy_group.members) if policy_group else None
        )
        self._buyers: dict[str, BuyerState] = {}
        self._timers: TimerHeap[Conversation | None] = TimerHeap()
        """Conversation timeouts (R6), and one pool expiry timer (R17, payload None)."""
        self._expiry_due = math.inf
        """Due time of the earliest pending R17 timer (inf: none); later ones are stale."""
        self._pool: deque[Waiting] = deque()
        self._seq = 0
        self._last_time = float("-inf")
        self._out: list[Output] = []
        self._line = 0
        """Line of the event being fed: where timer-driven trace steps are reported."""

    # --- public surface -----------------------------------------------------------

    def feed(self, event: Event) -> list[Output]:
        """Fire the timers due by ``event.time``, then handle ``event``.

        Raises ValueError (engine state unchanged) for an event it cannot use: time
        going backwards, an unknown agent, a transfer the bot does not hold.
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
        """End of log (decision 15): whatever still waits ends unassigned."""
        out: list[Routed] = []
        waiting = [entry for entry in self._pool if entry.live]
        for group in self._groups.values():
            waiting.extend(entry for entry in group.queue if entry.live)
        for entry in waiting:
            entry.live = False
            for row in entry.rows:
                row.assignee = ASSIGNEE_OFFLINE
                row.assigned_at = None
                row.reason = f"{entry.why}; still waiting at the end of the log"
                out.append(row)
        for agent in self._agents:
            for conversation in agent.held:
                out.extend(_not_reached(conversation, "by the end of the log"))
            agent.held = {}
        out.sort(key=_line_of)
        self._pool.clear()
        return list(out)

    # --- validation and timers ----------------------------------------------------

    def _check_transfer(self, event: Transfer) -> None:
        buyer = self._buyers.get(event.buyer)
        conversation = buyer.conversation if buyer else None
        if (
            conversation is None
            or not conversation.bot
            or conversation.last + self._timeout <= event.time
        ):
            raise ValueError(
                f"transfer for buyer {event.buyer!r}, whose conversation the bot does not hold"
            )

    def _fire_timers(self, now: float) -> None:
        timers = self._timers
        while (timer := timers.pop_due(now)) is not None:
            due, _, payload = timer
            if payload is None:
                self._expire(due)
            else:
                self._timeout_due(payload, due)

    def _arm(self, conversation: Conversation) -> None:
        if not conversation.timer_live:
            conversation.timer_live = True
            self._timers.push(conversation.last + self._timeout, TIMEOUT, conversation)

    def _timeout_due(self, conversation: Conversation, due: float) -> None:
        """R6 with lazy invalidation: one live timer per conversation, re-armed on fire."""
        conversation.timer_live = False
        if conversation.buyer.conversation is not conversation or conversation.waiting:
            return  # closed already, or waiting (waiting inquiries do not time out)
        if conversation.last + self._timeout > due:
            self._arm(conversation)
            return
        self._note_for(conversation.buyer.id, self._line, due, "R6: conversation timed out")
        self._close(conversation, conversation.last, due)

    def _arm_expiry(self) -> None:
        """One R17 timer, for the pool's oldest live inquiry.

        The pool is in waiting order, and everyone gets the same retention, so the head
        always expires first; a timer per pooled inquiry would keep every served one
        alive for the whole retention. When the head changes to one that expires before
        the pending timer (an inquiry moved in from a queue), an earlier timer is pushed;
        the later one then fires harmlessly.
        """
        pool = self._pool
        while pool and not pool[0].live:
            pool.popleft()
        if pool:
            due = pool[0].since + self._retention
            if due < self._expiry_due:
                self._expiry_due = due
                self._timers.push(due, EXPIRY, None)

    def _expire(self, due: float) -> None:
        """R17: pooled inquiries that outlived the retention; reported, never dropped."""
        if due >= self._expiry_due:
            self._expiry_due = math.inf
        pool = self._pool
        count = round(self._retention / DAY)
        days = f"{count} day" if count == 1 else f"{count} days"
        while pool and (not pool[0].live or pool[0].since + self._retention <= due):
            entry = pool.popleft()
            if not entry.live:
                continue
            buyer = entry.conversation.buyer
            buyer.conversation = None
            self._resolve_unassigned(entry, f"{entry.why}; expired after {days} in the pool")
            self._note_for(buyer.id, self._line, due, f"R17: expired after {days} in the pool")
            self._out.append(PoolExpired(entry.line, entry.since, buyer.id, due))
        self._arm_expiry()

    # --- events -------------------------------------------------------------------

    def _status(self, event: StatusChange) -> None:
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

    def _came_back(self, agent: AgentState, line: int, now: float) -> None:
        """An agent became available: its held rows reach it, then it drains waiters."""
        for conversation in agent.held:
            rows = conversation.held or []
            conversation.held = None
            for row in rows:
                row.assigned_at = now
                row.reason += f"; {agent.id} back online {humanize_seconds(now - row.time)} later"
                self._out.append(row)
                self._note_for(row.buyer, line, now, f"{agent.id} back online: held row reached it")
        agent.held = {}
        self._drain(agent, now)

    def _reply(self, event: HumanReply) -> None:
        buyer = self._buyers.get(event.buyer)
        if buyer is not None and buyer.conversation is not None:
            buyer.conversation.last = event.time

    def _close_event(self, event: Close) -> None:
        buyer = self._buyers.get(event.buyer)
        if buyer is not None and buyer.conversation is not None:
            self._note_for(buyer.id, event.line, event.time, "R6: conversation closed")
            self._close(buyer.conversation, event.time, event.time)

    def _close(self, conversation: Conversation, close_time: float, now: float) -> None:
        buyer = conversation.buyer
        buyer.conversation = None
        if conversation.waiting is not None:
            entry = conversation.waiting
            self._resolve_unassigned(entry, f"{entry.why}; conversation closed while waiting")
            return
        agent = conversation.agent
        if agent is None:
            return  # the bot's: no recent contact (R9)
        if conversation.held is not None:
            # Rows left with an offline agent end with the conversation, so the replay's
            # reorder buffer never waits for an agent who may not come back for days.
            del agent.held[conversation]
            self._out.extend(_not_reached(conversation, "before the conversation ended"))
        buyer.recent = agent
        buyer.recent_close = close_time
        self._release(agent, now)

    def _release(self, agent: AgentState, now: float) -> None:
        agent.load -= 1
        if agent.state == ONLINE:
            for group in agent.groups:
                group.rejoin(agent)
            self._drain(agent, now)

    def _transfer(self, event: Transfer) -> None:
        buyer = self._buyers[event.buyer]
        conversation = buyer.conversation
        assert conversation is not None
        conversation.bot = False
        conversation.last = event.time
        trace = self._explain == buyer.id
        if trace:
            self._note(event, "R11: the bot transfers to a human (R7, R9, R10, R12, R13)")
        decision = self._decide(conversation.message, event, buyer, None, True, trace)
        self._apply(conversation, decision, None, event.line, event.time)

    # --- buyer messages -------------------------------------------------------------

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
            row = Routed(
                message.line, message.time, message.buyer, ASSIGNEE_OFFLINE, RULE_CONVERSATION,
                None, conversation.reason,
            )  # fmt: skip
            waiting.rows.append(row)
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
            self._note(message, _describe_inquiry(message))
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
            decision = self._decide(message, message, buyer, addressed, False, trace, divert=True)
            self._start(message, buyer, _prefixed(decision, why))

    def _to_offline_agent(
        self,
        message: BuyerMessage,
        buyer: BuyerState,
        agent: AgentState,
        conversation: Conversation | None,
    ) -> None:
        """R15: a message addressed to, or held by, an agent who is offline."""
        trace = self._explain == buyer.id
        offline_for = message.time - agent.offline_since
        if self._offline_routing and offline_for >= self._delay:
            how_long = "" if math.isinf(offline_for) else f" for {humanize_seconds(offline_for)}"
            why = f"{agent.id} offline{how_long} (past the {self._delay_text} lag); re-routed"
            if trace:
                self._note(message, f"R15: {why} by R7/R8 without {agent.id}")
            inquiry = message
            if conversation is not None:
                inquiry = conversation.message  # R12 looks at where the inquiry came from
                self._close(conversation, message.time, message.time)
            decision = self._decide(inquiry, message, buyer, agent, True, trace)
            # The buyer is mid-conversation when it is re-routed: no second greeting.
            self._start(message, buyer, _rerouted(decision, why), greet=conversation is None)
            return
        starts = conversation is None
        if conversation is None:
            conversation = self._open(message, buyer)
            conversation.agent = agent
            conversation.reason = f"open conversation with {agent.id}"
            agent.load += 1
            self._arm(conversation)
        if self._offline_routing:
            why = (
                f"{agent.id} went offline {humanize_seconds(offline_for)} ago, inside the "
                f"{self._delay_text} detection lag; held"
            )
            self._out.append(LagHeld(message.line, message.time, buyer.id, agent.id))
        else:
            why = f"{agent.id} offline and offline routing is off; held as an offline message"
            if conversation.offline_spell != agent.offline_since:
                conversation.offline_spell = agent.offline_since
                self._auto_reply(message.line, message.time, buyer.id, "offline")
        if trace:
            self._note(message, f"R15: {why}")
        row = Routed(
            message.line, message.time, buyer.id, agent.id, RULE_OFFLINE, None, why, starts
        )  # fmt: skip
        if conversation.held is None:
            conversation.held = []
            agent.held[conversation] = None
        conversation.held.append(row)

    def _open(self, message: BuyerMessage, buyer: BuyerState, greet: bool = True) -> Conversation:
        conversation = Conversation(buyer, message)
        buyer.conversation = conversation
        if greet and self._greeting:
            self._auto_reply(message.line, message.time, buyer.id, "greeting")
        return conversation

    def _start(
        self, message: BuyerMessage, buyer: BuyerState, decision: Decision, *, greet: bool = True
    ) -> None:
        conversation = self._open(message, buyer, greet)
        group = decision[2]
        row = Routed(
            message.line, message.time, buyer.id, ASSIGNEE_OFFLINE, decision[3], None,
            decision[4], True, group.label if group is not None else None,
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
        kind, agent, group, _, why = decision
        if kind == ASSIGN:
            assert agent is not None
            conversation.agent = agent
            conversation.reason = f"open conversation with {agent.id}"
            agent.load += 1
            self._arm(conversation)
            if row is not None:
                row.assignee = agent.id
                row.assigned_at = now
                self._out.append(row)
        elif kind == BOT:
            conversation.bot = True
            conversation.reason = "open conversation with the bot"
            self._arm(conversation)
            if row is not None:
                row.assignee = ASSIGNEE_BOT
                row.assigned_at = now
                self._out.append(row)
        else:
            self._wait(conversation, group if kind == QUEUE else None, row, why, line, now)

    def _wait(
        self,
        conversation: Conversation,
        group: StrideGroup | None,
        row: Routed | None,
        why: str,
        line: int,
        now: float,
    ) -> None:
        self._seq += 1
        buyer = conversation.buyer
        recent = self._pool_recent(buyer, now)
        entry = Waiting(self._seq, line, now, conversation, group, recent, why)
        conversation.waiting = entry
        conversation.reason = "waiting with the inquiry it belongs to"
        if row is not None:
            entry.rows.append(row)
        if group is not None:
            group.queue.append(entry)
            return
        self._pool.append(entry)
        self._arm_expiry()
        self._auto_reply(line, now, buyer.id, "offline")
        # An eligible taker that is free now (a designated main account, an idle agent
        # while fallback = "offline" pooled another group's inquiry) takes it at once.
        self._serve_pool(now)

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

    # --- the decision: R7 then R8 (R9 > R10 > R11 > R12 > R13) ---------------------

    def _decide(
        self,
        message: BuyerMessage,
        at: Event,
        buyer: BuyerState,
        exclude: AgentState | None,
        human_only: bool,
        trace: bool,
        *,
        divert: bool = False,
    ) -> Decision:
        """R7, then R8's order. ``divert`` (R16): R9 only to an agent online now."""
        if self._all.available == 0:
            why = "no routing agent online and not suspended (R7); pooled"
            if trace:
                self._note(at, f"R7: {why} by policy {self._policy.text}")
            return POOL, None, None, RULE_OFFLINE, why
        if trace:
            self._note(at, f"R7: {self._all.available} routing agent(s) available")
        found = self._recent_contact(buyer, at.time, exclude, divert, trace, at)
        if found is not None:
            return found
        found = self._dedicated_agent(buyer, exclude, trace, at)
        if found is not None:
            return found
        if self._bot_first and not human_only:
            if trace:
                self._note(at, "R11: bot priority reception is on → bot")
            return BOT, None, None, RULE_BOT, "bot priority reception"
        if trace:
            reason = "not for a transfer or an R15 re-route" if human_only else "off"
            self._note(at, f"R11: bot priority reception: {reason}")
        group, rule, why = self._target(message, buyer)
        if trace:
            self._note(at, f"R12: {why}")
        return self._group_route(group, rule, why, trace, at)

    def _recent_contact(
        self,
        buyer: BuyerState,
        now: float,
        exclude: AgentState | None,
        divert: bool,
        trace: bool,
        at: Event,
    ) -> Decision | None:
        """R9 (decision 2): routing agent, cap ignored, the bot never counts.

        On an R16 divert the message goes to "other non-suspended agents": a suspended
        recent contact does not count, even within 24h.
        """
        agent = buyer.recent
        if agent is None:
            if trace:
                self._note(at, "R9: no recent contact")
            return None
        ago = now - buyer.recent_close
        seen = ""
        if trace:  # for the trace only: not built for every inquiry
            state = STATE_NAMES[agent.state]
            seen = f"recent contact {agent.id} {humanize_seconds(ago)} ago, {state}"
        if agent is exclude or not agent.routing or (divert and agent.state != ONLINE):
            if agent is exclude:
                why = "excluded (R15/R16)"
            elif not agent.routing:
                why = "not a routing agent"
            else:
                why = "R16 diverts to agents online and not suspended only"
            if trace:
                self._note(at, f"R9: {seen}: {why} → next rule")
            return None
        if ago < DAY and agent.state != OFFLINE:
            tail = "suspended but within 24h" if agent.state != ONLINE else "online"
            why = f"recent contact {humanize_seconds(ago)} ago; {agent.id} {tail}"
        elif DAY <= ago < 3 * DAY and agent.state == ONLINE:
            why = f"recent contact {humanize_seconds(ago)} ago (24-72h); {agent.id} online"
        else:
            if trace:
                self._note(at, f"R9: {seen} → next rule")
            return None
        if trace:
            self._note(at, f"R9: {why} → {agent.id}")
        return ASSIGN, agent, None, RULE_RECENT_CONTACT, why

    def _dedicated_agent(
        self, buyer: BuyerState, exclude: AgentState | None, trace: bool, at: Event
    ) -> Decision | None:
        """R10 (decision 3): priority reception on, routing agent available; cap ignored."""
        agent = self._dedicated.get(buyer.id)
        if agent is None:
            if trace:
                self._note(at, "R10: no dedicated agent with priority reception")
            return None
        if agent is exclude or not agent.routing or agent.state != ONLINE:
            state = STATE_NAMES[agent.state]
            if trace:
                self._note(at, f"R10: dedicated {agent.id} is {state} → next rule")
            return None
        why = f"dedicated agent {agent.id}, online"
        if trace:
            self._note(at, f"R10: {why} → {agent.id}")
        return ASSIGN, agent, None, RULE_DEDICATED, why

    def _target(self, message: BuyerMessage, buyer: BuyerState) -> Target:
        """R12 (decision 5): crowd > intent > item > order_status > entry > everyone."""
        target = self._crowd_targets.get(buyer.id)
        if target is not None:
            return target
        rules = self._rule_targets
        for kind, value in (
            ("intent", message.intent),
            ("item", message.item),
            ("order_status", message.order_status),
        ):
            if value is not None:
                target = rules[kind].get(value)
                if target is not None:
                    return target
        if message.entry is not None:
            target = self._entry_targets.get(message.entry)
            if target is not None:
                return target
        return self._all, RULE_GROUP, "no special rule or entry group: all routing agents"

    def _group_route(
        self, group: StrideGroup, rule: str, why: str, trace: bool, at: Event
    ) -> Decision:
        """R13 (decisions 6, 7): stride pick; a group with no candidate uses the fallback.

        "No candidate" is literal: nobody available, or everyone available at the cap.
        Only the whole shop (``*``) queues, when all its available agents are at the cap.
        """
        if trace:
            self._note(at, f"R13: candidates in {group.label}: {self._describe(group)}")
        agent = group.pick(self._agents)
        if agent is None and group is not self._all:
            if group.available == 0:
                empty = f"no agent of group {group.label} online"
            else:
                empty = f"no candidate in group {group.label} (all at max_concurrent)"
            if self._fallback_offline:
                if trace:
                    self._note(at, f"R13: {empty}; fallback offline → pool (R14)")
                return POOL, None, None, RULE_OFFLINE, f"{why}; {empty} (fallback offline); pooled"
            if trace:
                self._note(at, f"R13: {empty}; fallback shop → all routing agents")
            why = f"{why}; {empty}, so any agent of the shop (fallback)"
            group, rule = self._all, RULE_GROUP
            if trace:
                self._note(at, f"R13: candidates in {group.label}: {self._describe(group)}")
            agent = group.pick(self._agents)
        if agent is None:
            if self._fallback_offline:
                empty = "no candidate in the shop (all at max_concurrent)"
                if trace:
                    self._note(at, f"R13: {empty}; fallback offline → pool (R14)")
                return POOL, None, None, RULE_OFFLINE, f"{why}; {empty} (fallback offline); pooled"
            why = f"{why}; every candidate at max_concurrent, queued"
            self._note_if(
                trace, at, f"R13: every candidate at max_concurrent → queue {group.label}"
            )
            return QUEUE, None, group, rule, why
        why = f"{why}; {agent.id} next by weight ({agent.weight}) among available agents"
        if trace:
            self._note(at, f"R13: lowest (pass, agent order) → {agent.id}")
        return ASSIGN, agent, group, rule, why

    # --- waiting inquiries (decisions 8, 9) ---------------------------------------

    def _fall_back(self, group: StrideGroup, now: float) -> None:
        """R13 fallback for a queue whose group has no available agent any more."""
        entries = [entry for entry in group.queue if entry.live]
        group.queue.clear()
        to_pool = self._fallback_offline or group is self._all
        if group is self._all:
            gone = "no routing agent online and not suspended any more (R7)"
        else:
            gone = f"no agent of group {group.label} online any more"
        for entry in entries:
            buyer = entry.conversation.buyer
            self._note_for(buyer.id, self._line, now, f"R13: {gone}; fallback")
            for row in entry.rows:
                if row.new_inquiry:
                    row.rule = RULE_OFFLINE if to_pool else RULE_GROUP
                    row.group = None if to_pool else ALL_AGENTS
            if group is self._all:
                entry.why += f"; {gone}: pooled"
                entry.group = None
                entry.recent = self._pool_recent(buyer, now)
                self._auto_reply(self._line, now, buyer.id, "offline")
            elif to_pool:
                entry.why += f"; {gone} (fallback offline): pooled"
                entry.group = None
                entry.recent = self._pool_recent(buyer, now)
                self._auto_reply(self._line, now, buyer.id, "offline")
            else:
                entry.why += f"; {gone}, so any agent of the shop (fallback)"
                entry.group = self._all
        target = self._pool if to_pool else self._all.queue
        merged = heapq.merge(target, entries, key=_seq_of)
        if to_pool:
            self._pool = deque(merged)  # still in waiting order: seq follows time
            self._arm_expiry()
            self._serve_pool(now)
        else:
            self._all.queue = deque(merged)
            self._serve_all_queue(now)

    def _serve_all_queue(self, now: float) -> None:
        """The ``*`` queue's oldest first, each to the ``*`` stride pick: weights hold."""
        queue = self._all.queue
        while True:
            while queue and not queue[0].live:
                queue.popleft()
            if not queue:
                return
            agent = self._all.pick(self._agents)
            if agent is None:
                return
            self._serve(queue.popleft(), agent, now)

    def _serve_pool(self, now: float) -> None:
        """R14: pooled inquiries go at once, oldest first, to whoever may take them now.

        Called after something enters the pool, so that an idle eligible agent never
        watches a newer inquiry being routed while an older pooled one waits.
        """
        pool = self._pool
        while True:
            while pool and not pool[0].live:
                pool.popleft()
            if not pool:
                break
            taker = self._pool_pick(pool[0])
            if taker is None:
                break
            self._serve(pool.popleft(), taker, now)
        self._arm_expiry()

    def _pool_pick(self, entry: Waiting) -> AgentState | None:
        """Who takes a pooled inquiry now, by the R14 policy (None: it keeps waiting)."""
        kind = self._policy.kind
        if kind == "agent":
            agent = self._policy_agent
            if agent is not None and agent.state == ONLINE and agent.load < agent.max_concurrent:
                return agent
            return None
        if kind == "group":
            group = self._groups.get(self._policy.target or "")
            return group.pick(self._agents) if group is not None else None
        if kind == "recent_contact" and entry.recent is not None and entry.recent.is_candidate:
            return entry.recent
        return self._all.pick(self._agents)

    def _drain(self, agent: AgentState, now: float) -> None:
        """The agent takes the oldest waiting inquiry it may take, until full or none."""
        while agent.state == ONLINE and agent.load < agent.max_concurrent:
            found = self._oldest_for(agent)
            if found is None:
                return
            self._serve(found[0], found[1], now)

    def _oldest_for(self, agent: AgentState) -> tuple[Waiting, AgentState] | None:
        best: Waiting | None = None
        for group in agent.groups:
            queue = group.queue
            while queue and not queue[0].live:
                queue.popleft()
            if queue and (best is None or queue[0].seq < best.seq):
                best = queue[0]
        taker = agent
        pool = self._pool
        while pool and not pool[0].live:
            pool.popleft()
        if pool and (best is None or pool[0].seq < best.seq):
            other = self._pool_taker(pool[0], agent)
            if other is not None:
                best, taker = pool[0], other
        return None if best is None else (best, taker)

    def _pool_taker(self, entry: Waiting, agent: AgentState) -> AgentState | None:
        """Who takes a pooled inquiry when ``agent`` is free, by the R14 policy."""
        kind = self._policy.kind
        if kind == "agent":
            return agent if agent is self._policy_agent else None
        if kind == "group":
            members = self._policy_members
            return agent if members is not None and agent.order in members else None
        if kind == "recent_contact" and entry.recent is not None and entry.recent.is_candidate:
            return entry.recent
        return agent if agent.routing else None

    def _serve(self, entry: Waiting, agent: AgentState, now: float) -> None:
        entry.live = False
        conversation = entry.conversation
        conversation.waiting = None
        conversation.agent = agent
        conversation.reason = f"open conversation with {agent.id}"
        conversation.last = now  # its silence clock starts when an agent has it
        agent.load += 1
        self._arm(conversation)
        waited = humanize_seconds(now - entry.since)
        if now == entry.since:  # pooled and served by an idle eligible agent (R14)
            why = f"{entry.why}; {agent.id} took it at once"
            joined = f"with the inquiry of line {entry.line}, taken by {agent.id} at once"
        else:
            why = f"{entry.why}; {agent.id} took it {waited} later"
            joined = f"with the inquiry of line {entry.line}, taken by {agent.id} after {waited}"
        for row in entry.rows:
            row.assignee = agent.id
            row.assigned_at = now
            row.reason = why if row.new_inquiry else joined
            self._out.append(row)
        entry.rows = []  # served: dead entries may sit in a deque a while, rows need not
        self._note_for(conversation.buyer.id, entry.line, now, f"waited {waited}: → {agent.id}")

    def _resolve_unassigned(self, entry: Waiting, why: str) -> None:
        entry.live = False
        for row in entry.rows:
            row.assignee = ASSIGNEE_OFFLINE
            row.assigned_at = None
            row.reason = why
            self._out.append(row)
        entry.rows = []

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

    def _describe(self, group: StrideGroup) -> str:
        parts = []
        for agent in group.members:
            flags = [STATE_NAMES[agent.state], f"weight {agent.weight}"]
            flags.append(f"load {agent.load}/{agent.max_concurrent}")
            # pass / (stride * weight) is picks per unit of weight; x100 reads as "picks at 100"
            passes = group.passes[agent.order] * 100 / (agent.stride * agent.weight)
            flags.append(f"pass {passes:.2f}")
            parts.append(f"{agent.id} ({', '.join(flags)})")
        return "; ".join(parts) or "none"


# --- building the engine's tables from the config -------------------------------------


def _agent_states(config: ShopConfig) -> list[AgentState]:
    # Strides are exact integers: pass values never drift, so runs are byte-identical.
    scale = math.lcm(*(agent.weight for agent in config.agents)) if config.agents else 1
    mobile_ok = config.routing.mobile_reception
    return [
        AgentState(order, agent, scale // agent.weight, mobile_ok and agent.mobile)
        for order, agent in enumerate(config.agents)
    ]


def _stride_groups(config: ShopConfig, agents: list[AgentState]) -> dict[str, StrideGroup]:
    routing = [agent for agent in agents if agent.routing]
    groups = {
        group.name: StrideGroup(
            group.name,
            [agent for agent in routing if group.name in config.agents[agent.order].groups],
        )
        for group in config.groups
    }
    groups[ALL_AGENTS] = StrideGroup(ALL_AGENTS, routing)
    for group in groups.values():
        for agent in group.members:
            agent.groups.append(group)
    return groups


def _entry_targets(config: ShopConfig, groups: dict[str, StrideGroup]) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for group in config.groups:
        for entry in group.entries:
            why = f"entry {entry} → group {group.name}"
            targets.setdefault(entry, (groups[group.name], RULE_GROUP, why))
    return targets


def _rule_targets(
    config: ShopConfig, groups: dict[str, StrideGroup]
) -> dict[str, dict[str, Target]]:
    targets: dict[str, dict[str, Target]] = {"intent": {}, "item": {}, "order_status": {}}
    for rule in config.rules:
        group = groups.get(rule.group)
        if rule.kind not in targets or group is None:
            continue
        for value in rule.match:
            why = f"{rule.kind} rule matches {value!r} → group {rule.group}"
            targets[rule.kind].setdefault(value, (group, RULE_SPECIAL_PREFIX + rule.kind, why))
    return targets


def _crowd_targets(config: ShopConfig, groups: dict[str, StrideGroup]) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for rule in config.rules:
        group = groups.get(rule.group)
        if rule.kind != "crowd" or group is None:
            continue
        for crowd in rule.match:
            why = f"crowd rule: buyer in crowd {crowd!r} → group {rule.group}"
            for buyer in sorted(config.crowds.get(crowd, ())):
                targets.setdefault(buyer, (group, RULE_SPECIAL_PREFIX + "crowd", why))
    return targets


def _dedicated(config: ShopConfig, by_id: dict[str, AgentState]) -> dict[str, AgentState]:
    if not config.dedicated.priority_reception:
        return {}
    return {
        buyer: by_id[agent] for buyer, agent in config.dedicated.buyers.items() if agent in by_id
    }


# --- small helpers ---------------------------------------------------------------------


def _line_of(row: Routed) -> int:
    return row.line


def _seq_of(entry: Waiting) -> int:
    return entry.seq


def _not_reached(conversation: Conversation, when: str) -> list[Routed]:
    """Rows held by an offline agent who was not back ``when``: no one got them.

    Contract: ``assignee`` is ``offline`` when still unassigned at the end; the reason
    names the agent that held them.
    """
    rows = conversation.held or []
    conversation.held = None
    agent_id = conversation.agent.id if conversation.agent is not None else "the agent"
    why = f"held for {agent_id}, who was offline and did not come back {when}"
    for row in rows:
        row.assignee = ASSIGNEE_OFFLINE
        row.rule = RULE_OFFLINE
        row.assigned_at = None
        row.reason = why
    return rows


def _prefixed(decision: Decision, why: str) -> Decision:
    kind, agent, group, rule, reason = decision
    return kind, agent, group, rule, f"{why}; {reason}"


def _rerouted(decision: Decision, why: str) -> Decision:
    """R15's rule label: ``offline_routing`` when an agent got it, ``offline`` if pooled."""
    kind, agent, group, _, reason = decision
    rule = RULE_OFFLINE if kind == POOL else RULE_OFFLINE_ROUTING
    return kind, agent, group, rule, f"{why}; {reason}"


def _describe_inquiry(message: BuyerMessage) -> str:
    details = [
        f"{name} {value}"
        for name, value in (
            ("to", message.agent),
            ("entry", message.entry),
            ("item", message.item),
            ("order_status", message.order_status),
            ("intent", message.intent),
        )
        if value is not None
    ]
    suffix = f" ({', '.join(details)})" if details else ""
    return f"R5: no open conversation → new inquiry{suffix}"
