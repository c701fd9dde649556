"""A seeded, deterministic, streaming generator of believable event logs for a shop config.

:func:`generate_rows` yields the rows of a log (header excluded, see :data:`HEADER`) as
tuples of strings, in time order. It is pure: no file, no clock, no global random state,
so the same config, seed, start date and size give the same rows, byte for byte, on
every machine.

It is the simulation core that prediction uses (:class:`routectl.sim.core.Simulation`,
P8) fed with synthetic sources and a hand-made reply model instead of a log's:

- **Synthetic sources** (:mod:`routectl.sim.synthetic`): the agents' presence (shifts,
  days off, meals and breaks, short offline drops, mobile logins for mobile agents) and
  the buyers' arrivals (a bounded population with regulars, first-time, crowd and
  dedicated buyers, a daily curve, entries, items, order statuses and intents that hit
  the config's rules, a few addressed conversations), and a few silent orders.
- **A hand-made reply model** (:mod:`routectl.sim.synthetic_model`): a real
  :class:`~routectl.sim.model.ReplyModel` where each agent has its own speed (mostly
  under three minutes, some slower, some never) and slows with the conversations it
  holds, and the shop's buyers follow up, ask again, close and pay; plus R17b transfers
  (the bot naming an online agent, agents handing a question to an online colleague).
- **The core** routes every event through routectl's engine as it happens, and what
  the engine decides drives what happens next: a reply comes only from the agent the
  engine gave the buyer to; a buyer pooled at night is answered once its agent logs
  in; a buyer the bot holds gets a human only after a hand-over; a transfer is written
  only when the engine accepts it, so the log never has a bad row.
- This module adds the texts; :func:`routectl.logio.writer.log_rows` writes the
  events as rows (a message's ``received_by`` is the agent the engine gave it at once).
  :func:`generate_events` gives the same events without the rows, as the reader would.

Memory is bounded by the buyer population and the conversations open at one moment,
never by the number of rows.

Size: ``rows`` gives exactly that many data rows (as many days as it takes, the last day
cut short); ``days`` gives whole days of about ``rows_per_day`` rows each, ending at
midnight of the last day (conversations still open then are cut); both give ``rows``
rows spread over about ``days`` days.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo

from routectl.events import BuyerMessage, Event, HumanReply, Output, Transfer
from routectl.i18n import _
from routectl.logio.timefmt import FIRST_YEAR, LAST_YEAR
from routectl.logio.writer import HEADER as SIM_HEADER
from routectl.logio.writer import log_rows, received_at_once
from routectl.model import ShopConfig
from routectl.sim.core import Simulation
from routectl.sim.generate_times import DEFAULT_TIME_FORMAT
from routectl.sim.synthetic import P_NEW_BUYER, Sources
from routectl.sim.synthetic_model import Handovers, hand_made_model
from routectl.sim.synthetic_time import LocalDays, Stamps

_Item = TypeVar("_Item")

HEADER: tuple[str, ...] = SIM_HEADER
"""The header row of a generated log (contract column order, ``received_by`` last)."""

DEFAULT_START = date(2026, 11, 2)
"""Start date when none is given (fixed, so output never depends on the clock)."""

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
MAX_ROWS = 10**12
MAX_ROWS_PER_DAY = 10**8
MAX_DAYS = 3660
"""The largest sizes planned: beyond them a request is refused (:class:`TooLarge`), not
started (a trillion rows is a petabyte of CSV; a hundred million rows a day is 1,000
messages a second around the clock)."""

ROWS_PER_CONVERSATION = 4.8
"""Rows an arrival (a visit, or a silent order) brings with the hand-made model, status
rows included (measured), to size a day."""
RECENT_CONTACT_DAYS = 3  # R9 reach (72h)

Row = tuple[str, ...]

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

FIRST_DATE = date(FIRST_YEAR, 1, 1)
LAST_DATE = date(LAST_YEAR, 12, 31)
"""The days a log may cover: the years the log reader accepts (``routectl.logio.timefmt``)."""


class PastLastDate(ValueError):
    """The log would start before :data:`FIRST_DATE` or need days after :data:`LAST_DATE`.

    Raised by :func:`generate_rows` when the dates are known up front (``--days``), and
    while generating when ``rows`` runs past the last date.
    """


class TooLarge(ValueError):
    """A size beyond :data:`MAX_ROWS`, :data:`MAX_ROWS_PER_DAY` or :data:`MAX_DAYS`;
    ``str()`` names the option (``--rows``, ``--per-day``, ``--days``)."""


def check_dates(start: date, days: int | None) -> None:
    """Raise PastLastDate unless ``start`` and ``days`` fit in the dates a log may have."""
    if start < FIRST_DATE:
        raise PastLastDate(_("a log starts on {date} or later").format(date=FIRST_DATE.isoformat()))
    if start > LAST_DATE or (
        days is not None and LAST_DATE.toordinal() - start.toordinal() < days - 1
    ):
        raise _past_last()


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
    """Resolve the size options; raise ValueError for impossible ones (:class:`TooLarge`
    for sizes beyond the ``MAX_`` limits), before anything is allocated."""
    if rows is not None and rows < 0:
        raise ValueError(_("rows must be 0 or more"))
    if days is not None and days < 1:
        raise ValueError(_("days must be 1 or more"))
    if rows_per_day is not None and rows_per_day < 1:
        raise ValueError(_("rows per day must be 1 or more"))
    if rows is not None and rows > MAX_ROWS:
        raise TooLarge(
            _("--rows {rows}: at most {most} rows").format(rows=rows, most=f"{MAX_ROWS:,}")
        )
    if days is not None and days > MAX_DAYS:
        raise TooLarge(
            _("--days {days}: at most {most} days").format(days=days, most=f"{MAX_DAYS:,}")
        )
    if rows_per_day is not None and rows_per_day > MAX_ROWS_PER_DAY:
        raise TooLarge(
            _("--per-day {rows}: at most {most} rows a day").format(
                rows=rows_per_day, most=f"{MAX_ROWS_PER_DAY:,}"
            )
        )
    if rows is None and days is None:
        days = 1
    if rows_per_day is None:
        if rows is not None and days is not None:
            rows_per_day = max(1, math.ceil(rows / days))
            if rows_per_day > MAX_ROWS_PER_DAY:
                raise TooLarge(
                    f"--rows {rows} over --days {days}: {rows_per_day:,} rows a day, "
                    f"at most {MAX_ROWS_PER_DAY:,}"
                )
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
    ``time_format`` says (:data:`routectl.sim.generate_times.TIME_FORMATS`; by default
    without an offset, ``2026-11-02T08:00:05``). See the module docstring for what is
    simulated.
    """
    plan = _checked_plan(config, start, rows, days, rows_per_day)
    zone = ZoneInfo(config.shop.timezone)
    stamps = Stamps(zone, time_format)  # an unknown format is refused here, not later
    return _to_plans_end(plan, _rows(config, plan, seed, start, zone, stamps))


