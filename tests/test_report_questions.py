"""R18-R21: questions, the 3-minute response rate and the reply rate, hand-computed."""

from __future__ import annotations

from conftest import make_config
from routectl.events import AutoReplySent, Routed, StatusChange, Transfer
from routectl.model import ReplyRate
from routectl.report import Window
from test_report_support import Script, at


def test_R18_a_question_spans_several_messages_until_the_next_human_reply() -> None:
    script = Script(make_config())
    script.message("10:00:00", new=True)
    script.message("10:01:00")
    script.message("10:02:00")
    script.reply("10:02:30")
    summary = script.finish().summary
    assert summary.messages == 3
    assert summary.questions_counted == 1
    assert summary.answered_within_threshold == 1
    assert summary.first_response_median_s == 150  # from the first message, not the last


def test_R18_each_reply_ends_a_question_and_the_next_message_starts_one() -> None:
    script = Script(make_config())
    script.message("10:00:00", new=True)
    script.reply("10:00:40")
    script.reply("10:00:50")  # a second reply with no question open changes nothing
    script.message("10:05:00")
    script.reply("10:09:00")
    summary = script.finish().summary
    assert (summary.questions_counted, summary.answered, summary.answered_within_threshold) == (
        2,
        2,
        1,
    )
    assert summary.first_response_median_s == 40
    assert summary.first_response_p90_s == 240


def test_R18_auto_replies_do_not_stop_the_clock() -> None:
    script = Script(make_config())
    line = script.message("10:00:00", new=True)
    script.feed(
        Transfer(99, at("10:00:01"), "b1"),
        AutoReplySent(line, at("10:00:00"), "b1", "greeting"),
    )
    script.reply("10:03:01")
    summary = script.finish().summary
    assert summary.greetings_sent == 1
    assert summary.answered_within_threshold == 0
    assert summary.answered_late == 1
    assert summary.response_rate == 0.0
    assert summary.reply_rate == 1.0


def test_R19_threshold_is_inclusive() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", new=True)
    script.message("10:00:00", "b2", new=True)
    script.reply("10:03:00", "b1")  # exactly 3 minutes: within
    script.reply("10:03:01", "b2")  # one second later: late
    summary = script.finish().summary
    assert summary.answered_within_threshold == 1
    assert summary.response_rate == 0.5


def test_R19_window_edges_0759_0800_and_midnight() -> None:
    script = Script(make_config())
    script.message("07:59:59", "early", new=True)
    script.message("08:00:00", "first", new=True)
    script.message("23:59:59", "last", new=True)
    script.message("2026-11-03T00:00:00", "midnight", new=True)
    for buyer in ("early", "first", "last", "midnight"):
        script.reply("2026-11-03T00:01:00", buyer)
    report = script.finish()
    assert report.summary.questions_counted == 2
    assert report.summary.questions_outside_hours == 2
    counted_hours = [row.hour for row in report.hours if row.questions_counted]
    assert counted_hours == [8, 23]


def test_R19_a_question_whose_first_message_is_outside_hours_stays_uncounted() -> None:
    script = Script(make_config())
    script.message("07:59:00", new=True)
    script.message("08:00:30")  # same question: no reply in between
    script.reply("08:01:00")
    summary = script.finish().summary
    assert summary.questions_counted == 0
    assert summary.response_rate is None
    assert summary.reply_rate is None
    assert summary.first_response_median_s is None


def test_R19_custom_reply_hours_and_threshold() -> None:
    config = make_config(reply_rate=ReplyRate(9 * 3600, 18 * 3600, 60))
    script = Script(config)
    script.message("08:30:00", "b1", new=True)
    script.message("17:59:59", "b2", new=True)
    script.message("18:00:00", "b3", new=True)
    for buyer in ("b1", "b2", "b3"):
        script.reply("18:00:45", buyer)
    summary = script.finish().summary
    assert summary.questions_counted == 1
    assert summary.answered_within_threshold == 1  # 46 s <= 60 s


