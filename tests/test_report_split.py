"""R4 and R22: online durations per device, shares vs expected shares, explanations."""

from __future__ import annotations

from conftest import make_config
from routectl.model import Agent, Group, Routing
from routectl.report import Window
from routectl.report.explain import departs
from routectl.report.result import AgentRow, Report
from test_report_support import Script, at


def agent_row(report: Report, agent: str) -> AgentRow:
    return next(row for row in report.agents if row.agent == agent)


def test_R4_online_is_pc_online_or_suspended_and_mobile_is_reported_apart() -> None:
    config = make_config(
        agents=(Agent("shop:a", ("presale",), mobile=True),),
        routing=Routing(mobile_reception=True),
    )
    script = Script(config)
    script.status("08:00:00", "shop:a", "online")
    script.status("12:00:00", "shop:a", "suspended")
    script.status("13:00:00", "shop:a", "offline")
    script.status("20:00:00", "shop:a", "online", "mobile")
    script.status("22:00:00", "shop:a", "offline", "mobile")
    row = agent_row(script.finish(), "shop:a")
    assert row.online_s == 5 * 3600
    assert row.suspended_s == 3600
    assert row.mobile_s == 2 * 3600
    assert row.available_s == 6 * 3600  # 4h on pc + 2h on a mobile that counts (R2)
    assert row.hours_worked == "08-13 20-22"


def test_R4_mobile_that_does_not_count_is_not_available() -> None:
    script = Script(make_config(agents=(Agent("shop:a", ("presale",)),)))
    script.status("20:00:00", "shop:a", "online", "mobile")
    script.status("22:00:00", "shop:a", "offline", "mobile")
    row = agent_row(script.finish(), "shop:a")
    assert (row.online_s, row.mobile_s, row.available_s) == (0, 2 * 3600, 0)


def test_R4_durations_are_clipped_to_the_window() -> None:
    script = Script(make_config(), Window(at("10:00:00"), at("11:30:00")))
    script.status("08:00:00", "shop:a", "online")  # before --since: state, not time
    script.status("12:00:00", "shop:a", "offline")
    assert agent_row(script.finish(), "shop:a").online_s == 90 * 60


def test_R4_an_agent_still_online_counts_until_the_last_event() -> None:
    script = Script(make_config())
    script.status("08:00:00", "shop:a", "online")
    script.status("09:00:00", "shop:b", "online")
    script.message("10:15:00", new=True)
    report = script.finish()
    assert agent_row(report, "shop:a").online_s == 2 * 3600 + 15 * 60
    assert agent_row(report, "shop:b").online_s == 3600 + 15 * 60


def _split_day(b_online_until: str) -> Report:
    """a (300) online 08-20; b (100) online 08-``b_online_until``; 4 inquiries per hour."""
    script = Script(make_config())
    script.status("08:00:00", "shop:a", "online")
    script.status("08:00:00", "shop:b", "online")
    b_off = b_online_until
    for hour in range(8, 20):
        if f"{hour:02d}:00:00" == b_off:
            script.status(b_off, "shop:b", "offline")
        for quarter in range(4):
            time = f"{hour:02d}:{quarter * 15:02d}:00"
            b_on = f"{hour:02d}" < b_off[:2]
            pick = "shop:b" if b_on and quarter == 3 else "shop:a"
            script.message(time, f"buyer{hour}{quarter}", pick, new=True)
    script.status("20:00:00", "shop:a", "offline")
    if b_off == "20:00:00":
        script.status("20:00:00", "shop:b", "offline")
    return script.finish()


def test_R22_shares_follow_weights_when_both_work_all_day() -> None:
    report = _split_day("20:00:00")
    a, b = agent_row(report, "shop:a"), agent_row(report, "shop:b")
    assert (a.inquiries, b.inquiries) == (36, 12)
    assert (a.share, b.share) == (0.75, 0.25)
    assert (a.weight_share, b.weight_share) == (0.75, 0.25)
    assert (a.expected_share, b.expected_share) == (0.75, 0.25)
    assert (a.online_share, b.online_share) == (0.75, 0.25)
    assert a.inquiries_per_online_hour == 3.0
    assert report.imbalances == ()


def test_R22_online_time_explains_a_lower_share() -> None:
    report = _split_day("14:00:00")  # b leaves at 14:00: half the day
    a, b = agent_row(report, "shop:a"), agent_row(report, "shop:b")
    assert (a.inquiries, b.inquiries) == (42, 6)
    assert b.share == 0.125
    assert b.weight_share == 0.25
    # weight x online time: 100*6h / (300*12h + 100*6h) = 1/7 of 48
    assert b.online_share == round(1 / 7, 4)
    # who was online at each inquiry: 24 inquiries at 1/4, 24 at 0
    assert b.expected_share == 0.125
    assert b.online_s == 6 * 3600
    assert b.hours_worked == "08-14"
    explained = {item.agent: item for item in report.imbalances}
    assert set(explained) == {"shop:a", "shop:b"}
    item = explained["shop:b"]
    assert item.main_cause == "online time"
    causes = {cause.name: cause.points for cause in item.causes}
    assert causes["weight"] == -0.25  # 25% by weight vs an even 50%
    assert causes["caps and rules"] == 0.0
    assert "shop:b: 12.5% of inquiries (6 of 48)" in item.text
    assert "Main cause: online time" in item.text
    assert round(sum(causes.values()), 4) == round(item.share - 0.5, 4)


def test_R22_rules_that_bypass_weights_are_named() -> None:
    script = Script(make_config())
    script.status("08:00:00", "shop:a", "online")
    script.status("08:00:00", "shop:b", "online")
    for minute in range(10):
        script.message(
            f"09:{minute:02d}:00", f"b{minute}", "shop:b", new=True, rule="recent_contact"
        )
    report = script.finish()
    item = next(i for i in report.imbalances if i.agent == "shop:b")
    assert item.main_cause == "caps and rules"
    assert "it got 10 by recent contact (R9)" in item.text
    b = agent_row(report, "shop:b")
    assert b.by_recent_contact == 10
    assert b.expected_share == 0.25  # expected within its team: presale, by weight


def test_R22_margin_needs_points_or_relative_and_two_inquiries() -> None:
    assert departs(0.31, 0.25, 100)  # 6 points
    assert not departs(0.29, 0.25, 100)  # 4 points, 16% relative
    assert departs(0.04, 0.06, 100)  # 2 points but 33% relative, 2 inquiries
    assert not departs(0.04, 0.06, 50)  # 1 inquiry apart: noise


def test_groups_and_hours_break_the_inquiries_down() -> None:
    config = make_config(groups=(Group("presale", ("shop_home",)), Group("aftersale", ("order",))))
    script = Script(config)
    script.status("08:00:00", "shop:a", "online")
    script.message("09:10:00", "b1", new=True, group="presale")
    script.message("09:20:00", "b2", new=True, group="*")
    script.reply("09:11:00", "b1")
    script.message("10:20:00", "b3", new=True, rule="recent_contact", group=None)
    report = script.finish()
    groups = {row.group: row for row in report.groups}
    assert list(groups) == ["presale", "aftersale", "*", "-"]
    assert (groups["presale"].inquiries, groups["*"].inquiries, groups["-"].inquiries) == (1, 1, 1)
    assert groups["presale"].questions_counted == 1
    assert groups["presale"].response_rate == 1.0
    assert report.hours[9].inquiries == 2
    assert report.hours[10].inquiries == 1
    assert report.hours[9].agents_available == 1.0
    assert report.hours[9].inquiries_per_agent_hour == 2.0
