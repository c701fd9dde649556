"""One or more tests per routing rule R1-R17, named after the rule they pin down."""

from __future__ import annotations

import pytest

from conftest import make_config
from routectl.engine import Engine
from routectl.events import AutoReplySent, LagHeld, PoolExpired, Routed
from routectl.model import (
    Agent,
    AutoReply,
    Bot,
    Dedicated,
    Group,
    Offline,
    OfflinePolicy,
    Routing,
    Rule,
)
from test_engine_support import DAY, HOUR, Log, all_outputs, at, outcome, routed

A, B, C = "shop:a", "shop:b", "shop:c"
PRESALE = Group("presale", ("shop_home", "item_detail", "contact_list"))
AFTERSALE = Group("aftersale", ("order",))


def three_agents(**overrides: object) -> tuple[Agent, ...]:
    return (
        Agent(A, ("presale",), weight=100),
        Agent(B, ("presale",), weight=100),
        Agent(C, ("aftersale",), weight=100, **overrides),  # type: ignore[arg-type]
    )


# --- R1-R4: agent state ----------------------------------------------------------------


def test_R1_suspended_agent_takes_no_new_inquiry() -> None:
    log = Log()
    log.online(0, A, B)
    log.status(1, A, "suspended")
    lines = [log.message(2 + i, f"b{i}") for i in range(4)]
    rows = routed(make_config(), log)
    assert {rows[line].assignee for line in lines} == {B}


def test_R1_offline_agent_takes_no_new_inquiry() -> None:
    log = Log()
    log.online(0, A, B)
    log.status(1, B, "offline")
    lines = [log.message(2 + i, f"b{i}") for i in range(3)]
    rows = routed(make_config(), log)
    assert [outcome(rows[line]) for line in lines] == [(A, "group", 2 + i) for i in range(3)]


def test_R2_mobile_presence_counts_only_when_shop_and_agent_allow_it() -> None:
    agents = (Agent(A, ("presale",), mobile=True), Agent(B, ("presale",)))
    log = Log()
    log.online(0, A, device="mobile")
    log.online(0, B)
    lines = [log.message(1 + i, f"b{i}") for i in range(2)]
    shop_forbids = routed(make_config(agents), log)
    assert {shop_forbids[line].assignee for line in lines} == {B}
    shop_allows = routed(make_config(agents, routing=Routing(mobile_reception=True)), log)
    assert [shop_allows[line].assignee for line in lines] == [A, B]


def test_R2_mobile_only_presence_that_does_not_count_is_offline() -> None:
    agents = (Agent(A, ("presale",), mobile=False),)
    log = Log()
    log.online(0, A, device="mobile")
    line = log.message(1, "b1")
    rows = routed(make_config(agents, routing=Routing(mobile_reception=True)), log)
    assert outcome(rows[line]) == ("offline", "offline", None)


def test_R3_non_routing_agent_gets_direct_messages_only() -> None:
    agents = (Agent(A, ("presale",), routing=False), Agent(B, ("presale",)))
    log = Log()
    log.online(0, A, B)
    routed_lines = [log.message(1 + i, f"b{i}") for i in range(3)]
    direct = log.message(5, "b9", agent=A)
    rows = routed(make_config(agents), log)
    assert {rows[line].assignee for line in routed_lines} == {B}
    assert outcome(rows[direct]) == (A, "direct", 5)


def test_R3_non_routing_agent_alone_online_means_offline_handling() -> None:
    agents = (Agent(A, ("presale",), routing=False), Agent(B, ("presale",)))
    log = Log()
    log.online(0, A)
    line = log.message(1, "b1")
    log.online(10, B)
    rows = routed(make_config(agents), log)
    assert outcome(rows[line]) == (B, "offline", 10)


def test_R4_devices_are_tracked_separately() -> None:
    agents = (Agent(A, ("presale",), mobile=True), Agent(B, ("presale",)))
    config = make_config(agents, routing=Routing(mobile_reception=True))
    log = Log()
    log.online(0, A)
    log.online(0, A, device="mobile")
    log.status(1, A, "offline")  # pc off, mobile still on: still online
    first = log.message(2, "b1")
    log.status(3, A, "offline", device="mobile")
    log.online(3, B)
    second = log.message(4, "b2")
    rows = routed(config, log)
    assert (rows[first].assignee, rows[second].assignee) == (A, B)


