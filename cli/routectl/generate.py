"""A seeded, deterministic, streaming generator of realistic event logs for a shop config.

:func:`generate_rows` yields the rows of a log (header excluded, see :data:`HEADER`) as
tuples of strings, in time order. It is pure: no file, no clock, no global random state
(one ``random.Random(seed)``), so the same config, seed, start date and size give the
same rows, byte for byte, on every machine.

What a day looks like (each day is simulated, sorted and emitted before the next one
is started, so memory is bounded by one day of rows whatever the total):

- **Agents** work shifts (early 08:00-17:30, late 13:30-23:55, full 09:00-22:00, with
  jitter), take one day off a week, are suspended for meals and short breaks, sometimes
  drop offline for a few minutes, and the ones with ``mobile = true`` (and only those)
  also log in on ``mobile``, mostly in the evening.
- **Buyers** arrive on a daily curve with peaks around 10-11 and 20-22 and a quiet
  night. They come from a bounded population (its size scales with rows per day, never
  with the total): regular buyers picked with a skew so that some come back often,
  first-time buyers (ids reused only after more than the pool retention plus 72h), and
  the config's crowd and dedicated buyers; a few conversations are addressed to one
  sub-account.
- **Messages** carry entries, items, order statuses and intents that hit the config's
  special routing rules some of the time; **replies** follow with realistic delays
  (mostly under 3 minutes, some longer, some never); conversations are often closed
  explicitly, otherwise they time out.
- **Transfers** happen only where the bot must be holding the conversation (R7-R11:
  bot enabled with priority reception, a first-time buyer, so no recent contact, no
  dedicated agent and no open or pooled conversation, not addressed to an agent, and a
  routing agent available all that minute), 5-45 s after its first message: a transfer
  for a buyer the bot does not hold is a bad row.

Size: ``rows`` gives exactly that many data rows (as many days as it takes, the last day
cut short); ``days`` gives whole days of about ``rows_per_day`` rows each; both give
``rows`` rows spread over about ``days`` days.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from zoneinfo import ZoneInfo

from routectl.generate_times import DEFAULT_TIME_FORMAT, TimeWriter
from routectl.logreader import COLUMNS
from routectl.model import ShopConfig

HEADER: tuple[str, ...] = COLUMNS[: COLUMNS.index("amount")]
"""The generated log has no ``amount`` column yet (no ``paid`` rows)."""
"""The header row of a generated log (contract column order)."""

DEFAULT_START = date(2026, 11, 2)
"""Start date when none is given (fixed, so output never depends on the clock)."""

DAY = 86_400
ROWS_PER_SLOT = 250
"""Default rows per day per ``max_concurrent`` slot of the routing agents."""
MIN_ROWS_PER_DAY = 1_000
MIN_BUYERS = 50

Row = tuple[str, ...]
_Tail = tuple[str, ...]  # the 10 columns after `time`
_Event = tuple[int, _Tail]  # (seconds since the start date's local midnight, tail)

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
BUYER_TEXTS = (
    "在吗",
    "你好，请问有货吗？",
    "这个什么时候发货",
    "能便宜点吗",
    "尺码怎么选",
    "我170cm, 65kg 穿什么码",
    "亲，包邮吗",
    "我的快递到哪了",
    "想退货",
    "申请退款了，麻烦处理一下",
    "颜色和图片一样吗",
    "有优惠券吗",
    '这款"加绒"吗',
    "发什么快递",
    "可以开发票吗",
    "好的",
    "谢谢",
    "？",
    "怎么还没发货",
    "质量怎么样",
)
REPLY_TEXTS = (
    "亲，在的",
    "您好，有货的，可以直接拍",
    "今天下单明天发货哦",
    "亲，建议选L码",
    "已为您登记，稍等",
    "好的亲，已处理",
    "亲，包邮的",
    "您的快递已在派送中",
    "退货地址已发您，请查收",
    "感谢支持，祝您生活愉快~",
)

# Conversation shape (probabilities and delays in seconds); tuned so a conversation
# averages ROWS_PER_CONVERSATION rows.
ROWS_PER_CONVERSATION = 4.83
P_ADDRESSED = 0.04  # buyer writes to one sub-account
P_SPECIAL_BUYER = 0.03  # a crowd or dedicated buyer from the config
P_RULE_VALUE = 0.25  # an item / intent / order status taken from the config's rules
P_INTENT = 0.6
P_EXTRA_MESSAGE = 0.35  # another message in the same question
P_FAST_REPLY = 0.82  # replied within 3 minutes
P_SLOW_REPLY = 0.12  # replied after 3-18 minutes; the rest are never replied
P_NO_REPLY_OFF_HOURS = 0.3  # a question asked while nobody works is never answered
P_SECOND_REPLY = 0.3
P_CLOSE = 0.6
P_TRANSFER = 0.3  # of the conversations the bot may be holding
P_NEW_BUYER = 0.1  # a first-time buyer (from the new-buyer ring, see Plan.new_buyers)
RECENT_CONTACT_DAYS = 3  # R9 reach (72h)


class PastLastDate(ValueError):
    """The log would need days after 9999-12-31 (raised while generating)."""


@dataclass(frozen=True)
class Plan:
    """How big a generated log is and how many buyers it draws from."""

    rows: int | None
    days: int | None
    rows_per_day: int
    buyers: int
    """Regular buyers, picked with a skew so that some come back often."""
    new_buyers: int
    """First-time buyers, used in turn: an id comes back only after ``new_buyer_days``."""
    new_buyer_days: int


def default_rows_per_day(config: ShopConfig) -> int:
    """A busy day for this shop: ``ROWS_PER_SLOT`` rows per routing slot."""
    slots = sum(agent.max_concurrent for agent in config.agents if agent.routing)
    return max(MIN_ROWS_PER_DAY, slots * ROWS_PER_SLOT)


def make_plan(
    config: ShopConfig,
    *,
    rows: int | None = None,
    days: int | None = None,
    rows_per_day: int | None = None,
) -> Plan:
    """Resolve the size options; raise ValueError for impossible ones."""
    if rows is not None and rows < 0:
        raise ValueError("rows must be 0 or more")
    if days is not None and days < 1:
        raise ValueError("days must be 1 or more")
    if rows_per_day is not None and rows_per_day < 1:
        raise ValueError("rows per day must be 1 or more")
    if rows is None and days is None:
        days = 1
    if rows_per_day is None:
        if rows is not None and days is not None:
            rows_per_day = max(1, math.ceil(rows / days))
        else:
            rows_per_day = default_rows_per_day(config)
    buyers = max(MIN_BUYERS, rows_per_day // 2)
    # A first-time buyer has no recent contact (R9) and no open or pooled conversation,
    # so the bot can be holding its inquiry: the only buyers given transfers. An id is
    # reused after the pool retention (R17) plus R9's 72h plus a day has passed.
    new_buyer_days = config.offline.pool_retention_days + RECENT_CONTACT_DAYS + 1
    per_day = rows_per_day / ROWS_PER_CONVERSATION * P_NEW_BUYER * 1.2
    new_buyers = max(MIN_BUYERS, math.ceil(per_day * new_buyer_days))
    return Plan(rows, days, rows_per_day, buyers, new_buyers, new_buyer_days)


def generate_rows(
    config: ShopConfig,
    *,
    seed: int = 1,
    start: date = DEFAULT_START,
    rows: int | None = None,
    days: int | None = None,
    rows_per_day: int | None = None,
    time_format: str = DEFAULT_TIME_FORMAT,
) -> Iterator[Row]:
    """Yield the data rows of a realistic log for ``config``, in time order.

    Deterministic in all its arguments. Times are local to the shop's zone, written as
    ``time_format`` says (:data:`routectl.generate_times.TIME_FORMATS`; by default
    without an offset, ``2026-11-02T08:00:05``). See the module docstring for what is
    simulated.
    """
    plan = make_plan(config, rows=rows, days=days, rows_per_day=rows_per_day)
    rows_ = _Generator(config, plan, seed, start).rows()
    if time_format == DEFAULT_TIME_FORMAT:
        return rows_
    writer = TimeWriter(ZoneInfo(config.shop.timezone), time_format)
    return _rewrite_times(rows_, writer)


def _rewrite_times(rows: Iterator[Row], writer: TimeWriter) -> Iterator[Row]:
    write = writer.write
    for row in rows:
        yield (write(row[0]), *row[1:])


class _Generator:
    def __init__(self, config: ShopConfig, plan: Plan, seed: int, start: date) -> None:
        self.config = config
        self.plan = plan
        self.rng = random.Random(seed)
        self.start = start
        self.zone = ZoneInfo(config.shop.timezone)
        self._date_prefixes: list[str] = []
        rng = self.rng

        # Buyers: a bounded population, then the config's crowd and dedicated buyers.
        self.buyers = tuple(f"buyer_{i:06d}" for i in range(plan.buyers))
        crowd_buyers = {b for members in config.crowds.values() for b in members}
        self.special_buyers = tuple(sorted(crowd_buyers | set(config.dedicated.buyers)))
        self.new_buyers = tuple(
            name
            for name in (f"buyer_n{i:06d}" for i in range(plan.new_buyers))
            if name not in config.dedicated.buyers
        )
        self.new_buyer_day = [-plan.new_buyer_days] * len(self.new_buyers)
        self.next_new_buyer = 0

        rules: dict[str, list[str]] = {kind: [] for kind in ("item", "intent", "order_status")}
        for rule in config.rules:
            if rule.kind in rules:
                rules[rule.kind].extend(rule.match)
        self.rule_items = tuple(rules["item"])
        self.rule_intents = tuple(rules["intent"])
        self.rule_order_statuses = tuple(rules["order_status"])

        self.agents = tuple(agent.id for agent in config.agents)
        self.transfers = config.bot.enabled and config.bot.priority_reception
        # Shift kind and weekly day off per agent, fixed for the whole log.
        kinds = ("early", "late", "full")
        turn = int(rng.random() * 3)
        self.shifts = tuple(kinds[(turn + i) % 3] for i in range(len(config.agents)))
        self.days_off = tuple(int(rng.random() * 7) for _ in config.agents)

        self.minute_cdf = _cumulative([HOURLY_TRAFFIC[m // 60] for m in range(1440)])
        self.entry_cdf = _cumulative([w for _, w in ENTRY_WEIGHTS])
        self.entries = tuple(e for e, _ in ENTRY_WEIGHTS)
        self.hhmm = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
        self.ss = tuple(f"{s:02d}" for s in range(60))

    # --- output ---------------------------------------------------------------------

    def rows(self) -> Iterator[Row]:
        remaining = self.plan.rows
        days = self.plan.days
        pending: list[_Event] = []
        first = itemgetter(0)
        hhmm = self.hhmm
        ss = self.ss
        day = 0
        while True:
            last_day = remaining is None and days is not None and day >= days - 1
            if remaining is not None and remaining <= 0:
                return
            if self.start.toordinal() + day + 1 > date.max.toordinal():
                raise PastLastDate(f"the log would run past {date.max.isoformat()}")
            events = pending
            events.extend(self._day(day))
            self._close_gaps(day, events)
            if last_day:  # what spills past midnight is written now too
                self._close_gaps(day + 1, events)
            events.sort(key=first)
            if last_day:
                cut = len(events)
            else:
                end = (day + 1) * DAY
                cut = len(events)
                while cut and events[cut - 1][0] >= end:
                    cut -= 1
            pending = events[cut:]
            if remaining is not None and cut > remaining:
                cut = remaining
            if remaining is not None:
                remaining -= cut
            prefix_of = self._date_prefix
            current_day = -1
            prefix = ""
            for index in range(cut):
                moment, tail = events[index]
                day_of, second = divmod(moment, DAY)
                if day_of != current_day:
                    prefix = prefix_of(day_of)
                    current_day = day_of
                yield (prefix + hhmm[second // 60] + ss[second % 60], *tail)
            if last_day:
                return
            day += 1

    def _date_prefix(self, day: int) -> str:
        while len(self._date_prefixes) <= day:
            moment = self.start + timedelta(days=len(self._date_prefixes))
            self._date_prefixes.append(moment.isoformat() + "T")
        return self._date_prefixes[day]

    def _close_gaps(self, day: int, events: list[_Event]) -> None:
        """Move times that do not exist locally (a DST gap) to the end of the gap."""
        gaps = _local_gaps(self.start + timedelta(days=day), self.zone)
        if not gaps:
            return
        base = day * DAY
        for index, (moment, tail) in enumerate(events):
            for gap_start, gap_end in gaps:
                if base + gap_start <= moment < base + gap_end:
                    events[index] = (base + gap_end, tail)

    # --- one day --------------------------------------------------------------------

    def _day(self, day: int) -> list[_Event]:
        events: list[_Event] = []
        base = day * DAY
        # Minutes in which a routing agent is available all along (R7 for transfers,
        # and when replies can come at all).
        available = bytearray(1440)
        for index in range(len(self.config.agents)):
            if (day + self.days_off[index]) % 7 == 0:
                continue
            self._agent_day(index, base, events, available)
        target = self.plan.rows_per_day * (0.85 + 0.3 * self.rng.random()) - len(events)
        if self.plan.rows is not None:
            # An exact row count: a day never falls far short of the plan.
            target = max(target, self.plan.rows_per_day * 0.5)
        conversations = max(1, round(target / ROWS_PER_CONVERSATION))
        gap_day = bool(_local_gaps(self.start + timedelta(days=day), self.zone))
        next_available = [-1] * 1441
        for minute in range(1439, -1, -1):
            next_available[minute] = minute if available[minute] else next_available[minute + 1]
        self._conversations(day, conversations, events, available, next_available, gap_day)
        return events

    def _agent_day(self, index: int, base: int, events: list[_Event], available: bytearray) -> None:
        agent = self.config.agents[index]
        rand = self.rng.random
        kind = self.shifts[index]
        meals: tuple[int, ...]
        if kind == "early":
            start, end, meals = 8 * 3600, 17 * 3600 + 1800, (12 * 3600,)
        elif kind == "late":
            start, end, meals = 13 * 3600 + 1800, 23 * 3600 + 3300, (18 * 3600,)
        else:
            start, end, meals = 9 * 3600, 22 * 3600, (12 * 3600, 18 * 3600)
        start += int(rand() * 1500) - 300
        end = min(end + int(rand() * 1200) - 600, DAY - 60)

        breaks: list[tuple[int, int, str]] = []
        for meal in meals:
            begin = meal + int(rand() * 3600) - 1800
            breaks.append((begin, begin + 1200 + int(rand() * 1500), "suspended"))
        for _ in range(int(rand() * 3)):
            begin = start + int(rand() * (end - start))
            breaks.append((begin, begin + 180 + int(rand() * 720), "suspended"))
        if rand() < 0.2:
            begin = start + int(rand() * (end - start))
            breaks.append((begin, begin + 120 + int(rand() * 1380), "offline"))
        breaks.sort()

        agent_id = agent.id
        timeline: list[tuple[int, str]] = [(start, "online")]
        last = start + 600
        for begin, finish, status in breaks:
            if begin < last or finish > end - 600:
                continue
            timeline.append((begin, status))
            timeline.append((finish, "online"))
            last = finish + 60
        timeline.append((end, "offline"))
        counts = agent.routing
        self._emit_timeline(agent_id, "pc", timeline, base, events, available if counts else None)

        if agent.mobile:
            mobile_counts = counts and self.config.routing.mobile_reception
            spells: list[tuple[int, int]] = []
            if rand() < 0.7:
                begin = max(end - 1800, 19 * 3600) + int(rand() * 1800)
                spells.append((begin, min(begin + 3600 + int(rand() * 7200), DAY - 30)))
            if rand() < 0.3:
                begin = 7 * 3600 + int(rand() * 1800)
                spells.append((begin, begin + 1800 + int(rand() * 3600)))
            spells.sort()
            last = -1
            for begin, finish in spells:
                if begin <= last or finish <= begin:
                    continue
                self._emit_timeline(
                    agent_id,
                    "mobile",
                    [(begin, "online"), (finish, "offline")],
                    base,
                    events,
                    available if mobile_counts else None,
                )
                last = finish

    @staticmethod
    def _emit_timeline(
        agent: str,
        device: str,
        timeline: Sequence[tuple[int, str]],
        base: int,
        events: list[_Event],
        available: bytearray | None,
    ) -> None:
        tails = {
            status: ("status", "", agent, device, status, "", "", "", "", "")
            for status in ("online", "suspended", "offline")
        }
        for position, (moment, status) in enumerate(timeline):
            events.append((base + moment, tails[status]))
            if available is not None and status == "online" and position + 1 < len(timeline):
                finish = timeline[position + 1][0]
                for minute in range(-(-moment // 60), finish // 60):
                    available[minute] = 1

    def _conversations(
        self,
        day: int,
        count: int,
        events: list[_Event],
        available: bytearray,
        next_available: list[int],
        gap_day: bool,
    ) -> None:
        rand = self.rng.random
        append = events.append
        base = day * DAY
        minute_cdf = self.minute_cdf
        entry_cdf = self.entry_cdf
        entries = self.entries
        buyers = self.buyers
        n_buyers = len(buyers)
        specials = self.special_buyers
        n_specials = len(specials)
        new_buyers = self.new_buyers
        new_buyer_day = self.new_buyer_day
        n_new = len(new_buyers)
        next_new = self.next_new_buyer
        cycle = self.plan.new_buyer_days
        agents = self.agents
        n_agents = len(agents)
        rule_items = self.rule_items
        rule_intents = self.rule_intents
        rule_orders = self.rule_order_statuses
        items = ITEMS
        n_items = len(items)
        intents = INTENTS
        orders = ORDER_STATUSES
        texts = BUYER_TEXTS
        n_texts = len(texts)
        replies = REPLY_TEXTS
        n_replies = len(replies)
        # A transfer comes 5-45 s after the first message, inside the session timeout.
        transfer_wait = min(40, self.config.routing.session_timeout_s - 10)
        transfers = self.transfers and not gap_day and transfer_wait > 0
        bisect_ = bisect

        starts = sorted([bisect_(minute_cdf, rand()) * 60 + int(rand() * 60) for _ in range(count)])
        for start in starts:
            minute = start // 60
            moment = base + start
            new_buyer = False
            if n_specials and rand() < P_SPECIAL_BUYER:
                buyer = specials[int(rand() * n_specials)]
            elif n_new and rand() < P_NEW_BUYER and day - new_buyer_day[next_new] >= cycle:
                buyer = new_buyers[next_new]
                new_buyer_day[next_new] = day
                next_new = (next_new + 1) % n_new
                new_buyer = True
            else:
                r = rand()
                buyer = buyers[int(n_buyers * r * r)]
            entry = entries[bisect_(entry_cdf, rand())]
            item = order_status = ""
            if entry == "item_detail" or (entry == "order" and rand() < 0.5):
                if rule_items and rand() < P_RULE_VALUE:
                    item = rule_items[int(rand() * len(rule_items))]
                else:
                    item = items[int(rand() * n_items)]
            if entry == "order":
                if rule_orders and rand() < P_RULE_VALUE:
                    order_status = rule_orders[int(rand() * len(rule_orders))]
                else:
                    order_status = orders[int(rand() * len(orders))]
            intent = ""
            if rand() < P_INTENT:
                if rule_intents and rand() < P_RULE_VALUE:
                    intent = rule_intents[int(rand() * len(rule_intents))]
                else:
                    intent = intents[int(rand() * len(intents))]
            addressed = agents[int(rand() * n_agents)] if n_agents and rand() < P_ADDRESSED else ""
            text = texts[int(rand() * n_texts)]
            append(
                (
                    moment,
                    ("message", buyer, addressed, "", "", entry, item, order_status, intent, text),
                )
            )
            follow = ("message", buyer, "", "", "", "", "", "", "")
            reply = ("reply", buyer, "", "", "", "", "", "", "")
            if (
                transfers
                and new_buyer
                and not addressed
                and available[minute]
                and rand() < P_TRANSFER
            ):
                moment += 5 + int(rand() * transfer_wait)
                append((moment, ("transfer", buyer, "", "", "", "", "", "", "", "")))

            replied = False
            while True:
                asked = moment
                while rand() < P_EXTRA_MESSAGE:
                    moment += 2 + int(rand() * 30)
                    append((moment, (*follow, texts[int(rand() * n_texts)])))
                asked_minute = (asked - base) // 60
                if asked_minute < 1440 and not available[asked_minute]:
                    # Nobody at work: answered (if at all) once someone comes online.
                    back = next_available[asked_minute]
                    if back < 0 or rand() < P_NO_REPLY_OFF_HOURS:
                        break
                    moment = max(base + back * 60 + 30 + int(rand() * 900), moment + 1)
                    append((moment, (*reply, replies[int(rand() * n_replies)])))
                    replied = True
                    break
                r = rand()
                if r < P_FAST_REPLY:
                    delay = 3 + int(rand() * rand() * 175)
                elif r < P_FAST_REPLY + P_SLOW_REPLY:
                    delay = 180 + int(rand() * 900)
                else:
                    replied = False
                    break
                moment = max(asked + delay, moment + 1)
                append((moment, (*reply, replies[int(rand() * n_replies)])))
                if rand() < P_SECOND_REPLY:
                    moment += 3 + int(rand() * 20)
                    append((moment, (*reply, replies[int(rand() * n_replies)])))
                replied = True
                if rand() >= 0.4:
                    break
                moment += 5 + int(rand() * 150)
                append((moment, (*follow, texts[int(rand() * n_texts)])))
            if replied and rand() < P_CLOSE:
                moment += 20 + int(rand() * 300)
                append((moment, ("close", buyer, "", "", "", "", "", "", "", "")))
        self.next_new_buyer = next_new


def _cumulative(weights: Sequence[float]) -> list[float]:
    """Cumulative fractions for ``bisect(cdf, random())`` sampling; the last is < 1."""
    total = float(sum(weights))
    cdf: list[float] = []
    running = 0.0
    for weight in weights[:-1]:
        running += weight
        cdf.append(running / total)
    return cdf


_GAP_CACHE: dict[tuple[str, date], tuple[tuple[int, int], ...]] = {}


def _local_gaps(day: date, zone: ZoneInfo) -> tuple[tuple[int, int], ...]:
    """Local ``(start_s, end_s)`` spans of ``day`` that do not exist (DST gap), if any."""
    if day >= date.max:
        return ()
    key = (zone.key, day)
    cached = _GAP_CACHE.get(key)
    if cached is not None:
        return cached
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = midnight + timedelta(days=1)
    gaps: list[tuple[int, int]] = []
    if midnight.utcoffset() != following.utcoffset():
        gap_start: int | None = None
        for minute in range(1440):
            local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
            aware = local.replace(tzinfo=zone)
            back = aware.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
            missing = back != local
            if missing and gap_start is None:
                gap_start = minute * 60
            elif not missing and gap_start is not None:
                gaps.append((gap_start, minute * 60))
                gap_start = None
        if gap_start is not None:
            gaps.append((gap_start, DAY))
    result = tuple(gaps)
    if len(_GAP_CACHE) > 256:
        _GAP_CACHE.clear()
    _GAP_CACHE[key] = result
    return result