def test_R19_only_questions_starting_in_the_report_window_count() -> None:
    window = Window(at("10:00:00"), at("11:00:00"))
    script = Script(make_config(), window)
    script.message("09:59:00", "before", new=True)  # answered inside: still not counted
    script.message("10:30:00", "inside", new=True)
    script.message("11:00:00", "after", new=True)
    script.reply("10:31:00", "before")
    script.reply("11:30:00", "inside")  # answered after --until: counts, late
    script.reply("11:01:00", "after")
    summary = script.finish().summary
    assert summary.messages == 1
    assert summary.inquiries == 1
    assert summary.questions_counted == 1
    assert summary.answered == 1
    assert summary.answered_within_threshold == 0
    assert summary.first_response_median_s == 3600


def test_R20_never_answered_questions_lower_the_reply_rate() -> None:
    script = Script(make_config())
    for minute, buyer in enumerate(("b1", "b2", "b3", "b4")):
        script.message(f"10:0{minute}:00", buyer, new=True)
    script.reply("10:00:30", "b1")
    script.reply("10:11:00", "b2")  # 10 min after 10:01: answered, late
    summary = script.finish().summary
    assert summary.questions_counted == 4
    assert summary.answered == 2
    assert summary.unanswered == 2
    assert summary.reply_rate == 0.5
    assert summary.response_rate == 0.25


def test_R20_median_and_p90_are_nearest_rank() -> None:
    script = Script(make_config())
    for index in range(10):
        buyer = f"b{index}"
        script.message("10:00:00", buyer, new=True)
    for index in range(10):
        script.reply(f"10:0{index}:{(index + 1) * 5 % 60:02d}", f"b{index}")
    summary = script.finish().summary
    # response times: 5, 70, 135, 200, 265, 330, 395, 460, 525, 590 seconds
    assert summary.first_response_median_s == 265  # rank ceil(0.5 * 10) = 5
    assert summary.first_response_p90_s == 525  # rank ceil(0.9 * 10) = 9


def test_R21_bot_held_messages_are_not_counted_for_humans() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "bot", new=True, rule="bot", group=None)
    script.message("10:01:00", "b1", "bot")
    script.feed(Transfer(50, at("10:05:00"), "b1"))
    script.message("10:06:00", "b1", "shop:a")  # now with a human: a question starts here
    script.reply("10:07:00", "b1")
    report = script.finish()
    summary = report.summary
    assert summary.bot_questions == 1
    assert summary.bot_messages == 2
    assert summary.bot_inquiries == 1
    assert summary.questions_counted == 1
    assert summary.first_response_median_s == 60  # not 7 minutes from the bot's first message


def test_R21_a_bot_question_never_answered_costs_nothing() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", "bot", new=True, rule="bot", group=None)
    summary = script.finish().summary
    assert summary.questions_counted == 0
    assert summary.response_rate is None


def test_question_answered_before_its_routed_is_credited_when_it_comes() -> None:
    script = Script(make_config())
    line = script.message("10:00:00", "b1", None)  # held: the Routed comes when served
    script.reply("10:02:00", "b1")
    served = Routed(line, at("10:00:00"), "b1", "shop:b", "offline", at("10:05:00"), "", True)
    script.feed(StatusChange(90, at("10:05:00"), "shop:b", "online"), served)
    report = script.finish()
    agent_b = next(row for row in report.agents if row.agent == "shop:b")
    assert agent_b.questions_counted == 1
    assert agent_b.answered_within_threshold == 1
    assert report.summary.pooled_inquiries == 1
    assert report.summary.pool_wait_median_s == 300


def test_unattributed_questions_are_counted_for_the_shop_at_the_end() -> None:
    script = Script(make_config())
    script.message("10:00:00", "b1", None)
    report = script.finish()
    assert report.summary.questions_counted == 1
    assert all(row.questions_counted == 0 for row in report.agents)


def test_state_grows_with_buyers_not_rows() -> None:
    script = Script(make_config())
    for index in range(1500):
        second = index * 20
        time = f"{8 + second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}"
        buyer = f"b{index % 3}"
        script.message(time, buyer, new=index < 3)
        if index % 2:
            script.reply(time, buyer)
    builder = script.builder
    assert len(builder.buyers) <= 3
    assert not builder.questions.unattributed
    held = builder.by_agent["shop:a"]
    assert len(held.times.counts) <= 3  # distinct response seconds
    assert held.counted > 500