# --- R5, R6: conversations ---------------------------------------------------------------


def test_R5_later_messages_stay_with_the_assignee() -> None:
    log = Log()
    log.online(0, A, B)
    first = log.message(1, "b1")
    log.status(2, A, "suspended")
    later = [log.message(3, "b1"), log.message(4, "b1")]
    rows = routed(make_config(), log)
    assert outcome(rows[first]) == (A, "group", 1)
    assert rows[first].new_inquiry
    assert [outcome(rows[line]) for line in later] == [(A, "conversation", m) for m in (3, 4)]
    assert not any(rows[line].new_inquiry for line in later)


def test_R6_timeout_after_session_timeout_of_silence_starts_a_new_inquiry() -> None:
    config = make_config(
        (Agent(A, ("presale",)), Agent(B, ("presale",))), routing=Routing(session_timeout_s=900)
    )
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1")
    log.reply(10, "b1", A)
    same = log.message(24.9, "b1")  # 14m54s after the reply: still open
    new = log.message(39.9, "b1")  # exactly 15m of silence: closed, then R9
    rows = routed(config, log)
    assert outcome(rows[same])[:2] == (A, "conversation")
    assert outcome(rows[new])[:2] == (A, "recent_contact")
    assert "recent contact 15m ago" in rows[new].reason


def test_R6_close_event_closes_and_its_time_is_the_last_contact() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1")
    log.close(5, "b1")
    again = log.message(65, "b1")
    rows = routed(make_config(), log)
    assert outcome(rows[again]) == (A, "recent_contact", 65)
    assert rows[again].reason.startswith("recent contact 1h ago")


# --- R7-R13: the decision ----------------------------------------------------------------


def test_R7_all_agents_suspended_means_offline_even_with_a_recent_contact() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1")
    log.close(1, "b1")
    log.status(2, A, "suspended")
    log.status(2, B, "suspended")
    line = log.message(3, "b1")
    log.online(30, B)
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == (B, "offline", 30)


def test_R7_nobody_online_pools_with_the_offline_auto_reply() -> None:
    config = make_config(auto_reply=AutoReply(greeting="hi", offline="away"))
    log = Log()
    line = log.message(0, "b1")
    outputs = all_outputs(config, log)
    kinds = [o.kind for o in outputs if isinstance(o, AutoReplySent)]
    assert kinds == ["greeting", "offline"]
    row = next(o for o in outputs if isinstance(o, Routed))
    assert outcome(row) == ("offline", "offline", None)
    assert row.line == line


def test_R8_recent_contact_beats_dedicated_bot_and_special_rules() -> None:
    config = make_config(
        three_agents(),
        groups=(PRESALE, AFTERSALE),
        rules=(Rule("intent", ("退货",), "aftersale"),),
        dedicated=Dedicated(True, {"b1": B}),
        bot=Bot(True, True),
    )
    log = Log()
    log.online(0, A, B, C)
    log.message(0, "b1", agent=A)
    log.close(1, "b1")
    line = log.message(2, "b1", intent="退货")
    rows = routed(config, log)
    assert outcome(rows[line]) == (A, "recent_contact", 2)


def test_R9_recent_contact_24h_even_if_suspended() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.close(1, "b1")
    log.status(60, B, "suspended")
    line = log.message(23 * HOUR, "b1")
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == (B, "recent_contact", 23 * HOUR)
    assert "suspended but within 24h" in rows[line].reason


def test_R9_between_24h_and_72h_only_if_online_and_not_suspended() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.message(0, "b2", agent=B)
    log.close(1, "b1")
    log.close(1, "b2")
    online = log.message(1 + 48 * HOUR, "b1")
    log.status(2 + 48 * HOUR, B, "suspended")
    suspended = log.message(3 + 48 * HOUR, "b2")
    rows = routed(make_config(), log)
    assert outcome(rows[online])[:2] == (B, "recent_contact")
    assert outcome(rows[suspended])[:2] == (A, "group")


