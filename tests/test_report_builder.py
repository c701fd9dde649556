"""The report builder's bookkeeping: figures kept once and summed, presence snapshots."""

from __future__ import annotations

import pytest

from conftest import make_config
from routectl.events import StatusChange
from routectl.model import Agent, Routing
from routectl.report import Window
from routectl.report.clock import LocalClock
from routectl.report.presence import Presence
from test_report_support import SHANGHAI, Script, at


@pytest.mark.parametrize("breakdowns", [True, False])
def test_R19_R20_the_shops_figures_are_its_agents_and_the_unheld_questions_together(
    breakdowns: bool,
) -> None:
    script = Script(make_config())
    script.builder = type(script.builder)(make_config(), Window(), breakdowns=breakdowns)
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.reply("10:01:00", "b1")  # a: 60 s
    script.message("10:00:00", "b2", "shop:b", new=True)
    script.reply("10:03:20", "b2")  # b: 200 s, late
    script.message("10:00:00", "b3", "offline", new=True, rule="offline", group=None)
    script.reply("10:00:30", "b3")  # held by nobody: the shop's only
    script.message("10:00:00", "b4", "shop:a", new=True)  # never answered
    report = script.finish()
    summary = report.summary
    agents = {row.agent: row for row in report.agents}
    assert (summary.questions_counted, summary.answered, summary.answered_within_threshold) == (
        4,
        3,
        2,
    )
    assert (agents["shop:a"].questions_counted, agents["shop:b"].questions_counted) == (2, 1)
    assert summary.first_response_median_s == 60  # 30, 60, 200: the middle one
    assert summary.first_response_p90_s == 200
    assert summary.slow_questions == 2  # 200 s and never (R24, slow after 100 s)
    assert summary.avg_response_s == round((60 + 200 + 30 + 600) / 4, 2)  # R23: never = cap


@pytest.mark.parametrize(
    ("rows", "row", "changes"),
    [
        ([], ("shop:a", "online", "pc"), True),
        ([], ("shop:a", "suspended", "pc"), False),
        ([], ("shop:new", "online", "pc"), True),  # an agent the config lacks
        ([], ("shop:a", "online", "mobile"), False),  # mobile does not count here
        ([("shop:a", "online", "pc")], ("shop:a", "suspended", "pc"), True),
        ([("shop:a", "online", "pc")], ("shop:a", "online", "mobile"), False),
        ([("shop:a", "online", "pc")], ("shop:b", "offline", "pc"), False),
    ],
)
def test_R2_presence_says_before_a_status_row_whether_it_changes_who_is_available(
    rows: list[tuple[str, str, str]], row: tuple[str, str, str], changes: bool
) -> None:
    config = make_config(routing=Routing(mobile_reception=False))
    presence = Presence(config, Window(), LocalClock(SHANGHAI))
    for line, (agent, status, device) in enumerate(rows, start=2):
        presence.status(StatusChange(line, at("08:00:00"), agent, status, device))  # type: ignore[arg-type]
    event = StatusChange(9, at("09:00:00"), *row)  # type: ignore[arg-type]
    before = set(presence.available)
    assert presence.changes_availability(event) is changes
    assert presence.available == before  # asking changes nothing
    presence.status(event)
    assert (presence.available != before) is changes


def test_R22_a_status_change_that_changes_nobodys_availability_keeps_the_split() -> None:
    agents = (Agent("shop:a", ("presale",), weight=300), Agent("shop:b", ("presale",)))
    config = make_config(agents)
    script = Script(config)
    script.status("08:00:00", "shop:a", "online")
    script.status("08:00:00", "shop:b", "online")
    script.message("09:00:00", "b1", "shop:a", new=True)
    script.status("09:30:00", "shop:b", "online", device="mobile")  # mobile: not available
    script.message("10:00:00", "b2", "shop:a", new=True)
    script.status("10:30:00", "shop:b", "offline")
    script.message("11:00:00", "b3", "shop:a", new=True)
    b = {row.agent: row for row in script.finish().agents}["shop:b"]
    assert b.expected_share == round((0.25 + 0.25 + 0.0) / 3, 4)


@pytest.mark.parametrize("breakdowns", [True, False])
def test_R22_a_group_that_weighs_nothing_expects_its_inquiries_of_their_assignee(
    breakdowns: bool,
) -> None:
    agents = (Agent("shop:a", ("presale",), weight=0), Agent("shop:b", ("presale",), weight=0))
    config = make_config(agents)
    script = Script(config)
    script.builder = type(script.builder)(config, Window(), breakdowns=breakdowns)
    script.status("08:00:00", "shop:a", "online")
    script.message("09:00:00", "b1", "shop:a", new=True)
    script.message("09:05:00", "b2", "shop:a", new=True)
    rows = {row.agent: row for row in script.finish().agents}
    assert (rows["shop:a"].weight_share, rows["shop:b"].weight_share) == (1.0, 0.0)
