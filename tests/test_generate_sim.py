"""`generate-log` on the simulation core (issue 19): synthetic sources, the hand-made
reply model, times the log reader reads back exactly, and what `routectl model` learns
from the log."""

from __future__ import annotations

import itertools
import json
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, make_config
from routectl.cli import cli
from routectl.config import load_config
from routectl.events import BuyerMessage, Paid, StatusChange, Transfer
from routectl.logio.timefmt import TimeParser
from routectl.model import Bot, Shop
from routectl.sim.generate import generate_rows
from routectl.sim.model import AgentModel, BuyerModel, ConversionModel, ReplyModel
from routectl.sim.synthetic import Sources
from routectl.sim.synthetic_model import FAST_SHARE, SLOW_SHARE, hand_made_model
from routectl.sim.synthetic_time import LocalDays, Stamps
from test_generate import as_csv, follow, parse

EXAMPLE = load_config(str(EXAMPLE_CONFIG))


# --- the hand-made reply model ------------------------------------------------------


def test_the_hand_made_model_is_a_reply_model_with_every_agent_its_own_speed() -> None:
    model = hand_made_model(EXAMPLE, seed=1)
    assert isinstance(model, ReplyModel)
    assert isinstance(model.buyers, BuyerModel)
    assert isinstance(model.conversion, ConversionModel)
    assert set(model.agents) == {agent.id for agent in EXAMPLE.agents}
    assert all(isinstance(agent, AgentModel) for agent in model.agents.values())
    within = sorted(agent.base.share_within(180.0) for agent in model.agents.values())
    assert within[-1] >= FAST_SHARE - 0.01  # mostly under three minutes
    assert within[0] <= SLOW_SHARE + 0.01  # one in five agents is slower
    assert len({round(agent.median_s()) for agent in model.agents.values()}) >= 5
    for agent in model.agents.values():
        assert 0.0 < agent.never[0] < 0.05  # some questions are never answered
        assert list(agent.load_factor) == sorted(agent.load_factor)  # load slows
        assert list(agent.never) == sorted(agent.never)
        assert agent.load_factor[-1] > 1.5


def test_the_hand_made_model_follows_the_seed() -> None:
    def medians(seed: int) -> list[float]:
        return [agent.median_s() for agent in hand_made_model(EXAMPLE, seed).agents.values()]

    assert medians(3) == medians(3)
    assert medians(3) != medians(4)


def test_model_learns_the_hand_made_speeds_back(runner: CliRunner, tmp_path: Path) -> None:
    # What generate-log writes is what `routectl model` reads: the agents the hand-made
    # model made fast are learned faster than the ones it made slow.
    log, learned = tmp_path / "week.csv", tmp_path / "model.json"
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--days", "7", "--seed", "1"]
    assert runner.invoke(cli, [*args, "-o", str(log)]).exit_code == 0
    args = ["model", str(log), "-c", str(EXAMPLE_CONFIG), "--format", "json"]
    result = runner.invoke(cli, [*args, "-o", str(learned)])
    assert result.exit_code == 0, result.stderr
    found = {
        agent["agent"]: agent["median_reply_s"]
        for agent in json.loads(learned.read_text(encoding="utf-8"))["agents"]
    }
    made = {name: agent.median_s() for name, agent in hand_made_model(EXAMPLE, 1).agents.items()}
    order = sorted(made, key=made.__getitem__)
    fastest, slowest = order[0], order[-1]
    assert made[slowest] > 2 * made[fastest]
    assert found[fastest] < found[slowest]
    # and the order as a whole (Spearman's rank correlation)
    learned_rank = {name: rank for rank, name in enumerate(sorted(found, key=found.__getitem__))}
    n = len(order)
    squares = sum((rank - learned_rank[name]) ** 2 for rank, name in enumerate(order))
    assert 1 - 6 * squares / (n * (n * n - 1)) > 0.7


# --- synthetic sources --------------------------------------------------------------


def _sources(days: int | None) -> Sources:
    return Sources(
        EXAMPLE,
        LocalDays(ZoneInfo(EXAMPLE.shop.timezone), date(2026, 11, 2)),
        seed=1,
        conversations_per_day=1500,
        buyers=500,
        new_buyers=300,
        new_buyer_days=34,
        days=days,
        last_day=10**6,
        past_last=lambda: ValueError("past"),
    )


