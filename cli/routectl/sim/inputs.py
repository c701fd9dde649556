"""What a simulation takes from a log (P8): arrivals, presence and silent orders.

An **arrival** is a buyer message that starts a visit: the buyer had no conversation
(none yet, closed, or idle past ``session_timeout``). It keeps its entry, item, order
status, intent and addressed agent; everything after it in the visit comes from the
model. Status rows are kept as they are. A payment with no visit of its buyer in the
``conversion_window`` before it (a silent order) is kept; other payments come from the
conversion model.

The log is read once: :class:`Recorder` writes these records to an anonymous temporary
file in pickled chunks, and every run reads them back (:meth:`Inputs.events`), so
memory does not grow with rows or runs.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from types import TracebackType

from routectl.events import BuyerMessage, Close, Event, HumanReply, Paid, StatusChange, Transfer
from routectl.model import ShopConfig

Record = BuyerMessage | StatusChange | Paid
CHUNK = 4096


class Inputs:
    """The recorded inputs of one log; a context manager that deletes its file."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="routectl-sim-", suffix=".bin")
        self._file = os.fdopen(handle, "wb")
        self._chunk: list[Record] = []
        self.arrivals = 0
        self.records = 0
        self.first: float | None = None
        self.last: float | None = None
        self.receivers: dict[str, int] = {}
        """Arrivals per agent that received them on the platform (``received_by``)."""
        self.agents_seen: set[str] = set()
        """Agents with a status row among the records (the others are never online)."""

    def add(self, record: Record) -> None:
        if self.first is None:
            self.first = record.time
        self.last = record.time
        self.records += 1
        self._chunk.append(record)
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []

    def close_writing(self) -> None:
        self._flush()
        self._file.close()

    def events(self, since: float | None = None, until: float | None = None) -> Iterator[Record]:
        """The records in time order; with ``since``/``until``, those in ``[since, until)``."""
        with open(self.path, "rb") as source:
            while True:
                try:
                    chunk: list[Record] = pickle.load(source)
                except EOFError:
                    return
                if since is None and until is None:
                    yield from chunk
                    continue
                for record in chunk:
                    if until is not None and record.time >= until:
                        return
                    if since is None or record.time >= since:
                        yield record

    def __enter__(self) -> Inputs:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._file.closed:
            self._file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)


class Recorder:
    """Feed it the log's events in order; it adds the simulation's inputs to ``inputs``."""

    def __init__(self, config: ShopConfig, inputs: Inputs) -> None:
        self.inputs = inputs
        self.timeout = float(config.routing.session_timeout_s)
        self.window = float(config.sales.conversion_window_s)
        self.last: dict[str, float] = {}
        self.closed: set[str] = set()
        self.visit_start: dict[str, float] = {}

    def feed(self, event: Event) -> None:
        if isinstance(event, BuyerMessage):
            buyer = event.buyer
            last = self.last.get(buyer)
            if last is None or buyer in self.closed or event.time - last > self.timeout:
                self.closed.discard(buyer)
                self.visit_start[buyer] = event.time
                self.inputs.arrivals += 1
                self.inputs.add(_arrival(event))
                if event.received_by is not None:
                    receivers = self.inputs.receivers
                    receivers[event.received_by] = receivers.get(event.received_by, 0) + 1
            self.last[buyer] = event.time
        elif isinstance(event, StatusChange):
            self.inputs.agents_seen.add(event.agent)
            self.inputs.add(event)
        elif isinstance(event, HumanReply | Transfer):
            self.last[event.buyer] = event.time
        elif isinstance(event, Close):
            self.last[event.buyer] = event.time
            self.closed.add(event.buyer)
        elif isinstance(event, Paid):
            start = self.visit_start.get(event.buyer)
            if start is None or event.time - start > self.window:
                self.inputs.add(event)


def _arrival(message: BuyerMessage) -> BuyerMessage:
    return BuyerMessage(
        message.line, message.time, message.buyer, message.agent, message.entry,
        message.item, message.order_status, message.intent, None, None,
    )  # fmt: skip
