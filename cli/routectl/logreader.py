"""Stream a CSV event log into typed events, one row at a time.

Columns are matched by header name in any order; unknown columns are ignored. Every
row that cannot be used becomes a :class:`BadLogRow` (``FILE:LINE: reason``): raised,
or handed to ``on_bad`` when the caller skips bad rows. Nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from zoneinfo import ZoneInfo

from routectl.errors import BadLogRow
from routectl.events import (
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Paid,
    StatusChange,
    Transfer,
)
from routectl.model import ENTRIES
from routectl.timefmt import NonexistentTime, TimeParser

COLUMNS = (
    "time", "event", "buyer", "agent", "device", "status",
    "entry", "item", "order_status", "intent", "text", "amount",
)  # fmt: skip
EVENTS = ("status", "message", "reply", "close", "transfer", "paid")
EVENT_ALIASES = {"付款": "paid"}
MAX_FIELD_BYTES = 1_000_000
"""Largest accepted CSV field, in characters; larger ones are a bad row, not a memory blow-up."""

STATUS_ALIASES = {
    "online": "online", "在线": "online",
    "suspended": "suspended", "挂起": "suspended",
    "offline": "offline", "离线": "offline",
}  # fmt: skip
DEVICE_ALIASES = {"pc": "pc", "电脑": "pc", "mobile": "mobile", "手机": "mobile"}
ENTRY_ALIASES = {
    **{entry: entry for entry in ENTRIES},
    "店铺首页": "shop_home", "商品详情页": "item_detail",
    "联系人列表": "contact_list", "订单": "order",
}  # fmt: skip

NOT_TEXT = "not valid text in this encoding (exported from Chinese Excel? try --encoding gb18030)"

BadRowHandler = Callable[[BadLogRow], None]


class _Row:
    """Index of each known column in a row, resolved once from the header."""

    def __init__(self, header: list[str]) -> None:
        names = [name.strip().lower().lstrip("\ufeff") for name in header]
        self.index = {name: names.index(name) for name in COLUMNS if name in names}
        self.duplicates = sorted({n for n in names if n and names.count(n) > 1 and n in COLUMNS})


def read_events(
    lines: Iterable[str],
    source: str,
    zone: ZoneInfo,
    *,
    known_agents: Collection[str] | None = None,
    on_bad: BadRowHandler | None = None,
) -> Iterator[Event]:
    """Yield the events of a CSV log.

    ``lines`` is a text stream (opened with ``newline=""``). ``known_agents``, when given,
    makes a row naming any other agent a bad row. With ``on_bad`` a bad row is reported
    to it and skipped; without, it is raised.
    """
    csv.field_size_limit(MAX_FIELD_BYTES)
    # strict: a quote opened and never closed is an error at its line, not a silent
    # swallowing of every following row into one field.
    reader = csv.reader(lines, strict=True)
    header = _read_header(reader, source)
    row_shape = _Row(header)
    if row_shape.duplicates:
        raise BadLogRow(source, 1, f"duplicate column(s): {', '.join(row_shape.duplicates)}")
    missing = [name for name in ("time", "event") if name not in row_shape.index]
    if missing:
        raise BadLogRow(
            source, 1, f"header lacks column(s) {', '.join(missing)}; found: {', '.join(header)}"
        )
    converter = _RowConverter(row_shape.index, zone, known_agents)
    last_time = float("-inf")
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            _bad(BadLogRow(source, start, f"unreadable CSV: {_csv_reason(exc)}"), on_bad)
            continue
        except UnicodeDecodeError:
            raise BadLogRow(source, start, NOT_TEXT) from None
        line = reader.line_num
        if not row or (not row[0].strip() and not "".join(row).strip()):
            continue  # a blank line (or Excel's trailing row of commas) is not a row
        if _undecodable.count and not _is_text(row):
            _bad(BadLogRow(source, start, NOT_TEXT), on_bad)
            continue
        try:
            event = converter.convert(row, start)
            if event.time < last_time:
                raise ValueError("time goes backwards (rows must be in time order)")
        except ValueError as exc:
            _bad(BadLogRow(source, start, str(exc)), on_bad)
            continue
        last_time = event.time
        yield event


def _csv_reason(error: csv.Error) -> str:
    reason = str(error)
    if "unexpected end of data" in reason:
        return (
            "a quote opened in this row is never closed, so every line after it was read "
            "into one field (unexpected end of data)"
        )
    return reason


def _read_header(reader: Iterator[list[str]], source: str) -> list[str]:
    try:
        for header in reader:
            if header and any(cell.strip() for cell in header):
                if _undecodable.count and not _is_text(header):
                    raise BadLogRow(source, 1, NOT_TEXT)
                return header
    except csv.Error as exc:
        raise BadLogRow(source, 1, f"unreadable CSV header: {exc}") from exc
    except UnicodeDecodeError:
        raise BadLogRow(source, 1, NOT_TEXT) from None
    raise BadLogRow(source, 1, "empty log: a header row is required (at least: time,event)")


_UNDECODABLE = re.compile(f"[{chr(0xDC80)}-{chr(0xDCFF)}]")  # mypyc: no surrogate literals


class _UndecodableCounter:
    """A codec error handler that escapes like ``surrogateescape`` and counts.

    Logs are opened with ``errors=UNDECODABLE_ERRORS``, so a byte the encoding cannot
    decode arrives as a lone surrogate on its own row instead of failing a whole 8 KiB
    chunk at once. Rows are searched for such surrogates only once one was seen, so
    clean logs pay nothing per row.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: UnicodeError) -> tuple[str | bytes, int]:
        self.count += 1
        return codecs.lookup_error("surrogateescape")(error)


