"""The log writer is the reader's inverse: events written as rows read back as themselves."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import get_args
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from routectl.events import (
    BuyerMessage,
    Close,
    Device,
    Event,
    HumanReply,
    Output,
    Paid,
    Routed,
    Status,
    StatusChange,
    Transfer,
)
from routectl.logio.reader import read_events
from routectl.logio.writer import HEADER, log_rows
from routectl.model import ENTRIES
from routectl.sim.synthetic_time import Stamps

ZONES = ("Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Europe/London")
FIRST = int(datetime(2000, 1, 1).timestamp())
LAST = int(datetime(2030, 12, 31).timestamp())

# A cell as the reader gives it back: no line breaks or control characters, no space
# around it (cells are stripped), not empty (an empty cell reads as None).
cells = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=6,
    )
    .map(str.strip)
    .filter(bool)
)
maybe = st.none() | cells


@st.composite
def events_with_outputs(draw: st.DrawFn) -> list[tuple[Event, list[Output]]]:
    """Events in time order, whole seconds, each with the outputs the writer reads: a
    message's ``received_by`` is the agent the engine routed it to at once."""
    times = sorted(draw(st.lists(st.integers(FIRST, LAST), min_size=1, max_size=12)))
    pairs: list[tuple[Event, list[Output]]] = []
    for line, second in enumerate(times, start=2):  # line 1 is the header
        time = float(second)
        kind = draw(st.sampled_from(("message", "reply", "status", "close", "transfer", "paid")))
        event: Event
        outputs: list[Output] = []
        if kind == "message":
            entry = draw(st.none() | st.sampled_from(ENTRIES))
            received_by = draw(maybe)
            event = BuyerMessage(
                line, time, draw(cells), draw(maybe), entry,
                draw(maybe), draw(maybe), draw(maybe), draw(maybe), received_by,
            )  # fmt: skip
            if received_by is not None:
                outputs.append(Routed(line, time, event.buyer, received_by, "group", time, ""))
        elif kind == "reply":
            event = HumanReply(line, time, draw(cells), draw(maybe), draw(maybe))
        elif kind == "status":
            status: Status = draw(st.sampled_from(get_args(Status)))
            device: Device = draw(st.sampled_from(get_args(Device)))
            event = StatusChange(line, time, draw(cells), status, device)
        elif kind == "close":
            event = Close(line, time, draw(cells))
        elif kind == "transfer":
            event = Transfer(line, time, draw(cells), draw(maybe))
        else:
            cents = draw(st.none() | st.integers(0, 10**14))
            event = Paid(line, time, draw(cells), None if cents is None else cents / 100)
        pairs.append((event, outputs))
    return pairs


def written(pairs: list[tuple[Event, list[Output]]], zone: ZoneInfo, stamps: Stamps | None) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(log_rows(iter(pairs), zone, stamps))
    return buffer.getvalue()


def read_back(text: str, zone: ZoneInfo) -> list[Event]:
    return list(read_events(io.StringIO(text, newline=""), "log.csv", zone))


@settings(max_examples=150, deadline=None)
@given(events_with_outputs(), st.sampled_from(ZONES))
def test_events_written_read_back_as_the_same_events(
    pairs: list[tuple[Event, list[Output]]], zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    assert read_back(written(pairs, zone, None), zone) == [event for event, _ in pairs]


@settings(max_examples=60, deadline=None)
@given(events_with_outputs(), st.sampled_from(("naive", "offset", "utc", "slash")))
def test_every_generate_log_time_format_reads_back_as_the_same_events(
    pairs: list[tuple[Event, list[Output]]], time_format: str
) -> None:
    # A zone that keeps one offset: a naive time there names one instant.
    zone = ZoneInfo("Asia/Shanghai")
    text = written(pairs, zone, Stamps(zone, time_format))
    assert read_back(text, zone) == [event for event, _ in pairs]
