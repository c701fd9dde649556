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
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Protocol
from zoneinfo import ZoneInfo

from routectl.errors import BadLogRow
from routectl.events import (
    BuyerMessage,
    Close,
    Device,
    Event,
    HumanReply,
    Paid,
    Status,
    StatusChange,
    Transfer,
)
from routectl.i18n import N_, _
from routectl.logio import linebound
from routectl.logio.headers import COLUMNS as COLUMNS  # re-exported: the log's column names
from routectl.logio.headers import column_named, resolve_header
from routectl.logio.linebound import BoundedLines, LineTooLong
from routectl.logio.sorting import Record, sort_records
from routectl.logio.timefmt import NonexistentTime, TimeParser
from routectl.model import ENTRIES
from routectl.similar import close_names, one_of

EVENTS = ("status", "message", "reply", "close", "transfer", "paid")
EVENT_ALIASES = {
    "状态": "status", "消息": "message", "回复": "reply",
    "关闭": "close", "结束": "close", "转交": "transfer", "转接": "transfer", "付款": "paid",
}  # fmt: skip
BACKWARDS = N_("time goes backwards (rows must be in time order; --sort sorts the log first)")
MAX_FIELD_BYTES = 1_000_000
"""Largest accepted CSV field, in characters; larger ones are a bad row, not a memory blow-up."""

STATUS_ALIASES: dict[str, Status] = {
    "online": "online", "在线": "online",
    "suspended": "suspended", "挂起": "suspended",
    "offline": "offline", "离线": "offline",
}  # fmt: skip
DEVICE_ALIASES: dict[str, Device] = {"pc": "pc", "电脑": "pc", "mobile": "mobile", "手机": "mobile"}
ENTRY_ALIASES = {
    **{entry: entry for entry in ENTRIES},
    "店铺首页": "shop_home", "商品详情页": "item_detail",
    "联系人列表": "contact_list", "订单": "order",
}  # fmt: skip

NOT_TEXT = N_(
    "not valid text in this encoding (exported from Chinese Excel? try --encoding gb18030)"
)

BadRowHandler = Callable[[BadLogRow], None]

MAX_AMOUNT = 1e12
"""Largest accepted payment amount: sums of many stay exact to the cent and finite."""
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
"""An amount once thousands commas are gone: ASCII digits and a point. float() also takes
``1_000``, other scripts' digits (``١٢٣``), ``1e3``, ``inf`` and ``nan``; a log does not."""


def read_events(
    lines: Iterable[str],
    source: str,
    zone: ZoneInfo,
    *,
    known_agents: Collection[str] | None = None,
    on_bad: BadRowHandler | None = None,
    columns: Mapping[str, str] | None = None,
    sort: bool = False,
) -> Iterator[Event]:
    """Yield the events of a CSV log.

    ``lines`` is a text stream (opened with ``newline=""``). ``known_agents``, when given,
    makes a row naming any other agent a bad row (names are compared after NFKC). With
    ``on_bad`` a bad row is reported to it and skipped; without, it is raised.
    ``columns`` maps a column to the heading that holds it (``--columns``). ``sort``
    orders the rows by time first (:mod:`routectl.logio.sorting`; equal times keep file order).
    """
    csv.field_size_limit(MAX_FIELD_BYTES)
    # strict: a quote opened and never closed is an error at its line, not a silent
    # swallowing of every following row into one field.
    bounded = BoundedLines(lines, source)  # no line or row may fill the memory (linebound.py)
    reader = csv.reader(bounded, strict=True)
    # The tally is the process's (codecs knows handlers by name); this read's own count
    # is how far it moved since here, so reads side by side never hide each other's.
    escaped_before = _tally.count
    header = _read_header(reader, source, escaped_before)
    index = _column_index(header, source, columns)
    converter = _RowConverter(index, zone, known_agents)
    rows: Iterable[tuple[int, list[str]]] = _data_rows(
        reader, bounded, source, on_bad, escaped_before
    )
    if sort:
        rows = _sorted_rows(rows, index["time"], zone)
    yield from _in_time_order(_converted(rows, converter, source, on_bad), source, on_bad)


