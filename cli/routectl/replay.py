"""Replay a log through the engine: the pure core of ``routectl replay`` and the reports.

:func:`run` pairs each event with the engine's outputs; :func:`replay` turns those into
one :class:`Routed` per message row, in log order. Engine outputs for an inquiry that
waits (queue, pool, an offline agent) come later than its row, so rows behind a still
unresolved one are held in a reorder buffer; everything else streams straight through.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from routectl.engine import Engine
from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Event, Output, Routed, TraceStep
from routectl.logreader import BadRowHandler
from routectl.model import ShopConfig
from routectl.timefmt import TimeFormatter

COLUMNS = ("line", "time", "buyer", "assignee", "rule", "assigned_at", "reason")
"""Columns of ``routectl replay`` (contract: replay output)."""

TRACE_COLUMNS = ("line", "time", "step")
"""Columns of ``routectl replay --explain BUYER``."""

Row = tuple[int, str, str, str, str, str | None, str]


def run(
    config: ShopConfig,
    events: Iterable[Event],
    *,
    source: str = "<log>",
    on_bad: BadRowHandler | None = None,
    explain_buyer: str | None = None,
) -> Iterator[tuple[Event | None, list[Output]]]:
    """Yield ``(event, outputs)`` per event the engine accepted, then ``(None, finish)``.

    An event the engine refuses (a transfer the bot does not hold, ...) becomes a
    :class:`BadLogRow` ``SOURCE:LINE: reason``: raised, or passed to ``on_bad`` and
    skipped (the engine state is then as if the row were not there).
    """
    engine = Engine(config, explain_buyer=explain_buyer)
    feed = engine.feed
    for event in events:
        try:
            outputs = feed(event)
        except ValueError as exc:
            _refused(event, exc, source, on_bad)
            continue
        yield event, outputs
    yield None, engine.finish()


def replay(
    config: ShopConfig,
    events: Iterable[Event],
    *,
    source: str = "<log>",
    on_bad: BadRowHandler | None = None,
    explain_buyer: str | None = None,
) -> Iterator[Routed]:
    """Yield exactly one Routed per message row, in log (line) order."""
    pending: deque[int] = deque()  # message lines not yet yielded, in order
    done: dict[int, Routed] = {}  # decided rows waiting for an earlier one
    for event, outputs in run(
        config, events, source=source, on_bad=on_bad, explain_buyer=explain_buyer
    ):
        is_message = type(event) is BuyerMessage
        if not pending:
            if is_message:
                # Nothing held back: the only Routed possible is this message's own.
                for output in outputs:
                    if type(output) is Routed:
                        yield output
                        break
                else:
                    pending.append(event.line)  # type: ignore[union-attr]
                continue
            if event is not None:
                continue
        if is_message:
            pending.append(event.line)  # type: ignore[union-attr]
        for output in outputs:
            if type(output) is Routed:
                done[output.line] = output
        while pending and pending[0] in done:
            yield done.pop(pending.popleft())
    assert not pending and not done, "the engine left rows undecided or decided unfed rows"


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


def to_rows(routed: Iterable[Routed], zone: ZoneInfo) -> Iterator[Row]:
    """Replay output rows: times as ISO 8601 in the shop's zone; ``assigned_at`` None
    when no agent got the message (csv/table print it empty, json/jsonl null)."""
    text = TimeFormatter(zone).format
    later = TimeFormatter(zone).format  # its own cache: assigned_at may be hours later
    for r in routed:
        time = text(r.time)
        assigned = r.assigned_at
        if assigned is None:
            assigned_text: str | None = None
        else:
            assigned_text = time if assigned == r.time else later(assigned)
        yield r.line, time, r.buyer, r.assignee, r.rule, assigned_text, r.reason


def trace_rows(steps: Iterable[TraceStep], zone: ZoneInfo) -> Iterator[tuple[int, str, str]]:
    time_text = TimeFormatter(zone).format
    for step in steps:
        yield step.line, time_text(step.time), step.text
