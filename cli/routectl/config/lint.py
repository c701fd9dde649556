"""Warnings: a valid config that probably does not do what the shop admin meant.

Each warning has a stable code and short name (``W004 unserved-entry``), documented in
docs/config.md. Codes are never reused or renumbered; new checks get new codes.
Warnings are looked for only once a config has no errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from routectl.config.problems import Finding, KeyPath
from routectl.durations import format_duration
from routectl.i18n import _, ngettext
from routectl.model import ENTRIES, Agent, ShopConfig

WARNINGS: dict[str, str] = {
    "W001": "mobile-not-allowed",
    "W002": "empty-group",
    "W003": "not-routing",
    "W004": "unserved-entry",
    "W005": "bot-priority-without-bot",
    "W006": "no-offline-auto-reply",
    "W007": "weight-spread",
    "W008": "shadowed-rule",
    "W009": "dedicated-agent-no-group",
    "W010": "unused-group",
    "W011": "offline-delay-unusual",
    "W012": "dedicated-without-priority",
    "W013": "dedicated-agent-not-routing",
    "W014": "offline-target-not-routing",
    "W015": "agent-no-group",
    "W016": "low-max-concurrent",
    "W017": "unused-crowd",
    "W018": "no-routing-agents",
    "W019": "offline-delay-unused",
}

DEFAULT_DELAY_S = 180
PLATFORM_DELAY_S = (120, 300)
"""The platform's offline detection lag (R15, seeds: 2-5 min)."""
WEIGHT_SPREAD = 10
LOW_MAX_CONCURRENT = 3

Check = Callable[[ShopConfig], Iterator[Finding]]


def _warn(code: str, parts: KeyPath, message: str) -> Finding:
    return Finding("warning", parts, message, code)


def _agent_index(config: ShopConfig) -> dict[str, int]:
    return {agent.id: index for index, agent in enumerate(config.agents)}


def mobile_not_allowed(config: ShopConfig) -> Iterator[Finding]:
    if config.routing.mobile_reception:
        return
    for index, agent in enumerate(config.agents):
        if agent.mobile:
            yield _warn(
                "W001",
                ("agents", index, "mobile"),
                _(
                    "'{agent}' has mobile = true but routing.mobile_reception is false, "
                    "so its mobile presence never counts for routing (R2)"
                ).format(agent=agent.id),
            )


def empty_group(config: ShopConfig) -> Iterator[Finding]:
    for index, group in enumerate(config.groups):
        if not config.agents_in(group.name):
            yield _warn(
                "W002",
                ("groups", index),
                _("group '{group}' has no agents").format(group=group.name),
            )


def not_routing(config: ShopConfig) -> Iterator[Finding]:
    for index, agent in enumerate(config.agents):
        if not agent.routing:
            yield _warn(
                "W003",
                ("agents", index, "routing"),
                _(
                    "'{agent}' has routing = false: it never receives routed buyers, "
                    "only messages written to it directly (R3)"
                ).format(agent=agent.id),
            )


def unserved_entry(config: ShopConfig) -> Iterator[Finding]:
    if not config.groups:
        return
    served = {entry for group in config.groups for entry in group.entries}
    for entry in ENTRIES:
        if entry not in served:
            yield _warn(
                "W004",
                ("groups",),
                _(
                    "no group serves entry '{entry}': its inquiries go to all routing agents "
                    "unless a rule matches (R12)"
                ).format(entry=entry),
            )


def bot_priority_without_bot(config: ShopConfig) -> Iterator[Finding]:
    if config.bot.priority_reception and not config.bot.enabled:
        yield _warn(
            "W005",
            ("bot", "priority_reception"),
            _("is true but bot.enabled is false, so the bot never takes a buyer (R11)"),
        )


def no_offline_auto_reply(config: ShopConfig) -> Iterator[Finding]:
    if config.auto_reply.offline is None:
        yield _warn(
            "W006",
            ("auto_reply", "offline"),
            _(
                "not set: buyers whose inquiry waits in the offline pool or stays with an "
                "offline agent get no reply at all (R14, R15)"
            ),
        )


