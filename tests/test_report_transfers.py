"""R18 and R25 across transfers with the real engine (R11 bot hand-over, R17b 转交).

These need the engine to emit ``Transferred`` outputs (the engine-fidelity branch). Until
it does, they are skipped; they switch on by themselves once it does. The same figures are
pinned without the engine, from hand-made outputs, in test_report_platform.py and
test_report_sales.py.
"""

from __future__ import annotations

import pytest

from conftest import make_config
from routectl.engine import Engine
from routectl.events import (
    BuyerMessage,
    Event,
    HumanReply,
    Paid,
    StatusChange,
    Transfer,
    Transferred,
)
from routectl.model import Bot, ShopConfig
from routectl.replay import run
from routectl.report import build_report
from routectl.report.result import AgentRow, Report
from test_report_support import at


def _emits_transferred(config: ShopConfig, events: list[Event]) -> bool:
    engine = Engine(config)
    try:
        outputs = [output for event in events for output in engine.feed(event)]
    except ValueError:
        return False
    return any(isinstance(output, Transferred) for output in outputs)


def _online(*agents: str) -> list[Event]:
    return [StatusChange(2 + i, at("09:00:00"), agent, "online") for i, agent in enumerate(agents)]


BOT = make_config(bot=Bot(enabled=True, priority_reception=True))
AGENTS = make_config()
BOT_HANDOVER_WORKS = _emits_transferred(
    BOT,
    [*_online("shop:a"), BuyerMessage(5, at("10:00:00"), "b1", entry="shop_home"),
     Transfer(6, at("10:01:00"), "b1")],
)  # fmt: skip
AGENT_TRANSFER_WORKS = _emits_transferred(
    AGENTS,
    [*_online("shop:a", "shop:b"), BuyerMessage(5, at("10:00:00"), "b1", "shop:a"),
     Transfer(6, at("10:01:00"), "b1", "shop:b")],
)  # fmt: skip

needs_bot_handover = pytest.mark.skipif(
    not BOT_HANDOVER_WORKS, reason="the engine does not emit Transferred for R11 yet"
)
needs_agent_transfer = pytest.mark.skipif(
    not AGENT_TRANSFER_WORKS, reason="the engine does not do R17b transfers to an agent yet"
)


def report_of(config: ShopConfig, events: list[Event]) -> Report:
    return build_report(config, run(config, events))


def agent(report: Report, agent_id: str) -> AgentRow:
    return next(row for row in report.agents if row.agent == agent_id)


@needs_bot_handover
def test_R18_R21_bot_handover_starts_the_humans_question_at_the_transfer() -> None:
    events: list[Event] = [
        *_online("shop:a"),
        BuyerMessage(5, at("10:00:00"), "b1", entry="shop_home"),
        BuyerMessage(6, at("10:01:00"), "b1"),
        Transfer(7, at("10:05:00"), "b1"),
        HumanReply(8, at("10:06:30"), "b1", "shop:a"),
    ]
    report = report_of(BOT, events)
    summary = report.summary
    assert summary.bot_questions == 1
    assert (summary.questions_counted, summary.answered_within_threshold) == (1, 1)
    assert summary.first_response_median_s == 90
    assert summary.avg_response_s == 90.0
    assert agent(report, "shop:a").questions_counted == 1
    assert summary.transfers == 1


@needs_agent_transfer
def test_R18_transfer_between_agents_ends_the_question_for_the_first() -> None:
    events: list[Event] = [
        *_online("shop:a", "shop:b"),
        BuyerMessage(5, at("10:00:00"), "b1", "shop:a"),
        Transfer(6, at("10:02:00"), "b1", "shop:b"),
        BuyerMessage(7, at("10:02:30"), "b1"),
        HumanReply(8, at("10:03:00"), "b1", "shop:b"),
        Paid(9, at("11:00:00"), "b1", 88.0),
    ]
    report = report_of(AGENTS, events)
    a, b = agent(report, "shop:a"), agent(report, "shop:b")
    assert (a.questions_counted, a.answered, a.avg_response_s, a.slow_questions) == (
        1, 0, 600.0, 1,
    )  # fmt: skip
    assert (b.questions_counted, b.answered_within_threshold, b.avg_response_s) == (1, 1, 60.0)
    assert (a.buyers, a.paid_buyers, b.buyers, b.paid_buyers, b.sales) == (1, 0, 1, 1, 88.0)
    assert report.summary.transferred_unanswered == 1
