"""Property tests (hypothesis) over random shops and logs: the engine's invariants."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLE_CONFIG, ROOT
from presence_model import Presence
from routectl.engine import Engine
from routectl.events import (
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Output,
    Routed,
    StatusChange,
    Transfer,
)
from routectl.model import (
    Agent,
    Bot,
    Dedicated,
    Group,
    Offline,
    OfflinePolicy,
    Routing,
    Rule,
    Shop,
    ShopConfig,
)
from routectl.replay import replay, to_rows
from test_engine_support import T0

AGENT_IDS = ("s:a", "s:b", "s:c")
AGENT_GROUPS = (("g1",), ("g1",), ("g2",))
GROUPS = (Group("g1", ("shop_home", "item_detail")), Group("g2", ("order",)))
BALANCES = ("weight", "busyness")
POLICIES = (
    OfflinePolicy(),
    OfflinePolicy("recent_contact"),
    OfflinePolicy("group", "g2"),
    OfflinePolicy("agent", "s:c"),
)
STEPS = (0, 0, 10, 60, 200, 600, 900, 3600, 30000, 2 * 86400)


@st.composite
def configs(draw: st.DrawFn) -> ShopConfig:
    agents = tuple(
        Agent(
            agent_id,
            groups,
            weight=draw(st.sampled_from([1, 100, 300])),
            routing=draw(st.booleans()),
            mobile=draw(st.booleans()),
            max_concurrent=draw(st.integers(1, 3)),
        )
        for agent_id, groups in zip(AGENT_IDS, AGENT_GROUPS)
    )
    return ShopConfig(
        shop=Shop("prop"),
        routing=Routing(
            mobile_reception=draw(st.booleans()),
            offline_routing=draw(st.booleans()),
            offline_delay_s=draw(st.sampled_from([0, 180])),
            session_timeout_s=draw(st.sampled_from([60, 900])),
            fallback=draw(st.sampled_from(["shop", "offline"])),
        ),
        offline=Offline(draw(st.sampled_from(POLICIES)), draw(st.sampled_from([1, 30]))),
        bot=Bot(draw(st.booleans()), draw(st.booleans())),
        groups=tuple(
            Group(group.name, group.entries, draw(st.sampled_from(BALANCES))) for group in GROUPS
        ),
        agents=agents,
        rules=(Rule("intent", ("退货",), "g2"), Rule("crowd", ("vip",), "g1")),
        crowds={"vip": frozenset({"b0"})},
        dedicated=Dedicated(draw(st.booleans()), {"b1": "s:b"}),
    )


@st.composite
def logs(draw: st.DrawFn, fresh_buyers: bool = False) -> list[Event]:
    """Random event rows; with ``fresh_buyers`` every message has a buyer of its own."""
    events: list[Event] = []
    time = T0
    for index in range(draw(st.integers(0, 50))):
        line = index + 2
        time += draw(st.sampled_from(STEPS))
        buyer = f"b{line}" if fresh_buyers else draw(st.sampled_from(["b0", "b1", "b2", "b3"]))
        kind = draw(st.sampled_from(["status", "status", "message", "message", "message",
                                     "reply", "close", "transfer"]))  # fmt: skip
        events.append(_event(draw, kind, line, time, buyer, fresh_buyers))
    return events


def _event(draw: st.DrawFn, kind: str, line: int, time: float, buyer: str, fresh: bool) -> Event:
    if kind == "status":
        status: Any = draw(st.sampled_from(["online", "suspended", "offline"]))
        device: Any = draw(st.sampled_from(["pc", "pc", "mobile"]))
        return StatusChange(line, time, draw(st.sampled_from(AGENT_IDS)), status, device)
    if kind == "message":
        agent = None if fresh else draw(st.sampled_from([None, None, *AGENT_IDS]))
        entry = draw(st.sampled_from([None, "shop_home", "order"]))
        intent = draw(st.sampled_from([None, "退货"]))
        return BuyerMessage(line, time, buyer, agent, entry, None, None, intent)
    if kind == "reply":
        return HumanReply(line, time, buyer)
    if kind == "close":
        return Close(line, time, buyer)
    return Transfer(line, time, buyer, draw(st.sampled_from([None, None, *AGENT_IDS])))


def _feed_all(engine: Engine, events: list[Event]) -> list[tuple[Event | None, list[Output]]]:
    steps: list[tuple[Event | None, list[Output]]] = []
    for event in events:
        try:
            steps.append((event, engine.feed(event)))
        except ValueError:
            continue  # refused rows (transfers the bot does not hold) are skipped
    steps.append((None, engine.finish()))
    return steps


def _accepted(config: ShopConfig, events: list[Event]) -> list[Event]:
    return [e for e, _ in _feed_all(Engine(config), events) if e is not None]


@given(configs(), logs())
def test_exactly_one_row_per_message_row_in_log_order(
    config: ShopConfig, events: list[Event]
) -> None:
    accepted = _accepted(config, events)
    rows = list(replay(config, accepted))
    assert [r.line for r in rows] == [e.line for e in accepted if isinstance(e, BuyerMessage)]
    routed = [o for _, outs in _feed_all(Engine(config), accepted) for o in outs]
    assert sorted(o.line for o in routed if isinstance(o, Routed)) == [r.line for r in rows]


@given(configs(), logs())
def test_suspended_or_offline_agents_get_new_inquiries_only_by_R9_or_R15(
    config: ShopConfig, events: list[Event]
) -> None:
    states = Presence(config)
    engine = Engine(config)
    for event in events:
        before = {agent: states.state(agent) for agent in AGENT_IDS}
        try:
            outputs = engine.feed(event)
        except ValueError:
            continue
        if isinstance(event, StatusChange):
            states.update(event)
        for out in outputs:
            if not (isinstance(out, Routed) and out.new_inquiry) or out.assignee not in before:
                continue
            was, now = before[out.assignee], states.state(out.assignee)
            if out.assigned_at is None:
                assert out.rule == "offline"  # R15: held by the offline agent it was sent to
            elif out.rule == "recent_contact":
                assert "online" in (was, now) or "suspended" in (was, now)
            else:
                assert "online" in (was, now), (out, was, now)


@given(configs(), logs(fresh_buyers=True))
def test_group_routing_never_exceeds_max_concurrent(
    config: ShopConfig, events: list[Event]
) -> None:
    engine = Engine(config)
    caps = {agent.id: agent.max_concurrent for agent in config.agents}
    for event in events:
        try:
            engine.feed(event)
        except ValueError:
            continue
        for agent_id, cap in caps.items():
            assert engine.load(agent_id) <= cap


@given(configs(), logs())
def test_two_runs_give_identical_output(config: ShopConfig, events: list[Event]) -> None:
    from zoneinfo import ZoneInfo

    accepted = _accepted(config, events)
    zone = ZoneInfo("Asia/Shanghai")
    first = list(to_rows(replay(config, accepted), zone))
    second = list(to_rows(replay(config, accepted), zone))
    assert first == second


def test_byte_identical_across_processes_and_hash_seeds() -> None:
    log = ROOT / "examples" / "shop-day.csv"
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "routectl", "replay", str(log), "-c",
                   str(EXAMPLE_CONFIG), "--format", "csv"]  # fmt: skip
        outputs.append(subprocess.run(command, capture_output=True, env=env, check=True).stdout)
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 100


@given(
    st.lists(st.sampled_from([1, 2, 3, 100, 300, 1000]), min_size=2, max_size=5),
    st.integers(1, 300),
)
def test_R13_stride_shares_stay_within_one_pick(weights: list[int], picks: int) -> None:
    agents = tuple(Agent(f"s:{i}", ("g1",), weight=w) for i, w in enumerate(weights))
    config = ShopConfig(shop=Shop("prop"), groups=GROUPS, agents=agents)
    engine = Engine(config)
    line = 2
    for agent in agents:
        engine.feed(StatusChange(line, T0, agent.id, "online"))
        line += 1
    counts = dict.fromkeys((a.id for a in agents), 0)
    total = sum(weights)
    for n in range(1, picks + 1):
        time = T0 + n
        for out in engine.feed(BuyerMessage(line, time, f"b{n}", entry="shop_home")):
            if isinstance(out, Routed):
                counts[out.assignee] += 1
        engine.feed(Close(line + 1, time, f"b{n}"))
        line += 2
        for agent in agents:
            share = n * agent.weight / total
            assert counts[agent.id] < share + 1  # never a whole pick ahead of its share
            lag = (len(agents) - 1) * agent.weight / total
            assert counts[agent.id] >= share - lag - 1e-9
            for other in agents:  # pairwise: at most one pick ahead of the weight ratio
                lead = counts[agent.id] / agent.weight - counts[other.id] / other.weight
                assert lead <= 1 / agent.weight + 1e-12


@given(configs(), logs())
def test_a_refused_row_leaves_no_trace(config: ShopConfig, events: list[Event]) -> None:
    skipped: list[object] = []
    with_skips = list(replay(config, events, on_bad=skipped.append))
    without = list(replay(config, _accepted(config, events)))
    assert with_skips == without
    assert len(skipped) == len(events) - len(_accepted(config, events))


def _returns(config: ShopConfig, events: list[Event]) -> dict[str, list[tuple[int, float]]]:
    """(line, time) of every moment each agent became online (R1, R2)."""
    states = Presence(config)
    returns: dict[str, list[tuple[int, float]]] = {agent: [] for agent in AGENT_IDS}
    for event in events:
        if isinstance(event, StatusChange):
            was = states.state(event.agent)
            states.update(event)
            if was != "online" and states.state(event.agent) == "online":
                returns[event.agent].append((event.line, event.time))
    return returns


def _held_for(row: Routed) -> str | None:
    """The agent a message was held for (R15), from its final reason; None if not held."""
    for agent in AGENT_IDS:
        if row.reason.startswith((f"held for {agent},", f"{agent} offline and offline routing")):
            return agent
        if row.reason.startswith(f"{agent} went offline"):
            return agent
    return None


@given(configs(), logs())
def test_R17_no_held_message_is_ever_lost(config: ShopConfig, events: list[Event]) -> None:
    """Every held row ends assigned at its agent's first return, expired, or still held."""
    accepted = _accepted(config, events)
    returns = _returns(config, accepted)
    retention = config.offline.pool_retention_days * 86400
    for row in replay(config, accepted):
        agent = _held_for(row)
        if agent is None:
            continue
        assert row.rule == "offline"
        back = [time for line, time in returns[agent] if line > row.line]
        if row.assigned_at is not None:
            assert (row.assignee, row.assigned_at) == (agent, back[0])
        elif row.reason.endswith("expired"):
            assert row.assignee == "offline"
            assert not back or back[0] >= row.time + retention
        else:
            assert row.reason.endswith("did not come back by the end of the log")
            assert row.assignee == "offline" and not back