def weight_spread(config: ShopConfig) -> Iterator[Finding]:
    index = _agent_index(config)
    for group in config.groups:
        members = config.agents_in(group.name)
        if not members:
            continue
        smallest = min(members, key=lambda a: a.weight)
        for agent in members:
            if agent.weight > WEIGHT_SPREAD * smallest.weight:
                yield _warn(
                    "W007",
                    ("agents", index[agent.id], "weight"),
                    _(
                        "{weight} is more than {spread}x the smallest weight in "
                        "group '{group}' ({smallest}, '{agent}'): "
                        "'{agent}' gets almost no buyers (R13)"
                    ).format(
                        weight=agent.weight,
                        spread=WEIGHT_SPREAD,
                        group=group.name,
                        smallest=smallest.weight,
                        agent=smallest.id,
                    ),
                )


def shadowed_rule(config: ShopConfig) -> Iterator[Finding]:
    # Kinds look at different message fields, so only an earlier rule of the same kind
    # can take a value first (R12: within a kind, file order decides).
    first: dict[tuple[str, str], int] = {}
    for index, rule in enumerate(config.rules):
        taken = [(pos, v) for pos, v in enumerate(rule.match) if (rule.kind, v) in first]
        if taken and {value for _, value in taken} == set(rule.match):
            earlier = sorted({first[(rule.kind, v)] for _, v in taken})
            where = ", ".join(f"rules[{i}]" for i in earlier)
            yield _warn(
                "W008",
                ("rules", index),
                _(
                    "never matches: every value of match is taken by an earlier "
                    "'{kind}' rule ({rules}) (R12)"
                ).format(kind=rule.kind, rules=where),
            )
        else:
            for pos, value in taken:
                if rule.match.index(value) == pos:
                    earlier_rule = first[(rule.kind, value)]
                    yield _warn(
                        "W008",
                        ("rules", index, "match", pos),
                        _(
                            "'{value}' never matches here: rules[{rule}] takes it first (R12)"
                        ).format(value=value, rule=earlier_rule),
                    )
        for value in rule.match:
            first.setdefault((rule.kind, value), index)


def _dedicated_agents(config: ShopConfig) -> Iterator[tuple[str, Agent]]:
    agents = {agent.id: agent for agent in config.agents}
    for buyer, agent_id in config.dedicated.buyers.items():
        agent = agents.get(agent_id)
        if agent is not None:
            yield buyer, agent


def dedicated_agent_no_group(config: ShopConfig) -> Iterator[Finding]:
    for buyer, agent in _dedicated_agents(config):
        if not agent.groups:
            yield _warn(
                "W009",
                ("dedicated", "buyers", buyer),
                _(
                    "dedicated agent '{agent}' is in no group: apart from its dedicated "
                    "buyers it gets buyers only when routing falls back to the whole shop "
                    "(R10, R13)"
                ).format(agent=agent.id),
            )


def unused_group(config: ShopConfig) -> Iterator[Finding]:
    targets = {rule.group for rule in config.rules}
    policy = config.offline.policy
    if policy.kind == "group" and policy.target:
        targets.add(policy.target)
    for index, group in enumerate(config.groups):
        if not group.entries and group.name not in targets:
            yield _warn(
                "W010",
                ("groups", index),
                _(
                    "group '{group}' serves no entry and no rule or offline policy "
                    "sends buyers to it (R12)"
                ).format(group=group.name),
            )


def offline_delay_unusual(config: ShopConfig) -> Iterator[Finding]:
    delay = config.routing.offline_delay_s
    low, high = PLATFORM_DELAY_S
    if config.routing.offline_routing and not low <= delay <= high:
        yield _warn(
            "W011",
            ("routing", "offline_delay"),
            _(
                "{delay} is outside the platform's 2-5 min detection lag, "
                "so replays will not match what Qianniu does (R15)"
            ).format(delay=format_duration(delay)),
        )


def dedicated_without_priority(config: ShopConfig) -> Iterator[Finding]:
    count = len(config.dedicated.buyers)
    if count and not config.dedicated.priority_reception:
        yield _warn(
            "W012",
            ("dedicated", "priority_reception"),
            ngettext(
                "is false, so the {count} dedicated buyer is never routed to their "
                "dedicated agent (R10)",
                "is false, so the {count} dedicated buyers are never routed to their "
                "dedicated agent (R10)",
                count,
            ).format(count=count),
        )