UNDECODABLE_ERRORS = "routectl-undecodable"
_undecodable = _UndecodableCounter()
codecs.register_error(UNDECODABLE_ERRORS, _undecodable)


def _is_text(row: list[str]) -> bool:
    """False when the row holds bytes the encoding could not decode."""
    joined = "".join(row)
    return joined.isascii() or _UNDECODABLE.search(joined) is None


def _bad(error: BadLogRow, on_bad: BadRowHandler | None) -> None:
    if on_bad is None:
        raise error
    on_bad(error)


class _RowConverter:
    """Turns one CSV row into one typed event, or raises ValueError with the reason.

    Every row is padded to the header's width and, when the header lacks a known column,
    gets one empty cell appended, so a missing column (position -1) reads as empty
    without a check.
    """

    def __init__(
        self, index: dict[str, int], zone: ZoneInfo, known_agents: Collection[str] | None
    ) -> None:
        self.parser = TimeParser(zone)
        self.known_agents = known_agents
        self.width = max(index.values()) + 1
        self.blank = [""] * self.width
        self.incomplete = any(name not in index for name in COLUMNS)
        at = {name: index.get(name, -1) for name in COLUMNS}
        self.time_at = at["time"]
        self.event_at = at["event"]
        self.buyer_at = at["buyer"]
        self.agent_at = at["agent"]
        self.device_at = at["device"]
        self.status_at = at["status"]
        self.entry_at = at["entry"]
        self.item_at = at["item"]
        self.order_status_at = at["order_status"]
        self.intent_at = at["intent"]
        self.text_at = at["text"]
        self.amount_at = at["amount"]

    def convert(self, row: list[str], line: int) -> Event:
        # Hot path (one call per row): the time()/buyer() helpers are inlined, and a cell
        # is stripped only when it is not empty ("" stays "", so results are unchanged).
        if len(row) < self.width:
            row.extend(self.blank[len(row) :])
        if self.incomplete:
            row.append("")
        kind = row[self.event_at]
        if kind not in EVENTS:
            kind = kind.strip().lower()
        raw = row[self.time_at]
        if raw:
            raw = raw.strip()
        if not raw:
            raise ValueError("missing time")
        parser = self.parser  # TimeParser.parse's cache hit, inlined: change both together
        if (
            len(raw) == parser._length
            and raw.startswith(parser._minute_key)
            and raw.endswith(parser._tail)
        ):
            seconds = raw[17:19]
            if raw[16] == ":" and seconds.isdigit() and seconds < "60":
                time = parser._minute_start + int(seconds)
            else:
                time = self.time(raw)
        else:
            time = self.time(raw)
        if kind == "message":
            agent: str | None = row[self.agent_at]
            if agent:
                agent = agent.strip() or None
                if agent is not None and self.known_agents is not None:
                    self.check_agent(agent)
            else:
                agent = None
            raw_entry = row[self.entry_at]
            entry = (raw_entry.strip() or None) if raw_entry else None
            buyer = row[self.buyer_at]
            if buyer:
                buyer = buyer.strip()
            if not buyer:
                raise ValueError("'message' row needs a value in column 'buyer'")
            if entry is not None:
                entry = self.entry(entry)
            item = row[self.item_at]
            order_status = row[self.order_status_at]
            intent = row[self.intent_at]
            text = row[self.text_at]
            return BuyerMessage(
                line,
                time,
                buyer,
                agent,
                entry,
                (item.strip() or None) if item else None,
                (order_status.strip() or None) if order_status else None,
                (intent.strip() or None) if intent else None,
                (text.strip() or None) if text else None,
            )
        if kind == "reply":
            buyer = self.buyer(row, kind)
            agent = row[self.agent_at].strip() or None
            if agent is not None:
                self.check_agent(agent)
            return HumanReply(line, time, buyer, agent, row[self.text_at].strip() or None)
        if kind == "status":
            return self.status(row, line, time)
        if kind == "close":
            return Close(line, time, self.buyer(row, kind))
        if kind == "transfer":
            buyer = self.buyer(row, kind)
            agent = row[self.agent_at].strip() or None
            if agent is not None:
                self.check_agent(agent)
            return Transfer(line, time, buyer, agent)
        if kind == "paid" or EVENT_ALIASES.get(kind) == "paid":
            return Paid(line, time, self.buyer(row, "paid"), self.amount(row))
        if not kind:
            raise ValueError("missing event")
        raise ValueError(f"unknown event {kind!r}; expected one of: {', '.join(EVENTS)}")

    def time(self, raw: str) -> float:
        if not raw:
            raise ValueError("missing time")
        try:
            return self.parser.parse(raw)
        except NonexistentTime as exc:
            raise ValueError(f"bad time {raw!r}: {exc}") from None
        except (ValueError, OverflowError):
            raise ValueError(
                f"bad time {raw!r}: expected ISO 8601 like 2026-11-02T08:00:00"
            ) from None

    def amount(self, row: list[str]) -> float | None:
        raw = row[self.amount_at].strip()
        if not raw:
            return None
        try:
            amount = float(raw.replace(",", ""))
        except ValueError:
            raise ValueError(f"bad amount {raw!r}: expected a decimal number like 199.00") from None
        if not math.isfinite(amount) or amount < 0:
            raise ValueError(f"bad amount {raw!r}: expected a number of 0 or more")
        return amount

    def buyer(self, row: list[str], event: str) -> str:
        buyer = row[self.buyer_at].strip()
        if not buyer:
            raise ValueError(f"'{event}' row needs a value in column 'buyer'")
        return buyer

    def check_agent(self, agent: str) -> None:
        if self.known_agents is not None and agent not in self.known_agents:
            raise ValueError(f"unknown agent {agent!r} (not in the config's [[agents]])")

    def status(self, row: list[str], line: int, time: float) -> StatusChange:
        agent = row[self.agent_at].strip()
        if not agent:
            raise ValueError("'status' row needs a value in column 'agent'")
        self.check_agent(agent)
        raw_status = row[self.status_at].strip()
        if not raw_status:
            raise ValueError("'status' row needs a value in column 'status'")
        status = STATUS_ALIASES.get(raw_status.lower())
        if status is None:
            raise ValueError(
                f"unknown status {raw_status!r}; expected online, suspended or offline"
            )
        raw_device = row[self.device_at].strip() or "pc"
        device = DEVICE_ALIASES.get(raw_device.lower())
        if device is None:
            raise ValueError(f"unknown device {raw_device!r}; expected pc or mobile")
        return StatusChange(line, time, agent, status, device)  # type: ignore[arg-type]

    def entry(self, raw: str) -> str:
        entry = ENTRY_ALIASES.get(raw.lower())
        if entry is None:
            raise ValueError(f"unknown entry {raw!r}; expected one of: {', '.join(ENTRIES)}")
        return entry
