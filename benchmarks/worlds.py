"""Independent shops for back-tests: logs that owe nothing to routectl's simulation.

``benchmarks/truth.py`` swaps the reply delays of routectl's own simulation core; this
module shares none of it. Each world is its own small discrete-event program with
mechanics the reply model does not have:

- **agents work a queue**: each keeps a FIFO of its buyers' open questions and answers
  them one at a time, each taking a handle time (lognormal around the agent's own
  median); a delay is the wait in that queue plus the handle time, so load effects
  emerge from queueing instead of being a factor per conversation held;
- **its own routing**: a new buyer goes to an online, not suspended agent: the one with
  the fewest open conversations per weight, ties drawn with odds ``weight`` (``balance =
  "busyness"``), or one drawn at random with odds ``weight`` (``balance = "weight"``):
  the platform's draws, not the engine's exact order. The ``mismatch`` shape's platform
  ignores its config (see ``Shape.platform``). Nobody online: the first agent to log in
  takes it; a returning buyer goes back to its last agent as R9 says;
- **buyers with patience**: a buyer follows up while waiting, gives up (silently) past
  a patience drawn per visit, asks again after an answer or leaves, closing sometimes,
  and pays more often after a fast first answer;
- shifts with a lunch break (suspended), a day off a week, a lone evening peak or two
  daily peaks, per shape.

It writes the shop config (TOML) and the log (CSV with ``received_by``), seeded.

    .venv/bin/python benchmarks/worlds.py queue-small /tmp/w   # writes shop.toml, log.csv
"""

from __future__ import annotations

import csv
import heapq
import math
import random
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import tomli_w

ZONE = timezone(timedelta(hours=8))
START = datetime(2026, 9, 7, tzinfo=ZONE)


@dataclass(frozen=True)
class Shape:
    agents: int
    per_day: int
    days: int
    handle_s: tuple[float, float]
    """Agents' median handle times are spread evenly over this range (seconds)."""
    peaks: tuple[float, ...] = (10.5, 20.5)
    patience_s: float = 600.0
    ask_again: float = 0.45
    follow_up: float = 0.35
    never: float = 0.02
    weights: tuple[int, ...] = (100, 200, 300)
    balance: str = "busyness"
    """What the shop's config says (R13b), and how the platform splits buyers:
    ``busyness``: the fewest open conversations per weight, ties drawn with odds ``weight``;
    ``weight``: drawn at random with odds ``weight``."""
    platform: str = "config"
    """``config``: the platform does what the config says (as above); ``odds``: it draws
    with odds ``weight / (1 + open conversations)`` whatever the config says (a shop
    whose config is not what the platform runs)."""


SHAPES = {
    "queue-small": Shape(agents=4, per_day=260, days=21, handle_s=(20.0, 70.0)),
    "queue-evening": Shape(
        agents=6, per_day=500, days=21, handle_s=(15.0, 45.0), peaks=(21.0,), patience_s=300.0
    ),
    "queue-slow": Shape(
        agents=5, per_day=300, days=21, handle_s=(40.0, 120.0), never=0.05, ask_again=0.3
    ),
    "queue-weight": Shape(agents=5, per_day=320, days=21, handle_s=(20.0, 60.0), balance="weight"),
    "queue-40": Shape(agents=40, per_day=4000, days=14, handle_s=(15.0, 90.0)),
    "weight-40": Shape(agents=40, per_day=4000, days=14, handle_s=(15.0, 90.0), balance="weight"),
    "mismatch-40": Shape(
        agents=40,
        per_day=4000,
        days=14,
        handle_s=(15.0, 90.0),
        balance="weight",
        platform="odds",
    ),
}


def config_for(name: str, shape: Shape) -> dict[str, object]:
    agents = [
        {
            "id": f"w:{index:03d}",
            "groups": ["all"],
            "weight": shape.weights[index % len(shape.weights)],
            "max_concurrent": 30,
        }
        for index in range(shape.agents)
    ]
    return {
        "shop": {"name": f"world {name}", "timezone": "Asia/Shanghai"},
        "routing": {"session_timeout": "15m"},
        "groups": [
            {
                "name": "all",
                "entries": ["shop_home", "item_detail", "contact_list", "order"],
                "balance": shape.balance,
            }
        ],
        "agents": agents,
    }


