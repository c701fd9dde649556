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
from collections.abc import Collection

from routectl.model import ShopConfig

ALL = "*"
TEAM_PREFIX = "~"


class ShareModel:
    """Accumulates actual and expected inquiries per agent.

    :meth:`inquiry` only tallies (one dict entry per agent, group and rule); call
    :meth:`flush` with who is available before the presence changes, so each tallied
    inquiry is spread over the members available when it was handed out: once per
    label and presence, not once per inquiry. Call :meth:`settle` before reading
    ``actual``, ``rules``, ``by_equal``, ``by_weight``, ``by_presence``, ``arrivals`` or
    ``arrivals_available``.
    """

    def __init__(self, config: ShopConfig, *, expected: bool = True) -> None:
        self.expected = expected
        """Spread each inquiry over who was available (``by_presence``, ``arrivals_available``).
        Without it only the counts and the weight-based figures are kept (``routectl diff``),
        and :meth:`flush` need not be called when the presence changes."""
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
        self.rules: defaultdict[str, Counter[str]] = defaultdict(Counter)
        """Inquiries per agent and rule."""
        self._tally: dict[tuple[str, str | None, str], int] = {}
        """Inquiries per (agent, group, rule) since the presence last changed."""
        self._weight_splits: dict[str, list[tuple[str, float]]] = {}

    def inquiry(self, agent: str, group: str | None, rule: str) -> None:
        """One inquiry handed to ``agent`` by ``rule`` (``group``: the one it was routed to)."""
        key = (agent, group, rule)
        tally = self._tally
        tally[key] = tally.get(key, 0) + 1

    def flush(self, available: Collection[str]) -> None:
        """Spread the tallied inquiries; ``available`` is who could take buyers meanwhile."""
        if not self._tally:
            return
        per_label: dict[str, int] = {}
        presence_fallback: dict[str, int] = {}  # nobody available at all: the assignee's
        splits: dict[str, list[tuple[str, float]]] = {}
        for (agent, group, rule), count in self._tally.items():
            label = group if group in self.members else self._team_label(agent)
            self.rules[agent][rule] += count
            self.actual[agent] += count
            self.per_group[label] += count
            self.total += count
            per_label[label] = per_label.get(label, 0) + count
            if not self._weight_split(label):
                self._weight_fallback[agent] += count
            if not self.expected:
                continue
            split = splits.get(label)
            if split is None:
                split = splits[label] = self._presence_split(label, available)
            if not split:
                presence_fallback[agent] = presence_fallback.get(agent, 0) + count
        self._tally.clear()
        if not self.expected:
            return
        for label, count in per_label.items():
            for member in self.members[label]:
                if member in available:
                    self.arrivals_available[member] += count
            for member, part in splits[label]:
                self.by_presence[member] += count * part
        for agent, count in presence_fallback.items():
            self.by_presence[agent] += count

    def settle(self, available: Collection[str]) -> None:
        """Spread the counted inquiries into the per-agent figures (idempotent);
        ``available`` is who could take buyers since the last :meth:`flush`."""
        self.flush(available)
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

    def _presence_split(self, label: str, available: Collection[str]) -> list[tuple[str, float]]:
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
