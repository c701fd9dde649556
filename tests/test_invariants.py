"""Invariants over realistic generated logs (routectl.sim.generate, a few seeds, small sizes).

What is checked, and why it is provable (docs/robustness.md, "Invariants"):

- rows in = rows out: one replay row per message row, in log order, through the CLI; with
  bad rows mixed in and ``--skip-bad``, the output loses exactly the bad message rows and
  the skip count is the number of bad rows.
- determinism: two runs give byte-identical output (replay csv, report json).
- agent order: config order of ``[[agents]]`` is only a tie-break (engine decision 6).
  Where no tie can happen -- every group has one agent, every entry is served, fallback
  offline -- shuffling the agents changes no assignment at all. Where ties do happen, the
  per-agent counts of a fixed candidate set stay inside the stride bound in every order.
- caps: an R13 ``group`` assignment never takes an agent past ``max_concurrent``.
- presence: no inquiry is assigned to an agent who is offline at ``assigned_at`` (presence
  rebuilt from the log's status rows by R1/R2, independently of the engine).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, ROOT
from presence_model import Presence
from routectl.cli import cli
from routectl.config import load_config
from routectl.engine import Engine
from routectl.events import BuyerMessage, Close, Event, Routed, StatusChange, Transfer
from routectl.logio.reader import read_events
from routectl.model import (
    Agent,
    Bot,
    Group,
    Offline,
    OfflinePolicy,
    Routing,
    Rule,
    Shop,
    ShopConfig,
)
from routectl.replay import replay, to_rows
from routectl.sim.generate import HEADER, generate_events, generate_rows

TINY = ROOT / "examples" / "tiny-shop.toml"
SEEDS = (1, 2, 3)
ROWS = 600

TIGHT = ShopConfig(
    shop=Shop("tight"),
    routing=Routing(mobile_reception=True, session_timeout_s=600),
    bot=Bot(enabled=True),
    groups=(Group("pre", ("shop_home", "item_detail", "contact_list")), Group("after", ("order",))),
    agents=(
        Agent("t:a", ("pre",), weight=300, max_concurrent=1, mobile=True),
        Agent("t:b", ("pre",), weight=100, max_concurrent=2),
        Agent("t:c", ("after",), weight=100, max_concurrent=1),
        Agent("t:d", ("pre", "after"), weight=1, max_concurrent=1),
    ),
    rules=(Rule("intent", ("物流",), "after"),),
)
"""Small caps and mobile reception: queues, fallbacks, mobile presence (R2)."""


def _configs() -> dict[str, ShopConfig]:
    return {
        "example": load_config(str(EXAMPLE_CONFIG)),
        "tiny": load_config(str(TINY)),
        "tight": TIGHT,
    }


CONFIGS = _configs()
CASES = [(name, seed) for name in CONFIGS for seed in SEEDS]


def _csv(rows: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    return buffer.getvalue()


def _log(config: ShopConfig, seed: int, rows: int = ROWS) -> list[tuple[str, ...]]:
    return list(generate_rows(config, seed=seed, rows=rows, days=1))


def _generated(config: ShopConfig, seed: int, rows: int = ROWS) -> list[Event]:
    """The events of ``_log(config, seed, rows)`` as the reader gives them, no CSV between."""
    return list(generate_events(config, seed=seed, rows=rows, days=1))


def _events(config: ShopConfig, text: str) -> list[Event]:
    zone = ZoneInfo(config.shop.timezone)
    return list(read_events(io.StringIO(text, newline=""), "gen.csv", zone))


def _write_config(config_name: str, tmp_path: Path) -> Path:
    if config_name == "example":
        return EXAMPLE_CONFIG
    if config_name == "tiny":
        return TINY
    path = tmp_path / "tight.toml"
    path.write_text(
        '[shop]\nname = "tight"\n[routing]\nmobile_reception = true\nsession_timeout = "10m"\n'
        "[bot]\nenabled = true\n"
        '[[groups]]\nname = "pre"\nentries = ["shop_home", "item_detail", "contact_list"]\n'
        '[[groups]]\nname = "after"\nentries = ["order"]\n'
        '[[agents]]\nid = "t:a"\ngroups = ["pre"]\nweight = 300\nmax_concurrent = 1\n'
        "mobile = true\n"
        '[[agents]]\nid = "t:b"\ngroups = ["pre"]\nweight = 100\nmax_concurrent = 2\n'
        '[[agents]]\nid = "t:c"\ngroups = ["after"]\nweight = 100\nmax_concurrent = 1\n'
        '[[agents]]\nid = "t:d"\ngroups = ["pre", "after"]\nweight = 1\nmax_concurrent = 1\n'
        '[[rules]]\nkind = "intent"\nmatch = ["物流"]\ngroup = "after"\n',
        encoding="utf-8",
    )
    assert load_config(str(path)) == TIGHT
    return path


# --- rows in = rows out -------------------------------------------------------------------


@pytest.mark.parametrize(("config_name", "seed"), CASES)
def test_one_replay_row_per_message_row_through_the_cli(
    config_name: str, seed: int, tmp_path: Path
) -> None:
    config = CONFIGS[config_name]
    rows = _log(config, seed)
    log = tmp_path / "gen.csv"
    log.write_text(_csv(rows), encoding="utf-8")
    config_path = _write_config(config_name, tmp_path)
    result = CliRunner().invoke(
        cli, ["replay", str(log), "-c", str(config_path), "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    out = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    message_lines = [n for n, row in enumerate(rows, start=2) if row[1] == "message"]
    assert [int(r["line"]) for r in out] == message_lines
    assert all(r["assignee"] and r["rule"] for r in out)


@pytest.mark.parametrize("seed", SEEDS)
def test_skip_bad_loses_exactly_the_bad_rows(seed: int, tmp_path: Path) -> None:
    """Break some rows of a generated log: output = good message rows, count = bad rows."""
    config = CONFIGS["tiny"]
    rows = _log(config, seed, rows=300)
    rng = random.Random(seed)
    broken = sorted(rng.sample(range(len(rows)), 15))
    damage = [
        lambda r: (r[0], "mesage", *r[2:]),
        lambda r: ("not a time", *r[1:]),
        lambda r: (
            (r[0], r[1], "", *r[3:]) if r[1] != "status" else (r[0], r[1], r[2], "tiny:?", *r[4:])
        ),
        lambda r: (r[0], "status", "", "tiny:a", "tablet", "online", *r[6:]),
    ]
    for index in broken:
        rows[index] = damage[index % len(damage)](rows[index])
    log = tmp_path / "broken.csv"
    log.write_text(_csv(rows), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["replay", str(log), "-c", str(TINY), "--format", "csv", "--skip-bad"]
    )
    assert result.exit_code == 0, result.stderr
    skipped = [int(line.split(":")[3]) for line in result.stderr.splitlines()[:-1]]
    bad_lines = [index + 2 for index in broken]
    # A damaged row may leave a transfer the bot no longer holds: the engine skips that too.
    assert set(bad_lines) <= set(skipped)
    extra = set(skipped) - set(bad_lines)
    assert all(rows[line - 2][1] == "transfer" for line in extra)
    assert (
        result.stderr.splitlines()[-1] == f"routectl: skipped {len(skipped)} bad rows (--skip-bad)"
    )
    out_lines = [int(r.split(",", 1)[0]) for r in result.stdout.splitlines()[1:]]
    good_messages = [
        n for n, row in enumerate(rows, start=2) if row[1] == "message" and n not in skipped
    ]
    assert out_lines == good_messages


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("config_name", list(CONFIGS))
def test_two_runs_are_byte_identical(config_name: str, tmp_path: Path) -> None:
    config = CONFIGS[config_name]
    log = tmp_path / "gen.csv"
    log.write_text(_csv(_log(config, 7)), encoding="utf-8")
    config_path = _write_config(config_name, tmp_path)
    for command in (
        ["replay", "--format", "csv"],
        ["replay", "--format", "jsonl"],
        ["report", "--format", "json"],
    ):
        args = [command[0], str(log), "-c", str(config_path), *command[1:]]
        first, second = (CliRunner().invoke(cli, args) for _ in range(2))
        assert first.exit_code == 0, first.stderr
        assert first.stdout_bytes == second.stdout_bytes
    report = json.loads(first.stdout)
    assert report["summary"]["messages"] == sum(1 for r in _log(config, 7) if r[1] == "message")


# --- agent order ------------------------------------------------------------------------

NO_TIES = ShopConfig(
    shop=Shop("no ties"),
    routing=Routing(fallback="offline"),
    # The pool is served at once to an idle eligible agent (R14); with first_available
    # that is a pick among all agents, where ties go to config order. One taker: no tie.
    offline=Offline(OfflinePolicy("group", "order")),
    groups=(
        Group("home", ("shop_home",)),
        Group("item", ("item_detail",)),
        Group("list", ("contact_list",)),
        Group("order", ("order",)),
    ),
    agents=(
        Agent("n:a", ("home",), weight=300, max_concurrent=2),
        Agent("n:b", ("item",), weight=100, max_concurrent=3),
        Agent("n:c", ("list",), weight=7, max_concurrent=1),
        Agent("n:d", ("order",), weight=50, max_concurrent=2),
    ),
    rules=(Rule("intent", ("物流",), "order"),),
)
"""One agent per group, every entry served, no fallback to the whole shop, one pool taker:
no ties."""


def _decisions(config: ShopConfig, events: list[Event]) -> list[tuple[int, str, str, str]]:
    zone = ZoneInfo(config.shop.timezone)
    return [(row[0], row[3], row[4], row[5]) for row in to_rows(replay(config, events), zone)]


@pytest.mark.parametrize("seed", SEEDS)
def test_agent_order_changes_nothing_when_no_tie_can_happen(seed: int) -> None:
    # Every message names its entry: one without would go to all routing agents (a tie).
    entry = HEADER.index("entry")
    rows = [
        (*r[:entry], r[entry] or "contact_list", *r[entry + 1 :]) if r[1] == "message" else r
        for r in _log(NO_TIES, seed)
    ]
    events = _events(NO_TIES, _csv(rows))
    expected = _decisions(NO_TIES, events)
    assert {rule for _, _, rule, _ in expected} >= {"group", "offline"}
    for order in itertools.islice(itertools.permutations(NO_TIES.agents), 1, None, 5):
        assert _decisions(replace(NO_TIES, agents=order), events) == expected


def _fixed_candidate_counts(agents: tuple[Agent, ...], picks: int) -> Counter[str]:
    """All agents online all along, each buyer closed at once: a fixed candidate set."""
    config = ShopConfig(shop=Shop("stride"), groups=(Group("g", ("shop_home",)),), agents=agents)
    t0 = 1_793_577_600.0
    events: list[Event] = [StatusChange(2 + i, t0, a.id, "online") for i, a in enumerate(agents)]
    line = len(events) + 2
    for n in range(picks):
        events += [
            BuyerMessage(line, t0 + n, f"b{n}", entry="shop_home"),
            Close(line + 1, t0 + n, f"b{n}"),
        ]
        line += 2
    return Counter(row.assignee for row in replay(config, events))


@pytest.mark.parametrize("weights", [(300, 100), (1, 1, 1, 1000), (5, 3, 2), (100, 100, 100)])
@pytest.mark.parametrize("picks", [1, 7, 100, 401])
def test_agent_order_moves_counts_only_within_the_stride_bound(
    weights: tuple[int, ...], picks: int
) -> None:
    agents = tuple(
        Agent(f"s:{i}", ("g",), weight=w, max_concurrent=200) for i, w in enumerate(weights)
    )
    total, k = sum(weights), len(weights)
    for order in itertools.permutations(agents):
        counts = _fixed_candidate_counts(order, picks)
        assert sum(counts.values()) == picks
        for agent in agents:
            share = picks * agent.weight / total
            assert counts[agent.id] < share + 1
            assert counts[agent.id] >= share - (k - 1) * agent.weight / total - 1e-9


# --- caps and presence --------------------------------------------------------------------


def _feeds(config: ShopConfig, events: list[Event]) -> Iterator[tuple[Event, list[Routed], Engine]]:
    engine = Engine(config)
    for event in events:
        try:
            outputs = engine.feed(event)
        except ValueError:
            continue  # a transfer the bot no longer holds: the CLI reports it as a bad row
        yield event, [o for o in outputs if isinstance(o, Routed)], engine


def _by_r13(rule: str) -> bool:
    """An R13 weighted pick: in the entry's group (``group``) or an R12 rule's group."""
    return rule == "group" or rule.startswith("special:")


@pytest.mark.parametrize(("config_name", "seed"), CASES)
def test_group_routing_never_exceeds_max_concurrent(config_name: str, seed: int) -> None:
    """After each event: load - (assignments of this event that may ignore the cap) <= cap.

    Rules R9, R10, ``direct`` and held rows may go past the cap by design; an R13 pick
    (rule ``group`` or ``special:KIND``) may not. Within one event, timers run first and
    the event last, and closes only lower a load, so an R13 pick past the cap shows here.
    """
    config = CONFIGS[config_name]
    caps = {agent.id: agent.max_concurrent for agent in config.agents}
    picks = 0
    for event, routed, engine in _feeds(config, _generated(config, seed)):
        grouped = {r.assignee for r in routed if _by_r13(r.rule) and r.new_inquiry}
        exempt = Counter(r.assignee for r in routed if not _by_r13(r.rule) and r.new_inquiry)
        bonus = 1 if isinstance(event, Transfer) else 0  # a transfer assigns without a row
        for agent in grouped - {"offline", "bot"}:
            picks += 1
            assert engine.load(agent) - exempt[agent] - bonus <= caps[agent], (event, agent)
    assert picks > 20


@pytest.mark.parametrize(("config_name", "seed"), CASES)
def test_no_inquiry_is_assigned_to_an_agent_offline_at_assigned_at(
    config_name: str, seed: int
) -> None:
    config = CONFIGS[config_name]
    presence = Presence(config)
    agents = {agent.id for agent in config.agents}
    checked = Counter[str]()
    for event, routed, _ in _feeds(config, _generated(config, seed)):
        before = {agent: presence.state(agent) for agent in agents}
        if isinstance(event, StatusChange):
            presence.update(event)
        for row in routed:
            if not row.new_inquiry or row.assigned_at is None or row.assignee not in agents:
                continue
            # Timers run before the event: an earlier assigned_at saw the state before it.
            state = (
                before[row.assignee]
                if row.assigned_at < event.time
                else presence.state(row.assignee)
            )
            allowed = ("online", "suspended") if row.rule == "recent_contact" else ("online",)
            assert state in allowed, (row, state)
            checked[row.rule] += 1
    assert checked["group"] > 20
