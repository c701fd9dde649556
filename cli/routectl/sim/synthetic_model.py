"""The hand-made reply model of ``generate-log``, and the transfers it adds.

:func:`hand_made_model` is a real :class:`~routectl.sim.model.ReplyModel`, built from
hand-made values instead of fitted ones, so the simulation core runs it exactly as it
runs a learned model:

- **agents**: each has its own speed: most answer 93 % of their questions within three
  minutes (a median of 8-40 s when holding no other conversation); one agent in five is
  a slow one (twice the median, 78 % within three minutes); the other answers come after
  3-18 minutes (later for slower agents), and 1-4 % of questions are never answered.
  Holding more conversations slows an agent (1.08 times at one more, 1.17 at two, 1.45
  at 4-5, 1.75 at 6 or more: practitioners' tables say about 1.2x at 2-3 and 1.4x at
  4-5) and makes a question likelier to go unanswered; lunch (12:00-14:00) is 15 %
  slower.
- **buyers**: write again while waiting three times in ten (mostly within half a
  minute), ask another question after four answers in ten (fewer when the answer was
  slow), end six visits in ten with a close; the bot hands three in ten of the buyers it
  holds to a human, 5-45 s after their first message (inside the session timeout).
- **conversion**: about three visits in ten end in an order when the first answer
  came within a minute, fewer the slower it was (8 % when never answered); most pay
  within the hour, some within 20 hours; 3 % of orders carry no amount.

:class:`Handovers` adds the transfers of R17b: some bot hand-overs name an agent who is
online, and an agent now and then hands a question to an online colleague (from
another group if there is one) instead of answering it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from statistics import NormalDist

from routectl.events import Event, Output, StatusChange
from routectl.model import ShopConfig
from routectl.sim.hist import POINTS, QuantileTable
from routectl.sim.model import TYPICAL, AgentModel, BuyerModel, ConversionModel, ReplyModel

SLOW_EVERY = 5
"""One agent in five is a slow one."""
FAST_SHARE = 0.93
"""Of an agent's answers, the share within about three minutes (slow agents: 0.7)."""
SLOW_SHARE = 0.78
SLOW_FACTOR = 2.0
LOAD_FACTOR = (1.0, 1.08, 1.17, 1.28, 1.45, 1.75)
NEVER_FACTOR = (1.0, 1.05, 1.12, 1.2, 1.35, 1.6)
LUNCH_FACTOR = 1.15
PRICES = (29.9, 39.9, 59.0, 79.0, 99.0, 129.0, 159.0, 199.0, 299.0)

P_BOT_TRANSFER = 0.3  # of the buyers the bot holds (R11)
P_TRANSFER_NAMED = 0.3  # of the bot's hand-overs, naming an online agent (R17b)
P_AGENT_TRANSFER = 0.03  # a question an agent hands to an online colleague (R17b)

_NORMAL = NormalDist()


def _z(u: float) -> float:
    return _NORMAL.inv_cdf(min(max(u, 0.001), 0.999))


def _table(quantile: Callable[[float], float]) -> QuantileTable:
    """A table from a quantile function (non-decreasing in u)."""
    return QuantileTable([quantile(i / (POINTS - 1)) for i in range(POINTS)])


def agent_model(name: str, median_s: float, fast_share: float, never: float) -> AgentModel:
    """A hand-made agent: ``fast_share`` of answers around ``median_s`` (under three
    minutes), the rest after 3-18 minutes scaled by speed; ``never``: the share never
    answered when holding no other conversation."""
    speed = median_s / 36.0

    def quantile(u: float) -> float:
        if u < fast_share:
            return min(max(median_s * math.exp(0.75 * _z(u / fast_share)), 2.0), 170.0)
        return 180.0 + (u - fast_share) / (1.0 - fast_share) * 900.0 * speed

    base = _table(quantile)
    hours = tuple(LUNCH_FACTOR if 12 <= hour < 14 else 1.0 for hour in range(24))
    return AgentModel(
        agent=name,
        questions=0,
        own_share=1.0,
        borrowed_from=TYPICAL,
        base=base,
        load_factor=LOAD_FACTOR,
        hour_factor=hours,
        never=tuple(min(never * f, 1.0) for f in NEVER_FACTOR),
        mean_log=math.fsum(math.log(p + 1.0) for p in base.points) / POINTS,
        median_reply_s=base.median(),
        never_rate=never,
    )