def test_R9_falls_through_after_72h_or_when_offline() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.message(0, "b2", agent=B)
    log.close(1, "b1")
    log.close(1, "b2")
    log.message(71 * HOUR, "b2", agent=B)
    log.close(71 * HOUR + 1, "b2")
    stale = log.message(1 + 72 * HOUR, "b1")
    log.status(2 + 72 * HOUR, B, "offline")
    gone = log.message(3 + 72 * HOUR, "b2")  # recent contact 1h ago, but offline
    rows = routed(make_config(), log)
    assert rows[stale].rule == "group"
    assert outcome(rows[gone])[:2] == (A, "group")


def test_R9_ignores_max_concurrent() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1), Agent(B, ("presale",)))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=A)
    log.close(1, "b1")
    log.message(2, "b2", agent=A)  # A is at its cap now
    line = log.message(3, "b1")
    rows = routed(make_config(agents), log)
    assert outcome(rows[line]) == (A, "recent_contact", 3)


def test_R9_bot_conversations_create_no_recent_contact() -> None:
    config = make_config(bot=Bot(True, True))
    log = Log()
    log.online(0, A, B)
    first = log.message(0, "b1")
    log.close(1, "b1")
    again = log.message(2, "b1")
    rows = routed(config, log)
    assert outcome(rows[first]) == ("bot", "bot", 0)
    assert outcome(rows[again]) == ("bot", "bot", 2)


def test_R10_dedicated_agent_before_the_bot_and_rules() -> None:
    config = make_config(dedicated=Dedicated(True, {"b1": B}), bot=Bot(True, True))
    log = Log()
    log.online(0, A, B)
    line = log.message(1, "b1")
    other = log.message(1, "b2")
    rows = routed(config, log)
    assert outcome(rows[line]) == (B, "dedicated", 1)
    assert outcome(rows[other]) == ("bot", "bot", 1)


def test_R10_dedicated_suspended_or_priority_off_falls_through() -> None:
    log = Log()
    log.online(0, A, B)
    log.status(0, B, "suspended")
    suspended = log.message(1, "b1")
    rows = routed(make_config(dedicated=Dedicated(True, {"b1": B})), log)
    assert outcome(rows[suspended]) == (A, "group", 1)
    log2 = Log()
    log2.online(0, A, B)
    line = log2.message(1, "b1")
    rows = routed(make_config(dedicated=Dedicated(False, {"b1": B})), log2)
    assert outcome(rows[line]) == (A, "group", 1)


def test_R11_bot_holds_until_transfer_then_a_human_never_the_bot() -> None:
    config = make_config(bot=Bot(True, True))
    log = Log()
    log.online(0, A, B)
    first = log.message(0, "b1")
    held = log.message(1, "b1")
    log.transfer(2, "b1")
    after = log.message(3, "b1")
    rows = routed(config, log)
    assert outcome(rows[first]) == ("bot", "bot", 0)
    assert outcome(rows[held]) == ("bot", "conversation", 1)
    assert outcome(rows[after]) == (A, "conversation", 3)


def test_R11_transfer_with_nobody_available_goes_to_the_pool() -> None:
    config = make_config(bot=Bot(True, True))
    log = Log()
    log.online(0, A)
    log.message(0, "b1")
    log.status(1, A, "offline")
    log.transfer(2, "b1")
    log.online(5, B)
    after = log.message(6, "b1")
    rows = routed(config, log)
    assert outcome(rows[after]) == (B, "conversation", 6)


def test_R11_transfer_the_bot_does_not_hold_is_refused_and_changes_nothing() -> None:
    config = make_config(bot=Bot(True, True), routing=Routing(session_timeout_s=900))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1")
    log.transfer(20, "b1")  # the bot's conversation timed out at 15m
    engine = Engine(config)
    for event in log.events[:-1]:
        engine.feed(event)
    with pytest.raises(ValueError, match="bot does not hold"):
        engine.feed(log.events[-1])
    with pytest.raises(ValueError, match="bot does not hold"):
        engine.feed(log.events[-1])  # nothing changed: same answer


