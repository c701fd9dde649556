"""R7 and R8: who a new inquiry goes to (R9 > R10 > R11 > R12 > R13, R13b).

A decision only chooses; :mod:`.conversations` applies it. Nothing here changes state
except the R13 stride passes of the group that picks (the groups own them).
"""

from __future__ import annotations

from typing import final

from routectl.durations import humanize_seconds
from routectl.engine.outbox import Outbox
from routectl.engine.state import (
    DAY,
    OFFLINE,
    ONLINE,
    STATE_NAMES,
    AgentState,
    BuyerState,
    StrideGroup,
)
from routectl.engine.tables import Shop, Target
from routectl.events import (
    RULE_BOT,
    RULE_DEDICATED,
    RULE_GROUP,
    RULE_OFFLINE,
    RULE_OFFLINE_ROUTING,
    RULE_RECENT_CONTACT,
    BuyerMessage,
    Event,
)
from routectl.model import ShopConfig

# What a routing decision resolves to.
ASSIGN = 0
BOT = 1
QUEUE = 2
POOL = 3

Decision = tuple[int, AgentState | None, StrideGroup | None, str, str]
"""(kind, agent, target group, rule, reason)."""


@final
class Decider:
    """The routing decision for a new inquiry, a transfer or a re-route (R7-R13b)."""

    __slots__ = (
        "_agents",
        "_all",
        "_bot_first",
        "_crowd_targets",
        "_dedicated",
        "_entry_targets",
        "_fallback_offline",
        "_outbox",
        "_policy_text",
        "_rule_targets",
    )

    def __init__(self, config: ShopConfig, shop: Shop, outbox: Outbox) -> None:
        self._outbox = outbox
        self._agents = shop.agents
        self._all = shop.all
        self._entry_targets = shop.entry_targets
        self._rule_targets = shop.rule_targets
        self._crowd_targets = shop.crowd_targets
        self._dedicated = shop.dedicated
        self._policy_text = shop.policy.text
        self._bot_first = config.bot.enabled and config.bot.priority_reception
        self._fallback_offline = config.routing.fallback == "offline"

    @property
    def fallback_offline(self) -> bool:
        """R13 fallback: ``offline`` pools a group's inquiry (else: the whole shop)."""
        return self._fallback_offline

    def decide(
        self,
        message: BuyerMessage,
        at: Event,
        buyer: BuyerState,
        exclude: AgentState | None,
        human_only: bool,
        trace: bool,
        *,
        divert: str = "",
    ) -> Decision:
        """R7, then R8's order. ``divert`` ("R15", "R16"): R9 only to an agent online now."""
        if self._all.available == 0:
            why = "no routing agent online and not suspended (R7); pooled"
            if trace:
                self._outbox.note(at, f"R7: {why} by policy {self._policy_text}")
            return POOL, None, None, RULE_OFFLINE, why
        if trace:
            self._outbox.note(at, f"R7: {self._all.available} routing agent(s) available")
        found = self._recent_contact(buyer, at.time, exclude, divert, trace, at)
        if found is not None:
            return found
        found = self._dedicated_agent(buyer, exclude, trace, at)
        if found is not None:
            return found
        if self._bot_first and not human_only:
            if trace:
                self._outbox.note(at, "R11: bot priority reception is on → bot")
            return BOT, None, None, RULE_BOT, "bot priority reception"
        if trace:
            reason = "not for a transfer or an R15 re-route" if human_only else "off"
            self._outbox.note(at, f"R11: bot priority reception: {reason}")
        group, rule, why = self._target(message, buyer)
        if trace:
            self._outbox.note(at, f"R12: {why}")
        return self._group_route(group, rule, why, trace, at)

    def _recent_contact(
        self,
        buyer: BuyerState,
        now: float,
        exclude: AgentState | None,
        divert: str,
        trace: bool,
        at: Event,
    ) -> Decision | None:
        """R9 (decision 2): routing agent, cap ignored, the bot never counts.

        On an R16 divert the message goes to "other non-suspended agents", on an R15
        re-route "to an online routing agent": a suspended recent contact does not count
        then, even within 24h.
        """
        agent = buyer.recent
        if agent is None:
            if trace:
                self._outbox.note(at, "R9: no recent contact")
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
                why = f"{divert} diverts to agents online and not suspended only"
            if trace:
                self._outbox.note(at, f"R9: {seen}: {why} → next rule")
            return None
        if ago < DAY and agent.state != OFFLINE:
            tail = "suspended but within 24h" if agent.state != ONLINE else "online"
            why = f"recent contact {humanize_seconds(ago)} ago; {agent.id} {tail}"
        elif DAY <= ago < 3 * DAY and agent.state == ONLINE:
            why = f"recent contact {humanize_seconds(ago)} ago (24-72h); {agent.id} online"
        else:
            if trace:
                self._outbox.note(at, f"R9: {seen} → next rule")
            return None
        if trace:
            self._outbox.note(at, f"R9: {why} → {agent.id}")
        return ASSIGN, agent, None, RULE_RECENT_CONTACT, why

    def _dedicated_agent(
        self, buyer: BuyerState, exclude: AgentState | None, trace: bool, at: Event
    ) -> Decision | None:
        """R10 (decision 3): priority reception on, routing agent available; cap ignored."""
        agent = self._dedicated.get(buyer.id)
        if agent is None:
            if trace:
                self._outbox.note(at, "R10: no dedicated agent with priority reception")
            return None
        if agent is exclude or not agent.routing or agent.state != ONLINE:
            state = STATE_NAMES[agent.state]
            if trace:
                self._outbox.note(at, f"R10: dedicated {agent.id} is {state} → next rule")
            return None
        why = f"dedicated agent {agent.id}, online"
        if trace:
            self._outbox.note(at, f"R10: {why} → {agent.id}")
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
            self._outbox.note(at, f"R13: candidates in {group.label}: {self._describe(group)}")
        agent = group.pick(self._agents)
        if agent is None and group is not self._all:
            if group.available == 0:
                empty = f"no agent of group {group.label} online"
            else:
                empty = f"no candidate in group {group.label} (all at max_concurrent)"
            if self._fallback_offline:
                if trace:
                    self._outbox.note(at, f"R13: {empty}; fallback offline → pool (R14)")
                return POOL, None, None, RULE_OFFLINE, f"{why}; {empty} (fallback offline); pooled"
            if trace:
                self._outbox.note(at, f"R13: {empty}; fallback shop → all routing agents")
            why = f"{why}; {empty}, so any agent of the shop (fallback)"
            group, rule = self._all, RULE_GROUP
            if trace:
                self._outbox.note(at, f"R13: candidates in {group.label}: {self._describe(group)}")
            agent = group.pick(self._agents)
        if agent is None:
            if self._fallback_offline:
                empty = "no candidate in the shop (all at max_concurrent)"
                if trace:
                    self._outbox.note(at, f"R13: {empty}; fallback offline → pool (R14)")
                return POOL, None, None, RULE_OFFLINE, f"{why}; {empty} (fallback offline); pooled"
            why = f"{why}; every candidate at max_concurrent, queued"
            if trace:
                self._outbox.note(
                    at, f"R13: every candidate at max_concurrent → queue {group.label}"
                )
            return QUEUE, None, group, rule, why
        if group.busyness:
            why = f"{why}; {agent.id} has the {busyness_text(group, agent)}"
            if trace:
                self._outbox.note(
                    at, f"R13b: fewest open per weight, then (pass, agent order) → {agent.id}"
                )
        else:
            why = f"{why}; {agent.id} next by weight ({agent.weight}) among available agents"
            if trace:
                self._outbox.note(at, f"R13: lowest (pass, agent order) → {agent.id}")
        return ASSIGN, agent, group, rule, why

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


