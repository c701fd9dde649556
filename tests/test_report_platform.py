"""R18 (amended), R23, R24: the platform's own figures, hand-computed.

Each case feeds events and hand-made engine outputs (no engine), so the figures can be
checked against the published definitions to the second.
"""

from __future__ import annotations

import pytest

from conftest import make_config
from routectl.events import AutoReplySent, HumanReply, Transfer
from routectl.model import Agent, Group, ReplyRate
from routectl.report import Window
from routectl.report.result import AgentRow, Report
from test_report_support import Script, at, transfer


def agent(report: Report, agent_id: str) -> AgentRow:
    return next(row for row in report.agents if row.agent == agent_id)


# --- R18: the published examples ------------------------------------------------------


def test_R18_published_example_two_messages_one_late_reply_is_one_question() -> None:
    script = Script(make_config())
    script.message("10:10:15", new=True)
    script.message("10:15:20")
    script.reply("10:18:10")
    summary = script.finish().summary
    assert summary.questions_counted == 1
    assert summary.answered_within_threshold == 0  # 7m55s from 10:10:15
    assert summary.answered == 1
    assert summary.first_response_median_s == 475


def test_R18_published_example_then_a_new_question_answered_in_time_makes_two() -> None:
    script = Script(make_config())
    script.message("10:10:15", new=True)
    script.message("10:15:20")
    script.reply("10:18:10")
    script.message("10:18:30")
    script.reply("10:19:00")
    summary = script.finish().summary
    assert summary.questions_counted == 2
    assert summary.answered_within_threshold == 1
    assert summary.response_rate == 0.5
    assert summary.reply_rate == 1.0


def test_R18_published_example_ten_messages_in_3_minutes_never_answered_is_one_question() -> None:
    script = Script(make_config())
    script.message("10:00:00", new=True)
    for second in range(20, 200, 20):  # nine more, the last at 10:03:00
        script.message(f"10:0{second // 60}:{second % 60:02d}")
    summary = script.finish().summary
    assert summary.messages == 10
    assert summary.questions_counted == 1
    assert summary.answered == 0
    assert summary.unanswered == 1
    assert summary.reply_rate == 0.0


# --- R18: transfers ---------------------------------------------------------------------


def test_R18_transfer_before_the_reply_ends_the_question_unanswered_for_the_first_agent() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    transfer(script, "10:02:00", "b1", "shop:a", "shop:b")
    script.message("10:02:30", "b1", "shop:b")  # joins shop:b's question
    script.reply("10:03:00", "b1")
    report = script.finish()
    a, b = agent(report, "shop:a"), agent(report, "shop:b")
    assert (a.questions_counted, a.answered, a.slow_questions) == (1, 0, 1)
    assert a.avg_response_s == 600.0  # never answered: the cap
    assert (b.questions_counted, b.answered, b.answered_within_threshold) == (1, 1, 1)
    assert b.first_response_median_s == 60  # from the transfer at 10:02:00, not 10:00:00
    assert b.avg_response_s == 60.0
    summary = report.summary
    assert (summary.questions_counted, summary.answered) == (2, 1)
    assert summary.transfers == 1
    assert summary.transferred_unanswered == 1
    assert summary.avg_response_s == 330.0  # (600 + 60) / 2


def test_R18_transfer_after_the_reply_starts_no_question() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.reply("10:00:30", "b1")
    transfer(script, "10:05:00", "b1", "shop:a", "shop:b")
    report = script.finish()
    assert report.summary.questions_counted == 1
    assert agent(report, "shop:a").answered_within_threshold == 1
    assert agent(report, "shop:b").questions_counted == 0


def test_R18_two_transfers_each_end_a_question() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    transfer(script, "10:01:00", "b1", "shop:a", "shop:b")
    transfer(script, "10:02:00", "b1", "shop:b", "shop:a")
    script.reply("10:02:10", "b1")
    report = script.finish()
    a, b = agent(report, "shop:a"), agent(report, "shop:b")
    assert (a.questions_counted, a.answered) == (2, 1)
    assert (b.questions_counted, b.answered) == (1, 0)
    assert a.avg_response_s == 305.0  # (600 + 10) / 2