def test_R12_crowd_beats_intent_whatever_the_file_order() -> None:
    config = make_config(
        three_agents(),
        groups=(PRESALE, AFTERSALE, Group("vip")),
        rules=(Rule("intent", ("退货",), "aftersale"), Rule("crowd", ("vip",), "presale")),
        crowds={"vip": frozenset({"b1"})},
    )
    log = Log()
    log.online(0, A, B, C)
    vip = log.message(0, "b1", intent="退货", entry="order")
    other = log.message(0, "b2", intent="退货", entry="shop_home")
    rows = routed(config, log)
    assert outcome(rows[vip]) == (A, "special:crowd", 0)
    assert outcome(rows[other]) == (C, "special:intent", 0)


def test_R12_intent_beats_item_beats_order_status() -> None:
    config = make_config(
        three_agents(),
        groups=(PRESALE, AFTERSALE),
        rules=(
            Rule("order_status", ("shipped",), "presale"),
            Rule("item", ("1001",), "aftersale"),
            Rule("intent", ("咨询",), "presale"),
        ),
    )
    log = Log()
    log.online(0, A, B, C)
    by_intent = log.message(0, "b1", intent="咨询", item="1001", order_status="shipped")
    by_item = log.message(0, "b2", item="1001", order_status="shipped")
    by_status = log.message(0, "b3", order_status="shipped", entry="order")
    rows = routed(config, log)
    assert rows[by_intent].rule == "special:intent"
    assert outcome(rows[by_item]) == (C, "special:item", 0)
    assert rows[by_status].rule == "special:order_status"
    assert rows[by_status].assignee in (A, B)


def test_R12_no_rule_then_entry_group_then_all_routing_agents() -> None:
    config = make_config(three_agents(), groups=(PRESALE, AFTERSALE))
    log = Log()
    log.online(0, A, B, C)
    order = log.message(0, "b1", entry="order")
    no_entry = [log.message(1, f"n{i}") for i in range(3)]
    rows = routed(config, log)
    assert (rows[order].assignee, rows[order].group) == (C, "aftersale")
    assert {rows[line].group for line in no_entry} == {"*"}
    assert [rows[line].assignee for line in no_entry] == [A, B, C]


def test_R13_weights_300_and_100_split_3_to_1() -> None:
    log = Log()
    log.online(0, A, B)
    lines = []
    for i in range(400):
        lines.append(log.message(i, f"b{i}"))
        log.close(i + 0.5, f"b{i}")
    rows = routed(make_config(), log)
    counts = {A: 0, B: 0}
    for line in lines:
        counts[rows[line].assignee] += 1
    assert counts == {A: 300, B: 100}
    assert [rows[line].assignee for line in lines[:8]] == [A, B, A, A, A, B, A, A]


def test_R13_ties_go_to_config_order() -> None:
    agents = (Agent(B, ("presale",)), Agent(A, ("presale",)))
    log = Log()
    log.online(0, A, B)
    first = log.message(1, "b1")
    rows = routed(make_config(agents), log)
    assert rows[first].assignee == B  # B is first in [[agents]]


def test_R13_an_absent_agent_banks_no_credit() -> None:
    agents = (Agent(A, ("presale",)), Agent(B, ("presale",)))
    log = Log()
    log.online(0, A)
    for i in range(10):
        log.message(i, f"a{i}")
        log.close(i + 0.5, f"a{i}")
    log.online(20, B)
    lines = [log.message(21 + i, f"b{i}") for i in range(4)]
    rows = routed(make_config(agents), log)
    assert sorted(rows[line].assignee for line in lines) == [A, A, B, B]


def test_R13_queue_at_the_cap_is_served_fifo_when_a_slot_frees() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1), Agent(B, ("presale",), max_concurrent=1))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1")
    log.message(0, "b2")
    first = log.message(1, "b3")
    joined = log.message(1.5, "b3")
    second = log.message(2, "b4")
    log.close(5, "b2")
    log.close(7, "b1")
    rows = routed(make_config(agents), log)
    assert outcome(rows[first]) == (B, "group", 5)
    assert outcome(rows[joined]) == (B, "conversation", 5)
    assert outcome(rows[second]) == (A, "group", 7)