@given(configs(), logs(fresh_buyers=True))
def test_R13b_busyness_picks_fewest_open_per_weight(
    config: ShopConfig, events: list[Event]
) -> None:
    weights = {agent.id: agent.weight for agent in config.agents}
    engine = Engine(config)
    for event in events:
        try:
            outputs = engine.feed(event)
        except ValueError:
            continue
        for out in outputs:
            if not isinstance(out, Routed) or "fewest open per weight: " not in out.reason:
                continue
            listed = out.reason.rsplit("fewest open per weight: ", 1)[1]
            listed = listed.split(" (+", 1)[0].split(", ")
            loads = {}
            for item in listed:
                agent_id, ratio = item.rsplit(" ", 1)
                open_, weight = ratio.split("/")
                assert int(weight) == weights[agent_id]
                loads[agent_id] = int(open_) / int(weight)
            assert loads[out.assignee] == min(loads.values())


@given(configs(), logs())
def test_replay_reorder_buffer_spills_without_changing_output(
    config: ShopConfig, events: list[Event]
) -> None:
    from unittest import mock

    from routectl.replay import _RowQueue

    accepted = _accepted(config, events)
    in_memory = list(replay(config, accepted))
    with mock.patch.object(_RowQueue, "MEMORY_ROWS", 1), mock.patch.object(_RowQueue, "CHUNK", 2):
        spilled = list(replay(config, accepted))
    assert spilled == in_memory