def test_R18_R21_transfer_from_the_bot_starts_the_humans_question_at_the_transfer() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "bot", new=True, rule="bot", group=None)
    script.message("10:01:00", "b1", "bot")
    transfer(script, "10:05:00", "b1", "bot", "shop:a")
    script.reply("10:07:00", "b1")
    report = script.finish()
    summary = report.summary
    assert summary.bot_questions == 1
    assert summary.questions_counted == 1
    assert summary.first_response_median_s == 120  # from the hand-over, not 10:00
    assert agent(report, "shop:a").questions_counted == 1
    assert summary.transferred_unanswered == 0  # the bot's run is never counted


def test_R18_transfer_row_without_the_engines_output_changes_nothing() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.feed(Transfer(50, at("10:01:00"), "b1", "shop:b"))  # e.g. before the engine emits it
    script.reply("10:02:00", "b1")
    report = script.finish()
    assert agent(report, "shop:a").answered_within_threshold == 1
    assert report.summary.transfers == 0


def test_R18_transferred_question_goes_to_the_new_agents_group() -> None:
    config = make_config(
        agents=(Agent("shop:a", ("presale",)), Agent("shop:c", ("aftersale",))),
        groups=(Group("presale", ("shop_home",)), Group("aftersale", ("order",))),
    )
    script = Script(config)
    script.message("10:00:00", "b1", "shop:a", new=True, group="presale")
    transfer(script, "10:01:00", "b1", "shop:a", "shop:c")
    script.reply("10:01:30", "b1")
    groups = {row.group: row for row in script.finish().groups}
    assert (groups["presale"].questions_counted, groups["presale"].reply_rate) == (1, 0.0)
    assert (groups["aftersale"].questions_counted, groups["aftersale"].avg_response_s) == (1, 30.0)


# --- R23: average response time ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "averaged", "counted"),
    [
        ("07:59:59", False, False),
        ("08:00:00", True, True),
        ("22:59:59", True, True),
        ("23:00:00", False, True),  # 23:00 itself is outside avg_window, inside window
        ("23:59:59", False, True),
    ],
)
def test_R23_avg_window_edges_0800_and_2300(start: str, averaged: bool, counted: bool) -> None:
    report = _answered_after(start, 30)
    summary = report.summary
    assert summary.avg_questions == int(averaged)
    assert summary.avg_response_s == (30.0 if averaged else None)
    assert summary.questions_counted == int(counted)


def _answered_after(start: str, seconds: int) -> Report:
    script = Script(make_config())
    script.message(start, new=True)
    script.feed(HumanReply(99, at(start) + seconds, "b1"))
    return script.finish()


@pytest.mark.parametrize(
    ("reply_after", "counted_as"),
    [(599, 599.0), (600, 600.0), (601, 600.0), (900, 600.0), (7200, 600.0)],
)
def test_R23_each_delay_is_capped_at_600_seconds(reply_after: int, counted_as: float) -> None:
    assert _answered_after("10:00:00", reply_after).summary.avg_response_s == counted_as


def test_R23_never_answered_counts_the_cap() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", new=True)
    script.message("10:00:00", "b2", new=True)
    script.reply("10:00:20", "b1")
    summary = script.finish().summary
    assert summary.avg_response_s == 310.0  # (20 + 600) / 2
    assert summary.avg_questions == 2