def test_R13_fallback_shop_uses_any_agent_and_fallback_offline_pools() -> None:
    log = Log()
    log.online(0, A)
    line = log.message(1, "b1", entry="order")
    shop = routed(make_config(three_agents(), groups=(PRESALE, AFTERSALE)), log)
    assert outcome(shop[line]) == (A, "group", 1)
    offline = routed(
        make_config(
            three_agents(), groups=(PRESALE, AFTERSALE), routing=Routing(fallback="offline")
        ),
        log,
    )
    # pooled (rule offline), and A, idle and eligible (first_available), takes it at once
    assert outcome(offline[line]) == (A, "offline", 1)


# --- R14-R17: offline --------------------------------------------------------------------


def test_R14_pool_drains_oldest_first_to_the_first_available_agent() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1), Agent(B, ("presale",)))
    log = Log()
    older = log.message(0, "b1")
    newer = log.message(1, "b2")
    log.online(10, A)
    log.close(12, "b1")
    rows = routed(make_config(agents), log)
    assert outcome(rows[older]) == (A, "offline", 10)
    assert outcome(rows[newer]) == (A, "offline", 12)


def test_R14_policy_recent_contact_waits_for_its_agent() -> None:
    config = make_config(offline=Offline(OfflinePolicy("recent_contact")))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.close(1, "b1")
    log.status(2, A, "offline")
    log.status(2, B, "offline")
    line = log.message(3, "b1")
    other = log.message(3, "b2")
    log.online(10, A)
    log.online(20, B)
    rows = routed(config, log)
    assert outcome(rows[other]) == (A, "offline", 10)
    assert outcome(rows[line]) == (A, "offline", 10)  # B was not a candidate at 10
    log2 = Log()
    log2.online(0, A, B)
    log2.message(0, "b1", agent=B)
    log2.close(1, "b1")
    log2.status(2, A, "offline")
    log2.status(2, B, "offline")
    line = log2.message(3, "b1")
    log2.online(10, B)
    rows = routed(config, log2)
    assert outcome(rows[line]) == (B, "offline", 10)


def test_R14_policy_group_and_agent_choose_who_takes_the_pool() -> None:
    agents = (Agent(A, ("presale",)), Agent(B, ("vip",), routing=False))
    groups = (PRESALE, Group("vip"))
    log = Log()
    line = log.message(0, "b1")
    log.online(5, A)
    log.online(10, B)
    by_agent = routed(
        make_config(agents, groups=groups, offline=Offline(OfflinePolicy("agent", B))), log
    )
    assert outcome(by_agent[line]) == (B, "offline", 10)
    agents2 = (Agent(A, ("presale",)), Agent(B, ("vip",)))
    by_group = routed(
        make_config(agents2, groups=groups, offline=Offline(OfflinePolicy("group", "vip"))), log
    )
    assert outcome(by_group[line]) == (B, "offline", 10)


def test_R15_offline_routing_after_the_detection_lag() -> None:
    config = make_config(routing=Routing(offline_routing=True, offline_delay_s=180))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    line = log.message(4, "b1")  # 3m after B left: past the lag
    rows = routed(config, log)
    assert outcome(rows[line]) == (A, "offline_routing", 4)
    assert rows[line].new_inquiry


def test_R15_messages_inside_the_lag_stay_with_the_offline_agent() -> None:
    config = make_config(routing=Routing(offline_routing=True, offline_delay_s=180))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    held = log.message(3.5, "b1")
    log.online(10, B)
    rows = routed(config, log)
    assert outcome(rows[held]) == (B, "offline", 10)
    outputs = all_outputs(config, log)
    assert [o for o in outputs if isinstance(o, LagHeld)] == [
        LagHeld(held, rows[held].time, "b1", B)
    ]


