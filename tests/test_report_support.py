"""Hand-built events and engine outputs for the report tests (no engine involved)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from routectl.events import (
    BuyerMessage,
    Event,
    HumanReply,
    Output,
    Paid,
    Routed,
    StatusChange,
    Transfer,
    Transferred,
)
from routectl.logio.timefmt import TimeParser
from routectl.model import ShopConfig
from routectl.report import ReportBuilder, Window, assemble_report
from routectl.report.result import Report

SHANGHAI = ZoneInfo("Asia/Shanghai")
_parse = TimeParser(SHANGHAI).parse


def at(local: str) -> float:
    """``"08:00:00"`` (on 2026-11-02) or a full ``2026-11-03T00:00:00``, shop time."""
    return _parse(local if "T" in local else f"2026-11-02T{local}")


class Script:
    """Feeds a ReportBuilder line by line, like the engine loop would."""

    def __init__(self, config: ShopConfig, window: Window | None = None) -> None:
        self.builder = ReportBuilder(config, window or Window())
        self.line = 1

    def _next(self) -> int:
        self.line += 1
        return self.line

    def feed(self, event: Event, *outputs: Output) -> Event:
        self.builder.feed(event, list(outputs))
        return event

    def status(self, time: str, agent: str, status: str, device: str = "pc") -> None:
        self.feed(StatusChange(self._next(), at(time), agent, status, device))  # type: ignore[arg-type]

    def message(
        self,
        time: str,
        buyer: str = "b1",
        assignee: str | None = "shop:a",
        *,
        new: bool = False,
        rule: str = "group",
        group: str | None = "presale",
        assigned_at: str | None = None,
    ) -> int:
        """A message; ``assignee=None`` means its Routed comes later (see :meth:`routed`)."""
        line = self._next()
        moment = at(time)
        message = BuyerMessage(line, moment, buyer)
        if assignee is None:
            self.feed(message)
            return line
        taken = at(assigned_at) if assigned_at else moment
        routed = Routed(line, moment, buyer, assignee, rule, taken, "", new, group if new else None)
        self.feed(message, routed)
        return line

    def reply(self, time: str, buyer: str = "b1", *outputs: Output) -> None:
        self.feed(HumanReply(self._next(), at(time), buyer), *outputs)

    def finish(self, *outputs: Output) -> Report:
        return assemble_report(self.builder.finish(list(outputs)))


def transfer(script: Script, time: str, buyer: str, from_assignee: str, to_agent: str) -> None:
    """A transfer row naming ``to_agent`` and the Transferred output the engine gives it."""
    line = script._next()
    moment = at(time)
    script.feed(
        Transfer(line, moment, buyer, to_agent),
        Transferred(line, moment, buyer, from_assignee, to_agent),
    )


def paid(script: Script, time: str, buyer: str = "b1", amount: float | None = None) -> None:
    script.feed(Paid(script._next(), at(time), buyer, amount))
