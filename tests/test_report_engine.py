"""The report over the real engine: the docs' tiny example by hand, and R21 with the bot."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, make_config
from routectl.config import load_config
from routectl.events import BuyerMessage, Event, HumanReply, StatusChange, Transfer
from routectl.logio.source import open_events
from routectl.model import Bot, ShopConfig
from routectl.replay import run
from routectl.report import build_report
from routectl.report.result import Report
from test_report_support import at

TINY_CONFIG = ROOT / "examples" / "tiny-shop.toml"
TINY_LOG = ROOT / "examples" / "tiny-day.csv"


def report_of(config: ShopConfig, events: list[Event]) -> Report:
    return build_report(config, run(config, events))


def test_tiny_example_as_explained_in_docs_report_md() -> None:
    config = load_config(str(TINY_CONFIG))
    with open_events(str(TINY_LOG), config) as (events, _):
        report = build_report(config, run(config, events))
    summary = report.summary
    assert (summary.messages, summary.inquiries) == (15, 12)
    assert summary.questions_counted == 10
    assert summary.questions_outside_hours == 1  # `early` at 07:50
    assert (summary.answered, summary.answered_within_threshold) == (1, 1)
    assert summary.response_rate == summary.reply_rate == 0.1
    assert summary.first_response_median_s == summary.first_response_p90_s == 60
    assert (summary.pooled_inquiries, summary.pool_wait_median_s) == (1, 600)
    assert (summary.queued_inquiries, summary.queue_wait_median_s) == (1, 360)
    assert summary.lag_held_messages == 1
    a, b, c = report.agents
    assert (a.online_s, a.suspended_s, b.online_s, c.online_s) == (3840, 600, 3600, 0)
    assert (a.inquiries, b.inquiries, c.inquiries) == (6, 6, 0)
    assert (b.by_recent_contact, b.by_dedicated, b.direct) == (1, 1, 1)
    assert [item.agent for item in report.imbalances] == ["tiny:a", "tiny:b"]
    assert report.imbalances[1].main_cause == "caps and rules"


def test_R18_R21_with_the_bot_holding_until_the_transfer() -> None:
    config = make_config(bot=Bot(enabled=True, priority_reception=True))
    events: list[Event] = [
        StatusChange(2, at("09:00:00"), "shop:a", "online"),
        BuyerMessage(3, at("10:00:00"), "b1", entry="shop_home"),
        BuyerMessage(4, at("10:01:00"), "b1"),
        Transfer(5, at("10:02:00"), "b1"),
        BuyerMessage(6, at("10:04:00"), "b1"),
        HumanReply(7, at("10:05:00"), "b1", "shop:a"),
    ]
    report = report_of(config, events)
    summary = report.summary
    assert summary.bot_inquiries == 1
    assert summary.bot_messages == 2
    assert summary.bot_questions == 1
    assert summary.questions_counted == 1
    assert summary.first_response_median_s == 180  # from the hand-over at 10:02 (R18)
    assert summary.answered_within_threshold == 1  # 180 s: the threshold is inclusive
    assert report.agents[0].questions_counted == 1


def test_unanswered_after_10_minutes() -> None:
    config = make_config()
    events: list[Event] = [
        StatusChange(2, at("09:00:00"), "shop:a", "online"),
        BuyerMessage(3, at("10:00:00"), "quick", entry="shop_home"),
        BuyerMessage(4, at("10:00:00"), "slow", entry="shop_home"),
        BuyerMessage(5, at("10:00:00"), "never", entry="shop_home"),
        HumanReply(6, at("10:01:00"), "quick"),
        HumanReply(7, at("10:10:00"), "slow"),  # exactly 10 minutes: still in time
        BuyerMessage(8, at("10:30:00"), "late", entry="shop_home"),
        HumanReply(9, at("10:40:01"), "late"),
        BuyerMessage(10, at("10:55:00"), "young", entry="shop_home"),  # < 10 min at the end
        StatusChange(11, at("11:00:00"), "shop:a", "offline"),
    ]
    assert report_of(config, events).summary.unanswered_after_10m == 2  # never, late


@pytest.mark.parametrize(
    ("config_path", "log_path"),
    [
        (TINY_CONFIG, TINY_LOG),
        (ROOT / "shopconfig.example.toml", ROOT / "examples" / "shop-day.csv"),
        (ROOT / "examples" / "bot-shop.toml", ROOT / "examples" / "bot-day.csv"),
    ],
)
def test_a_report_without_breakdowns_has_the_same_summary_and_agent_figures(
    config_path: Path, log_path: Path
) -> None:
    """``routectl diff``'s lighter report: one source for each figure, only fewer of them."""
    config = load_config(str(config_path))
    with open_events(str(log_path), config) as (events, _):
        replayed = list(run(config, events))
    full = build_report(config, replayed)
    light = build_report(config, replayed, breakdowns=False)
    assert full.summary.messages > 0
    assert light.summary == full.summary
    left_out = {"expected_share": None, "buyers": 0, "paid_buyers": 0}
    left_out |= {"conversion_rate": None, "sales": 0.0}
    assert [replace(row, **left_out) for row in full.agents] == list(light.agents)
    assert (light.groups, light.hours, light.days_rows, light.imbalances) == ((), (), (), ())
    assert full.hours and full.groups