def dedicated_agent_not_routing(config: ShopConfig) -> Iterator[Finding]:
    for buyer, agent in _dedicated_agents(config):
        if not agent.routing:
            yield _warn(
                "W013",
                ("dedicated", "buyers", buyer),
                _("dedicated agent '{agent}' has routing = false, so R10 never picks it").format(
                    agent=agent.id
                ),
            )


def offline_target_not_routing(config: ShopConfig) -> Iterator[Finding]:
    # `agent:<id>` is designated by name and needs no routing flag (engine decision 9).
    policy = config.offline.policy
    if policy.kind != "group" or policy.target is None:
        return
    if not any(agent.routing for agent in config.agents_in(policy.target)):
        yield _warn(
            "W014",
            ("offline", "policy"),
            _(
                "group '{group}' has no agent with routing = true, so pooled "
                "inquiries are never assigned (R14)"
            ).format(group=policy.target),
        )


def agent_no_group(config: ShopConfig) -> Iterator[Finding]:
    dedicated = set(config.dedicated.buyers.values())
    for index, agent in enumerate(config.agents):
        if not agent.groups and agent.id not in dedicated:
            yield _warn(
                "W015",
                ("agents", index, "groups"),
                _(
                    "'{agent}' is in no group: it gets buyers only when no group "
                    "applies or a group falls back to the whole shop (R12, R13)"
                ).format(agent=agent.id),
            )


def low_max_concurrent(config: ShopConfig) -> Iterator[Finding]:
    for index, agent in enumerate(config.agents):
        if agent.max_concurrent < LOW_MAX_CONCURRENT:
            yield _warn(
                "W016",
                ("agents", index, "max_concurrent"),
                _(
                    "{count} open conversations at most: '{agent}' will "
                    "queue most buyers at busy times (R13)"
                ).format(count=agent.max_concurrent, agent=agent.id),
            )


def unused_crowd(config: ShopConfig) -> Iterator[Finding]:
    used = {value for rule in config.rules if rule.kind == "crowd" for value in rule.match}
    for name in config.crowds:
        if name not in used:
            yield _warn(
                "W017",
                ("crowds", name),
                _("crowd '{crowd}' is used by no crowd rule").format(crowd=name),
            )


def no_routing_agents(config: ShopConfig) -> Iterator[Finding]:
    if not any(agent.routing for agent in config.agents):
        message = (
            _("the shop has no agents: every new inquiry goes to the offline pool (R7, R14)")
            if not config.agents
            else _(
                "the shop has no agent with routing = true: every new inquiry goes to the "
                "offline pool (R7, R14)"
            )
        )
        yield _warn(
            "W018",
            ("agents",),
            message,
        )


def offline_delay_unused(config: ShopConfig) -> Iterator[Finding]:
    routing = config.routing
    if not routing.offline_routing and routing.offline_delay_s != DEFAULT_DELAY_S:
        yield _warn(
            "W019",
            ("routing", "offline_delay"),
            _(
                "{delay} has no effect: offline_routing is "
                "false (the default), so messages to an offline agent always stay with it; "
                "set offline_routing = true if the shop ticked 离线分流 (R15)"
            ).format(delay=format_duration(routing.offline_delay_s)),
        )


CHECKS: tuple[Check, ...] = (
    mobile_not_allowed,
    empty_group,
    not_routing,
    unserved_entry,
    bot_priority_without_bot,
    no_offline_auto_reply,
    weight_spread,
    shadowed_rule,
    dedicated_agent_no_group,
    unused_group,
    offline_delay_unusual,
    dedicated_without_priority,
    dedicated_agent_not_routing,
    offline_target_not_routing,
    agent_no_group,
    low_max_concurrent,
    unused_crowd,
    no_routing_agents,
    offline_delay_unused,
)


def lint(config: ShopConfig) -> list[Finding]:
    """Every warning for ``config``, in check order."""
    return [finding for check in CHECKS for finding in check(config)]
