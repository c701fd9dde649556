"""R22: actual share of inquiries vs three expectations, built inquiry by inquiry.

For every inquiry an agent got (in the window), one expected inquiry is split among the
agents it *could* have gone to, in proportion to their weights:

- ``equal_share`` (the baseline of the explanation): split evenly among the group's
  routing agents;
- ``weight_share``: among the routing agents of the inquiry's group, whether logged in
  or not: what the weights alone promise (as if everyone worked all day);
- ``online_share``: among the same agents in proportion to weight x available time over
  the whole report (how long each was online and not suspended, not *when*);
- ``expected_share``: among the routing agents of the group available at the moment it
  was handed out (the inquiry's time, or when a waiting one was taken), by weight:
  weight x online time, with the time of day included.

The group is the one the engine routed to (``Routed.group``, ``*`` = all routing
agents). An inquiry decided by another rule (recent contact, dedicated, direct, the
pool) has no group: it is expected within the assignee's *team*, the routing agents
sharing a group with it, so those rules show up as the part of the split that presence
does not explain. When nobody in the group or team is available, all available routing
agents (the engine's ``fallback``); when still nobody, the assignee alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from routectl.model import ShopConfig

ALL = "*"
TEAM_PREFIX = "~"


class ShareModel:
    """Accumulates actual and expected inquiries per agent.

    :meth:`inquiry` is O(1) amortised: it only counts inquiries per group (or team) label,
    and per label while the presence stays the same (one presence ``version``); the shares
    are spread over the members once per label and version, and at :meth:`settle`. Call
    :meth:`settle` before reading ``by_equal``, ``by_weight``, ``by_presence``,
    ``arrivals`` or ``arrivals_available``.
    """

    def __init__(self, config: ShopConfig) -> None:
        self.weights = {agent.id: agent.weight for agent in config.agents}
        self.groups_of = {agent.id: agent.groups for agent in config.agents}
        routing = [agent.id for agent in config.agents if agent.routing]
        self.members: dict[str, list[str]] = {ALL: routing}
        for group in config.groups:
            self.members[group.name] = [a.id for a in config.agents_in(group.name) if a.routing]
        self.actual: Counter[str] = Counter()
        self.by_equal: defaultdict[str, float] = defaultdict(float)
        self.by_weight: defaultdict[str, float] = defaultdict(float)
        self.by_presence: defaultdict[str, float] = defaultdict(float)
        self.arrivals: Counter[str] = Counter()
        """Inquiries of the groups (or teams) an agent belongs to..."""
        self.arrivals_available: Counter[str] = Counter()
        """...and how many of them arrived while it was available (time of day)."""
        self.per_group: Counter[str] = Counter()
        self.total = 0
        self._weight_fallback: Counter[str] = Counter()
        """Inquiries of labels whose members all weigh 0: expected of the assignee."""
        self._presence_fallback: Counter[str] = Counter()
        """Inquiries when nobody at all was available: expected of the assignee."""
        self._pending: dict[str, _Pending] = {}
        """Per label, the inquiries counted since the presence last changed."""
        self._version = -1
        self._weight_splits: dict[str, list[tuple[str, float]]] = {}

    def inquiry(self, agent: str, group: str | None, available: set[str], version: int) -> None:
        """One inquiry handed to ``agent``; ``available`` is who could take buyers then."""
        label = group if group in self.members else self._team_label(agent)
        self.actual[agent] += 1
        self.per_group[label] += 1
        self.total += 1
        if version != self._version:
            self._flush()
            self._version = version
        pending = self._pending.get(label)
        if pending is None:
            pending = _Pending(
                [a for a in self.members[label] if a in available],
                self._presence_split(label, available),
                not self._weight_split(label),
            )
            self._pending[label] = pending
        if not pending.split:
            self._presence_fallback[agent] += 1
        pending.count += 1
        if pending.weightless:
            self._weight_fallback[agent] += 1

    def settle(self) -> None:
        """Spread the counted inquiries into the per-agent figures (idempotent)."""
        self._flush()
        self.by_equal.clear()
        self.by_weight.clear()
        self.arrivals.clear()
        for label, count in self.per_group.items():
            members = self.members[label]
            even = count / len(members) if members else 0.0
            for member in members:
                self.by_equal[member] += even
                self.arrivals[member] += count
            for member, part in self._weight_split(label):
                self.by_weight[member] += count * part
        for agent, count in self._weight_fallback.items():
            self.by_weight[agent] += count

    def _flush(self) -> None:
        for pending in self._pending.values():
            count = pending.count
            for member in pending.available:
                self.arrivals_available[member] += count
            for member, part in pending.split:
                self.by_presence[member] += count * part
        self._pending.clear()
        for agent, count in self._presence_fallback.items():
            self.by_presence[agent] += count
        self._presence_fallback.clear()

    def _weight_split(self, label: str) -> list[tuple[str, float]]:
        """By weight among the label's members; empty when they all weigh 0."""
        split = self._weight_splits.get(label)
        if split is None:
            split = self._split(self.members[label], None)
            self._weight_splits[label] = split
        return split

    def _team_label(self, agent: str) -> str:
        """The label of ``agent``'s team: the routing agents sharing a group with it."""
        label = TEAM_PREFIX + agent
        if label not in self.members:
            groups = self.groups_of.get(agent, ())
            team = [a for a in self.members[ALL] if set(self.groups_of[a]) & set(groups)]
            self.members[label] = team or [agent]
        return label

    def _presence_split(self, label: str, available: set[str]) -> list[tuple[str, float]]:
        present = [a for a in self.members[label] if a in available]
        if not present:
            present = [a for a in self.members[ALL] if a in available]
        return self._split(present, None) if present else []

    def _split(self, agents: list[str], fallback: str | None) -> list[tuple[str, float]]:
        total = sum(self.weights.get(a, 0) for a in agents)
        if total == 0:
            return [(fallback, 1.0)] if fallback is not None else []
        return [(a, self.weights.get(a, 0) / total) for a in agents]

    def online_expected(self, available_s: dict[str, float]) -> dict[str, float]:
        """Expected inquiries by weight x available time, group by group."""
        expected: defaultdict[str, float] = defaultdict(float)
        for label, count in self.per_group.items():
            members = self.members[label]
            mass = {a: self.weights.get(a, 0) * available_s.get(a, 0.0) for a in members}
            total = sum(mass.values())
            if total <= 0:
                for member, part in self._split(members, None):
                    expected[member] += count * part
                continue
            for member, value in mass.items():
                expected[member] += count * value / total
        return expected


class _Pending:
    """Inquiries of one label while the presence stays the same."""

    __slots__ = ("available", "count", "split", "weightless")

    def __init__(
        self, available: list[str], split: list[tuple[str, float]], weightless: bool
    ) -> None:
        self.available = available
        """The label's members available then."""
        self.split = split
        """The expected share of each available agent (empty: nobody available)."""
        self.weightless = weightless
        """The label's members all weigh 0: the weight share goes to the assignee."""
        self.count = 0