def _converted(
    rows: Iterable[tuple[int, list[str]]],
    converter: _RowConverter,
    source: str,
    on_bad: BadRowHandler | None,
) -> Iterator[Event]:
    for start, row in rows:
        try:
            yield converter.convert(row, start)
        except ValueError as exc:
            _bad(BadLogRow(source, start, str(exc)), on_bad)


def _in_time_order(
    events: Iterable[Event], source: str, on_bad: BadRowHandler | None
) -> Iterator[Event]:
    """The events in time order; a row out of order is a bad row.

    Which row is out of order takes up to two rows more to tell: after A, a row B earlier
    than A but not earlier than the row before A is either a step back (B is the bad
    row: the next row is at A's time or later) or A jumped forward alone (a wrong date:
    the next row goes on from B). So up to two events are held back; a lone jump
    forward costs that one row, not every row after it.
    """
    last = float("-inf")  # time of the last event given out
    pending: Event | None = None  # in order so far, not given out yet
    suspect: Event | None = None  # earlier than pending, not earlier than last
    for event in events:
        time = event.time
        if pending is None:
            if time < last:
                _bad(BadLogRow(source, event.line, _(BACKWARDS)), on_bad)
                continue
            pending = event
        elif suspect is None:
            if time >= pending.time:
                last = pending.time
                yield pending
                pending = event
            elif time >= last:
                suspect = event
            else:
                _bad(BadLogRow(source, event.line, _(BACKWARDS)), on_bad)
        elif time >= pending.time:  # the suspect stepped back
            _bad(BadLogRow(source, suspect.line, _(BACKWARDS)), on_bad)
            suspect = None
            last = pending.time
            yield pending
            pending = event
        elif time >= suspect.time:  # pending jumped ahead alone
            _bad(BadLogRow(source, pending.line, _jumped(suspect.line)), on_bad)
            pending, suspect = suspect, None
            last = pending.time
            yield pending
            pending = event
        else:
            _bad(BadLogRow(source, event.line, _(BACKWARDS)), on_bad)
    if suspect is not None:  # no row after it to tell: the later row is the bad one
        _bad(BadLogRow(source, suspect.line, _(BACKWARDS)), on_bad)
    if pending is not None:
        yield pending


def _jumped(next_line: int) -> str:
    return _(
        "time jumps ahead of the rows around it (the log goes on from before it at line "
        "{line}: a wrong date?); rows must be in time order (--sort sorts the log first)"
    ).format(line=next_line)


class _CsvReader(Protocol):
    """What :func:`_data_rows` needs of a csv reader."""

    line_num: int

    def __next__(self) -> list[str]: ...


