"""`generate-log` logs that behave like a shop (issues 10 and 12): replies from the agent
the engine assigned, paid rows and silent orders, transfers the engine accepts, whole days,
a progress bar on a terminal."""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, make_config
from routectl.cli import cli
from routectl.config import load_config
from routectl.engine import Engine
from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    BuyerMessage,
    HumanReply,
    Paid,
    Routed,
    Transfer,
)
from routectl.logio.reader import COLUMNS
from routectl.model import Bot, ShopConfig
from routectl.sim.generate import HEADER, generate_events, generate_rows
from routectl.sim.generate_progress import rows_progress
from routectl.sim.generate_team import scale_team
from test_generate import as_csv, follow, parse

EXAMPLE = load_config(str(EXAMPLE_CONFIG))
BOT_FIRST = make_config(bot=Bot(enabled=True, priority_reception=True))
STARTER = Path(__file__).resolve().parents[1] / "cli" / "routectl" / "templates" / "starter.toml"

CONFIGS = {
    "example": EXAMPLE,
    "bot first": BOT_FIRST,
    "40 agents": scale_team(EXAMPLE, 40),
    "starter": load_config(str(STARTER)),
}


def events_of(config: ShopConfig, days: int = 2, seed: int = 1) -> list[object]:
    return list(generate_events(config, seed=seed, days=days))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_replies_come_from_the_agent_the_engine_assigned(name: str) -> None:
    config = CONFIGS[name]
    agents = {agent.id for agent in config.agents}
    replies = 0
    for event, holder, _ in follow(config, events_of(config)):
        if isinstance(event, HumanReply):
            # Only once the engine gave the buyer to an agent, and from that agent.
            assert holder in agents, (event, holder)
            assert event.agent == holder
            replies += 1
    assert replies > 100


def test_no_human_reply_while_the_bot_holds_the_buyer() -> None:
    held = 0
    for event, holder, _ in follow(BOT_FIRST, events_of(BOT_FIRST)):
        if holder == "bot":
            held += 1
            assert not isinstance(event, HumanReply)
    assert held


def test_a_buyer_pooled_at_night_is_answered_when_an_agent_comes_online() -> None:
    events = events_of(EXAMPLE)
    first_online = min(
        e.time  # type: ignore[attr-defined]
        for e in events
        if type(e).__name__ == "StatusChange" and e.status == "online"  # type: ignore[attr-defined]
    )
    night = {e.buyer for e in events if isinstance(e, BuyerMessage) and e.time < first_online}
    answered = [e for e in events if isinstance(e, HumanReply) and e.buyer in night]
    assert night and answered
    assert all(e.time > first_online for e in answered)


