"""Synthetic sources for ``generate-log``: arrivals and presence as simulation inputs.

:class:`Sources` yields the same kind of :data:`~routectl.sim.inputs.Record` a log's
recorder gives the simulation core (P8), in time order, day by day:

- **presence**: the agents' status rows (:mod:`.synthetic_presence`);
- **arrivals**: each visit's first message. Buyers arrive on a daily curve with peaks
  around 10-11 and 20-22 and a quiet night, from a bounded population (its size is
  given, never the log's length): regular buyers picked with a skew so that some come
  back often, first-time buyers (an id is reused only after ``new_buyer_days``), and
  the config's crowd and dedicated buyers; a few conversations are addressed to one
  sub-account. Entries, items, order statuses and intents hit the config's special
  routing rules some of the time. A buyer whose last visit started less than
  :data:`BUSY_S` ago is not picked again if another one can be;
- **silent orders**: a share of arrivals are payments with no inquiry.

Everything after an arrival (follow-ups, replies, next questions, closes, hand-overs,
payments) is the reply model's, in :class:`routectl.sim.core.Simulation`. Memory is
bounded by the population and one day's status rows: arrivals are drawn minute by
minute.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence

from routectl.events import BuyerMessage, Paid, StatusChange
from routectl.model import ShopConfig
from routectl.sim.inputs import Record
from routectl.sim.synthetic_presence import Presence
from routectl.sim.synthetic_time import LocalDays

DAY = 86_400

# Relative buyer traffic per local hour: quiet nights, peaks at 10-11 and 20-22.
HOURLY_TRAFFIC: tuple[float, ...] = (
    1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.5, 4.5, 6.5, 6.2,
    4.0, 4.2, 4.8, 4.8, 4.5, 4.0, 3.8, 4.8, 6.4, 7.0, 5.8, 3.0,
)  # fmt: skip

ENTRY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("item_detail", 0.45),
    ("shop_home", 0.20),
    ("contact_list", 0.15),
    ("order", 0.20),
)
ORDER_STATUSES = ("unpaid", "paid", "shipped", "signed", "refunding")
INTENTS = ("咨询", "尺码", "物流", "优惠", "库存", "发票")
ITEMS = tuple(str(600_101 + 37 * i) for i in range(200))
PRICES = ("29.90", "39.90", "59.00", "79.00", "99.00", "129.00", "159.00", "199.00", "299.00")

P_ADDRESSED = 0.04  # the buyer writes to one sub-account
P_SPECIAL_BUYER = 0.03  # a crowd or dedicated buyer from the config
P_RULE_VALUE = 0.25  # an item / intent / order status taken from the config's rules
P_INTENT = 0.6
P_NEW_BUYER = 0.1  # a first-time buyer (from the new-buyer ring)
P_SILENT_ORDER = 0.05  # an arrival that is an order with no inquiry
P_NO_AMOUNT = 0.03
BUSY_S = 1800
"""A buyer whose visit started this recently is likely still in it: pick another."""


class Sources:
    """Presence and arrivals of a synthetic shop, as simulation records in time order.

    ``conversations_per_day``: the mean number of arrivals a day (each day draws
    85-115 % of it); ``days``: None for as many days as the caller reads;
    ``past_last``: raised (a callable making the exception) when a day would fall after
    ``last_day`` (a day number), before any of its rows.
    """

    def __init__(
        self,
        config: ShopConfig,
        clock: LocalDays,
        seed: int,
        *,
        conversations_per_day: float,
        buyers: int,
        new_buyers: int,
        new_buyer_days: int,
        days: int | None,
        last_day: int,
        past_last: Callable[[], Exception],
    ) -> None:
        self.clock = clock
        self.days = days
        self.last_day = last_day
        self.past_last = past_last
        self.presence = Presence(config, random.Random(f"routectl:{seed}:presence"))
        self.arrivals = Arrivals(
            config,
            random.Random(f"routectl:{seed}:arrivals"),
            conversations_per_day=conversations_per_day,
            buyers=buyers,
            new_buyers=new_buyers,
            new_buyer_days=new_buyer_days,
        )

    def records(self) -> Iterator[Record]:
        day = 0
        posix = self.clock.posix
        while self.days is None or day < self.days:
            if day > self.last_day:
                raise self.past_last()
            statuses = self.presence.day(day)
            at = 0
            for second, make in self.arrivals.day(day):
                while at < len(statuses) and statuses[at][0] <= second:
                    moment, agent, device, status = statuses[at]
                    yield StatusChange(0, posix(day, moment), agent, status, device)  # type: ignore[arg-type]
                    at += 1
                yield make(posix(day, second))
            for moment, agent, device, status in statuses[at:]:
                yield StatusChange(0, posix(day, moment), agent, status, device)  # type: ignore[arg-type]
            day += 1


Arrival = Callable[[float], Record]
"""Makes an arrival's record once its instant is known."""