def test_sources_are_arrivals_presence_and_silent_orders_in_time_order() -> None:
    records = list(_sources(days=2).records())
    times = [record.time for record in records]
    assert times == sorted(times)
    assert {type(record) for record in records} == {BuyerMessage, StatusChange, Paid}
    arrivals = [record for record in records if isinstance(record, BuyerMessage)]
    assert all(record.entry for record in arrivals)  # each visit's first message
    assert (
        2 * 1500 * 0.8 < len(arrivals) + sum(isinstance(r, Paid) for r in records) < 2 * 1500 * 1.2
    )
    agents = {agent.id for agent in EXAMPLE.agents}
    assert {r.agent for r in records if isinstance(r, StatusChange)} == agents
    end = datetime(2026, 11, 4, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    assert times[-1] < end


def test_sources_stop_before_a_day_past_the_last_date() -> None:
    sources = _sources(days=None)
    sources.last_day = 0
    with pytest.raises(ValueError, match="past"):
        for record in sources.records():
            assert record.time < datetime(2026, 11, 3, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


# --- times ----------------------------------------------------------------------------

DST_DAYS = [
    ("America/New_York", date(2026, 3, 8)),  # 02:00-03:00 does not exist
    ("America/New_York", date(2026, 11, 1)),  # 01:00-02:00 comes twice
    ("America/Santiago", date(2026, 9, 6)),  # 00:00-01:00 does not exist
    ("America/Santiago", date(2026, 4, 4)),  # 23:00-24:00 comes twice
    ("Australia/Lord_Howe", date(2026, 10, 4)),  # 02:00-02:30 does not exist
    ("Australia/Lord_Howe", date(2026, 4, 5)),  # 01:30-02:00 comes twice
    ("Asia/Shanghai", date(1900, 1, 1)),  # local mean time, +08:05:43
]


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_local_seconds_are_the_instants_the_log_reader_reads(zone: str, day: date) -> None:
    tz = ZoneInfo(zone)
    days = LocalDays(tz, day - timedelta(days=1))
    parser = TimeParser(tz, in_log_order=False)
    previous = days.posix(0, 86_399)
    for second in range(0, 86_400, 7):
        moment = days.posix(1, second)
        assert moment >= previous  # time never goes backwards
        previous = moment
        local = datetime(day.year, day.month, day.day) + timedelta(seconds=second)
        if (
            local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
            == local
        ):  # a local time that exists: exactly the reader's instant
            assert moment == parser.parse(local.isoformat())
    assert days.day_start(2) == days.posix(2, 0) > previous


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_settled_instants_are_whole_seconds_a_naive_time_can_say(zone: str, day: date) -> None:
    tz = ZoneInfo(zone)
    days = LocalDays(tz, day)
    stamps = Stamps(tz, "naive")
    parser = TimeParser(tz, in_log_order=False)
    start = datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()
    last = float("-inf")
    for step in range(0, 30 * 3600, 13):
        moment = days.settle(start + step + 0.25)
        assert moment == int(moment) >= start + step + 0.25
        assert moment >= last
        last = moment
        assert parser.parse(stamps(moment)) == moment


def test_the_second_occurrence_of_a_repeated_hour_moves_past_it() -> None:
    tz = ZoneInfo("America/New_York")
    days = LocalDays(tz, date(2026, 11, 1))
    first = datetime(2026, 11, 1, 1, 30, tzinfo=tz).timestamp()  # 01:30 EDT
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=tz).timestamp()  # 01:30 EST
    after = datetime(2026, 11, 1, 2, 0, tzinfo=tz).timestamp()  # 02:00 EST
    assert days.settle(first) == first
    assert days.settle(first + 0.5) == first + 1
    assert days.settle(second) == after
    assert days.settle(after - 1) == after
    assert days.settle(after) == after


def test_a_log_over_the_fall_back_night_replays_as_it_was_generated() -> None:
    # The bot hands buyers over, agents transfer: across the repeated hour every row is
    # one the engine accepts when the log is read back, in every time format.
    config = make_config(
        shop=Shop("ny", "America/New_York"), bot=Bot(enabled=True, priority_reception=True)
    )
    options = {"seed": 2, "start": date(2026, 10, 31), "days": 2, "rows_per_day": 6000}
    naive = list(generate_rows(config, **options))  # type: ignore[arg-type]
    events = parse(config, as_csv(naive))
    assert sum(1 for _ in follow(config, events)) == len(events) == len(naive)
    assert any(isinstance(event, Transfer) for event in events)
    offset = list(generate_rows(config, time_format="offset", **options))  # type: ignore[arg-type]
    assert [event.time for event in parse(config, as_csv(offset))] == [e.time for e in events]  # type: ignore[attr-defined]


# --- size and memory ------------------------------------------------------------------


def test_memory_stays_flat_as_rows_grow() -> None:
    # Once the buyer population has been seen (the first-time buyers' ring turns in
    # new_buyer_days, 34 days here), more rows cost no more memory: the simulation keeps
    # buyers and open conversations only.
    generated = generate_rows(EXAMPLE, seed=4, rows=10**9, rows_per_day=300)
    tracemalloc.start()
    try:
        for _ in itertools.islice(generated, 20_000):
            pass
        early, _ = tracemalloc.get_traced_memory()
        for _ in itertools.islice(generated, 40_000):
            pass
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert late < early * 1.15 + 50_000, (early, late)