def hand_made_model(config: ShopConfig, seed: int) -> ReplyModel:
    """The reply model of a synthetic shop: every agent of ``config`` gets its own speed,
    drawn from ``seed`` (see the module docstring)."""
    rng = random.Random(f"routectl:{seed}:model")
    turn = int(rng.random() * SLOW_EVERY)
    agents: dict[str, AgentModel] = {}
    for index, agent in enumerate(config.agents):
        median = 8.0 + 32.0 * rng.random()
        never = 0.01 + 0.03 * rng.random()
        if (index + turn) % SLOW_EVERY == 0:
            agents[agent.id] = agent_model(agent.id, median * SLOW_FACTOR, SLOW_SHARE, never)
        else:
            agents[agent.id] = agent_model(agent.id, median, FAST_SHARE, never)
    return ReplyModel(
        shop=config.shop.name,
        timezone=config.shop.timezone,
        agents=agents,
        typical=agent_model(TYPICAL, 30.0, FAST_SHARE, 0.04),
        buyers=buyer_model(config.routing.session_timeout_s),
        conversion=conversion_model(),
    )


def buyer_model(session_timeout_s: int) -> BuyerModel:
    # A bot hand-over comes 5-45 s after the first message, inside the session timeout.
    wait = min(40, session_timeout_s - 10)
    return BuyerModel(
        follow_up=0.3,
        follow_gap=_table(lambda u: 3 + 27 * u / 0.8 if u < 0.8 else 30 + 210 * (u - 0.8) / 0.2),
        ask_again=(0.45, 0.42, 0.4, 0.35, 0.28, 0.2),
        next_gap=_table(lambda u: 5 + 150 * u),
        tail=_table(lambda u: 0.0 if u < 0.7 else 3 + 20 * (u - 0.7) / 0.3),
        close=0.6,
        close_gap=_table(lambda u: 20 + 300 * u),
        bot_transfer=P_BOT_TRANSFER if wait > 0 else 0.0,
        bot_gap=_table(lambda u: 5 + max(wait, 0) * u),
    )


def conversion_model() -> ConversionModel:
    amounts = sorted([*PRICES, *(2 * p for p in PRICES)])
    weights = [0.85 / len(PRICES) if a in PRICES else 0.15 / len(PRICES) for a in amounts]

    def amount(u: float) -> float:
        running = 0.0
        for value, weight in zip(amounts, weights, strict=True):
            running += weight
            if u < running:
                return value
        return amounts[-1]

    def lag(u: float) -> float:  # most within the hour, the others within 20 hours
        if u < 0.85:
            return 30 + 3600 * (u / 0.85) ** 2
        return 3600 + 19 * 3600 * (u - 0.85) / 0.15

    return ConversionModel(
        rate=(0.32, 0.3, 0.27, 0.2, 0.14, 0.08),
        visits=(0,) * 6,
        lag=_table(lag),
        amount=_table(amount),
        unpriced=0.03,
    )


class Handovers:
    """R17b transfers to agents online on pc (see the module docstring).

    Who is online comes from the status rows the simulation yields: wrap its output in
    :meth:`watching` (the core asks only after every earlier pair has been read, so the
    answer is exact at that moment). A pick costs the same whatever the team's size.
    """

    TRIES = 8
    """Random online agents tried for one from another group before taking any."""

    def __init__(self, config: ShopConfig, seed: int) -> None:
        self.rand = random.Random(f"routectl:{seed}:transfers").random
        self.groups = {agent.id: frozenset(agent.groups) for agent in config.agents}
        self.online: list[str] = []
        """Agents online on pc, in no particular order (but a deterministic one)."""
        self.position: dict[str, int] = {}

    def watching(
        self, pairs: Iterable[tuple[Event | None, list[Output]]]
    ) -> Iterator[tuple[Event | None, list[Output]]]:
        for pair in pairs:
            event = pair[0]
            if type(event) is StatusChange and event.device == "pc":
                self._set(event.agent, event.status == "online")
            yield pair

    def _set(self, agent: str, online: bool) -> None:
        position = self.position
        if online and agent not in position:
            position[agent] = len(self.online)
            self.online.append(agent)
        elif not online and agent in position:
            at = position.pop(agent)
            last = self.online.pop()
            if last != agent:
                self.online[at] = last
                position[last] = at

    def bot_target(self, buyer: str, moment: float) -> str | None:
        if self.rand() >= P_TRANSFER_NAMED:
            return None
        return self._online_colleague(None)

    def colleague(self, holder: str, buyer: str, moment: float) -> str | None:
        if self.rand() >= P_AGENT_TRANSFER:
            return None
        return self._online_colleague(holder)

    def _online_colleague(self, holder: str | None) -> str | None:
        """An agent online on pc other than ``holder``, from another group if one is
        found in a few tries."""
        online = self.online
        if not online:
            return None
        groups = self.groups.get(holder, frozenset()) if holder is not None else frozenset()
        found: str | None = None
        for _ in range(self.TRIES):
            agent = online[int(self.rand() * len(online))]
            if agent == holder:
                continue
            if not groups & self.groups[agent]:
                return agent
            found = found or agent
        if found is None:
            found = next((agent for agent in online if agent != holder), None)
        return found