def test_R17_held_message_survives_timeout() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    held = log.message(2, "b1")
    log.online(30, B)  # the conversation timed out at 17 (R6), before B came back
    rows = routed(make_config(routing=Routing(offline_routing=True, offline_delay_s=180)), log)
    assert outcome(rows[held]) == (B, "offline", 30)  # seed 004: B answers it on return
    assert rows[held].reason.endswith(f"; {B} back online 28m later")


def test_R15_offline_routing_off_keeps_messages_with_the_agent() -> None:
    config = make_config(
        routing=Routing(offline_routing=False), auto_reply=AutoReply(offline="away")
    )
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    first = log.message(10, "b1")
    second = log.message(11, "b1")
    never = log.message(12, "b2", agent=C) if False else log.message(12, "b2", agent=B)
    rows = routed(config, log)
    for line in (first, second, never):
        assert outcome(rows[line]) == ("offline", "offline", None)  # B never came back
        assert rows[line].reason.startswith(f"held for {B}, who was offline")
    offline_replies = [
        o for o in all_outputs(config, log) if isinstance(o, AutoReplySent) and o.kind == "offline"
    ]
    assert [o.buyer for o in offline_replies] == ["b1", "b2"]  # once per conversation spell


def test_R15_agent_never_seen_online_has_no_lag() -> None:
    log = Log()
    log.online(0, A)
    line = log.message(0, "b1", agent=B)
    rows = routed(make_config(routing=Routing(offline_routing=True)), log)
    assert outcome(rows[line]) == (A, "offline_routing", 0)


def test_R16_message_to_a_suspended_agent_goes_to_another_agent() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.close(1, "b1")
    log.status(2, B, "suspended")
    line = log.message(3, "b1", agent=B)  # R9 would pick B: R16 excludes it
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == (A, "group", 3)
    assert "suspended (R16)" in rows[line].reason


def test_R17_pool_expires_after_retention_and_is_reported() -> None:
    config = make_config(offline=Offline(pool_retention_days=1))
    log = Log()
    line = log.message(0, "b1")
    follow = log.message(10, "b1")
    log.online(DAY + 1, A)
    rows = routed(config, log)
    assert outcome(rows[line]) == ("offline", "offline", None)
    assert outcome(rows[follow]) == ("offline", "conversation", None)
    assert "expired after 1 day in the pool" in rows[line].reason
    expired = [o for o in all_outputs(config, log) if isinstance(o, PoolExpired)]
    assert len(expired) == 1 and expired[0].line == line
    assert expired[0].expired_at == rows[line].time + 86400


def test_R14_designated_agent_on_now_takes_the_pool_at_once() -> None:
    agents = (Agent(A, ("presale",)), Agent(B, ("presale",), routing=False))
    config = make_config(agents, offline=Offline(OfflinePolicy("agent", B)))
    log = Log()
    log.online(0, B)  # B is on but does not take routed buyers: R7 pools
    line = log.message(1, "b1")
    rows = routed(config, log)
    assert outcome(rows[line]) == (B, "offline", 1)


def test_R13_a_queue_whose_group_empties_falls_back() -> None:
    agents = (Agent(A, ("presale",)), Agent(C, ("aftersale",), max_concurrent=1))
    log = Log()
    log.online(0, A, C)
    log.message(0, "b1", entry="order")
    line = log.message(1, "b2", entry="order")  # C is at its cap: aftersale has no candidate
    log.status(5, C, "offline")  # aftersale empties
    shop = routed(make_config(agents, groups=(PRESALE, AFTERSALE)), log)
    assert outcome(shop[line]) == (A, "group", 1)  # R13 literal: fallback at once
    assert shop[line].group == "*"
    pooled = routed(
        make_config(agents, groups=(PRESALE, AFTERSALE), routing=Routing(fallback="offline")),
        log,
    )
    assert outcome(pooled[line]) == (A, "offline", 1)  # pooled, taken by idle A (R14)


def test_R15_re_route_sends_no_second_greeting() -> None:
    config = make_config(auto_reply=AutoReply(greeting="hi"))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    log.message(5, "b1")
    greetings = [o for o in all_outputs(config, log) if isinstance(o, AutoReplySent)]
    assert [(o.line, o.kind) for o in greetings] == [(4, "greeting")]


