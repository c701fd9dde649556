"""The engine's lookup tables, built once from the config: agents, groups, R10, R12.

Every builder is linear in the config's size (agents are indexed by group once).
"""

from __future__ import annotations

import math
from typing import final

from routectl.engine.state import ALL_AGENTS, AgentState, StrideGroup
from routectl.events import RULE_GROUP, RULE_SPECIAL_PREFIX
from routectl.model import OfflinePolicy, ShopConfig

Target = tuple[StrideGroup, str, str]
"""An R12 outcome: (group, rule, reason)."""


@final
class Shop:
    """The config's agents and groups, and the lookups the rules read (never change)."""

    __slots__ = (
        "agents",
        "all",
        "by_id",
        "crowd_targets",
        "dedicated",
        "entry_targets",
        "groups",
        "policy",
        "policy_agent",
        "policy_members",
        "rule_targets",
    )

    def __init__(self, config: ShopConfig) -> None:
        self.agents = agent_states(config)
        """In config order: ``agents[agent.order] is agent``."""
        self.by_id = {agent.id: agent for agent in self.agents}
        self.groups = stride_groups(config, self.agents)
        self.all = self.groups[ALL_AGENTS]
        self.entry_targets = entry_targets(config, self.groups)
        self.rule_targets = rule_targets(config, self.groups)
        self.crowd_targets = crowd_targets(config, self.groups)
        self.dedicated = dedicated(config, self.by_id)
        self.policy: OfflinePolicy = config.offline.policy
        """R14: who takes pooled inquiries."""
        self.policy_agent = self.by_id.get(self.policy.target or "")
        policy_group = self.groups.get(self.policy.target or "")
        self.policy_members = (
            frozenset(agent.order for agent in policy_group.members) if policy_group else None
        )


def agent_states(config: ShopConfig) -> list[AgentState]:
    # Strides are exact integers: pass values never drift, so runs are byte-identical.
    scale = math.lcm(*(agent.weight for agent in config.agents)) if config.agents else 1
    mobile_ok = config.routing.mobile_reception
    return [
        AgentState(order, agent, scale // agent.weight, mobile_ok and agent.mobile)
        for order, agent in enumerate(config.agents)
    ]


def stride_groups(config: ShopConfig, agents: list[AgentState]) -> dict[str, StrideGroup]:
    routing = [agent for agent in agents if agent.routing]
    members: dict[str, list[AgentState]] = {group.name: [] for group in config.groups}
    for agent in routing:
        for name in dict.fromkeys(config.agents[agent.order].groups):
            if name in members:
                members[name].append(agent)
    groups = {
        group.name: StrideGroup(group.name, members[group.name], group.balance == "busyness")
        for group in config.groups
    }
    groups[ALL_AGENTS] = StrideGroup(ALL_AGENTS, routing)
    for group in groups.values():
        for agent in group.members:
            agent.groups.append(group)
    return groups


def entry_targets(config: ShopConfig, groups: dict[str, StrideGroup]) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for group in config.groups:
        for entry in group.entries:
            why = f"entry {entry} → group {group.name}"
            targets.setdefault(entry, (groups[group.name], RULE_GROUP, why))
    return targets


def rule_targets(
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


def crowd_targets(config: ShopConfig, groups: dict[str, StrideGroup]) -> dict[str, Target]:
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


def dedicated(config: ShopConfig, by_id: dict[str, AgentState]) -> dict[str, AgentState]:
    if not config.dedicated.priority_reception:
        return {}
    return {
        buyer: by_id[agent] for buyer, agent in config.dedicated.buyers.items() if agent in by_id
    }
