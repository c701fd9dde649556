"""Stream a CSV event log into typed events, one row at a time.

Columns are matched by header name in any order; unknown columns are ignored. Every
row that cannot be used becomes a :class:`BadLogRow` (``FILE:LINE: reason``): raised,
or handed to ``on_bad`` when the caller skips bad rows. Nothing is dropped silently.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable, Iterator
from zoneinfo import ZoneInfo

from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Close, Event, HumanReply, StatusChange, Transfer
from routectl.model import ENTRIES
from routectl.timefmt import TimeParser

COLUMNS = (
    "time", "event", "buyer", "agent", "device", "status",
    "entry", "item", "order_status", "intent", "text",
)  # fmt: skip
EVENTS = ("status", "message", "reply", "close", "transfer")
MAX_FIELD_BYTES = 1_000_000
"""Largest accepted CSV field; larger ones are a bad row, not a memory blow-up."""

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
    reader = csv.reader(lines)
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
            _bad(BadLogRow(source, start, f"unreadable CSV: {exc}"), on_bad)
            continue
        except UnicodeDecodeError:
            raise BadLogRow(source, start, NOT_TEXT) from None
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is not a row
        try:
            event = converter.convert(row, start)
            if event.time < last_time:
                raise ValueError("time goes backwards (rows must be in time order)")
        except ValueError as exc:
            _bad(BadLogRow(source, start, str(exc)), on_bad)
            continue
        last_time = event.time
        yield event


def _read_header(reader: Iterator[list[str]], source: str) -> list[str]:
    try:
        for header in reader:
            if header and any(cell.strip() for cell in header):
                return header
    except csv.Error as exc:
        raise BadLogRow(source, 1, f"unreadable CSV header: {exc}") from exc
    except UnicodeDecodeError:
        raise BadLogRow(source, 1, NOT_TEXT) from None
    raise BadLogRow(source, 1, "empty log: a header row is required (at least: time,event)")


def _bad(error: BadLogRow, on_bad: BadRowHandler | None) -> None:
    if on_bad is None:
        raise error
    on_bad(error)


class _RowConverter:
    """Turns one CSV row into one typed event, or raises ValueError with the reason."""

    def __init__(
        self, index: dict[str, int], zone: ZoneInfo, known_agents: Collection[str] | None
    ) -> None:
        self.index = index
        self.parser = TimeParser(zone)
        self.known_agents = known_agents
        self.time_at = index["time"]
        self.event_at = index["event"]

    def field(self, row: list[str], name: str) -> str | None:
        position = self.index.get(name)
        if position is None or position >= len(row):
            return None
        value = row[position].strip()
        return value or None

    def required(self, row: list[str], name: str, event: str) -> str:
        value = self.field(row, name)
        if value is None:
            raise ValueError(f"'{event}' row needs a value in column '{name}'")
        return value

    def agent(self, row: list[str], required: bool, event: str) -> str | None:
        agent = self.required(row, "agent", event) if required else self.field(row, "agent")
        if agent is not None and self.known_agents is not None and agent not in self.known_agents:
            raise ValueError(f"unknown agent {agent!r} (not in the config's [[agents]])")
        return agent

    def convert(self, row: list[str], line: int) -> Event:
        kind = row[self.event_at].strip().lower() if self.event_at < len(row) else ""
        raw_time = row[self.time_at].strip() if self.time_at < len(row) else ""
        if not raw_time:
            raise ValueError("missing time")
        try:
            time = self.parser.parse(raw_time)
        except (ValueError, OverflowError):
            raise ValueError(
                f"bad time {raw_time!r}: expected ISO 8601 like 2026-11-02T08:00:00"
            ) from None
        if kind == "message":
            return BuyerMessage(
                line,
                time,
                self.required(row, "buyer", kind),
                self.agent(row, False, kind),
                self.entry(row),
                self.field(row, "item"),
                self.field(row, "order_status"),
                self.field(row, "intent"),
                self.field(row, "text"),
            )
        if kind == "reply":
            buyer = self.required(row, "buyer", kind)
            agent = self.agent(row, False, kind)
            return HumanReply(line, time, buyer, agent, self.field(row, "text"))
        if kind == "status":
            return self.status(row, line, time)
        if kind == "close":
            return Close(line, time, self.required(row, "buyer", kind))
        if kind == "transfer":
            return Transfer(line, time, self.required(row, "buyer", kind))
        if not kind:
            raise ValueError("missing event")
        raise ValueError(f"unknown event {kind!r}; expected one of: {', '.join(EVENTS)}")

    def status(self, row: list[str], line: int, time: float) -> StatusChange:
        agent = self.agent(row, True, "status")
        assert agent is not None
        raw_status = self.required(row, "status", "status")
        status = STATUS_ALIASES.get(raw_status.lower())
        if status is None:
            raise ValueError(
                f"unknown status {raw_status!r}; expected online, suspended or offline"
            )
        raw_device = self.field(row, "device") or "pc"
        device = DEVICE_ALIASES.get(raw_device.lower())
        if device is None:
            raise ValueError(f"unknown device {raw_device!r}; expected pc or mobile")
        return StatusChange(line, time, agent, status, device)  # type: ignore[arg-type]

    def entry(self, row: list[str]) -> str | None:
        raw = self.field(row, "entry")
        if raw is None:
            return None
        entry = ENTRY_ALIASES.get(raw.lower())
        if entry is None:
            raise ValueError(f"unknown entry {raw!r}; expected one of: {', '.join(ENTRIES)}")
        return entry