def test_R23_mean_of_hand_computed_delays_per_agent_group_hour_and_day() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.message("10:10:00", "b2", "shop:a", new=True)
    script.message("11:00:00", "b3", "shop:b", new=True)
    script.reply("10:00:15", "b1")  # 15
    script.reply("10:11:40", "b2")  # 100
    script.reply("11:20:00", "b3")  # 1200 -> 600
    report = script.finish()
    assert report.summary.avg_response_s == round((15 + 100 + 600) / 3, 2)  # 238.33
    assert agent(report, "shop:a").avg_response_s == 57.5
    assert agent(report, "shop:b").avg_response_s == 600.0
    assert report.groups[0].avg_response_s == 238.33
    hours = {row.hour: row for row in report.hours}
    assert (hours[10].avg_response_s, hours[11].avg_response_s, hours[9].avg_response_s) == (
        57.5,
        600.0,
        None,
    )
    assert report.days_rows[0].avg_response_s == 238.33


def test_R23_greetings_are_not_answers() -> None:
    script = Script(make_config())
    line = script.message("10:00:00", new=True)
    script.feed(AutoReplySent(line + 100, at("10:00:01"), "b1", "greeting"))
    script.reply("10:02:30")
    assert script.finish().summary.avg_response_s == 150.0


def test_R23_R24_bot_held_questions_are_neither_numerator_nor_denominator() -> None:
    script = Script(make_config())
    script.message("10:00:00", "bot1", "bot", new=True, rule="bot", group=None)
    script.message("10:00:00", "b1", "shop:a", new=True)
    script.reply("10:00:40", "b1")
    summary = script.finish().summary
    assert summary.bot_questions == 1
    assert (summary.avg_questions, summary.avg_response_s) == (1, 40.0)
    assert summary.slow_questions == 0


def test_R23_custom_avg_window_and_cap_are_independent_of_the_R19_window() -> None:
    rates = ReplyRate(
        window_start_s=9 * 3600, avg_window_start_s=7 * 3600, avg_window_end_s=8 * 3600,
        avg_cap_s=60,
    )  # fmt: skip
    script = Script(make_config(reply_rate=rates))
    script.message("07:30:00", "b1", new=True)  # averaged only
    script.message("09:30:00", "b2", new=True)  # counted only
    script.reply("07:35:00", "b1")
    script.reply("09:30:10", "b2")
    summary = script.finish().summary
    assert (summary.avg_questions, summary.avg_response_s) == (1, 60.0)
    assert summary.questions_counted == 1


def test_R23_only_questions_starting_in_the_report_window() -> None:
    script = Script(make_config(), Window(at("10:00:00"), at("11:00:00")))
    script.message("09:59:00", "before", new=True)
    script.message("10:30:00", "inside", new=True)
    script.reply("10:31:00", "before")
    script.reply("11:30:00", "inside")  # answered after --until: still completes it
    summary = script.finish().summary
    assert (summary.avg_questions, summary.avg_response_s) == (1, 600.0)


# --- R24: slow responses ------------------------------------------------------------------


@pytest.mark.parametrize(("reply_after", "slow"), [(99, 0), (100, 1), (101, 1), (3600, 1)])
def test_R24_slow_from_100_seconds(reply_after: int, slow: int) -> None:
    assert _answered_after("10:00:00", reply_after).summary.slow_questions == slow


def test_R24_never_answered_is_slow_and_slow_counts_only_R19_questions() -> None:
    script = Script(make_config())
    script.message("10:00:00", "never", new=True)
    script.message("07:00:00", "early", new=True)  # outside 08:00-24:00: not counted
    script.reply("07:10:00", "early")
    report = script.finish()
    assert report.summary.slow_questions == 1
    assert agent(report, "shop:a").slow_questions == 1
    assert {row.hour: row.slow_questions for row in report.hours}[10] == 1


def test_R24_custom_slow_after() -> None:
    config = make_config(reply_rate=ReplyRate(slow_after_s=30))
    script = Script(config)
    script.message("10:00:00", "b1", new=True)
    script.message("10:00:00", "b2", new=True)
    script.reply("10:00:29", "b1")
    script.reply("10:00:30", "b2")
    assert script.finish().summary.slow_questions == 1
