"""Replay a log through the engine: the pure core of ``routectl replay`` and the reports.

:func:`run` pairs each event with the engine's outputs; :func:`replay` turns those into
one :class:`Routed` per message row, in log order. Engine outputs for an inquiry that
waits (queue, pool, an offline agent) come later than its row, so rows behind a still
unresolved one are held in a reorder buffer; everything else streams straight through.
That buffer keeps a bounded number of rows in memory and spills the rest to an anonymous
temporary file (deleted when replay ends), so memory does not grow with rows even when an
offline agent holds a message for days (R17).
"""

from __future__ import annotations

import io
import pickle
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO
from zoneinfo import ZoneInfo

from routectl.engine import Engine
from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Event, Output, Routed, Rows, TraceStep
from routectl.logio.reader import BadRowHandler
from routectl.logio.timefmt import TimeFormatter
from routectl.model import ShopConfig

COLUMNS = (
    "line", "time", "buyer", "assignee", "rule", "assigned_at", "reason", "observed", "agrees",
)  # fmt: skip
"""Columns of ``routectl replay`` (contract: replay output)."""

TRACE_COLUMNS = ("line", "time", "step")
"""Columns of ``routectl replay --explain BUYER``."""

Row = tuple[int, str, str, str, str, str | None, str, str | None, bool | str | None]


def run(
    config: ShopConfig,
    events: Iterable[Event],
    *,
    source: str = "<log>",
    on_bad: BadRowHandler | None = None,
    explain_buyer: str | None = None,
    batches: bool = False,
) -> Iterator[tuple[Event | None, list[Output]]]:
    """Yield ``(event, outputs)`` per event the engine accepted, then ``(None, finish)``.

    An event the engine refuses (a transfer the bot does not hold, ...) becomes a
    :class:`BadLogRow` ``SOURCE:LINE: reason``: raised, or passed to ``on_bad`` and
    skipped (the engine state is then as if the row were not there). With ``batches``
    the rows one decision settles together come as one :class:`Rows` (read each once:
    it hands each row its ``received_by``), else as one Routed each.
    """
    engine = Engine(config, explain_buyer=explain_buyer, batches=batches)
    feed = engine.feed
    observed: dict[int, str] = {}  # received_by of messages the engine has not decided yet
    for event in events:
        try:
            outputs = feed(event)
        except ValueError as exc:
            _refused(event, exc, source, on_bad)
            continue
        if observed or (type(event) is BuyerMessage and event.received_by is not None):
            _observe(event, outputs, observed)
        yield event, outputs
    outputs = engine.finish()
    if observed:
        _observe(None, outputs, observed)
    yield None, outputs


def _observe(event: Event | None, outputs: list[Output], observed: dict[int, str]) -> None:
    """Copy each message's ``received_by`` onto its Routed (P1: what the log says
    happened), also when the engine decides the message later than its row."""
    if type(event) is BuyerMessage and event.received_by is not None:
        observed[event.line] = event.received_by
    for output in outputs:
        if type(output) is Routed:
            receiver = observed.pop(output.line, None)
            if receiver is not None:
                output.observed = receiver
        elif type(output) is Rows:
            output.observed = observed  # each row takes its own as it is read


def replay(
    config: ShopConfig,
    events: Iterable[Event],
    *,
    source: str = "<log>",
    on_bad: BadRowHandler | None = None,
    explain_buyer: str | None = None,
) -> Iterator[Routed]:
    """Yield exactly one Routed per message row, in log (line) order.

    Rows settled together (a waiting inquiry's later messages, held rows) come from the
    engine as one :class:`Rows`; each of its rows is made when the output reaches its
    line, so they never all exist at once."""
    behind = _RowQueue()  # rows after the oldest undecided one: Routed, or its line if undecided
    late: dict[int, Routed] = {}  # decided rows whose line is still queued as undecided
    batches: dict[int, _Cursor] = {}  # decided Rows, by the line of the next row to give
    try:
        for event, outputs in run(
            config, events, source=source, on_bad=on_bad, explain_buyer=explain_buyer,
            batches=True,
        ):  # fmt: skip
            is_message = type(event) is BuyerMessage
            if not behind.size:
                if is_message:
                    # Nothing held back: the only Routed possible is this message's own.
                    for output in outputs:
                        if type(output) is Routed:
                            yield output
                            break
                    else:
                        behind.append(event.line)  # type: ignore[union-attr]
                    continue
                if event is not None:
                    continue
            own: Routed | int | None = event.line if is_message else None  # type: ignore[union-attr]
            decided = False
            for output in outputs:
                if type(output) is Routed:
                    if output.line == own:
                        own = output
                    else:
                        late[output.line] = output
                        decided = True
                elif type(output) is Rows:
                    cursor = _Cursor(iter(output))
                    if cursor.row is not None:
                        batches[cursor.row.line] = cursor
                        decided = True
            if own is not None:
                behind.append(own)
            if decided:  # else the front is still the same undecided row
                yield from behind.ready(late, batches)
    finally:
        behind.close()
    assert not behind.size and not late and not batches, (
        "the engine left rows undecided or decided unfed rows"
    )


