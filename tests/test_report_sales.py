"""R25: inquiry conversion (询单转化率), sales and silent orders, hand-computed."""

from __future__ import annotations

import pytest

from conftest import make_config
from routectl.model import Agent, Group, Sales
from routectl.report import Window
from routectl.report.result import AgentRow, Report
from test_report_support import Script, at, paid, transfer


def agent(report: Report, agent_id: str) -> AgentRow:
    return next(row for row in report.agents if row.agent == agent_id)


def test_R25_a_buyer_who_pays_after_asking_converts_for_the_agent_that_received_it() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.message("10:00:00", "b2", "shop:a", new=True)
    script.message("10:05:00", "b3", "shop:b", new=True)
    paid(script, "12:00:00", "b1", 128.5)
    report = script.finish()
    a, b = agent(report, "shop:a"), agent(report, "shop:b")
    assert (a.buyers, a.paid_buyers, a.conversion_rate, a.sales) == (2, 1, 0.5, 128.5)
    assert (b.buyers, b.paid_buyers, b.conversion_rate, b.sales) == (1, 0, 0.0, 0.0)
    summary = report.summary
    assert (summary.buyers, summary.paid_buyers, summary.sales) == (3, 1, 128.5)
    assert summary.conversion_rate == 0.3333
    assert (summary.orders, summary.silent_orders) == (1, 0)
    assert report.groups[0].paid_buyers == 1


@pytest.mark.parametrize(
    ("paid_at", "converted"),
    [
        ("10:00:00", True),  # at the inquiry itself
        ("2026-11-03T10:00:00", True),  # exactly conversion_window later: within
        ("2026-11-03T10:00:01", False),
    ],
)
def test_R25_conversion_window_edges(paid_at: str, converted: bool) -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    paid(script, paid_at, "b1", 10.0)
    summary = script.finish().summary
    assert summary.paid_buyers == int(converted)
    assert summary.sales == (10.0 if converted else 0.0)
    assert summary.silent_orders == int(not converted)  # no message in the 24h before it


def test_R25_custom_conversion_window() -> None:
    script = Script(make_config(sales=Sales(conversion_window_s=3600)))
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.message("10:00:00", "b2", "shop:a", new=True)
    paid(script, "11:00:00", "b1")
    paid(script, "11:00:01", "b2")
    summary = script.finish().summary
    assert (summary.paid_buyers, summary.silent_orders) == (1, 1)


def test_R25_silent_orders_are_reported_apart() -> None:
    script = Script(make_config())
    paid(script, "09:00:00", "quiet", 99.0)
    script.message("10:00:00", "b1", "shop:a", new=True)
    paid(script, "10:30:00", "b1", 20.0)
    paid(script, "11:00:00", "other", None)
    summary = script.finish().summary
    assert (summary.orders, summary.silent_orders, summary.silent_sales) == (3, 2, 99.0)
    assert (summary.buyers, summary.paid_buyers, summary.sales) == (1, 1, 20.0)


def test_R25_two_payments_one_paid_buyer_both_sales() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    paid(script, "10:30:00", "b1", 20.0)
    paid(script, "10:40:00", "b1", 5.25)
    paid(script, "10:50:00", "b1")  # no amount column: a paid buyer, no sale
    a = agent(script.finish(), "shop:a")
    assert (a.buyers, a.paid_buyers, a.sales) == (1, 1, 25.25)


def test_R25_bot_held_inquiries_are_nobodys_buyers_and_their_payments_not_silent() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "bot", new=True, rule="bot", group=None)
    paid(script, "10:30:00", "b1", 50.0)
    summary = script.finish().summary
    assert (summary.buyers, summary.paid_buyers, summary.sales) == (0, 0, 0.0)
    assert (summary.silent_orders, summary.uncredited_orders) == (0, 1)


def test_R25_transfer_hands_the_buyer_and_the_credit_to_the_new_agent() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    transfer(script, "10:05:00", "b1", "shop:a", "shop:b")
    paid(script, "10:30:00", "b1", 300.0)
    report = script.finish()
    a, b = agent(report, "shop:a"), agent(report, "shop:b")
    assert (a.buyers, a.paid_buyers, a.sales) == (1, 0, 0.0)
    assert (b.buyers, b.paid_buyers, b.sales, b.conversion_rate) == (1, 1, 300.0, 1.0)
    assert (report.summary.buyers, report.summary.paid_buyers) == (1, 1)


def test_R25_transfer_from_the_bot_makes_the_human_the_receiver() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "bot", new=True, rule="bot", group=None)
    transfer(script, "10:01:00", "b1", "bot", "shop:b")
    paid(script, "11:00:00", "b1", 8.0)
    b = agent(script.finish(), "shop:b")
    assert (b.buyers, b.paid_buyers, b.sales) == (1, 1, 8.0)


def test_R25_presale_and_aftersale_apart() -> None:
    config = make_config(
        agents=(Agent("shop:a", ("presale",)), Agent("shop:c", ("aftersale",))),
        groups=(Group("presale", ("shop_home",)), Group("aftersale", ("order",))),
    )
    script = Script(config)
    script.message("10:00:00", "b1", "shop:a", new=True, group="presale")
    script.message("10:00:00", "b2", "shop:a", new=True, group="presale")
    script.message("10:00:00", "b3", "shop:c", new=True, group="aftersale")
    paid(script, "10:10:00", "b1", 100.0)
    paid(script, "10:10:00", "b3", 40.0)
    groups = {row.group: row for row in script.finish().groups}
    assert (groups["presale"].buyers, groups["presale"].conversion_rate) == (2, 0.5)
    assert (groups["aftersale"].buyers, groups["aftersale"].sales) == (1, 40.0)


def test_R25_inquiries_outside_the_window_are_not_buyers_payments_after_it_complete() -> None:
    script = Script(make_config(), Window(at("10:00:00"), at("11:00:00")))
    script.message("09:59:59", "before", "shop:a", new=True)
    script.message("10:30:00", "inside", "shop:a", new=True)
    paid(script, "10:40:00", "before", 1.0)  # its inquiry is outside: not credited
    paid(script, "12:00:00", "inside", 2.0)  # after --until: completes an inquiry inside
    a = agent(script.finish(), "shop:a")
    assert (a.buyers, a.paid_buyers, a.sales) == (1, 1, 2.0)


def test_R25_memory_is_per_buyer() -> None:
    script = Script(make_config())
    for index in range(600):
        second = index * 10
        time = f"{10 + second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}"
        script.message(time, f"b{index % 5}", "shop:a", new=index < 5)
        paid(script, time, f"b{index % 5}", 1.0)
    ledger = script.builder.sales
    assert len(script.builder.buyers) <= 5  # receipts and last messages live per buyer
    assert ledger.shop.sales == 600.0