class Arrivals:
    """The buyers and their first messages (see the module docstring)."""

    def __init__(
        self,
        config: ShopConfig,
        rng: random.Random,
        *,
        conversations_per_day: float,
        buyers: int,
        new_buyers: int,
        new_buyer_days: int,
    ) -> None:
        self.rng = rng
        self.per_day = conversations_per_day
        self.buyers = tuple(f"buyer_{i:06d}" for i in range(buyers))
        self.started = [-BUSY_S] * buyers
        """Local second (day * 86400 + second) each regular buyer's last visit started."""
        crowd_buyers = {b for members in config.crowds.values() for b in members}
        self.special_buyers = tuple(sorted(crowd_buyers | set(config.dedicated.buyers)))
        self.special_started = [-BUSY_S] * len(self.special_buyers)
        self.new_buyers = tuple(
            name
            for name in (f"buyer_n{i:06d}" for i in range(new_buyers))
            if name not in config.dedicated.buyers
        )
        self.new_buyer_days = new_buyer_days
        self.new_buyer_day = [-new_buyer_days] * len(self.new_buyers)
        self.next_new_buyer = 0

        rules: dict[str, list[str]] = {kind: [] for kind in ("item", "intent", "order_status")}
        for rule in config.rules:
            if rule.kind in rules:
                rules[rule.kind].extend(rule.match)
        self.rule_items = tuple(rules["item"])
        self.rule_intents = tuple(rules["intent"])
        self.rule_order_statuses = tuple(rules["order_status"])
        self.agents = tuple(agent.id for agent in config.agents)
        self.minute_weights = _minute_weights()
        self.entry_cdf = _cumulative([w for _, w in ENTRY_WEIGHTS])
        self.entries = tuple(e for e, _ in ENTRY_WEIGHTS)
        self.now = 0

    def day(self, day: int) -> Iterator[tuple[int, Arrival]]:
        """``(local second, record maker)`` of the day's arrivals, drawn minute by minute."""
        rand = self.rng.random
        conversations = max(1.0, self.per_day * (0.85 + 0.3 * rand()))
        base = day * DAY
        for minute, weight in enumerate(self.minute_weights):
            expected = conversations * weight
            count = int(expected) + (rand() < expected - int(expected))
            if count:
                for second in sorted(minute * 60 + int(rand() * 60) for _ in range(count)):
                    self.now = base + second
                    yield second, self._arrival(day)

    # --- one arrival ------------------------------------------------------------------

    def _arrival(self, day: int) -> Arrival:
        rand = self.rng.random
        if rand() < P_SILENT_ORDER:
            buyer = self._regular_buyer()
            amount = self._amount()

            def paid(moment: float) -> Record:
                return Paid(0, moment, buyer, amount)

            return paid
        buyer = self._pick_buyer(day)
        entry = self.entries[bisect(self.entry_cdf, rand())]
        item = order_status = intent = None
        if entry == "item_detail" or (entry == "order" and rand() < 0.5):
            item = _pick(rand, self.rule_items, ITEMS)
        if entry == "order":
            order_status = _pick(rand, self.rule_order_statuses, ORDER_STATUSES)
        if rand() < P_INTENT:
            intent = _pick(rand, self.rule_intents, INTENTS)
        agents = self.agents
        addressed = agents[int(rand() * len(agents))] if agents and rand() < P_ADDRESSED else None

        def message(moment: float) -> Record:
            return BuyerMessage(0, moment, buyer, addressed, entry, item, order_status, intent)

        return message

    def _amount(self) -> float | None:
        rand = self.rng.random
        if rand() < P_NO_AMOUNT:
            return None
        price = float(PRICES[int(rand() * len(PRICES))])
        return price if rand() >= 0.15 else round(2 * price, 2)

    def _regular_buyer(self) -> str:
        """A regular buyer, skewed so that some come back often; not a busy one if one
        is found in a few tries."""
        rand = self.rng.random
        buyers, started = self.buyers, self.started
        r = rand()
        at = int(len(buyers) * r * r)
        for _ in range(4):
            if self.now - started[at] >= BUSY_S:
                break
            at = int(len(buyers) * rand())  # busy: anyone else
        started[at] = self.now
        return buyers[at]

    def _pick_buyer(self, day: int) -> str:
        rand = self.rng.random
        specials = self.special_buyers
        if specials and rand() < P_SPECIAL_BUYER:
            at = int(rand() * len(specials))
            if self.now - self.special_started[at] >= BUSY_S:
                self.special_started[at] = self.now
                return specials[at]
        ring = self.new_buyers
        if ring and rand() < P_NEW_BUYER:
            at = self.next_new_buyer
            if day - self.new_buyer_day[at] >= self.new_buyer_days:
                self.new_buyer_day[at] = day
                self.next_new_buyer = (at + 1) % len(ring)
                return ring[at]
        return self._regular_buyer()


def _pick(rand: Callable[[], float], from_rules: tuple[str, ...], usual: tuple[str, ...]) -> str:
    """A value from the config's rules ``P_RULE_VALUE`` of the time, else a usual one."""
    if from_rules and rand() < P_RULE_VALUE:
        return from_rules[int(rand() * len(from_rules))]
    return usual[int(rand() * len(usual))]


def _minute_weights() -> list[float]:
    """Share of a day's conversations starting in each local minute."""
    total = sum(HOURLY_TRAFFIC) * 60
    return [HOURLY_TRAFFIC[m // 60] / total for m in range(1440)]


def _cumulative(weights: Sequence[float]) -> list[float]:
    """Cumulative fractions for ``bisect(cdf, random())`` sampling; the last is < 1."""
    total = float(sum(weights))
    cdf: list[float] = []
    running = 0.0
    for weight in weights[:-1]:
        running += weight
        cdf.append(running / total)
    return cdf