def test_R14_close_while_pooled_withdraws_the_inquiry() -> None:
    log = Log()
    line = log.message(0, "b1")
    follow = log.message(1, "b1")
    log.close(2, "b1")
    log.online(10, A)
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == ("offline", "offline", None)
    assert outcome(rows[follow]) == ("offline", "conversation", None)
    assert rows[line].reason.endswith("conversation closed while waiting")


def test_R17_each_pooled_inquiry_expires_on_its_own_clock() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1),)
    config = make_config(agents, offline=Offline(pool_retention_days=1))
    log = Log()
    served = log.message(0, "b1")
    first = log.message(10, "b2")
    later = log.message(12 * HOUR, "b3")
    log.online(13 * HOUR, A)  # takes b1 (oldest) and is then at its cap
    log.status(13 * HOUR + 1, A, "offline")
    last = log.message(DAY + 20, "b4")  # after b2 expired, before b3 does
    rows = routed(config, log)
    outputs = all_outputs(config, log)
    assert outcome(rows[served]) == (A, "offline", 13 * HOUR)
    assert outcome(rows[first]) == ("offline", "offline", None)
    assert outcome(rows[later]) == ("offline", "offline", None)
    assert outcome(rows[last]) == ("offline", "offline", None)
    expired = [o.line for o in outputs if isinstance(o, PoolExpired)]
    assert expired == [first]  # b3 would expire at 12h + 1 day, after the log ends


# --- review fixes ------------------------------------------------------------------------


def test_R14_pooled_inquiry_taken_at_once_by_an_idle_agent() -> None:
    config = make_config(
        three_agents(), groups=(PRESALE, AFTERSALE), routing=Routing(fallback="offline")
    )
    log = Log()
    log.online(0, A)
    pooled = log.message(1, "x", entry="order")  # aftersale has nobody: pooled
    newer = log.message(5, "y", entry="shop_home")
    rows = routed(config, log)
    assert outcome(rows[pooled]) == (A, "offline", 1)
    assert outcome(rows[newer]) == (A, "group", 5)


def test_R7_queued_inquiries_move_to_the_pool_when_the_whole_shop_goes_offline() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1), Agent(B, (), routing=False))
    config = make_config(
        agents, offline=Offline(OfflinePolicy("agent", B)), auto_reply=AutoReply(offline="away")
    )
    log = Log()
    log.online(0, A)
    log.message(1, "x")
    queued = log.message(2, "y")
    log.status(3, A, "offline")
    later = log.message(4, "z")
    log.online(5, B)
    rows = routed(config, log)
    assert outcome(rows[queued]) == (B, "offline", 5)
    assert outcome(rows[later]) == (B, "offline", 5)
    replies = [o for o in all_outputs(config, log) if isinstance(o, AutoReplySent)]
    assert [(o.buyer, o.kind) for o in replies] == [("y", "offline"), ("z", "offline")]


def test_R16_divert_does_not_go_by_R9_to_another_suspended_agent() -> None:
    config = make_config(three_agents(), groups=(PRESALE, AFTERSALE))
    log = Log()
    log.online(0, A, B, C)
    log.message(1, "x")  # A (config order)
    log.close(2, "x")
    log.status(3, A, "suspended")
    log.status(4, B, "suspended")
    line = log.message(5, "x", agent=B)
    rows = routed(config, log)
    assert outcome(rows[line]) == (C, "group", 5)


def test_R17_inquiry_moved_from_a_queue_into_the_pool_expires_on_time() -> None:
    agents = (Agent(A, ("presale",)), Agent(C, ("aftersale",), max_concurrent=1), Agent(B, ("g3",)))
    config = make_config(
        agents,
        groups=(PRESALE, AFTERSALE, Group("g3", ("contact_list",))),
        routing=Routing(fallback="offline"),
        offline=Offline(pool_retention_days=1),
    )
    log = Log()
    log.online(0, C)
    log.message(0, "v", entry="order")
    queued = log.message(1, "u", entry="order")  # C at its cap: no candidate → pooled
    pooled = log.message(2, "p", entry="contact_list")
    log.status(3, C, "offline")
    log.reply(DAY + 1.5, "zz")
    outputs = all_outputs(config, log)
    expired = [o for o in outputs if isinstance(o, PoolExpired)]
    assert [(o.line, o.expired_at) for o in expired][:1] == [(queued, at(DAY + 1))]
    rows = routed(config, log)
    assert rows[queued].reason.endswith("expired after 1 day in the pool")
    assert outcome(rows[pooled]) == ("offline", "offline", None)


