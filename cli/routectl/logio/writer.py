"""Simulated events as log rows (the contract's columns), for ``generate-log`` and tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Output,
    Paid,
    Routed,
    StatusChange,
    Transfer,
)

HEADER = (
    "time", "event", "buyer", "agent", "device", "status", "entry", "item",
    "order_status", "intent", "text", "amount", "received_by",
)  # fmt: skip


def log_rows(
    pairs: Iterable[tuple[Event | None, list[Output]]],
    zone: ZoneInfo,
    stamp: Callable[[float], str] | None = None,
) -> Iterator[list[str]]:
    """One row per event, times to the second with the zone's offset (or as ``stamp``
    writes an event's time); a message row's ``received_by`` is the agent the engine
    gave it right away (blank when it waited)."""
    for event, outputs in pairs:
        if event is None:
            return
        if stamp is not None:
            when = stamp(event.time)
        else:
            when = datetime.fromtimestamp(int(event.time), zone).isoformat()
        if type(event) is BuyerMessage:
            yield _message_row(when, event, outputs)
        elif type(event) is HumanReply:
            yield [
                when,
                "reply",
                event.buyer,
                event.agent or "",
                *[""] * 6,
                event.text or "",
                "",
                "",
            ]
        elif type(event) is StatusChange:
            yield [when, "status", "", event.agent, event.device, event.status, *[""] * 7]
        elif type(event) is Close:
            yield [when, "close", event.buyer, *[""] * 10]
        elif type(event) is Transfer:
            yield [when, "transfer", event.buyer, event.agent or "", *[""] * 9]
        elif type(event) is Paid:
            amount = "" if event.amount is None else f"{event.amount:.2f}"
            yield [when, "paid", event.buyer, *[""] * 8, amount, ""]


def _message_row(when: str, message: BuyerMessage, outputs: list[Output]) -> list[str]:
    receiver = received_at_once(message, outputs) or ""
    return [when, "message", message.buyer, message.agent or "", "", "",
            message.entry or "", message.item or "", message.order_status or "",
            message.intent or "", message.text or "", "", receiver]  # fmt: skip


def received_at_once(message: BuyerMessage, outputs: list[Output]) -> str | None:
    """The agent the engine routed ``message`` to among ``outputs`` (its row's
    ``received_by``); None when it waited or went to the bot or offline."""
    receiver = None
    for output in outputs:
        if isinstance(output, Routed) and output.line == message.line:
            assignee = output.assignee
            if assignee not in (ASSIGNEE_BOT, ASSIGNEE_OFFLINE):
                receiver = assignee
    return receiver