SHOWN_CANDIDATES = 8
"""R13b reasons list at most this many candidates (the least busy), so rows stay short."""


def busyness_text(group: StrideGroup, chosen: AgentState) -> str:
    """R13b's reason: ``fewest open per weight: A 2/100, B 0/100`` over the candidates."""
    candidates = group.candidates()
    more = ""
    if len(candidates) > SHOWN_CANDIDATES:
        least = sorted(candidates, key=_busyness)[:SHOWN_CANDIDATES]
        if chosen not in least:  # a tie beyond the shown ones, won by the weight order
            least[-1] = chosen
        more = f" (+{len(candidates) - len(least)} more candidates, none less busy)"
        candidates = sorted(least, key=_order)
    loads = ", ".join(f"{a.id} {a.load}/{a.weight}" for a in candidates)
    return f"fewest open per weight: {loads}{more}"


def _busyness(agent: AgentState) -> tuple[int, int]:
    return agent.load * agent.stride, agent.order


def _order(agent: AgentState) -> int:
    return agent.order


def prefixed(decision: Decision, why: str) -> Decision:
    kind, agent, group, rule, reason = decision
    return kind, agent, group, rule, f"{why}; {reason}"


def rerouted(decision: Decision, why: str) -> Decision:
    """R15's rule label: ``offline_routing`` when an agent got it, ``offline`` if pooled."""
    kind, agent, group, _, reason = decision
    rule = RULE_OFFLINE if kind == POOL else RULE_OFFLINE_ROUTING
    return kind, agent, group, rule, f"{why}; {reason}"


def describe_inquiry(message: BuyerMessage) -> str:
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