def _data_rows(
    reader: _CsvReader,
    bounded: BoundedLines,
    source: str,
    on_bad: BadRowHandler | None,
    escaped_before: int,
) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of every data row, numbered where the row starts in the file.

    Unreadable rows (bad CSV, past the line or cell bounds, undecodable bytes) are
    reported here; blank lines are passed over. ``escaped_before``: the undecodable
    bytes tally when the read began.
    """
    max_cells = linebound.MAX_CELLS
    line = reader.line_num
    while True:
        start = line + 1
        bounded.row_chars = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except LineTooLong as exc:
            line = reader.line_num + bounded.dropped
            _bad(BadLogRow(source, line if exc.at_line else start, str(exc)), on_bad)
            continue
        except csv.Error as exc:
            line = reader.line_num + bounded.dropped
            _bad(
                BadLogRow(
                    source, start, _("unreadable CSV: {reason}").format(reason=_csv_reason(exc))
                ),
                on_bad,
            )
            continue
        except UnicodeDecodeError:
            raise BadLogRow(source, start, _(NOT_TEXT)) from None
        line = reader.line_num + bounded.dropped
        if not row or (not row[0].strip() and not "".join(row).strip()):
            continue  # a blank line (or Excel's trailing row of commas) is not a row
        if len(row) > max_cells:
            _bad(
                BadLogRow(
                    source,
                    start,
                    _("row has {count} cells; at most {most}").format(
                        count=len(row), most=max_cells
                    ),
                ),
                on_bad,
            )
            continue
        if _tally.count != escaped_before and not _is_text(row):
            _bad(BadLogRow(source, start, _(NOT_TEXT)), on_bad)
            continue
        yield start, row


def _sorted_rows(
    rows: Iterable[tuple[int, list[str]]], time_at: int, zone: ZoneInfo
) -> Iterator[tuple[int, list[str]]]:
    """``rows`` ordered by time (``--sort``), equal times in file order.

    A row whose time does not parse sorts first, so it is reported early, at its line.
    """
    parser = TimeParser(zone)

    def timed() -> Iterator[Record]:
        for start, row in rows:
            try:
                time = parser.parse(row[time_at].strip()) if time_at < len(row) else -math.inf
            except (ValueError, OverflowError):
                time = -math.inf
            yield time, start, row

    for _time, start, row in sort_records(timed()):
        yield start, row


def _column_index(
    header: list[str], source: str, columns: Mapping[str, str] | None
) -> dict[str, int]:
    layout = resolve_header(header, columns)
    if layout.missing_mapped:
        raise BadLogRow(
            source,
            1,
            _("--columns names heading(s) not in the header: {names}; found: {header}").format(
                names=", ".join(layout.missing_mapped), header=", ".join(header)
            ),
        )
    if layout.duplicates:
        raise BadLogRow(
            source, 1, _("duplicate column(s): {names}").format(names=", ".join(layout.duplicates))
        )
    missing = [name for name in ("time", "event") if name not in layout.index]
    if missing:
        # A heading --columns gave to another column no longer names its own.
        taken = [
            _("--columns {column}={heading} gives the heading {quoted} to {column}").format(
                column=column, heading=heading, quoted=repr(heading)
            )
            for column, heading in (columns or {}).items()
            if column_named(heading) in missing and column not in missing
        ]
        why = f" ({'; '.join(taken)})" if taken else ""
        raise BadLogRow(
            source,
            1,
            _("header lacks column(s) {names}{why}; found: {header}").format(
                names=", ".join(missing), why=why, header=", ".join(header)
            ),
        )
    return layout.index


def _csv_reason(error: csv.Error) -> str:
    reason = str(error)
    if "unexpected end of data" in reason:
        return _(
            "a quote opened in this row is never closed, so every line after it was read "
            "into one field (unexpected end of data)"
        )
    return reason


def _read_header(reader: Iterator[list[str]], source: str, escaped_before: int) -> list[str]:
    try:
        for header in reader:
            if header and any(cell.strip() for cell in header):
                if _tally.count != escaped_before and not _is_text(header):
                    raise BadLogRow(source, 1, _(NOT_TEXT))
                return header
    except csv.Error as exc:
        raise BadLogRow(source, 1, _("unreadable CSV header: {reason}").format(reason=exc)) from exc
    except UnicodeDecodeError:
        raise BadLogRow(source, 1, _(NOT_TEXT)) from None
    raise BadLogRow(source, 1, _("empty log: a header row is required (at least: time,event)"))


_UNDECODABLE = re.compile(f"[{chr(0xDC80)}-{chr(0xDCFF)}]")  # mypyc: no surrogate literals


class _UndecodableTally:
    """A codec error handler that escapes like ``surrogateescape`` and counts.

    Logs are opened with ``errors=undecodable_errors()``, so a byte the encoding cannot
    decode arrives as a lone surrogate on its own row instead of failing a whole 8 KiB
    chunk at once. A read searches its rows for such surrogates only once the count
    moved since the read began, so clean logs pay nothing per row.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: UnicodeError) -> tuple[str | bytes, int]:
        self.count += 1
        return codecs.lookup_error("surrogateescape")(error)


UNDECODABLE_ERRORS = "routectl-undecodable"
_tally = _UndecodableTally()


def undecodable_errors() -> str:
    """The ``errors=`` to open a log's text with; registers the handler on first use."""
    try:
        codecs.lookup_error(UNDECODABLE_ERRORS)
    except LookupError:
        codecs.register_error(UNDECODABLE_ERRORS, _tally)
    return UNDECODABLE_ERRORS


