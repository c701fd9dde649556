"""Who is online with k agents (P12): a staffing order and synthetic status rows.

The log's status rows are replaced by synthetic ones: in every local hour of every
simulated day exactly ``k[hour]`` agents are online (pc), taken from a fixed *staffing
order*: the config's routing agents, fastest first (the model's median first reply
alone, ties by id), then added agents. So when the plan removes agents the slowest go
first, and when it adds agents they are new ids (``plan:added-01``, ...) in a copied
config, each answering like the shop's typical agent (``ReplyModel.typical``) or like
``--like AGENT``. An added agent belongs to the copied agent's groups with its weight
and ``max_concurrent`` (for the typical agent: to every group, with the median weight
and ``max_concurrent`` of the routing agents).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from statistics import median_low
from zoneinfo import ZoneInfo

from routectl.events import StatusChange
from routectl.i18n import _
from routectl.model import Agent, ShopConfig
from routectl.report.clock import LocalClock
from routectl.sim.inputs import Record
from routectl.sim.model import ReplyModel
from routectl.sim.weeks import local_time

ADDED_PREFIX = "plan:added-"
HOURS = 24
Vector = tuple[int, ...]


@dataclass(frozen=True)
class Team:
    """The agents a staffing vector draws from, in staffing order, and what they run on."""

    config: ShopConfig
    """The shop's config with the added agents (never online unless staffed)."""
    order: tuple[str, ...]
    added: tuple[str, ...]
    like: str | None
    """The agent the added ones copy; None: the shop's typical agent."""


def make_team(
    config: ShopConfig, model: ReplyModel, max_agents: int, like: str | None = None
) -> Team:
    """The staffing order (fastest first) and ``max_agents`` minus those, added."""
    routing = [agent for agent in config.agents if agent.routing]
    routing.sort(key=lambda agent: (model.agent(agent.id).median_s(), agent.id))
    own = tuple(agent.id for agent in routing[:max_agents])
    template = _template(config, routing, like)
    taken = {agent.id for agent in config.agents}
    added: list[Agent] = []
    number = 0
    while len(own) + len(added) < max_agents:
        number += 1
        name = f"{ADDED_PREFIX}{number:02d}"
        if name not in taken:
            added.append(template._replace(id=name, routing=True, mobile=False))
    names = tuple(agent.id for agent in added)
    return Team(replace(config, agents=config.agents + tuple(added)), own + names, names, like)


def _template(config: ShopConfig, routing: Sequence[Agent], like: str | None) -> Agent:
    if like is not None:
        found = config.agent(like)
        if found is None:
            raise ValueError(_("--like {agent}: no such agent in the config").format(agent=like))
        return found
    weights = [agent.weight for agent in routing] or [100]
    caps = [agent.max_concurrent for agent in routing] or [20]
    groups = tuple(group.name for group in config.groups)
    return Agent(id="", groups=groups, weight=median_low(weights),
                 max_concurrent=median_low(caps))  # fmt: skip


def with_added(model: ReplyModel, team: Team) -> ReplyModel:
    """``model`` with the added agents answering like ``team.like`` (else: typical)."""
    if team.like is None or not team.added:
        return model
    copied = model.agent(team.like)
    agents = dict(model.agents)
    for name in team.added:
        agents[name] = replace(copied, agent=name)
    return replace(model, agents=agents)


# --- synthetic presence ----------------------------------------------------------------


def hour_starts(first: float, last: float, zone: ZoneInfo) -> tuple[tuple[float, int], ...]:
    """Each local hour of the days from ``first`` to ``last``: (start, hour of day). As in
    the report, an event at midnight does not open a day of its own."""
    day = datetime.fromtimestamp(first, zone).date()
    end = datetime.fromtimestamp(max(first, last - 1e-6), zone).date()
    starts: list[tuple[float, int]] = []
    while day <= end:
        for hour in range(HOURS):
            starts.append((local_time(day, hour, zone), hour))
        day += timedelta(days=1)
    return tuple(starts)


def presence_rows(
    order: Sequence[str], staffing: Vector, starts: Iterable[tuple[float, int]]
) -> Iterator[StatusChange]:
    """Status rows putting the first ``staffing[hour]`` agents of ``order`` online."""
    online = 0
    for moment, hour in starts:
        wanted = staffing[hour]
        for index in range(online - 1, wanted - 1, -1):
            yield StatusChange(0, moment, order[index], "offline")
        for index in range(online, wanted):
            yield StatusChange(0, moment, order[index], "online")
        online = wanted


def staffed(
    records: Iterable[Record], order: Sequence[str], staffing: Vector,
    starts: Sequence[tuple[float, int]],
) -> Iterator[Record]:  # fmt: skip
    """The log's records with its status rows replaced by the staffing's (status first
    at equal times: an agent staffed from 10:00 is there for a buyer at 10:00)."""
    kept = (record for record in records if type(record) is not StatusChange)
    return heapq.merge(presence_rows(order, staffing, starts), kept, key=_time)


def _time(record: Record) -> float:
    return record.time


class Weekdays:
    """The local weekday of a moment (0: Monday), looked up once per local hour."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.clock = LocalClock(zone)
        self._days: dict[str, int] = {}

    def of(self, moment: float) -> int:
        day = self.clock.day(moment)
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = date.fromisoformat(day).weekday()
        return found


def on_weekday(records: Iterable[Record], weekday: int, weekdays: Weekdays) -> Iterator[Record]:
    """The records with the buyers (arrivals, silent orders) of one weekday only; every
    status row stays (presence carries over midnight)."""
    for record in records:
        if type(record) is StatusChange or weekdays.of(record.time) == weekday:
            yield record