@dataclass
class _Agent:
    name: str
    weight: int
    handle_s: float
    online: bool = False
    suspended: bool = False
    busy_until: float = 0.0
    queue: list[tuple[str, int]] = field(default_factory=list)
    """Open questions: (buyer, question number), oldest first."""
    open: dict[str, float] = field(default_factory=dict)
    """Buyers in conversation with the agent: their last message or reply."""

    def busy(self, moment: float) -> int:
        """Conversations open now: not closed and active within 15 minutes (the
        platform's 接待中, idle ones time out)."""
        for name in [name for name, last in self.open.items() if moment - last >= 900]:
            del self.open[name]
        return len(self.open)


@dataclass
class _Buyer:
    name: str
    agent: str | None = None
    question: int = 0
    waiting: bool = False
    last: float = 0.0
    visit_start: float = 0.0
    first_delay: float | None = None
    asked_at: float = 0.0
    paid: bool = False


class World:
    def __init__(
        self,
        shape: Shape,
        seed: int,
        weights: dict[str, int] | None = None,
        service_seed: int | None = None,
    ) -> None:
        """``service_seed``: another draw of the service (handle times, the platform's
        picks, buyers' patience and returns) over the same arrivals and shifts."""
        self.shape = shape
        self.rand = random.Random(seed if service_seed is None else service_seed)
        self.arrivals = random.Random(seed * 7919 + 1)
        self.presence_rand = random.Random(seed * 104729 + 2)
        spread = shape.handle_s
        self.agents = []
        for index in range(shape.agents):
            share = index / max(shape.agents - 1, 1)
            name = f"w:{index:03d}"
            weight = shape.weights[index % len(shape.weights)]
            if weights is not None:
                weight = weights.get(name, weight)
            handle = spread[0] * (spread[1] / spread[0]) ** share
            self.agents.append(_Agent(name, weight, handle))
        self.by_name = {agent.name: agent for agent in self.agents}
        self.buyers: dict[str, _Buyer] = {}
        self.heap: list[tuple[float, int, str, tuple[object, ...]]] = []
        self.seq = 0
        self.rows: list[list[str]] = []
        self.pool: list[str] = []
        self.now = 0.0

    # --- scheduling -------------------------------------------------------------

    def at(self, moment: float, kind: str, *args: object) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (moment, self.seq, kind, args))

    def write(self, moment: float, event: str, buyer: str = "", agent: str = "",
              status: str = "", received_by: str = "", amount: str = "") -> None:  # fmt: skip
        when = datetime.fromtimestamp(round(moment), ZONE).isoformat()
        self.rows.append([when, event, buyer, agent, status, received_by, amount])

    # --- inputs -----------------------------------------------------------------

    def plan(self) -> None:
        origin = START.timestamp()
        for day in range(self.shape.days):
            base = origin + day * 86400.0
            for index, agent in enumerate(self.agents):
                if (day + index) % 7 == 6:
                    continue  # the day off
                start = (8.0, 9.0, 12.0, 14.0)[index % 4] + self.presence_rand.uniform(-0.3, 0.4)
                length = 9.0 + self.presence_rand.uniform(-0.5, 0.5)
                end = min(start + length, 23.9)
                lunch = start + 4.0 + self.presence_rand.uniform(0.0, 0.5)
                self.at(base + start * 3600, "status", agent.name, "online")
                self.at(base + lunch * 3600, "status", agent.name, "suspended")
                self.at(base + (lunch + 0.5) * 3600, "status", agent.name, "online")
                self.at(base + end * 3600, "status", agent.name, "offline")
            self._day_arrivals(base)

    def _day_arrivals(self, base: float) -> None:
        weights = [self._curve(minute / 60.0) for minute in range(1440)]
        total = math.fsum(weights)
        for minute, weight in enumerate(weights):
            expected = self.shape.per_day / 4.0 * weight / total  # about 4 rows a visit
            count = self._poisson(expected)
            for _ in range(count):
                moment = base + minute * 60 + self.arrivals.random() * 60
                buyer = f"b{int(self.arrivals.paretovariate(1.2) * 50) % 5000:05d}"
                self.at(moment, "arrive", buyer)

    def _curve(self, hour: float) -> float:
        value = 0.05
        for peak in self.shape.peaks:
            value += math.exp(-0.5 * ((hour - peak) / 2.0) ** 2)
        return value if hour >= 7.5 or hour < 1.0 else value * 0.15

    def _poisson(self, mean: float) -> int:
        limit, count, product = math.exp(-mean), 0, self.arrivals.random()
        while product > limit:
            count += 1
            product *= self.arrivals.random()
        return count

    # --- the loop ---------------------------------------------------------------

    def run(self) -> list[list[str]]:
        self.plan()
        while self.heap:
            moment, _, kind, args = heapq.heappop(self.heap)
            self.now = moment
            getattr(self, "_" + kind)(moment, *args)
        return self.rows

    def _status(self, moment: float, name: str, status: str) -> None:
        agent = self.by_name[name]
        agent.online = status != "offline"
        agent.suspended = status == "suspended"
        self.write(moment, "status", agent=name, status=status)
        if status == "online":
            while self.pool:
                buyer = self.buyers[self.pool.pop(0)]
                self._assign(moment, buyer, agent)
            self._work(moment, agent)

    def _arrive(self, moment: float, name: str) -> None:
        buyer = self.buyers.get(name)
        if buyer is None:
            buyer = self.buyers[name] = _Buyer(name)
        if buyer.waiting or (buyer.agent is not None and moment - buyer.last < 900):
            return  # mid-conversation: the arrival is not a new visit
        buyer.visit_start = moment
        buyer.first_delay = None
        buyer.paid = False
        candidates = [a for a in self.agents if a.online and not a.suspended]
        previous = self._recent_contact(moment, buyer)
        buyer.agent = None
        receiver = ""
        if previous is not None and candidates:
            receiver = previous.name
        elif candidates:
            receiver = self._pick(candidates).name
        self._ask(moment, buyer, receiver)
        if receiver:
            self._assign(moment, buyer, self.by_name[receiver])
        else:
            self.pool.append(name)

    def _recent_contact(self, moment: float, buyer: _Buyer) -> _Agent | None:
        """R9 as the platform does it (not for the ``odds`` platform, which knows none):
        the last agent within 24 h if online, suspended or not; within 72 h if online
        and not suspended."""
        if self.shape.platform == "odds" or buyer.agent is None:
            return None
        agent = self.by_name[buyer.agent]
        since = moment - buyer.last
        if agent.online and (since < 86400 or (since < 3 * 86400 and not agent.suspended)):
            return agent
        return None

    def _pick(self, candidates: list[_Agent]) -> _Agent:
        if self.shape.platform == "odds":
            scores = [a.weight / (1.0 + a.busy(self.now)) for a in candidates]
        elif self.shape.balance == "weight":
            scores = [float(a.weight) for a in candidates]
        else:
            loads = [a.busy(self.now) / a.weight for a in candidates]
            least = min(loads)
            candidates = [a for a, load in zip(candidates, loads) if load == least]
            scores = [float(a.weight) for a in candidates]
        target = self.rand.random() * math.fsum(scores)
        for agent, score in zip(candidates, scores):
            target -= score
            if target <= 0:
                return agent
        return candidates[-1]

    def _ask(self, moment: float, buyer: _Buyer, receiver: str) -> None:
        buyer.question += 1
        buyer.waiting = True
        buyer.asked_at = moment
        buyer.last = moment
        self.write(moment, "message", buyer=buyer.name, received_by=receiver)
        patience = self.shape.patience_s * math.exp(0.8 * self.rand.gauss(0, 1))
        self.at(moment + patience, "give_up", buyer.name, buyer.question)
        self._maybe_follow(moment, buyer)

    def _maybe_follow(self, moment: float, buyer: _Buyer) -> None:
        if self.rand.random() < self.shape.follow_up:
            self.at(moment + self.rand.expovariate(1 / 40.0), "follow", buyer.name, buyer.question)

    def _follow(self, moment: float, name: str, question: int) -> None:
        buyer = self.buyers[name]
        if buyer.waiting and buyer.question == question:
            receiver = buyer.agent or ""
            self.write(moment, "message", buyer=name, received_by=receiver)
            buyer.last = moment
            if buyer.agent is not None:
                self.by_name[buyer.agent].open[name] = moment
            self._maybe_follow(moment, buyer)

    def _give_up(self, moment: float, name: str, question: int) -> None:
        buyer = self.buyers[name]
        if buyer.waiting and buyer.question == question:
            buyer.waiting = False  # silent: the question stays in the agent's queue

    def _assign(self, moment: float, buyer: _Buyer, agent: _Agent) -> None:
        buyer.agent = agent.name
        agent.open[buyer.name] = moment
        if self.rand.random() >= self.shape.never:
            agent.queue.append((buyer.name, buyer.question))
        self._work(moment, agent)

    def _work(self, moment: float, agent: _Agent) -> None:
        if not agent.online or not agent.queue or agent.busy_until > moment:
            return
        name, question = agent.queue.pop(0)
        handle = agent.handle_s * math.exp(0.6 * self.rand.gauss(0, 1))
        agent.busy_until = moment + handle
        self.at(moment + handle, "reply", agent.name, name, question)

    def _reply(self, moment: float, agent_name: str, name: str, question: int) -> None:
        agent = self.by_name[agent_name]
        buyer = self.buyers[name]
        self.write(moment, "reply", buyer=name, agent=agent_name)
        buyer.last = moment
        if name in agent.open:
            agent.open[name] = moment
        if buyer.question == question:
            if buyer.first_delay is None:
                buyer.first_delay = moment - buyer.asked_at
                self._maybe_pay(moment, buyer)
            if buyer.waiting:
                buyer.waiting = False
                if self.rand.random() < self.shape.ask_again:
                    gap = 30 + self.rand.expovariate(1 / 90.0)
                    self.at(moment + gap, "again", name, question)
                elif self.rand.random() < 0.3:
                    self.at(moment + 20 + self.rand.expovariate(1 / 40.0), "close", name)

        self._work(moment, agent)

    def _again(self, moment: float, name: str, question: int) -> None:
        buyer = self.buyers[name]
        if buyer.question != question or buyer.waiting or buyer.agent is None:
            return
        agent = self.by_name[buyer.agent]
        self._ask(moment, buyer, agent.name)
        agent.open[name] = moment
        if self.rand.random() >= self.shape.never:
            agent.queue.append((name, buyer.question))
        self._work(moment, agent)

    def _close(self, moment: float, name: str) -> None:
        buyer = self.buyers[name]
        if buyer.agent is not None:
            self.by_name[buyer.agent].open.pop(name, None)
        self.write(moment, "close", buyer=name)

    def _maybe_pay(self, moment: float, buyer: _Buyer) -> None:
        delay = buyer.first_delay if buyer.first_delay is not None else 3600.0
        chance = 0.25 if delay < 60 else 0.18 if delay < 180 else 0.1
        if self.rand.random() < chance:
            amount = f"{50 + self.rand.random() * 300:.2f}"
            self.at(moment + self.rand.expovariate(1 / 1800.0), "pay", buyer.name, amount)

    def _pay(self, moment: float, name: str, amount: str) -> None:
        self.write(moment, "paid", buyer=name, amount=amount)


HEADER = ["time", "event", "buyer", "agent", "status", "received_by", "amount"]


def write_world(
    name: str,
    folder: Path,
    seed: int,
    weights: dict[str, int] | None = None,
    tag: str = "",
    service_seed: int | None = None,
) -> tuple[Path, Path]:
    """Writes ``shop{tag}.toml`` and ``log{tag}.csv`` of world ``name`` into ``folder``."""
    shape = SHAPES[name]
    config = config_for(name, shape)
    if weights is not None:
        for agent in config["agents"]:  # type: ignore[attr-defined]
            agent["weight"] = weights.get(agent["id"], agent["weight"])
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / f"shop{tag}.toml"
    config_path.write_bytes(tomli_w.dumps(config).encode())
    rows = World(shape, seed, weights, service_seed).run()
    log_path = folder / f"log{tag}.csv"
    with log_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return config_path, log_path


def with_shape(name: str, **changes: object) -> None:
    SHAPES[name] = replace(SHAPES[name], **changes)  # type: ignore[arg-type]


if __name__ == "__main__":
    config_file, log_file = write_world(sys.argv[1], Path(sys.argv[2]), seed=1)
    print(config_file, log_file)
