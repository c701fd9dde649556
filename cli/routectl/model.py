"""The shop config as immutable typed objects, every default filled in.

The parts are named tuples and the whole a frozen dataclass (it caches its lookups):
fourteen dataclasses cost 7 ms at every start, named tuples 2 ms (docs/performance.md,
start-up). Change a part with ``part._replace(...)``; ``ShopConfig`` with
``dataclasses.replace``.

Built by :mod:`routectl.config` from TOML; read by the engine and the reports.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, NamedTuple

ENTRIES: tuple[str, ...] = ("shop_home", "item_detail", "contact_list", "order")
"""Where a buyer starts an inquiry from (contract: Entries)."""

RULE_KINDS: tuple[str, ...] = ("crowd", "intent", "item", "order_status")
"""Special routing rule kinds, highest rank first (R12)."""

FallbackMode = Literal["shop", "offline"]
BalanceMode = Literal["weight", "busyness"]
PolicyKind = Literal["first_available", "recent_contact", "group", "agent"]


class Shop(NamedTuple):
    """The shop: its name and time zone."""

    name: str
    timezone: str = "Asia/Shanghai"


class Routing(NamedTuple):
    """Routing switches (R2, R6, R13, R15)."""

    mobile_reception: bool = False
    offline_routing: bool = False
    offline_delay_s: int = 180
    session_timeout_s: int = 900
    fallback: FallbackMode = "shop"


class OfflinePolicy(NamedTuple):
    """Who gets a pooled inquiry (R14). ``target`` names the group or agent, if any."""

    kind: PolicyKind = "first_available"
    target: str | None = None

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind


class Offline(NamedTuple):
    """Offline handling (R14, R17)."""

    policy: OfflinePolicy = OfflinePolicy()
    pool_retention_days: int = 30


class AutoReply(NamedTuple):
    """Automatic replies: greeting and offline message."""

    greeting: str | None = None
    offline: str | None = None


class Bot(NamedTuple):
    """The bot (店小蜜, R11)."""

    enabled: bool = False
    priority_reception: bool = False


class ReplyRate(NamedTuple):
    """R19: questions whose first message falls in [window_start_s, window_end_s) count.

    Both bounds are seconds after local midnight; ``24:00`` is 86400.
    """

    window_start_s: int = 8 * 3600
    window_end_s: int = 24 * 3600
    threshold_s: int = 180
    avg_window_start_s: int = 8 * 3600
    """R23: questions whose first message falls in [avg_window_start_s, avg_window_end_s)."""
    avg_window_end_s: int = 23 * 3600
    avg_cap_s: int = 600
    """R23: each first-reply delay is capped here; a question never answered counts it."""
    slow_after_s: int = 100
    """R24: a counted question answered this late (or never) is a slow response."""

    @property
    def window_text(self) -> str:
        return _window_text(self.window_start_s, self.window_end_s)

    @property
    def avg_window_text(self) -> str:
        return _window_text(self.avg_window_start_s, self.avg_window_end_s)


def _window_text(start_s: int, end_s: int) -> str:
    def hhmm(s: int) -> str:
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    return f"{hhmm(start_s)}-{hhmm(end_s)}"


class Sales(NamedTuple):
    """R25: a payment within ``conversion_window_s`` after an inquiry converts it."""

    conversion_window_s: int = 24 * 3600


class Group(NamedTuple):
    """A routing group (客服分组, R12, R13)."""

    name: str
    entries: tuple[str, ...] = ()
    balance: BalanceMode = "weight"
    """R13b: "weight" (exact proportional split) or "busyness" (fewest open per weight)."""


class Agent(NamedTuple):
    """A sub-account (子账号) and how it receives buyers (R2, R3, R13)."""

    id: str
    groups: tuple[str, ...] = ()
    weight: int = 100
    routing: bool = True
    mobile: bool = False
    max_concurrent: int = 20


class Rule(NamedTuple):
    """A special routing rule (R12)."""

    kind: str
    match: tuple[str, ...]
    group: str


class Dedicated(NamedTuple):
    """Dedicated agents (专属客服, R10)."""

    priority_reception: bool = False
    buyers: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True, repr=False)
class ShopConfig:
    """A whole shop config, every default filled in."""

    shop: Shop
    routing: Routing = field(default_factory=Routing)
    offline: Offline = field(default_factory=Offline)
    auto_reply: AutoReply = field(default_factory=AutoReply)
    bot: Bot = field(default_factory=Bot)
    reply_rate: ReplyRate = field(default_factory=ReplyRate)
    sales: Sales = field(default_factory=Sales)
    groups: tuple[Group, ...] = ()
    agents: tuple[Agent, ...] = ()
    rules: tuple[Rule, ...] = ()
    crowds: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    dedicated: Dedicated = field(default_factory=Dedicated)

    _index: "_Index | None" = field(default=None, init=False, repr=False, compare=False)
    """Lookups by id and name, built once on first use (so every command is linear in
    the config's size, not quadratic: 2,000 agents in one group took minutes)."""

    def _lookup(self) -> "_Index":
        index = self._index
        if index is None:
            index = _Index.build(self.agents, self.groups)
            object.__setattr__(self, "_index", index)  # a cache; the config stays frozen
        return index

    def agent(self, agent_id: str) -> Agent | None:
        """The first agent with this id (validation refuses doubled ids)."""
        return self._lookup().agents.get(agent_id)

    def group(self, name: str) -> Group | None:
        return self._lookup().groups.get(name)

    def agents_in(self, group_name: str) -> tuple[Agent, ...]:
        """The agents listing ``group_name``, in config order."""
        return self._lookup().members.get(group_name, ())


class _Index(NamedTuple):
    """Lookups by agent id and group name."""

    agents: Mapping[str, Agent]
    groups: Mapping[str, Group]
    members: Mapping[str, tuple[Agent, ...]]

    @classmethod
    def build(cls, agents: tuple[Agent, ...], groups: tuple[Group, ...]) -> "_Index":
        by_id: dict[str, Agent] = {}
        members: dict[str, list[Agent]] = {}
        for agent in agents:
            by_id.setdefault(agent.id, agent)
            for name in dict.fromkeys(agent.groups):  # an agent counts once per group
                members.setdefault(name, []).append(agent)
        by_name: dict[str, Group] = {}
        for group in groups:
            by_name.setdefault(group.name, group)
        return cls(by_id, by_name, {name: tuple(team) for name, team in members.items()})
