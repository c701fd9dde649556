"""Inquiries that wait: the R13 queue (every candidate at its cap), the R14 offline pool
and its R17 retention (decisions 8, 9, 24, 26, 28).

Waiting inquiries are served oldest first; a newer inquiry never jumps ahead of an
older one its taker may take.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import final

from routectl.durations import humanize_seconds
from routectl.engine.outbox import Outbox, days_text
from routectl.engine.state import (
    ALL_AGENTS,
    DAY,
    ONLINE,
    AgentState,
    BuyerState,
    Conversation,
    StrideGroup,
    Timer,
    Waiting,
)
from routectl.engine.tables import Shop
from routectl.engine.timers import EXPIRY, Timeouts, TimerHeap
from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    RULE_GROUP,
    RULE_OFFLINE,
    PoolExpired,
    Routed,
    Rows,
    Transferred,
)


@final
class WaitingRoom:
    """The R13 queues (kept in their groups) and the R14 pool with its R17 retention."""

    __slots__ = (
        "_agents",
        "_all",
        "_expiry_due",
        "_fallback_offline",
        "_groups",
        "_outbox",
        "_policy_agent",
        "_policy_group",
        "_policy_kind",
        "_policy_members",
        "_pool",
        "_retention",
        "_seq",
        "_timeouts",
        "_timers",
    )

    def __init__(
        self,
        shop: Shop,
        outbox: Outbox,
        timers: TimerHeap[Timer],
        timeouts: Timeouts,
        *,
        retention: float,
        fallback_offline: bool,
    ) -> None:
        self._outbox = outbox
        self._timers = timers
        self._timeouts = timeouts
        self._agents = shop.agents
        self._all = shop.all
        self._groups = shop.groups
        self._policy_kind = shop.policy.kind
        self._policy_agent = shop.policy_agent
        self._policy_group = shop.groups.get(shop.policy.target or "")
        self._policy_members = shop.policy_members
        self._retention = retention
        """R17: ``pool_retention_days`` in seconds."""
        self._fallback_offline = fallback_offline
        self._pool: deque[Waiting] = deque()
        """R14: pooled inquiries, in waiting order."""
        self._seq = 0
        """Arrival count of waiting inquiries (their ``seq``)."""
        self._expiry_due = math.inf
        """Due time of the earliest pending pool timer (inf: none); later ones are stale."""

    def wait(
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
        recent = pool_recent(buyer, now)
        entry = Waiting(self._seq, line, now, conversation, group, recent, why)
        entry.handover = row is None
        conversation.waiting = entry
        conversation.reason = "waiting with the inquiry it belongs to"
        if row is not None:
            entry.rows.append(row)
        if group is not None:
            group.queue.append(entry)
            return
        self._pool.append(entry)
        self._arm_expiry()
        self._outbox.auto_reply(line, now, buyer.id, "offline")
        # An eligible taker that is free now (a designated main account, an idle agent
        # while fallback = "offline" pooled another group's inquiry) takes it at once.
        self._serve_pool(now)

    def fall_back(self, group: StrideGroup, now: float) -> None:
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
            self._outbox.note_for(buyer.id, self._outbox.line, now, f"R13: {gone}; fallback")
            for row in entry.rows:
                if row.new_inquiry:
                    row.rule = RULE_OFFLINE if to_pool else RULE_GROUP
                    row.group = None if to_pool else ALL_AGENTS
            if group is self._all:
                entry.why += f"; {gone}: pooled"
                entry.group = None
                entry.recent = pool_recent(buyer, now)
                self._outbox.auto_reply(self._outbox.line, now, buyer.id, "offline")
            elif to_pool:
                entry.why += f"; {gone} (fallback offline): pooled"
                entry.group = None
                entry.recent = pool_recent(buyer, now)
                self._outbox.auto_reply(self._outbox.line, now, buyer.id, "offline")
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
        kind = self._policy_kind
        if kind == "agent":
            agent = self._policy_agent
            if agent is not None and agent.state == ONLINE and agent.load < agent.max_concurrent:
                return agent
            return None
        if kind == "group":
            group = self._policy_group
            return group.pick(self._agents) if group is not None else None
        if kind == "recent_contact" and entry.recent is not None and entry.recent.is_candidate:
            return entry.recent
        return self._all.pick(self._agents)

    def drain(self, agent: AgentState, now: float) -> None:
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
        kind = self._policy_kind
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
        self._timeouts.arm(conversation)
        buyer = conversation.buyer.id
        if entry.handover:  # the R11 hand-over reaches a human now
            self._outbox.emit(Transferred(entry.line, now, buyer, ASSIGNEE_BOT, agent.id))
        waited = humanize_seconds(now - entry.since)
        if now == entry.since:  # pooled and served by an idle eligible agent (R14)
            why = f"{entry.why}; {agent.id} took it at once"
            joined = f"with the inquiry of line {entry.line}, taken by {agent.id} at once"
        else:
            why = f"{entry.why}; {agent.id} took it {waited} later"
            joined = f"with the inquiry of line {entry.line}, taken by {agent.id} after {waited}"
        rows, later = entry.resolve(agent.id, now, why, joined, now)
        self._emit(rows, later)
        self._outbox.note_for(buyer, entry.line, now, f"waited {waited}: → {agent.id}")

    def resolve_unassigned(self, entry: Waiting, why: str, now: float) -> None:
        entry.live = False
        rows, later = entry.resolve(ASSIGNEE_OFFLINE, None, why, why, now)
        self._emit(rows, later)

    def _emit(self, rows: list[Routed], later: Rows | None) -> None:
        self._outbox.out.extend(rows)
        self._outbox.emit_rows(later)

    # --- R17: the pool's retention -------------------------------------------------

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

    def expire(self, due: float) -> None:
        """R17: pooled inquiries that outlived the retention; reported, never dropped."""
        if due >= self._expiry_due:
            self._expiry_due = math.inf
        pool = self._pool
        days = days_text(self._retention)
        while pool and (not pool[0].live or pool[0].since + self._retention <= due):
            entry = pool.popleft()
            if not entry.live:
                continue
            buyer = entry.conversation.buyer
            buyer.conversation = None
            self.resolve_unassigned(entry, f"{entry.why}; expired after {days} in the pool", due)
            self._outbox.note_for(
                buyer.id, self._outbox.line, due, f"R17: expired after {days} in the pool"
            )
            self._outbox.emit(PoolExpired(entry.line, entry.since, buyer.id, due))
        self._arm_expiry()

    def still_waiting(self, now: float) -> None:
        """End of log (decision 15): whatever still waits ends unassigned."""
        waiting = [entry for entry in self._pool if entry.live]
        for group in self._groups.values():
            waiting.extend(entry for entry in group.queue if entry.live)
        for entry in waiting:
            entry.live = False
            why = f"{entry.why}; still waiting at the end of the log"
            rows, later = entry.resolve(ASSIGNEE_OFFLINE, None, why, why, now)
            self._emit(rows, later)
        self._pool.clear()


def pool_recent(buyer: BuyerState, now: float) -> AgentState | None:
    """The buyer's R9 agent as the R14 ``recent_contact`` policy sees it (72h)."""
    recent = buyer.recent
    if recent is None or now - buyer.recent_close >= 3 * DAY:
        return None
    return recent


def _seq_of(entry: Waiting) -> int:
    return entry.seq
