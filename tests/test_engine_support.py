"""Helpers for the engine tests: a small log builder and a replay that indexes by line.

Times are minutes after 2026-11-02 08:00 Shanghai; lines are numbered like a CSV log
(the header is line 1, so the first event is line 2).
"""

from __future__ import annotations

from typing import Any

from routectl.engine import Engine
from routectl.events import (
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Output,
    Routed,
    StatusChange,
    Transfer,
)
from routectl.model import ShopConfig
from routectl.replay import replay

T0 = 1_793_577_600.0  # 2026-11-02T08:00:00+08:00
HOUR = 60.0
DAY = 24 * 60.0


def at(minute: float) -> float:
    return T0 + minute * 60


class Log:
    """Build an event list row by row; each method returns the row's line number."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    @property
    def next_line(self) -> int:
        return len(self.events) + 2

    def status(self, minute: float, agent: str, status: str, device: str = "pc") -> int:
        line = self.next_line
        self.events.append(StatusChange(line, at(minute), agent, status, device))  # type: ignore[arg-type]
        return line

    def online(self, minute: float, *agents: str, device: str = "pc") -> None:
        for agent in agents:
            self.status(minute, agent, "online", device)

    def message(self, minute: float, buyer: str, **fields: Any) -> int:
        line = self.next_line
        self.events.append(BuyerMessage(line, at(minute), buyer, **fields))
        return line

    def reply(self, minute: float, buyer: str, agent: str | None = None) -> int:
        line = self.next_line
        self.events.append(HumanReply(line, at(minute), buyer, agent))
        return line

    def close(self, minute: float, buyer: str) -> int:
        line = self.next_line
        self.events.append(Close(line, at(minute), buyer))
        return line

    def transfer(self, minute: float, buyer: str, agent: str | None = None) -> int:
        line = self.next_line
        self.events.append(Transfer(line, at(minute), buyer, agent))
        return line


def routed(config: ShopConfig, log: Log) -> dict[int, Routed]:
    """Replay and index the Routed rows by line; checks one row per message, in order."""
    rows = list(replay(config, log.events))
    lines = [row.line for row in rows]
    assert lines == [e.line for e in log.events if isinstance(e, BuyerMessage)]
    return {row.line: row for row in rows}


def outcome(row: Routed) -> tuple[str, str, float | None]:
    """(assignee, rule, assigned_at in minutes after 08:00 or None)."""
    assigned = None if row.assigned_at is None else (row.assigned_at - T0) / 60
    return row.assignee, row.rule, assigned


def all_outputs(config: ShopConfig, log: Log) -> list[Output]:
    engine = Engine(config)
    outputs: list[Output] = []
    for event in log.events:
        outputs.extend(engine.feed(event))
    outputs.extend(engine.finish())
    return outputs


def test_log_builder_numbers_lines_like_a_csv() -> None:
    log = Log()
    assert log.status(0, "shop:a", "online") == 2
    assert log.message(1, "b1") == 3