def test_R13_weights_hold_when_a_group_falls_back_to_the_shop() -> None:
    agents = (
        Agent("light", ("presale",), weight=100),
        Agent("heavy", ("presale",), weight=300),
        Agent(C, ("aftersale",), max_concurrent=1),
    )
    config = make_config(agents, groups=(PRESALE, AFTERSALE))
    log = Log()
    log.online(0, "light", "heavy", C)
    log.message(1, "o0", entry="order")
    lines = [log.message(1 + (i + 1) / 60, f"o{i + 1}", entry="order") for i in range(8)]
    log.status(2, C, "offline")
    rows = routed(config, log)
    taken = [rows[line].assignee for line in lines]
    assert taken.count("heavy") == 6 and taken.count("light") == 2


def test_R15_held_rows_of_an_agent_who_never_came_back_end_offline() -> None:
    config = make_config(routing=Routing(offline_routing=False))
    log = Log()
    log.online(0, A)
    first = log.message(1, "x")
    log.status(5, A, "offline")
    held = log.message(6, "x")
    rows = routed(config, log)
    assert outcome(rows[first]) == (A, "group", 1)
    assert outcome(rows[held]) == ("offline", "offline", None)
    assert rows[held].reason == (
        f"held for {A}, who was offline and did not come back by the end of the log"
    )


def test_R13_group_whose_agents_are_all_at_the_cap_falls_back_to_the_shop() -> None:
    agents = (Agent(A, ("presale",)), Agent(C, ("aftersale",), max_concurrent=1))
    log = Log()
    log.online(0, A, C)
    log.message(1, "o1", entry="order")
    line = log.message(2, "o2", entry="order")
    shop = routed(make_config(agents, groups=(PRESALE, AFTERSALE)), log)
    assert outcome(shop[line]) == (A, "group", 2)
    assert shop[line].group == "*"
    offline = routed(
        make_config(agents, groups=(PRESALE, AFTERSALE), routing=Routing(fallback="offline")),
        log,
    )
    # fallback offline: R14 pool, and A (idle, first_available) takes it at once
    assert outcome(offline[line]) == (A, "offline", 2)


def test_R13_shop_fallback_waits_in_the_all_agents_queue_when_everyone_is_at_the_cap() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1), Agent(C, ("aftersale",), max_concurrent=1))
    log = Log()
    log.online(0, A, C)
    log.message(1, "o1", entry="order")
    log.message(1, "p1")
    line = log.message(2, "o2", entry="order")
    log.close(4, "p1")
    rows = routed(make_config(agents, groups=(PRESALE, AFTERSALE)), log)
    assert outcome(rows[line]) == (A, "group", 4)


def test_R5_later_messages_of_a_served_waiting_inquiry_get_a_current_reason() -> None:
    agents = (Agent(A, ("presale",), max_concurrent=1),)
    log = Log()
    log.online(0, A)
    log.message(0, "b1")
    first = log.message(1, "b2")
    later = log.message(2, "b2")
    log.close(10, "b1")
    rows = routed(make_config(agents), log)
    assert outcome(rows[later]) == (A, "conversation", 10)
    assert rows[later].reason == f"with the inquiry of line {first}, taken by {A} after 9m"


def test_contract_assigned_at_is_none_when_nobody_got_the_message() -> None:
    from zoneinfo import ZoneInfo

    from routectl.replay import replay, to_rows

    log = Log()
    line = log.message(1, "b1")  # nobody online: pooled, still waiting at the end
    rows = {row[0]: row for row in to_rows(replay(make_config(), log.events), ZoneInfo("UTC"))}
    assert rows[line][5] is None  # json/jsonl print null, csv/table an empty cell
