"""A seeded, deterministic, streaming generator of believable event logs for a shop config.

:func:`generate_rows` yields the rows of a log (header excluded, see :data:`HEADER`) as
tuples of strings, in time order. It is pure: no file, no clock, no global random state
(one ``random.Random(seed)``), so the same config, seed, start date and size give the
same rows, byte for byte, on every machine.

It is a small discrete-event simulation driven by routectl's own routing
:class:`~routectl.engine.Engine`: every row is fed to the engine as it is written, and
what the engine decides schedules what happens next. So:

- **Agents** work shifts (early 08:00-17:30, late 13:30-23:55, full 09:00-22:00, with
  jitter), take one day off a week, are suspended for meals and short breaks, sometimes
  drop offline for a few minutes, and the ones with ``mobile = true`` (and only those)
  also log in on ``mobile``, mostly in the evening.
- **Buyers** arrive on a daily curve with peaks around 10-11 and 20-22 and a quiet
  night. They come from a bounded population (its size scales with rows per day, never
  with the total): regular buyers picked with a skew so that some come back often,
  first-time buyers (ids reused only after more than the pool retention plus 72h), and
  the config's crowd and dedicated buyers; a few conversations are addressed to one
  sub-account. A buyer is in at most one conversation at a time.
- **Messages** carry entries, items, order statuses and intents that hit the config's
  special routing rules some of the time.
- **Replies** come only once the engine has given the buyer to an agent (``Routed``
  with an agent, or a ``Transferred`` to one), from that agent, after that agent's own
  reply delay (each agent has a speed; mostly under 3 minutes, some longer, some never).
  A buyer pooled at night is answered when someone comes online; a buyer the bot holds
  gets no human reply unless the bot transfers. Conversations are often closed
  explicitly, otherwise they time out.
- **Transfers**: the bot hands some of the buyers it holds to a human 5-45 s after their
  first message (R11; sometimes naming an agent who is online, R17b), and an agent
  occasionally hands a buyer's question to a colleague who is online (R17b). A transfer
  row is written only when the engine accepts it, so the log never has a bad row.
- **Orders** (``paid`` rows, with an ``amount`` most of the time): a share of the buyers
  who asked before buying pay within hours of the conversation, a few pay with no
  inquiry at all (silent orders).

Memory is bounded by the conversations open at one moment (and the engine's state per
buyer and agent), never by the number of rows: arrivals are drawn minute by minute and
pending actions wait in one heap.

Size: ``rows`` gives exactly that many data rows (as many days as it takes, the last day
cut short); ``days`` gives whole days of about ``rows_per_day`` rows each, ending at
midnight of the last day (conversations still open then are cut); both give ``rows``
rows spread over about ``days`` days.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from routectl.engine import Engine
from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Output,
    Paid,
    Routed,
    StatusChange,
    Transfer,
    Transferred,
)
from routectl.generate_times import DEFAULT_TIME_FORMAT, TimeWriter
from routectl.logreader import COLUMNS
from routectl.model import ShopConfig
from routectl.timefmt import FIRST_YEAR, LAST_YEAR

HEADER: tuple[str, ...] = COLUMNS[: COLUMNS.index("amount") + 1]  # not the export-only ones
"""The header row of a generated log (contract column order, ``amount`` last)."""

DEFAULT_START = date(2026, 11, 2)
"""Start date when none is given (fixed, so output never depends on the clock)."""

DAY = 86_400
ROWS_PER_AGENT = 1_000
"""Default rows per day per routing agent: about 215 conversations, 25 an hour of a shift."""
ROWS_PER_SLOT = 100
"""...and at most this many per ``max_concurrent`` slot, so small caps are not overrun."""
MIN_ROWS_PER_DAY = 1_000
MIN_BUYERS = 50
MAX_BUYERS = 30_000
MAX_NEW_BUYERS = 20_000
"""Caps on the buyer population: the engine keeps state per buyer, so a huge
``--per-day`` must not mean millions of buyers (memory stays bounded)."""

Row = tuple[str, ...]
_Tail = tuple[str, ...]  # the 11 columns after `time`

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
HUMAN_PLEASE = "转人工"
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

# Conversation shape (probabilities and delays in seconds); ROWS_PER_CONVERSATION is
# what a conversation averages with them (measured), used to size a day.
ROWS_PER_CONVERSATION = 4.6
P_ADDRESSED = 0.04  # buyer writes to one sub-account
P_SPECIAL_BUYER = 0.03  # a crowd or dedicated buyer from the config
P_RULE_VALUE = 0.25  # an item / intent / order status taken from the config's rules
P_INTENT = 0.6
P_EXTRA_MESSAGE = 0.35  # another message in the same question
P_FAST_REPLY = 0.82  # replied within about 3 minutes
P_SLOW_REPLY = 0.12  # replied after 3-18 minutes; the rest are never replied
P_SECOND_REPLY = 0.3
P_FOLLOW_UP = 0.4  # another question after a reply
P_CLOSE = 0.6
P_TRANSFER = 0.3  # of the buyers the bot holds (R11)
P_TRANSFER_NAMED = 0.3  # of those transfers, naming an online agent (R17b)
P_AGENT_TRANSFER = 0.03  # a question an agent hands to an online colleague (R17b)
P_NEW_BUYER = 0.1  # a first-time buyer (from the new-buyer ring, see Plan.new_buyers)
P_PAY_PRESALE = 0.3  # a presale conversation that ends in an order
P_PAY_ORDER = 0.05  # an after-sale (order entry) conversation that ends in a new order
P_SILENT_ORDER = 0.05  # an arrival that is an order with no inquiry
P_PAY_SOON = 0.85  # orders paid within the hour; the others within 20 hours
P_NO_AMOUNT = 0.03
RECENT_CONTACT_DAYS = 3  # R9 reach (72h)
PRESALE_ENTRIES = frozenset({"item_detail", "shop_home", "contact_list"})

# Scheduled actions, in the heap as (local second, sequence, kind, visit, data).
_STATUS, _MESSAGE, _REPLY, _TRANSFER, _CLOSE, _PAID = range(6)


FIRST_DATE = date(FIRST_YEAR, 1, 1)
LAST_DATE = date(LAST_YEAR, 12, 31)
"""The days a log may cover: the years the log reader accepts (``routectl.timefmt``)."""


class PastLastDate(ValueError):
    """The log would start before :data:`FIRST_DATE` or need days after :data:`LAST_DATE`.

    Raised by :func:`generate_rows` when the dates are known up front (``--days``), and
    while generating when ``rows`` runs past the last date.
    """


def check_dates(start: date, days: int | None) -> None:
    """Raise PastLastDate unless ``start`` and ``days`` fit in the dates a log may have."""
    if start < FIRST_DATE:
        raise PastLastDate(f"a log starts on {FIRST_DATE.isoformat()} or later")
    if start > LAST_DATE or (
        days is not None and LAST_DATE.toordinal() - start.toordinal() < days - 1
    ):
        raise PastLastDate(
            f"the log would run past {LAST_DATE.isoformat()}, the last date routectl reads"
        )


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
    """A busy but believable day for this shop's team (see ``ROWS_PER_AGENT``)."""
    routing = [agent for agent in config.agents if agent.routing]
    slots = sum(agent.max_concurrent for agent in routing)
    return max(MIN_ROWS_PER_DAY, min(len(routing) * ROWS_PER_AGENT, slots * ROWS_PER_SLOT))


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
    buyers = min(MAX_BUYERS, max(MIN_BUYERS, rows_per_day // 2))
    # A first-time buyer has no recent contact (R9) and no open or pooled conversation:
    # an id is reused after the pool retention (R17) plus R9's 72h plus a day.
    new_buyer_days = config.offline.pool_retention_days + RECENT_CONTACT_DAYS + 1
    per_day = rows_per_day / ROWS_PER_CONVERSATION * P_NEW_BUYER * 1.2
    new_buyers = min(MAX_NEW_BUYERS, max(MIN_BUYERS, math.ceil(per_day * new_buyer_days)))
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
    """Yield the data rows of a believable log for ``config``, in time order.

    Deterministic in all its arguments. Times are local to the shop's zone, written as
    ``time_format`` says (:data:`routectl.generate_times.TIME_FORMATS`; by default
    without an offset, ``2026-11-02T08:00:05``). See the module docstring for what is
    simulated.
    """
    plan = make_plan(config, rows=rows, days=days, rows_per_day=rows_per_day)
    check_dates(start, plan.days if plan.rows is None else None)
    writer = TimeWriter(ZoneInfo(config.shop.timezone), time_format)
    generated = _Generator(config, plan, seed, start, writer).rows()
    if plan.rows is not None:
        return itertools.islice(generated, plan.rows)
    return generated


class _Visit:
    """One conversation of one buyer, from its first message until nothing is pending."""

    __slots__ = (
        "agent",
        "asked",
        "bot_held",
        "buyer",
        "pays",
        "pending",
        "reply_token",
        "replying",
        "unrouted",
    )

    def __init__(self, buyer: str, pays: bool) -> None:
        self.buyer = buyer
        self.pays = pays
        self.agent: str | None = None
        """The agent the engine gave the buyer to (None: nobody yet, or the bot)."""
        self.asked = -1
        """Local second of the open question's first message; -1 when none is open."""
        self.bot_held = False
        self.pending = 0
        """Actions of this visit waiting in the heap."""
        self.unrouted = 0
        """Message rows the engine has not given its Routed for yet."""
        self.replying = False
        self.reply_token = 0


class _Generator:
    def __init__(
        self, config: ShopConfig, plan: Plan, seed: int, start: date, writer: TimeWriter
    ) -> None:
        self.config = config
        self.plan = plan
        self.rng = random.Random(seed)
        self.start = start
        self.zone = ZoneInfo(config.shop.timezone)
        self.writer = writer
        self.engine = Engine(config)
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
        self.groups_of = {agent.id: agent.groups for agent in config.agents}
        # Shift kind and weekly day off per agent, fixed for the whole log.
        kinds = ("early", "late", "full")
        turn = int(rng.random() * 3)
        self.shifts = tuple(kinds[(turn + i) % 3] for i in range(len(config.agents)))
        self.days_off = tuple(int(rng.random() * 7) for _ in config.agents)
        # Each agent's reply speed: a factor on the shop's reply delays.
        self.speed = {agent: 0.5 + rng.random() * 1.2 for agent in self.agents}
        self.online_pc: dict[str, bool] = dict.fromkeys(self.agents, False)

        self.bot_first = config.bot.enabled and config.bot.priority_reception
        # A bot transfer comes 5-45 s after the first message, inside the session timeout.
        self.transfer_wait = min(40, config.routing.session_timeout_s - 10)

        self.minute_weights = _minute_weights()
        self.entry_cdf = _cumulative([w for _, w in ENTRY_WEIGHTS])
        self.entries = tuple(e for e, _ in ENTRY_WEIGHTS)
        self.hhmm = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
        self.ss = tuple(f"{s:02d}" for s in range(60))
        self.blank_tails = {
            kind: (kind, "", "", "", "", "", "", "", "", "", "") for kind in ("close", "paid")
        }

        self.heap: list[tuple[int, int, int, _Visit | None, object]] = []
        self.seq = 0
        self.active: dict[str, _Visit] = {}
        self.out: list[Row] = []
        self.line = 1  # the header
        self.now = 0
        self.day = -1
        self.day_prefix = ""
        self.day_gaps: tuple[tuple[int, int], ...] = ()
        self.minute_start = -DAY  # the minute of the last row written (see _time)
        self.minute_text = ""
        self.minute_posix = 0.0

    # --- the loop -------------------------------------------------------------------

    def rows(self) -> Iterator[Row]:
        days = self.plan.days if self.plan.rows is None else None
        out = self.out
        heap = self.heap
        day = 0
        while days is None or day < days:
            if self.start.toordinal() + day > LAST_DATE.toordinal():
                raise PastLastDate(
                    f"the log would run past {LAST_DATE.isoformat()}, the last date routectl reads"
                )
            base = day * DAY
            self._agent_days(day)
            for moment in self._arrivals(day):
                while heap and heap[0][0] <= moment:
                    self._act(heapq.heappop(heap))
                    if out:
                        yield from out
                        out.clear()
                self._arrive(day, moment)
                if out:
                    yield from out
                    out.clear()
            end = base + DAY
            while heap and heap[0][0] < end:
                self._act(heapq.heappop(heap))
                if out:
                    yield from out
                    out.clear()
            day += 1

    def _push(self, moment: int, kind: int, visit: _Visit | None, data: object = None) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (moment, self.seq, kind, visit, data))
        if visit is not None:
            visit.pending += 1

    def _act(self, action: tuple[int, int, int, _Visit | None, object]) -> None:
        moment, _, kind, visit, data = action
        if visit is None:
            if kind == _STATUS:
                self._status(moment, data)  # type: ignore[arg-type]
            else:
                self._paid(moment, data)  # type: ignore[arg-type]
            return
        visit.pending -= 1
        if kind == _MESSAGE:
            self._message(moment, visit, data)  # type: ignore[arg-type]
        elif kind == _REPLY:
            self._reply(moment, visit, data)  # type: ignore[arg-type]
        elif kind == _TRANSFER:
            self._transfer(moment, visit, data)  # type: ignore[arg-type]
        elif kind == _CLOSE:
            self._write(moment, ("close", visit.buyer, *self.blank_tails["close"][2:]), None)
        else:
            self._paid(moment, visit.buyer)
        self._settle(visit)

    def _settle(self, visit: _Visit) -> None:
        """Forget a visit once nothing of it is pending (bounded memory)."""
        if visit.pending == 0 and visit.unrouted == 0:
            if visit.pays:
                visit.pays = False
                self._schedule_payment(visit)
                return
            if self.active.get(visit.buyer) is visit:
                del self.active[visit.buyer]

    # --- writing a row --------------------------------------------------------------

    def _time(self, moment: int) -> tuple[str, float]:
        """The naive local text and POSIX time of a local second (DST gaps skipped)."""
        offset = moment - self.minute_start
        if 0 <= offset < 60:  # the same minute as the last row, on a day without a gap
            return self.minute_text + self.ss[offset], self.minute_posix + offset
        day, second = divmod(moment, DAY)
        if day != self.day:
            self.day = day
            self.day_prefix = (self.start + timedelta(days=day)).isoformat() + "T"
            self.day_gaps = _local_gaps(self.start + timedelta(days=day), self.zone)
        for gap_start, gap_end in self.day_gaps:
            if gap_start <= second < gap_end:
                second = gap_end
        if second >= DAY:  # a gap up to midnight (Santiago): the next day's 00:00:00
            return self._time((day + 1) * DAY)
        minute_text = self.day_prefix + self.hhmm[second // 60]
        naive = minute_text + self.ss[second % 60]
        posix = self.writer.posix(naive)
        if not self.day_gaps:
            self.minute_start = moment - second % 60
            self.minute_text = minute_text
            self.minute_posix = posix - second % 60
        return naive, posix

    def _write(self, moment: int, tail: _Tail, make: type[Event] | None) -> None:
        """Write one row and feed it to the engine (``make`` None: a close row)."""
        naive, posix = self._time(moment)
        self.now = moment
        self.line += 1
        event = self._event(make, tail, posix)
        outputs = self.engine.feed(event)
        self.out.append((self.writer.write(naive), *tail))
        if outputs:
            self._handle(outputs)

    def _event(self, make: type[Event] | None, tail: _Tail, posix: float) -> Event:
        line = self.line
        if make is None:
            return Close(line, posix, tail[1])
        if make is BuyerMessage:
            return BuyerMessage(
                line, posix, tail[1], tail[2] or None, tail[5] or None, tail[6] or None,
                tail[7] or None, tail[8] or None, tail[9] or None,
            )  # fmt: skip
        if make is HumanReply:
            return HumanReply(line, posix, tail[1], tail[2] or None, tail[9] or None)
        if make is StatusChange:
            return StatusChange(line, posix, tail[2], tail[4], tail[3])  # type: ignore[arg-type]
        amount = float(tail[10]) if tail[10] else None
        return Paid(line, posix, tail[1], amount)

    def _try_transfer(self, moment: int, buyer: str, agent: str) -> bool:
        """Write a transfer row if the engine accepts it; the engine is unchanged if not."""
        naive, posix = self._time(moment)
        try:
            outputs = self.engine.feed(Transfer(self.line + 1, posix, buyer, agent or None))
        except ValueError:
            return False
        self.now = moment
        self.line += 1
        self.out.append(
            (self.writer.write(naive), "transfer", buyer, agent, "", "", "", "", "", "", "", "")
        )
        if outputs:
            self._handle(outputs)
        return True

    def _handle(self, outputs: list[Output]) -> None:
        active = self.active
        for output in outputs:
            kind = type(output)
            if kind is Routed:
                routed: Routed = output  # type: ignore[assignment]
                visit = active.get(routed.buyer)
                if visit is None or visit.unrouted == 0:
                    continue
                visit.unrouted -= 1
                self._routed(visit, routed)
                self._settle(visit)
            elif kind is Transferred:
                moved: Transferred = output  # type: ignore[assignment]
                visit = active.get(moved.buyer)
                if visit is not None:
                    self._give_to(visit, moved.to_agent)
                    self._answer(visit, allow_transfer=False)

    def _routed(self, visit: _Visit, routed: Routed) -> None:
        assignee = routed.assignee
        if assignee == ASSIGNEE_BOT:
            if not visit.bot_held:
                visit.bot_held = True
                self._bot_transfer(visit)
        elif assignee != ASSIGNEE_OFFLINE and routed.assigned_at is not None:
            self._give_to(visit, assignee)
            self._answer(visit, allow_transfer=True)

    def _give_to(self, visit: _Visit, agent: str) -> None:
        visit.bot_held = False
        if visit.agent != agent:
            visit.agent = agent
            visit.replying = False  # a reply another agent was to send is stale
            visit.reply_token += 1

    # --- what happens ---------------------------------------------------------------

    def _status(self, moment: int, tail: _Tail) -> None:
        if tail[3] == "pc":
            self.online_pc[tail[2]] = tail[4] == "online"
        self._write(moment, tail, StatusChange)

    def _arrive(self, day: int, moment: int) -> None:
        rand = self.rng.random
        if rand() < P_SILENT_ORDER:
            self._paid(moment, self._regular_buyer())
            return
        buyer = self._pick_buyer(day)
        busy = self.active.get(buyer)
        if busy is not None:
            # Still waiting (an overrun team): the buyer writes again in that conversation.
            text = BUYER_TEXTS[int(rand() * len(BUYER_TEXTS))]
            self._message(moment, busy, self._follow(busy, text))
            return
        tail = self._opening(buyer)
        entry = tail[5]
        pays = rand() < (P_PAY_PRESALE if entry in PRESALE_ENTRIES else P_PAY_ORDER)
        visit = _Visit(buyer, pays)
        self.active[buyer] = visit
        self._message(moment, visit, tail)
        self._settle(visit)

    def _message(self, moment: int, visit: _Visit, tail: _Tail) -> None:
        rand = self.rng.random
        if visit.asked < 0:
            visit.asked = moment
        visit.unrouted += 1
        self._write(moment, tail, BuyerMessage)
        if rand() < P_EXTRA_MESSAGE and not visit.replying:
            text = BUYER_TEXTS[int(rand() * len(BUYER_TEXTS))]
            self._push(moment + 2 + int(rand() * 30), _MESSAGE, visit, self._follow(visit, text))

    def _follow(self, visit: _Visit, text: str) -> _Tail:
        return ("message", visit.buyer, "", "", "", "", "", "", "", text, "")

    def _answer(self, visit: _Visit, *, allow_transfer: bool) -> None:
        """The agent holding the buyer answers the open question (or hands it on)."""
        if visit.asked < 0 or visit.replying or visit.agent is None:
            return
        rand = self.rng.random
        now = self.now
        if allow_transfer and rand() < P_AGENT_TRANSFER:
            visit.replying = True
            self._push(now + 10 + int(rand() * 50), _TRANSFER, visit, "*")
            return
        r = rand()
        speed = self.speed.get(visit.agent, 1.0)
        if r < P_FAST_REPLY:
            delay = 3 + min(int(rand() * rand() * 175 * speed), 176)
        elif r < P_FAST_REPLY + P_SLOW_REPLY:
            delay = 180 + int(rand() * 900 * speed)
        else:
            return  # never answered
        visit.replying = True
        visit.reply_token += 1
        self._push(max(now + delay, visit.asked + 1), _REPLY, visit, visit.reply_token)

    def _reply(self, moment: int, visit: _Visit, token: int) -> None:
        if token != visit.reply_token or visit.agent is None:
            return
        rand = self.rng.random
        visit.replying = False
        visit.asked = -1
        texts = REPLY_TEXTS
        tail = ("reply", visit.buyer, visit.agent, "", "", "", "", "", "", "", "")
        self._write(moment, (*tail[:9], texts[int(rand() * len(texts))], ""), HumanReply)
        if rand() < P_SECOND_REPLY:
            moment += 3 + int(rand() * 20)
            self._push(moment, _REPLY, visit, visit.reply_token)
            visit.replying = True
            return
        if rand() < P_FOLLOW_UP:
            text = BUYER_TEXTS[int(rand() * len(BUYER_TEXTS))]
            self._push(moment + 5 + int(rand() * 150), _MESSAGE, visit, self._follow(visit, text))
        elif rand() < P_CLOSE:
            self._push(moment + 20 + int(rand() * 300), _CLOSE, visit)

    def _bot_transfer(self, visit: _Visit) -> None:
        rand = self.rng.random
        if self.transfer_wait <= 0 or rand() >= P_TRANSFER:
            return
        named = "" if rand() >= P_TRANSFER_NAMED else "*"
        self._push(self.now + 5 + int(rand() * self.transfer_wait), _TRANSFER, visit, named)

    def _transfer(self, moment: int, visit: _Visit, target: str) -> None:
        """``target`` "*": name an online agent (R17b); "": the bot's R11 hand-over."""
        holder = visit.agent if not visit.bot_held else None
        agent = (self._online_colleague(holder) or "") if target else ""
        if holder is not None:
            visit.replying = False  # the hand-over is due now
        if (holder is not None and not agent) or not self._try_transfer(moment, visit.buyer, agent):
            # Nobody to hand it to, or the engine refuses: whoever holds it answers.
            self._answer(visit, allow_transfer=False)
            return
        if holder is None:
            # After the bot's hand-over the buyer asks for a human: its Routed names the
            # agent (without R17b's Transferred output, nothing else would).
            rand = self.rng.random
            self._push(
                moment + 2 + int(rand() * 8), _MESSAGE, visit, self._follow(visit, HUMAN_PLEASE)
            )
        else:
            self._give_to(visit, agent)
            self._answer(visit, allow_transfer=False)

    def _online_colleague(self, holder: str | None) -> str | None:
        """An agent online on pc other than ``holder``, from another group if possible."""
        online = [a for a in self.agents if self.online_pc[a] and a != holder]
        if not online:
            return None
        if holder is not None:
            groups = set(self.groups_of.get(holder, ()))
            others = [a for a in online if not groups & set(self.groups_of[a])]
            online = others or online
        return online[int(self.rng.random() * len(online))]

    def _schedule_payment(self, visit: _Visit) -> None:
        rand = self.rng.random
        soon = rand() < P_PAY_SOON
        wait = 30 + int(rand() * rand() * 3600) if soon else 3600 + int(rand() * 19 * 3600)
        self._push(self.now + wait, _PAID, visit)

    def _paid(self, moment: int, buyer: str) -> None:
        rand = self.rng.random
        amount = ""
        if rand() >= P_NO_AMOUNT:
            price = PRICES[int(rand() * len(PRICES))]
            amount = price if rand() >= 0.15 else f"{2 * float(price):.2f}"
        self._write(moment, ("paid", buyer, "", "", "", "", "", "", "", "", amount), Paid)

    # --- buyers and their first message ----------------------------------------------

    def _regular_buyer(self) -> str:
        """A regular buyer, one not in a conversation if one is found in a few tries."""
        rand = self.rng.random
        buyers = self.buyers
        r = rand()
        buyer = buyers[int(len(buyers) * r * r)]  # skewed: some buyers come back often
        for _ in range(4):
            if buyer not in self.active:
                break
            buyer = buyers[int(len(buyers) * rand())]  # busy: anyone else
        return buyer

    def _pick_buyer(self, day: int) -> str:
        rand = self.rng.random
        specials = self.special_buyers
        if specials and rand() < P_SPECIAL_BUYER:
            buyer = specials[int(rand() * len(specials))]
            return buyer
        ring = self.new_buyers
        if ring and rand() < P_NEW_BUYER:
            at = self.next_new_buyer
            if day - self.new_buyer_day[at] >= self.plan.new_buyer_days:
                self.new_buyer_day[at] = day
                self.next_new_buyer = (at + 1) % len(ring)
                return ring[at]
        return self._regular_buyer()

    def _opening(self, buyer: str) -> _Tail:
        rand = self.rng.random
        entry = self.entries[bisect(self.entry_cdf, rand())]
        item = order_status = intent = ""
        if entry == "item_detail" or (entry == "order" and rand() < 0.5):
            item = _pick(rand, self.rule_items, ITEMS)
        if entry == "order":
            order_status = _pick(rand, self.rule_order_statuses, ORDER_STATUSES)
        if rand() < P_INTENT:
            intent = _pick(rand, self.rule_intents, INTENTS)
        agents = self.agents
        addressed = agents[int(rand() * len(agents))] if agents and rand() < P_ADDRESSED else ""
        text = BUYER_TEXTS[int(rand() * len(BUYER_TEXTS))]
        return ("message", buyer, addressed, "", "", entry, item, order_status, intent, text, "")

    # --- one day: arrivals and the agents' shifts ------------------------------------

    def _arrivals(self, day: int) -> Iterator[int]:
        """Conversation start times of ``day``, drawn minute by minute (bounded memory)."""
        rand = self.rng.random
        target = self.plan.rows_per_day * (0.85 + 0.3 * rand())
        conversations = max(1.0, target / ROWS_PER_CONVERSATION)
        base = day * DAY
        for minute, weight in enumerate(self.minute_weights):
            expected = conversations * weight
            count = int(expected) + (rand() < expected - int(expected))
            if count:
                at = base + minute * 60
                for second in sorted(int(rand() * 60) for _ in range(count)):
                    yield at + second

    def _agent_days(self, day: int) -> None:
        for index in range(len(self.config.agents)):
            if (day + self.days_off[index]) % 7 != 0:
                self._agent_day(index, day * DAY)

    def _agent_day(self, index: int, base: int) -> None:
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

        timeline: list[tuple[int, str]] = [(start, "online")]
        last = start + 600
        for begin, finish, status in breaks:
            if begin < last or finish > end - 600:
                continue
            timeline.append((begin, status))
            timeline.append((finish, "online"))
            last = finish + 60
        timeline.append((end, "offline"))
        self._push_timeline(agent.id, "pc", timeline, base)

        if agent.mobile:
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
                self._push_timeline(
                    agent.id, "mobile", [(begin, "online"), (finish, "offline")], base
                )
                last = finish

    def _push_timeline(
        self, agent: str, device: str, timeline: Sequence[tuple[int, str]], base: int
    ) -> None:
        for moment, status in timeline:
            tail = ("status", "", agent, device, status, "", "", "", "", "", "")
            self._push(base + moment, _STATUS, None, tail)


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