class _Cursor:
    """The next row of a decided :class:`Rows` (None when all are given)."""

    __slots__ = ("row", "rows")

    def __init__(self, rows: Iterator[Routed]) -> None:
        self.rows = rows
        self.row: Routed | None = next(rows, None)

    def take(self) -> Routed:
        row = self.row
        assert row is not None
        self.row = next(self.rows, None)
        return row


class _RowQueue:
    """FIFO of replay rows (a Routed, or the line of one not decided yet) that keeps at
    most about ``MEMORY_ROWS`` in memory and spills the rest, in chunks, to an anonymous
    temporary file. Rows pile up only behind an undecided one (an inquiry in the pool,
    a message held for an offline agent: R14, R17), which may take days of log."""

    MEMORY_ROWS = 16384
    CHUNK = 4096

    __slots__ = ("_file", "_head", "_read_at", "_spilled", "_tail", "size")

    def __init__(self) -> None:
        self._head: deque[Routed | int] = deque()
        self._tail: list[Routed | int] = []
        self._file: IO[bytes] | None = None
        self._spilled = 0  # chunks in the file not read back yet
        self._read_at = 0
        self.size = 0
        """Rows queued (in memory and on disk): an attribute, read once per log row."""

    def append(self, item: Routed | int) -> None:
        self.size += 1
        if not self._spilled and not self._tail and len(self._head) < self.MEMORY_ROWS:
            self._head.append(item)
            return
        self._tail.append(item)
        if len(self._tail) >= self.CHUNK:
            self._spill()

    def ready(self, late: dict[int, Routed], batches: dict[int, _Cursor]) -> Iterator[Routed]:
        """Take the decided rows at the front, in order, one at a time; undecided lines
        wait in ``late`` or as the next row of a decided batch in ``batches``."""
        head = self._head
        while True:
            if not head:
                if not (self._spilled or self._tail):
                    return
                self._refill()
            item = head[0]
            row: Routed | None
            if type(item) is int:
                row = late.pop(item, None)
                if row is None:
                    cursor = batches.pop(item, None)
                    if cursor is None:
                        return
                    row = cursor.take()
                    if cursor.row is not None:
                        batches[cursor.row.line] = cursor
                head.popleft()
            else:
                row = head.popleft()  # type: ignore[assignment]
            self.size -= 1
            yield row  # type: ignore[misc]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="routectl-replay-")
        self._file.seek(0, io.SEEK_END)
        pickle.dump(self._tail, self._file, pickle.HIGHEST_PROTOCOL)
        self._tail = []
        self._spilled += 1

    def _refill(self) -> None:
        if self._spilled:
            assert self._file is not None
            self._file.seek(self._read_at)
            self._head.extend(pickle.load(self._file))
            self._read_at = self._file.tell()
            self._spilled -= 1
            if not self._spilled:  # all read back: reuse the file from its start
                self._file.seek(0)
                self._file.truncate()
                self._read_at = 0
        else:
            self._head.extend(self._tail)
            self._tail = []


def _refused(event: Event, exc: ValueError, source: str, on_bad: BadRowHandler | None) -> None:
    error = BadLogRow(source, event.line, str(exc))
    if on_bad is None:
        raise error from None
    on_bad(error)


def trace(
    config: ShopConfig,
    events: Iterable[Event],
    buyer: str,
    *,
    source: str = "<log>",
    on_bad: BadRowHandler | None = None,
) -> Iterator[TraceStep]:
    """The decision trace for one buyer (``--explain``), in the order it happened."""
    for _, outputs in run(config, events, source=source, on_bad=on_bad, explain_buyer=buyer):
        for output in outputs:
            if type(output) is TraceStep:
                yield output
            elif type(output) is Routed and output.buyer == buyer:
                observed = output.observed
                if observed is not None and observed != output.assignee:
                    yield TraceStep(
                        output.line,
                        output.time,
                        buyer,
                        f"the log: received by {observed}, not {output.assignee} "
                        f"(replay rule {output.rule})",
                    )


def to_rows(
    routed: Iterable[Routed], zone: ZoneInfo, *, text_agrees: bool = False
) -> Iterator[Row]:
    """Replay output rows: times as ISO 8601 in the shop's zone; ``assigned_at`` None
    when no agent got the message (csv/table print it empty, json/jsonl null).

    ``agrees`` is None without an ``observed`` receiver, else whether the replay chose
    it: a JSON boolean, or the text ``true``/``false`` with ``text_agrees`` (CSV, table)."""
    words = {True: "true", False: "false"} if text_agrees else {True: True, False: False}
    text = TimeFormatter(zone).format
    later = TimeFormatter(zone).format  # its own cache: assigned_at may be hours later
    for r in routed:
        time = text(r.time)
        assigned = r.assigned_at
        if assigned is None:
            assigned_text: str | None = None
        else:
            assigned_text = time if assigned == r.time else later(assigned)
        observed = r.observed
        agrees = None if observed is None else words[observed == r.assignee]
        yield r.line, time, r.buyer, r.assignee, r.rule, assigned_text, r.reason, observed, agrees


def trace_rows(steps: Iterable[TraceStep], zone: ZoneInfo) -> Iterator[tuple[int, str, str]]:
    time_text = TimeFormatter(zone).format
    for step in steps:
        yield step.line, time_text(step.time), step.text
