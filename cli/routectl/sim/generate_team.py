"""``generate-log --agents N``: the config's team scaled to N agents (pure).

The scaled team keeps the config's shape: the first agents are the config's own (all of
them when N is at least the team's size, else the first N); each added agent copies the
groups, weight, routing, mobile and max_concurrent of the config's agent at the same
position modulo the team size, and is named ``<shop>:客服NNN`` (the first free number).
A config without agents gets one agent per group in turn, with the defaults.

When agents are dropped (N below the team size), dedicated buyers of a dropped agent
lose their dedicated agent and an ``agent:<id>`` offline policy naming one falls back to
``first_available``, so the scaled config stays valid. Everything else is unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from routectl.model import Agent, Dedicated, Offline, OfflinePolicy, ShopConfig

MAX_AGENTS = 10_000


def scale_team(config: ShopConfig, agents: int) -> ShopConfig:
    """``config`` with a team of exactly ``agents`` agents (see the module docstring)."""
    if not 1 <= agents <= MAX_AGENTS:
        raise ValueError(f"agents must be 1 to {MAX_AGENTS}")
    if agents == len(config.agents):
        return config
    templates = (
        config.agents or tuple(Agent("", (group.name,)) for group in config.groups) or (Agent(""),)
    )
    roster = list(config.agents[:agents])
    taken = {agent.id for agent in roster}
    number = 0
    while len(roster) < agents:
        number += 1
        name = f"{config.shop.name}:客服{number:03d}"
        if name in taken:
            continue
        template = templates[len(roster) % len(templates)]
        roster.append(template._replace(id=name))
        taken.add(name)
    kept = {agent.id for agent in roster}
    dedicated = config.dedicated
    if any(agent not in kept for agent in dedicated.buyers.values()):
        buyers = {buyer: agent for buyer, agent in dedicated.buyers.items() if agent in kept}
        dedicated = Dedicated(dedicated.priority_reception, MappingProxyType(buyers))
    offline = config.offline
    if offline.policy.kind == "agent" and offline.policy.target not in kept:
        offline = Offline(OfflinePolicy(), offline.pool_retention_days)
    return replace(config, agents=tuple(roster), dedicated=dedicated, offline=offline)