def test_agents_reply_at_their_own_speed() -> None:
    asked: dict[str, float] = {}
    delays: dict[str, list[float]] = {}
    for event in events_of(EXAMPLE, days=3):
        if isinstance(event, BuyerMessage):
            asked.setdefault(event.buyer, event.time)
        elif isinstance(event, HumanReply) and event.buyer in asked and event.agent:
            delays.setdefault(event.agent, []).append(event.time - asked.pop(event.buyer))
    medians = sorted(sorted(d)[len(d) // 2] for d in delays.values() if len(d) > 50)
    assert len(medians) >= 5
    assert medians[-1] > 1.5 * medians[0]


# --- paid rows (R25) ----------------------------------------------------------------


def test_header_has_the_amount_and_received_by_columns() -> None:
    assert COLUMNS[: len(HEADER)] == HEADER
    assert HEADER[-2:] == ("amount", "received_by")


def test_received_by_is_the_agent_the_engine_gave_the_message_at_once() -> None:
    engine = Engine(EXAMPLE)
    received = 0
    for event in events_of(EXAMPLE):
        outputs = engine.feed(event)  # type: ignore[arg-type]
        if isinstance(event, BuyerMessage):
            at_once = [
                output.assignee
                for output in outputs
                if isinstance(output, Routed)
                and output.line == event.line
                and output.assignee not in (ASSIGNEE_BOT, ASSIGNEE_OFFLINE)
            ]
            assert at_once == ([] if event.received_by is None else [event.received_by])
            received += event.received_by is not None
    assert received > 1000


def test_a_share_of_inquiring_buyers_pay_and_some_orders_are_silent() -> None:
    rows = list(generate_rows(EXAMPLE, days=3))
    events = parse(EXAMPLE, as_csv(rows))
    last_message: dict[str, float] = {}
    inquiring: set[tuple[str, float]] = set()
    paid_after_inquiry = silent = 0
    for event in events:
        if isinstance(event, BuyerMessage):
            if event.entry:
                inquiring.add((event.buyer, event.time))
            last_message[event.buyer] = event.time
        elif isinstance(event, Paid):
            asked = last_message.get(event.buyer)
            if asked is not None and event.time - asked <= EXAMPLE.sales.conversion_window_s:
                paid_after_inquiry += 1
            else:
                silent += 1
    assert 0.1 < paid_after_inquiry / len(inquiring) < 0.4
    assert 0 < silent < paid_after_inquiry
    amounts = [row[11] for row in rows if row[1] == "paid"]
    assert all(re.fullmatch(r"\d+\.\d\d", amount) for amount in amounts if amount)
    assert "" in amounts  # the column is optional
    assert all(row[11] == "" for row in rows if row[1] != "paid")


# --- transfers (R11, R17b) ----------------------------------------------------------


def test_bot_transfers_some_name_an_online_agent() -> None:
    transfers = [e for e in events_of(BOT_FIRST, days=3) if isinstance(e, Transfer)]
    named = [e for e in transfers if e.agent is not None]
    assert transfers and named
    assert len(named) < len(transfers)


def test_after_a_bot_transfer_the_buyer_asks_for_a_human_and_gets_one() -> None:
    events = events_of(BOT_FIRST, days=3)
    transferred = {e.buyer for e in events if isinstance(e, Transfer) and e.agent is None}
    replied = {e.buyer for e in events if isinstance(e, HumanReply)}
    assert len(transferred & replied) > len(transferred) // 2


# --- whole days (issue 12: "--days 7 reports 8 days") -------------------------------


def test_days_7_gives_7_days(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "week.csv"
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--days", "7", "--per-day", "1500"]
    assert runner.invoke(cli, [*args, "-o", str(log)]).exit_code == 0
    dates = {line[:10] for line in log.read_text(encoding="utf-8").splitlines()[1:]}
    assert dates == {f"2026-11-{day:02d}" for day in range(2, 9)}
    result = runner.invoke(cli, ["report", str(log), "-c", str(EXAMPLE_CONFIG)])
    assert result.exit_code == 0, result.stderr
    assert ", 7 days " in result.stdout.splitlines()[0]


def test_same_seed_gives_identical_rows_with_everything_on() -> None:
    def log(seed: int) -> list[tuple[str, ...]]:
        return list(generate_rows(BOT_FIRST, seed=seed, days=2, time_format="offset"))

    assert log(9) == log(9)
    assert log(9) != log(10)


# --- the starter config (issue 12: "a day a small shop could have") -----------------


def test_the_starter_config_gives_a_small_shops_day(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "day.csv"
    args = ["generate-log", "-c", str(STARTER), "-o", str(log)]
    assert runner.invoke(cli, args).exit_code == 0
    kinds = Counter(line.split(",")[1] for line in log.read_text(encoding="utf-8").splitlines())
    result = runner.invoke(cli, ["report", str(log), "-c", str(STARTER), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert 100 <= summary["inquiries"] <= 1000  # a small shop, three agents
    assert kinds["paid"] > 10
    assert summary["response_rate"] >= 0.7  # the team keeps up: believable, not overrun
    assert summary["reply_rate"] >= 0.9


# --- progress bar -------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


def test_progress_bar_counts_rows_and_is_cleared() -> None:
    out = io.StringIO()
    with rows_progress(1_000_000, out=out, enabled=True, clock=FakeClock()) as bar:
        assert bar is not None
        bar.update(0, 250_000)
        bar.update(0, 250_000)
    text = out.getvalue()
    assert "generate-log" in text
    assert "500k/1.0M rows" in text
    assert "50%" in text
    assert text.endswith("\r\x1b[K")  # cleared


def test_no_progress_bar_when_disabled() -> None:
    out = io.StringIO()
    with rows_progress(10, out=out, enabled=False) as bar:
        assert bar is None
    assert out.getvalue() == ""


def test_no_progress_bar_in_ci(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("routectl.progress.progress_enabled", lambda *args, **kwargs: False)
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "20000"]
    result = runner.invoke(cli, args, env={"CI": "1"})
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_logs_replay_without_a_bad_row(
    runner: CliRunner, tmp_path: Path, seed: int
) -> None:
    log, team = tmp_path / "log.csv", tmp_path / "team.toml"
    config = tmp_path / "bot.toml"
    config.write_text(
        EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
            "priority_reception = false", "priority_reception = true", 1
        ),
        encoding="utf-8",
    )
    args = ["generate-log", "-c", str(config), "--days", "3", "--seed", str(seed)]
    args += ["--agents", "12", "--write-config", str(team), "-o", str(log)]
    assert runner.invoke(cli, args).exit_code == 0
    text = log.read_text(encoding="utf-8")
    assert ",transfer," in text and ",paid," in text
    result = runner.invoke(cli, ["replay", str(log), "-c", str(team), "-o", os.devnull])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert date(2026, 11, 4).isoformat() in text