def generate_events(
    config: ShopConfig,
    *,
    seed: int = 1,
    start: date = DEFAULT_START,
    rows: int | None = None,
    days: int | None = None,
    rows_per_day: int | None = None,
) -> Iterator[Event]:
    """The events of :func:`generate_rows`' log as the log reader gives them back (the
    same lines, times, texts and ``received_by``), for code under test that is not the
    reader: no CSV in between."""
    plan = _checked_plan(config, start, rows, days, rows_per_day)
    pairs = _texted_pairs(config, plan, seed, start)
    events = (_as_read(event, outputs, line) for line, (event, outputs) in enumerate(pairs, 2))
    return _to_plans_end(plan, events)


def _checked_plan(
    config: ShopConfig, start: date, rows: int | None, days: int | None,
    rows_per_day: int | None,
) -> Plan:  # fmt: skip
    """The plan of a log, its dates refused here when they run past the calendar."""
    plan = make_plan(config, rows=rows, days=days, rows_per_day=rows_per_day)
    check_dates(start, plan.days if plan.rows is None else None)
    return plan


def _to_plans_end(plan: Plan, items: Iterator[_Item]) -> Iterator[_Item]:
    """``items`` cut at the plan's row count (a plan by days ends on its own)."""
    return items if plan.rows is None else itertools.islice(items, plan.rows)


def _as_read(event: Event, outputs: list[Output], line: int) -> Event:
    """``event`` as read from its row at ``line`` (the simulation numbers events it did
    not write, such as transfers the engine refused)."""
    if type(event) is BuyerMessage:
        return replace(event, line=line, received_by=received_at_once(event, outputs))
    return replace(event, line=line)


def _rows(
    config: ShopConfig, plan: Plan, seed: int, start: date, zone: ZoneInfo, stamps: Stamps
) -> Iterator[Row]:
    for row in log_rows(_texted_pairs(config, plan, seed, start), zone, stamps):
        yield tuple(row)


def _texted_pairs(
    config: ShopConfig, plan: Plan, seed: int, start: date
) -> Iterator[tuple[Event, list[Output]]]:
    """The simulation's events with their outputs, texts filled in, to the plan's end."""
    zone = ZoneInfo(config.shop.timezone)
    clock = LocalDays(zone, start)
    sources = Sources(
        config,
        clock,
        seed,
        conversations_per_day=plan.rows_per_day / ROWS_PER_CONVERSATION,
        buyers=plan.buyers,
        new_buyers=plan.new_buyers,
        new_buyer_days=plan.new_buyer_days,
        days=plan.days if plan.rows is None else None,
        last_day=LAST_DATE.toordinal() - start.toordinal(),
        past_last=_past_last,
    )
    handovers = Handovers(config, seed)
    simulation = Simulation(
        config, hand_made_model(config, seed), seed, handovers=handovers, settle=clock.settle
    )
    pairs = handovers.watching(simulation.run(sources.records()))
    if plan.rows is None and plan.days is not None:
        pairs = _before(pairs, clock.day_start(plan.days))
    texts = _Texts(seed)
    for event, outputs in pairs:
        if event is None:
            return
        texts.fill(event)
        yield event, outputs


def _past_last() -> PastLastDate:
    return PastLastDate(
        _("the log would run past {date}, the last date routectl reads").format(
            date=LAST_DATE.isoformat()
        )
    )


def _before(
    pairs: Iterable[tuple[Event | None, list[Output]]], end: float
) -> Iterator[tuple[Event | None, list[Output]]]:
    """The pairs of events before ``end`` (midnight after the last day): the rest is cut."""
    for pair in pairs:
        event = pair[0]
        if event is None or event.time >= end:
            return
        yield pair


class _Texts:
    """Message and reply texts (routing never reads them); after the bot's plain
    hand-over, the buyer's next message asks for a human."""

    def __init__(self, seed: int) -> None:
        self.rand = random.Random(f"routectl:{seed}:texts").random
        self.handed_over: set[str] = set()

    def fill(self, event: Event) -> None:
        if type(event) is BuyerMessage:
            if event.buyer in self.handed_over:
                self.handed_over.discard(event.buyer)
                event.text = HUMAN_PLEASE
            else:
                event.text = BUYER_TEXTS[int(self.rand() * len(BUYER_TEXTS))]
        elif type(event) is HumanReply:
            event.text = REPLY_TEXTS[int(self.rand() * len(REPLY_TEXTS))]
        elif type(event) is Transfer and not event.agent:
            self.handed_over.add(event.buyer)