def _is_text(row: list[str]) -> bool:
    """False when the row holds bytes the encoding could not decode."""
    joined = "".join(row)
    return joined.isascii() or _UNDECODABLE.search(joined) is None


def _bad(error: BadLogRow, on_bad: BadRowHandler | None) -> None:
    if on_bad is None:
        raise error
    on_bad(error)


def _bad_time(raw: str, error: ValueError | OverflowError) -> ValueError:
    if isinstance(error, NonexistentTime):
        reason = _("bad time {value}: {reason}").format(value=repr(raw), reason=error)
    else:
        reason = _("bad time {value}: expected ISO 8601 like 2026-11-02T08:00:00").format(
            value=repr(raw)
        )
    return ValueError(reason)


def _agent_hint(agent: str, known: dict[str, str]) -> str:
    """A did-you-mean for a near miss. Ids share their shop prefix (``shop:``), so the
    sub-account names after the last ``:`` are compared, not the whole ids."""
    by_name = {name.rpartition(":")[2]: name for name in known}
    close = close_names(agent.rpartition(":")[2], list(by_name))
    if not close:
        return ""
    return _("; did you mean {names}?").format(names=one_of([known[by_name[n]] for n in close]))


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
        self.normal_agents: dict[str, str] | None = None
        self.agent_hints: dict[str, str] = {}
        self.width = max(index.values()) + 1
        self.header_width = self.width
        index = dict(index)
        if "sub_account" in index:
            for name in ("agent", "received_by"):  # each its own cell, filled from it
                if name not in index:
                    index[name] = self.width
                    self.width += 1
        self.blank = [""] * self.width
        self.incomplete = any(name not in index for name in COLUMNS)
        at = {name: index.get(name, -1) for name in COLUMNS}
        self.sub_account_at = at["sub_account"] if "sub_account" in index else -1
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
        self.received_by_at = at["received_by"]

    def convert(self, row: list[str], line: int) -> Event:
        # Hot path (one call per row): the buyer() helper is inlined, and a cell
        # is stripped only when it is not empty ("" stays "", so results are unchanged).
        if self.sub_account_at >= 0 and len(row) > self.header_width:
            del row[self.header_width :]  # cells past the header must not read as the agent
        if len(row) < self.width:
            row.extend(self.blank[len(row) :])
        if self.incomplete:
            row.append("")
        kind = row[self.event_at]
        if kind not in EVENTS:
            kind = kind.strip().lower()
            kind = EVENT_ALIASES.get(kind, kind)
        if self.sub_account_at >= 0:
            self.fill_from_sub_account(row, kind)
        raw = row[self.time_at]
        if raw:
            raw = raw.strip()
        if not raw:
            raise ValueError(_("missing time"))
        try:
            time = self.parser.parse(raw)
        except (ValueError, OverflowError) as exc:
            raise _bad_time(raw, exc) from None
        if kind == "message":
            cell = row[self.agent_at]
            agent = self.named_agent(cell) if cell else None
            raw_entry = row[self.entry_at]
            entry = (raw_entry.strip() or None) if raw_entry else None
            buyer = row[self.buyer_at]
            if buyer:
                buyer = buyer.strip()
            if not buyer:
                raise ValueError(
                    _("'{event}' row needs a value in column 'buyer'").format(event="message")
                )
            if entry is not None:
                entry = self.entry(entry)
            item = row[self.item_at]
            order_status = row[self.order_status_at]
            intent = row[self.intent_at]
            text = row[self.text_at]
            cell = row[self.received_by_at]
            received_by = self.named_agent(cell) if cell else None
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
                received_by,
            )
        if kind == "reply":
            buyer = self.buyer(row, kind)
            agent = row[self.agent_at].strip() or None
            if agent is not None:
                agent = self.check_agent(agent)
            return HumanReply(line, time, buyer, agent, row[self.text_at].strip() or None)
        if kind == "status":
            return self.status(row, line, time)
        if kind == "close":
            return Close(line, time, self.buyer(row, kind))
        if kind == "transfer":
            buyer = self.buyer(row, kind)
            agent = row[self.agent_at].strip() or None
            if agent is not None:
                agent = self.check_agent(agent)
            return Transfer(line, time, buyer, agent)
        if kind == "paid" or EVENT_ALIASES.get(kind) == "paid":
            return Paid(line, time, self.buyer(row, "paid"), self.amount(row))
        if not kind:
            raise ValueError(_("missing event"))
        raise ValueError(
            _("unknown event {value}; expected one of: {names}").format(
                value=repr(kind), names=", ".join(EVENTS)
            )
        )

    def fill_from_sub_account(self, row: list[str], kind: str) -> None:
        """A chat export's 客服 cell: the receiver of a message, the agent of other rows."""
        account = row[self.sub_account_at]
        if account:
            target = self.received_by_at if kind == "message" else self.agent_at
            if not row[target].strip():
                row[target] = account

    def amount(self, row: list[str]) -> float | None:
        raw = row[self.amount_at].strip()
        if not raw:
            return None
        if "," in raw and not _THOUSANDS.match(raw):
            # "199,5" is a decimal comma, not 1995: refuse rather than misread it.
            raise ValueError(
                _("bad amount {value}: write decimals with a point, like 199.50").format(
                    value=repr(raw)
                )
            )
        plain = raw.replace(",", "")
        if not _DECIMAL.fullmatch(plain):
            raise ValueError(
                _("bad amount {value}: expected a decimal number like 199.00").format(
                    value=repr(raw)
                )
            )
        amount = float(plain)
        if not 0 <= amount <= MAX_AMOUNT:
            raise ValueError(
                _("bad amount {value}: expected a number from 0 to {most}").format(
                    value=repr(raw), most=f"{MAX_AMOUNT:.0f}"
                )
            )
        return amount

    def buyer(self, row: list[str], event: str) -> str:
        buyer = row[self.buyer_at].strip()
        if not buyer:
            raise ValueError(_("'{event}' row needs a value in column 'buyer'").format(event=event))
        return buyer

    def named_agent(self, cell: str) -> str | None:
        """An optional agent cell of a message row (addressed to, received by), or None."""
        agent = cell.strip()
        if not agent:
            return None
        return agent if self.known_agents is None else self.check_agent(agent)

    def check_agent(self, agent: str) -> str:
        """The config's id for ``agent``, compared after NFKC (全角 ``：`` = ``:``)."""
        known = self.known_agents
        if known is None or agent in known:
            return agent
        if self.normal_agents is None:
            self.normal_agents = {unicodedata.normalize("NFKC", a): a for a in sorted(known)}
        normal = unicodedata.normalize("NFKC", agent)
        found = self.normal_agents.get(normal)
        if found is not None:
            return found
        hint = self.agent_hints.get(normal)
        if hint is None:
            hint = self.agent_hints[normal] = _agent_hint(normal, self.normal_agents)
        raise ValueError(
            _("unknown agent {agent} (not in the config's [[agents]])").format(agent=repr(agent))
            + hint
        )

    def status(self, row: list[str], line: int, time: float) -> StatusChange:
        agent = row[self.agent_at].strip()
        if not agent:
            raise ValueError(
                _("'{event}' row needs a value in column 'agent'").format(event="status")
            )
        agent = self.check_agent(agent)
        raw_status = row[self.status_at].strip()
        if not raw_status:
            raise ValueError(
                _("'{event}' row needs a value in column 'status'").format(event="status")
            )
        status = STATUS_ALIASES.get(raw_status.lower())
        if status is None:
            raise ValueError(
                _("unknown status {value}; expected online, suspended or offline").format(
                    value=repr(raw_status)
                )
            )
        raw_device = row[self.device_at].strip() or "pc"
        device = DEVICE_ALIASES.get(raw_device.lower())
        if device is None:
            raise ValueError(
                _("unknown device {value}; expected pc or mobile").format(value=repr(raw_device))
            )
        return StatusChange(line, time, agent, status, device)

    def entry(self, raw: str) -> str:
        entry = ENTRY_ALIASES.get(raw.lower())
        if entry is None:
            raise ValueError(
                _("unknown entry {value}; expected one of: {names}").format(
                    value=repr(raw), names=", ".join(ENTRIES)
                )
            )
        return entry
