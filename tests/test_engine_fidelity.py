"""Issue 9's engine rules: R13b busyness, R15 offline routing off by default, R17 held
messages that wait for their agent, R17b transfers (and the Transferred output)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import make_config
from routectl.cli import cli
from routectl.engine import Engine
from routectl.errors import BadLogRow
from routectl.events import Transferred
from routectl.model import Agent, Bot, Group, Offline, Routing
from routectl.replay import replay
from test_engine_support import Log, all_outputs, at, outcome, routed

A, B, C = "shop:a", "shop:b", "shop:c"
BUSY = Group("presale", ("shop_home", "item_detail", "contact_list"), balance="busyness")


def busy_shop(weight_a: int = 100, weight_b: int = 100) -> tuple[Agent, ...]:
    return (Agent(A, ("presale",), weight=weight_a), Agent(B, ("presale",), weight=weight_b))


# --- R13b: busyness -----------------------------------------------------------------


def test_R13b_busyness_prefers_fewest_open() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "d1", agent=A)  # direct conversations count too
    log.message(0, "d2", agent=A)
    line = log.message(1, "b1", entry="shop_home")
    rows = routed(make_config(busy_shop(), groups=(BUSY,)), log)
    assert outcome(rows[line]) == (B, "group", 1)
    assert rows[line].reason.endswith(f"{B} has the fewest open per weight: {A} 2/100, {B} 0/100")


def test_R13b_busyness_counts_open_per_unit_of_weight() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "d1", agent=A)
    log.message(0, "d2", agent=A)
    log.message(0, "d3", agent=B)
    line = log.message(1, "b1", entry="shop_home")  # A: 2/300 < B: 1/100
    rows = routed(make_config(busy_shop(300, 100), groups=(BUSY,)), log)
    assert rows[line].assignee == A


def test_R13b_busyness_ties_follow_the_weight_order() -> None:
    log = Log()
    log.online(0, A, B)
    lines = []
    for n in range(8):  # every conversation closes at once: always a tie at 0 open
        lines.append(log.message(1 + n, f"b{n}", entry="shop_home"))
        log.close(1 + n, f"b{n}")
    by_busyness = routed(make_config(busy_shop(300, 100), groups=(BUSY,)), log)
    by_weight = routed(make_config(busy_shop(300, 100)), log)
    assert [by_busyness[line].assignee for line in lines] == [
        by_weight[line].assignee for line in lines
    ]
    assert [by_busyness[line].assignee for line in lines].count(A) == 6  # 3:1


def test_R13b_busyness_follows_how_long_conversations_stay_open() -> None:
    log = Log()
    log.online(0, A, B)
    lines = []
    for n, closes in enumerate([True, False, True, True, True]):  # A closes at once, B not
        lines.append(log.message(1 + n, f"b{n}", entry="shop_home"))
        if closes:
            log.close(1 + n, f"b{n}")
    rows = routed(make_config(busy_shop(), groups=(BUSY,)), log)
    assert [rows[line].assignee for line in lines] == [A, B, A, A, A]
    by_weight = routed(make_config(busy_shop()), log)
    assert [by_weight[line].assignee for line in lines] == [A, B, A, B, A]


def test_R13b_weight_is_the_default_balance() -> None:
    assert Group("g").balance == "weight"


# --- R15 / R17: offline messages wait for their agent --------------------------------


def test_R15_offline_routing_is_off_by_default() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    line = log.message(10, "b1")  # long past the lag: still B's offline message
    log.online(60, B)
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == (B, "offline", 60)
    assert "offline routing is off" in rows[line].reason


def test_R15_re_route_skips_a_suspended_recent_contact() -> None:
    agents = (*busy_shop(), Agent(C, ("presale",)))
    config = make_config(agents, routing=Routing(offline_routing=True))
    log = Log()
    log.online(0, A, B, C)
    log.message(0, "b1", agent=A)
    log.close(1, "b1")  # A is b1's recent contact (R9, under 24h)
    log.status(2, A, "suspended")
    log.status(2, B, "offline")
    line = log.message(10, "b1", agent=B)  # B offline past the lag: "to an online agent"
    rows = routed(config, log)
    assert outcome(rows[line]) == (C, "offline_routing", 10)


def test_R17_held_messages_of_several_conversations_all_reach_the_agent() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    first = log.message(2, "b1")
    second = log.message(40, "b1", agent=B)  # a new conversation after the timeout
    log.online(24 * 60, B)  # the next day
    rows = routed(make_config(), log)
    assert outcome(rows[first]) == (B, "offline", 24 * 60)
    assert outcome(rows[second]) == (B, "offline", 24 * 60)


def test_R17_held_message_expires_after_retention() -> None:
    config = make_config(offline=Offline(pool_retention_days=1))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    early = log.message(2, "b1")
    late = log.message(23 * 60, "b1", agent=B)
    log.online(24 * 60 + 10, B)  # after early's day, before late's
    rows = routed(config, log)
    assert outcome(rows[early]) == ("offline", "offline", None)
    assert rows[early].reason == (
        f"held for {B}, who was offline and did not come back within 1 day: expired"
    )
    assert outcome(rows[late]) == (B, "offline", 24 * 60 + 10)


def test_R17_held_messages_are_one_entry_per_buyer() -> None:
    engine = Engine(make_config())
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    for n in range(50):
        log.message(2 + 20 * n, "b1", agent=B)  # each after a timeout: 50 conversations
    for event in log.events:
        engine.feed(event)
    assert len(engine._by_id[B].held) == 1
    assert len(engine._timers) <= 3  # one held expiry, at most a timeout or two


def test_R17_still_held_at_the_end_of_the_log_is_offline() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=B)
    log.status(1, B, "offline")
    line = log.message(2, "b1")
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == ("offline", "offline", None)
    assert rows[line].reason.endswith("did not come back by the end of the log")


# --- R17b: transfers ----------------------------------------------------------------


def test_R17b_transfer_moves_the_conversation_to_the_named_agent() -> None:
    log = Log()
    log.online(0, A, B)
    first = log.message(0, "b1", agent=A)
    transfer = log.transfer(1, "b1", B)
    after = log.message(2, "b1")
    config = make_config()
    rows = routed(config, log)
    assert outcome(rows[first]) == (A, "direct", 0)
    assert outcome(rows[after]) == (B, "conversation", 2)
    assert f"transferred from {A}" in rows[after].reason
    moved = [o for o in all_outputs(config, log) if isinstance(o, Transferred)]
    assert moved == [Transferred(transfer, at(1), "b1", A, B)]
    engine = Engine(config)
    for event in log.events:
        engine.feed(event)
    assert (engine.load(A), engine.load(B)) == (0, 1)


def test_R17b_new_agent_becomes_the_recent_contact() -> None:
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1", agent=A)
    log.transfer(1, "b1", B)
    log.close(2, "b1")
    line = log.message(3, "b1")
    rows = routed(make_config(), log)
    assert outcome(rows[line]) == (B, "recent_contact", 3)


def test_R17b_transfer_from_the_bot_to_a_named_agent() -> None:
    config = make_config(bot=Bot(True, True))
    log = Log()
    log.online(0, A, B)
    log.message(0, "b1")
    transfer = log.transfer(1, "b1", B)
    after = log.message(2, "b1")
    rows = routed(config, log)
    assert outcome(rows[after]) == (B, "conversation", 2)
    moved = [o for o in all_outputs(config, log) if isinstance(o, Transferred)]
    assert moved == [Transferred(transfer, at(1), "b1", "bot", B)]


def test_R17b_transfer_to_a_suspended_agent_is_carried_out() -> None:
    log = Log()
    log.online(0, A, B)
    log.status(0, B, "suspended")
    log.message(0, "b1", agent=A)
    log.transfer(1, "b1", B)
    after = log.message(2, "b1")
    assert routed(make_config(), log)[after].assignee == B


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (B, f"transfer to '{B}', who is offline (R17b: transfer to an agent online or suspended)"),
        ("shop:x", "unknown agent 'shop:x' (not in the config's [[agents]])"),
        (A, f"transfer to '{A}', who already holds the conversation"),
    ],
)
def test_R17b_transfer_it_cannot_carry_out_is_a_bad_row(target: str, reason: str) -> None:
    log = Log()
    log.online(0, A)
    log.message(0, "b1", agent=A)
    bad = log.transfer(1, "b1", target)
    with pytest.raises(BadLogRow) as error:
        list(replay(make_config(), log.events, source="log.csv"))
    assert str(error.value) == f"log.csv:{bad}: {reason}"


def test_R17b_transfer_without_an_open_conversation_is_a_bad_row() -> None:
    log = Log()
    log.online(0, A, B)
    log.transfer(1, "b1", B)
    with pytest.raises(BadLogRow, match="who has no open conversation"):
        list(replay(make_config(), log.events))


def test_R17b_bad_transfer_row_names_the_line_on_the_command_line(
    runner: CliRunner, tmp_path: object, write_config: object
) -> None:
    from pathlib import Path

    from conftest import minimal_document

    folder = Path(str(tmp_path))
    config = write_config(minimal_document())  # type: ignore[operator]
    log = folder / "log.csv"
    log.write_text(
        "time,event,buyer,agent,status\n"
        "2026-11-02T08:00:00,status,,shop:a,online\n"
        "2026-11-02T08:01:00,message,b1,shop:a,\n"
        "2026-11-02T08:02:00,transfer,b1,shop:b,\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["replay", str(log), "-c", str(config)])
    assert result.exit_code == 1
    assert f"{log}:4: transfer to 'shop:b', who is offline" in result.stderr


def test_R11_bot_hand_over_emits_transferred() -> None:
    config = make_config(bot=Bot(True, True))
    log = Log()
    log.online(0, A)
    log.message(0, "b1")
    transfer = log.transfer(1, "b1")
    moved = [o for o in all_outputs(config, log) if isinstance(o, Transferred)]
    assert moved == [Transferred(transfer, at(1), "b1", "bot", A)]


def test_R11_pooled_hand_over_emits_transferred_when_an_agent_takes_it() -> None:
    config = make_config(bot=Bot(True, True))
    log = Log()
    log.online(0, A)
    log.message(0, "b1")
    log.status(1, A, "offline")
    transfer = log.transfer(2, "b1")  # nobody available: pooled (R7, R14)
    log.online(5, B)
    moved = [o for o in all_outputs(config, log) if isinstance(o, Transferred)]
    assert moved == [Transferred(transfer, at(5), "b1", "bot", B)]


# --- R4: per-hour figures divide by available time -------------------------------------


def test_R4_per_hour_figures_use_available_time(
    runner: CliRunner, tmp_path: object, write_config: object
) -> None:
    import json
    from pathlib import Path

    from conftest import minimal_document

    document = minimal_document(routing={"mobile_reception": True})
    document["agents"] = [{"id": "shop:a", "groups": ["presale"], "mobile": True}]
    config = write_config(document)  # type: ignore[operator]
    log = Path(str(tmp_path)) / "log.csv"
    rows = [
        "08:00,status,,shop:a,pc,online",  # 1h on pc ...
        "08:30,message,b1,,,",
        "09:00,status,,shop:a,pc,suspended",  # ... 1h suspended: not available ...
        "10:00,status,,shop:a,pc,offline",
        "10:00,status,,shop:a,mobile,online",  # ... 2h on mobile, which counts here
        "10:30,message,b2,,,",
        "10:40,message,b3,,,",
        "12:00,status,,shop:a,mobile,offline",
    ]
    body = "".join(f"2026-11-02T{row}\n" for row in rows)
    log.write_text("time,event,buyer,agent,device,status\n" + body, encoding="utf-8")
    result = runner.invoke(cli, ["report", str(log), "-c", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    agent = json.loads(result.stdout)["agents"][0]
    assert (agent["inquiries"], agent["online_s"], agent["available_s"]) == (3, 7200, 10800)
    assert agent["inquiries_per_online_hour"] == 1.0  # 3 over 3h available, not over 2h pc


def test_R13b_report_explains_a_split_under_busyness() -> None:
    from test_report_support import Script

    entries = ("shop_home", "item_detail", "contact_list")
    for balance, said in (("busyness", True), ("weight", False)):
        script = Script(make_config(groups=(Group("presale", entries, balance),)))  # type: ignore[arg-type]
        script.status("08:00:00", A, "online")
        script.status("08:00:00", B, "online")
        for minute in range(12):  # B (weight 100) closes fast and gets half, not a quarter
            script.message(f"09:{minute:02d}:00", f"b{minute}", B if minute % 2 else A, new=True)
        item = next(i for i in script.finish().imbalances if i.agent == B)
        assert ("balance by busyness (R13b)" in item.text) is said
        assert ("how long agents keep conversations open" in item.text) is said


def test_R17b_report_accepts_transfers_between_agents(
    runner: CliRunner, tmp_path: object, write_config: object
) -> None:
    from pathlib import Path

    from conftest import minimal_document

    config = write_config(minimal_document())  # type: ignore[operator]
    log = Path(str(tmp_path)) / "log.csv"
    log.write_text(
        "time,event,buyer,agent,status\n"
        "2026-11-02T09:00:00,status,,shop:a,online\n"
        "2026-11-02T09:00:00,status,,shop:b,online\n"
        "2026-11-02T09:01:00,message,b1,shop:a,\n"
        "2026-11-02T09:02:00,transfer,b1,shop:b,\n"
        "2026-11-02T09:03:00,message,b1,,\n"
        "2026-11-02T09:04:00,reply,b1,shop:b,\n",
        encoding="utf-8",
    )
    for command in ("report", "replay"):
        result = runner.invoke(cli, [command, str(log), "-c", str(config), "--format", "json"])
        assert result.exit_code == 0, result.output
    assert '"assignee": "shop:b", "rule": "conversation"' in result.stdout


def test_R13b_reason_lists_at_most_eight_candidates() -> None:
    agents = tuple(Agent(f"shop:{n:02d}", ("presale",)) for n in range(12))
    log = Log()
    log.online(0, *(agent.id for agent in agents))
    for n in range(3):
        log.message(0, f"d{n}", agent=f"shop:{n:02d}")  # three agents busy
    line = log.message(1, "b1", entry="shop_home")
    rows = routed(make_config(agents, groups=(BUSY,)), log)
    assert rows[line].assignee == "shop:03"
    assert rows[line].reason.endswith(
        "fewest open per weight: "
        + ", ".join(f"shop:{n:02d} 0/100" for n in range(3, 11))
        + " (+4 more candidates, none less busy)"
    )


def test_R17b_transfer_of_a_waiting_inquiry_is_a_bad_row() -> None:
    log = Log()
    log.online(0, A, B)
    log.status(1, A, "offline")
    log.status(1, B, "offline")
    log.message(2, "b3", entry="shop_home")  # nobody available: pooled (R7, R14)
    log.status(30, B, "suspended")  # B is back, but takes no pooled buyer
    bad = log.transfer(80, "b3", B)  # 78 min later: waiting inquiries do not time out
    with pytest.raises(BadLogRow) as error:
        list(replay(make_config(), log.events, source="log.csv"))
    assert str(error.value) == (
        f"log.csv:{bad}: transfer for buyer 'b3', whose inquiry is still waiting for an "
        "agent (queue or pool)"
    )