def test_replay_row_queue_keeps_order_across_spills() -> None:
    from unittest import mock

    from routectl.replay import _RowQueue

    def row(line: int) -> Routed:
        return Routed(line, T0, "b", "s:a", "group", T0, "why")

    with mock.patch.object(_RowQueue, "MEMORY_ROWS", 3), mock.patch.object(_RowQueue, "CHUNK", 2):
        queue = _RowQueue()
        late: dict[int, Routed] = {}
        out: list[Routed] = []
        for line in range(40):
            queue.append(line if line % 5 == 0 else row(line))  # every 5th still undecided
            if line % 7 == 6:  # decide the undecided ones so far; read back from disk
                late.update((n, row(n)) for n in range(0, line, 5) if n not in late)
                out.extend(queue.ready(late, {}))
        late.update((n, row(n)) for n in range(0, 40, 5))
        out.extend(queue.ready(late, {}))
        assert queue.size == 0
        queue.close()
    assert [r.line for r in out] == list(range(40))


@given(configs(), logs())
def test_R13b_busyness_is_deterministic(config: ShopConfig, events: list[Event]) -> None:
    groups = tuple(Group(g.name, g.entries, "busyness") for g in config.groups)
    busy = dataclasses.replace(config, groups=groups)
    accepted = _accepted(busy, events)
    first = [o for _, outs in _feed_all(Engine(busy), accepted) for o in outs]
    second = [o for _, outs in _feed_all(Engine(busy), accepted) for o in outs]
    assert first == second


@given(configs(), logs())
def test_rows_settled_together_give_the_same_replay_report_and_diff(
    config: ShopConfig, events: list[Event]
) -> None:
    """Issue 21: a waiting inquiry's later messages and held rows come as one Rows from
    an engine with batches, kept as floats and spilled to disk (budget shrunk to one row
    here): replay, report and diff are the same as with one Routed per row."""
    from unittest import mock

    from routectl.diff.core import compare
    from routectl.engine import rows as rowstore
    from routectl.replay import run
    from routectl.report import build_report

    accepted = _accepted(config, events)
    routed = sorted(
        (o for _, outs in run(config, accepted) for o in outs if isinstance(o, Routed)),
        key=lambda r: r.line,
    )
    report = build_report(config, run(config, accepted))
    with (
        mock.patch.object(rowstore, "MEMORY_PAIRS", 1),
        mock.patch.object(rowstore, "CHUNK_PAIRS", 2),
        mock.patch.object(rowstore, "SMALL_CHUNK", 1),
    ):
        assert list(replay(config, accepted)) == routed
        assert build_report(config, run(config, accepted, batches=True)) == report
        result = compare(config, config, accepted)
    assert result.messages == len(routed)
    assert result.changed_messages == 0
    assert result.base == result.new
