"""`routectl generate-log` and its pure core `routectl.sim.generate` (issue 5)."""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE_CONFIG, make_config
from routectl.cli import cli
from routectl.config import load_config
from routectl.engine import Engine
from routectl.errors import BadLogRow
from routectl.events import Routed, StatusChange, Transfer, Transferred
from routectl.logio.reader import read_events
from routectl.model import Agent, Bot, Dedicated, Group, Routing, Rule, Shop, ShopConfig
from routectl.sim.generate import (
    HEADER,
    MAX_BUYERS,
    MAX_NEW_BUYERS,
    MAX_ROWS,
    MAX_ROWS_PER_DAY,
    MIN_BUYERS,
    TooLarge,
    generate_events,
    generate_rows,
    make_plan,
)

EXAMPLE = load_config(str(EXAMPLE_CONFIG))


def as_csv(rows: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def follow(
    config: ShopConfig, events: list[object]
) -> Iterator[tuple[object, str | None, frozenset[str]]]:
    """Each event through the engine, with the buyer's holder and the agents online on
    pc just before it; the engine refusing an event fails the test."""
    engine = Engine(config)
    holder: dict[str, str] = {}
    online: set[str] = set()
    for event in events:
        buyer = getattr(event, "buyer", None)
        yield event, holder.get(buyer or ""), frozenset(online)
        if isinstance(event, StatusChange) and event.device == "pc":
            (online.add if event.status == "online" else online.discard)(event.agent)
        for output in engine.feed(event):  # type: ignore[arg-type]
            if isinstance(output, Routed):
                holder[output.buyer] = output.assignee
            elif isinstance(output, Transferred):
                holder[output.buyer] = output.to_agent


def parse(config: ShopConfig, text: str) -> list[object]:
    """Every row through the real log reader: a bad row raises."""
    bad: list[BadLogRow] = []
    events = list(
        read_events(
            io.StringIO(text, newline=""),
            "generated.csv",
            ZoneInfo(config.shop.timezone),
            known_agents=frozenset(agent.id for agent in config.agents),
            on_bad=bad.append,
        )
    )
    assert bad == []
    return list(events)


# --- the core ---------------------------------------------------------------------


def test_same_seed_gives_identical_rows() -> None:
    first = list(generate_rows(EXAMPLE, seed=7, rows=4000))
    second = list(generate_rows(EXAMPLE, seed=7, rows=4000))
    assert first == second


def test_different_seed_gives_different_rows() -> None:
    assert list(generate_rows(EXAMPLE, seed=1, rows=2000)) != list(
        generate_rows(EXAMPLE, seed=2, rows=2000)
    )


@pytest.mark.parametrize("rows", [0, 1, 57, 3001])
def test_rows_gives_exactly_that_many_rows(rows: int) -> None:
    assert sum(1 for _ in generate_rows(EXAMPLE, rows=rows, rows_per_day=1500)) == rows


def test_every_row_parses_and_time_never_goes_backwards() -> None:
    rows = list(generate_rows(EXAMPLE, seed=3, days=2))
    events = parse(EXAMPLE, as_csv(rows))
    assert len(events) == len(rows)
    times = [event.time for event in events]  # type: ignore[attr-defined]
    assert times == sorted(times)


def test_rows_have_every_column_as_text() -> None:
    for row in itertools.islice(generate_rows(EXAMPLE, days=1), 500):
        assert len(row) == len(HEADER)
        assert all(isinstance(value, str) for value in row)


def test_days_cover_whole_days_from_the_start_date() -> None:
    rows = list(generate_rows(EXAMPLE, days=3, start=date(2026, 1, 30), rows_per_day=2000))
    dates = sorted({row[0][:10] for row in rows})
    assert dates[:3] == ["2026-01-30", "2026-01-31", "2026-02-01"]
    # Conversations that start late on the last day may end just after midnight.
    assert len(dates) <= 4
    assert 4500 < len(rows) < 7500


def test_rows_and_days_spread_the_rows() -> None:
    rows = list(generate_rows(EXAMPLE, rows=3000, days=3))
    assert len(rows) == 3000
    assert len({row[0][:10] for row in rows}) >= 3


def test_generation_is_lazy() -> None:
    # A billion rows would not fit in memory; the first ones come at once.
    first = list(itertools.islice(generate_rows(EXAMPLE, rows=10**9), 10))
    assert len(first) == 10


def test_buyer_population_is_bounded_by_rows_per_day_not_total_rows() -> None:
    plan_small = make_plan(EXAMPLE, rows=10_000, rows_per_day=2000)
    plan_big = make_plan(EXAMPLE, rows=1_000_000, rows_per_day=2000)
    assert plan_small.buyers == plan_big.buyers
    assert plan_small.new_buyers == plan_big.new_buyers

    def buyers(rows: int) -> set[str]:
        generated = generate_rows(EXAMPLE, rows=rows, rows_per_day=2000)
        return {row[2] for row in generated if row[2]}

    special = {b for members in EXAMPLE.crowds.values() for b in members}
    special |= set(EXAMPLE.dedicated.buyers)
    population = {f"buyer_{i:06d}" for i in range(plan_big.buyers)}
    population |= {f"buyer_n{i:06d}" for i in range(plan_big.new_buyers)}
    population |= special
    few, many = buyers(6000), buyers(60000)
    assert few < many <= population


def test_first_time_buyers_come_back_only_after_the_pool_retention_and_r9() -> None:
    plan = make_plan(EXAMPLE, rows_per_day=1500)
    assert plan.new_buyer_days == EXAMPLE.offline.pool_retention_days + 3 + 1
    seen: dict[str, str] = {}
    for row in generate_rows(EXAMPLE, days=80, rows_per_day=1500):
        if row[1] == "message" and row[6] and row[2].startswith("buyer_n"):
            day = row[0][:10]
            previous = seen.get(row[2])
            if previous is not None and previous != day:
                gap = date.fromisoformat(day) - date.fromisoformat(previous)
                assert gap.days >= plan.new_buyer_days
            seen[row[2]] = day
    assert len(seen) == plan.new_buyers  # the whole ring was used, then reused


def test_status_rows_follow_the_config() -> None:
    rows = list(generate_rows(EXAMPLE, days=7, rows_per_day=1500))
    status = [row for row in rows if row[1] == "status"]
    mobile_agents = {agent.id for agent in EXAMPLE.agents if agent.mobile}
    assert {row[3] for row in status} == {agent.id for agent in EXAMPLE.agents}
    on_mobile = {row[3] for row in status if row[4] == "mobile"}
    assert on_mobile and on_mobile <= mobile_agents
    assert {row[5] for row in status} == {"online", "suspended", "offline"}


def test_messages_hit_the_config_rules_and_buyers() -> None:
    rows = list(generate_rows(EXAMPLE, days=2))
    messages = [row for row in rows if row[1] == "message"]
    intents = {row[9] for row in messages}
    order_statuses = {row[8] for row in messages}
    buyers = {row[2] for row in messages}
    assert {"退货", "退款", "refund"} <= intents
    assert {"shipped", "signed"} <= order_statuses
    assert {"buyer_vip_1", "buyer_vip_2", "buyer_vip_3"} <= buyers
    assert {row[6] for row in messages} >= {"shop_home", "item_detail", "contact_list", "order"}
    assert any(row[3] for row in messages)  # some are addressed to one sub-account


def test_buyers_come_back() -> None:
    rows = generate_rows(EXAMPLE, days=2)
    starts = Counter(row[2] for row in rows if row[1] == "message" and row[6])
    assert max(starts.values()) >= 5


def test_traffic_peaks_in_the_morning_and_evening() -> None:
    hours = Counter(int(row[0][11:13]) for row in generate_rows(EXAMPLE, days=2))
    night = hours[3] + hours[4]
    assert hours[10] > 5 * night
    assert hours[21] > 5 * night


def test_replies_are_mostly_fast_some_slow_some_missing() -> None:
    config = make_config()
    events = parse(config, as_csv(list(generate_rows(config, days=2))))
    waiting: dict[str, float] = {}
    delays: list[float] = []
    for event in events:
        kind = type(event).__name__
        buyer = getattr(event, "buyer", None)
        if kind == "BuyerMessage" and buyer not in waiting:
            waiting[buyer] = event.time  # type: ignore[attr-defined, index]
        elif kind == "HumanReply" and buyer in waiting:
            delays.append(event.time - waiting.pop(buyer))  # type: ignore[attr-defined]
    fast = sum(1 for d in delays if d < 180)
    assert 0.6 < fast / len(delays) < 0.97
    assert waiting  # some questions never get an answer


def test_explicit_closes_and_no_bot_transfers_without_bot_priority() -> None:
    rows = list(generate_rows(EXAMPLE, days=1))
    kinds = Counter(row[1] for row in rows)
    assert kinds["close"] > 0
    # The bot is enabled but priority_reception is off: it never holds a buyer (R11).
    assert not [row for row in rows if row[1] == "transfer" and not row[3]]


def test_transfers_only_where_the_engine_accepts_them() -> None:
    config = make_config(
        bot=Bot(enabled=True, priority_reception=True),
        dedicated=Dedicated(True, {"buyer_000001": "shop:a"}),
    )
    events = parse(config, as_csv(list(generate_rows(config, days=4, rows_per_day=3000))))
    transfers = [e for e in events if isinstance(e, Transfer)]
    assert [e for e in transfers if e.agent is None]
    assert [e for e in transfers if e.agent is not None]
    for event, holder, online in follow(config, events):
        if isinstance(event, Transfer):
            if event.agent is None:
                assert holder == "bot"  # R11: the bot hands over
            else:  # R17b: to an agent online at that moment, not the one holding it
                assert event.agent in online
                assert event.agent != holder


def test_transfers_fit_inside_a_short_session_timeout() -> None:
    config = make_config(
        bot=Bot(enabled=True, priority_reception=True), routing=Routing(session_timeout_s=20)
    )
    events = parse(config, as_csv(list(generate_rows(config, days=3, rows_per_day=3000))))
    assert any(isinstance(event, Transfer) for event in events)
    assert sum(1 for _ in follow(config, events)) == len(events)  # the engine takes each
    tiny = make_config(
        bot=Bot(enabled=True, priority_reception=True), routing=Routing(session_timeout_s=10)
    )
    assert not any(row[1] == "transfer" and not row[3] for row in generate_rows(tiny, days=2))


def test_only_routing_agents_decide_availability_for_transfers() -> None:
    # Nobody routes: no inquiry can be held by the bot or an agent, so no transfer.
    config = make_config(
        agents=(Agent("shop:a", ("presale",), routing=False),),
        bot=Bot(enabled=True, priority_reception=True),
    )
    assert not any(row[1] == "transfer" for row in generate_rows(config, days=2))


def test_mobile_logins_only_for_mobile_agents() -> None:
    config = make_config(
        agents=(
            Agent("shop:a", ("presale",), mobile=True),
            Agent("shop:b", ("presale",)),
        ),
        routing=Routing(mobile_reception=True),
    )
    events = parse(config, as_csv(list(generate_rows(config, days=10, rows_per_day=1000))))
    devices = {(e.agent, e.device) for e in events if isinstance(e, StatusChange)}
    assert ("shop:a", "mobile") in devices
    assert ("shop:b", "mobile") not in devices


def test_item_rules_are_hit() -> None:
    config = make_config(rules=(Rule("item", ("1001", "1002"), "presale"),))
    items = Counter(row[7] for row in generate_rows(config, days=1) if row[7])
    assert items["1001"] and items["1002"]


def test_config_without_agents_still_gives_a_valid_log() -> None:
    config = ShopConfig(shop=Shop("empty"), groups=(Group("presale", ("shop_home",)),))
    rows = list(generate_rows(config, rows=500))
    assert len(parse(config, as_csv(rows))) == 500


def test_daylight_saving_gap_never_gives_a_local_time_that_does_not_exist() -> None:
    # 2026-03-08 02:00-03:00 does not exist in New York.
    config = make_config(shop=Shop("ny", "America/New_York"))
    rows = list(generate_rows(config, days=2, start=date(2026, 3, 7), rows_per_day=4000))
    assert not [row for row in rows if row[0].startswith("2026-03-08T02:")]
    events = parse(config, as_csv(rows))
    times = [event.time for event in events]  # type: ignore[attr-defined]
    assert times == sorted(times)


def test_days_end_at_midnight_of_the_last_day_also_before_a_dst_gap() -> None:
    # 2026-09-06 00:00-01:00 does not exist in Santiago.
    config = make_config(shop=Shop("scl", "America/Santiago"))
    rows = list(generate_rows(config, days=1, start=date(2026, 9, 5), rows_per_day=20_000))
    assert {row[0][:10] for row in rows} == {"2026-09-05"}
    two = list(generate_rows(config, days=2, start=date(2026, 9, 5), rows_per_day=20_000))
    assert {row[0][:10] for row in two} == {"2026-09-05", "2026-09-06"}
    assert not [row for row in two if row[0].startswith("2026-09-06T00:")]


def test_half_hour_dst_change_lord_howe() -> None:
    config = make_config(agents=(), shop=Shop("lhi", "Australia/Lord_Howe"))
    rows = list(generate_rows(config, seed=459, start=date(2026, 10, 3), days=2, rows_per_day=548))
    assert not [row for row in rows if row[0].startswith("2026-10-04T02:0")]  # the gap
    parse(config, as_csv(rows))  # 02:58:27 then 03:03:40: "time goes backwards"


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        make_plan(EXAMPLE, rows=-1)
    with pytest.raises(ValueError):
        make_plan(EXAMPLE, days=0)
    with pytest.raises(ValueError):
        make_plan(EXAMPLE, rows_per_day=0)


# --- the command ------------------------------------------------------------------


def test_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["generate-log", "--help"])
    assert result.exit_code == 0
    for option in ("--rows", "--days", "--seed", "--start", "--config", "--output"):
        assert option in result.output


def test_writes_a_file_that_replays_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    result = runner.invoke(
        cli,
        ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "1234", "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)
    assert len(parse(EXAMPLE, text)) == 1234
    assert not list(tmp_path.glob(".routectl-*"))  # the temporary file was renamed


def test_same_options_give_byte_identical_files(runner: CliRunner, tmp_path: Path) -> None:
    def generate(name: str, seed: str) -> bytes:
        target = tmp_path / name
        args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--days", "1", "--seed", seed]
        result = runner.invoke(cli, [*args, "--per-day", "3000", "-o", str(target)])
        assert result.exit_code == 0, result.output
        return target.read_bytes()

    assert generate("a.csv", "5") == generate("b.csv", "5")
    assert generate("c.csv", "6") != generate("a.csv", "5")


def test_writes_to_standard_output(runner: CliRunner) -> None:
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "20", "--start", "2027-02-01"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 21
    assert lines[1].startswith("2027-02-01T")


def test_config_from_environment(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["generate-log", "--rows", "5"], env={"ROUTECTL_CONFIG": str(EXAMPLE_CONFIG)}
    )
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 6


@pytest.mark.parametrize(
    "args",
    [
        ["--rows", "-1"],
        ["--rows", "many"],
        ["--days", "0"],
        ["--per-day", "0"],
        ["--seed", "x"],
        ["--start", "02/11/2026"],
        ["--frobnicate"],
        ["extra-argument"],
    ],
)
def test_bad_options_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(cli, ["generate-log", "-c", str(EXAMPLE_CONFIG), *args])
    assert result.exit_code == 2
    assert "routectl: error:" in result.stderr
    assert "Traceback" not in result.output


def test_missing_config_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["generate-log", "-c", str(tmp_path / "nope.toml"), "--rows", "5"])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_failed_run_leaves_no_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    result = runner.invoke(
        cli, ["generate-log", "-c", str(tmp_path / "nope.toml"), "-o", str(target)]
    )
    assert result.exit_code == 2
    assert not target.exists()


@pytest.mark.parametrize(
    ("start", "size", "reason"),
    [
        ("9998-12-31", ["--days", "2"], "the log would run past 9998-12-31"),
        ("9999-01-01", ["--days", "1"], "the log would run past 9998-12-31"),
        ("9998-12-31", ["--rows", "100000", "--per-day", "2000"], "would run past 9998-12-31"),
        ("0001-01-01", ["--rows", "5"], "a log starts on 1900-01-01 or later"),
        ("1899-12-31", ["--days", "1"], "a log starts on 1900-01-01 or later"),
    ],
)
def test_log_outside_the_dates_replay_reads_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, start: str, size: list[str], reason: str
) -> None:
    target, team = tmp_path / "log.csv", tmp_path / "team.toml"
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--start", start, *size]
    result = runner.invoke(cli, [*args, "-o", str(target), "--write-config", str(team)])
    assert result.exit_code == 2
    assert f"routectl: error: --start {start}: " in result.stderr
    assert reason in result.stderr
    assert not target.exists()


@pytest.mark.parametrize("start", ["1900-01-01", "9998-12-30"])
def test_first_and_last_dates_replay_reads(runner: CliRunner, tmp_path: Path, start: str) -> None:
    log = tmp_path / "log.csv"
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--start", start, "--days", "2"]
    result = runner.invoke(cli, [*args, "--per-day", "2000", "-o", str(log)])
    assert result.exit_code == 0, result.stderr
    replay = runner.invoke(cli, ["replay", str(log), "-c", str(EXAMPLE_CONFIG), "-o", os.devnull])
    assert replay.exit_code == 0, replay.stderr


def test_unwritable_output_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "log.csv"
    result = runner.invoke(
        cli, ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "5", "-o", str(target)]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output


ZONES = (
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "America/Santiago",  # DST changes at midnight
    "Australia/Lord_Howe",  # a 30-minute DST change inside an hour
)
# Days just before DST changes in 2026 (New York, Europe, Santiago), and one plain.
STARTS = (
    date(2026, 3, 7),
    date(2026, 3, 28),
    date(2026, 4, 4),
    date(2026, 9, 5),
    date(2026, 10, 3),
    date(2026, 10, 24),
    date(2026, 10, 31),
    date(2026, 6, 1),
)


@settings(max_examples=25, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.sampled_from(STARTS),
    seed=st.integers(0, 2**32),
    rows_per_day=st.integers(100, 1500),
    mobile=st.lists(st.booleans(), min_size=0, max_size=3),
    bot=st.booleans(),
    size=st.one_of(
        st.tuples(st.just("rows"), st.integers(0, 2500)),
        st.sampled_from([("days", 1), ("days", 2)]),
    ),
)
def test_any_config_zone_and_start_give_a_valid_log(
    zone: str,
    start: date,
    seed: int,
    rows_per_day: int,
    mobile: list[bool],
    bot: bool,
    size: tuple[str, int],
) -> None:
    config = make_config(
        agents=tuple(
            Agent(f"shop:{i}", ("presale",), mobile=m, routing=i != 1) for i, m in enumerate(mobile)
        ),
        shop=Shop("s", zone),
        routing=Routing(mobile_reception=True),
        bot=Bot(enabled=bot, priority_reception=bot),
    )
    kind, value = size
    options = {kind: value}
    rows = list(generate_rows(config, seed=seed, start=start, rows_per_day=rows_per_day, **options))
    if kind == "rows":
        assert len(rows) == value
    events = parse(config, as_csv(rows))
    assert len(events) == len(rows)
    times = [event.time for event in events]  # type: ignore[attr-defined]
    assert times == sorted(times)
    tz = ZoneInfo(zone)
    for row in rows:
        local = datetime.fromisoformat(row[0])
        back = local.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)
        assert back.replace(tzinfo=None) == local, f"{row[0]} does not exist in {zone}"


@pytest.mark.parametrize("bot_priority", [False, True])
def test_generated_log_replays_without_a_bad_row(
    runner: CliRunner, tmp_path: Path, bot_priority: bool
) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    if bot_priority:
        text = text.replace("priority_reception = false", "priority_reception = true", 1)
    config = tmp_path / "shopconfig.toml"
    config.write_text(text, encoding="utf-8")
    log = tmp_path / "log.csv"
    args = ["generate-log", "-c", str(config), "--days", "5", "--per-day", "4000"]
    assert runner.invoke(cli, [*args, "-o", str(log)]).exit_code == 0
    if bot_priority:
        assert ",transfer," in log.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["replay", str(log), "-c", str(config), "-o", os.devnull])
    assert result.exit_code == 0, result.stderr


def test_a_huge_day_is_streamed_not_built_first() -> None:
    # Issue 14: --per-day 3000000 held a whole day of rows (988 MB). Arrivals are drawn
    # minute by minute now: the first rows come before the day is simulated.
    first = list(itertools.islice(generate_rows(EXAMPLE, rows_per_day=3_000_000, days=1), 2000))
    assert len(first) == 2000
    assert first[-1][0] < "2026-11-02T01:00:00"


@pytest.mark.parametrize("rows_per_day", [1_000, 3_000_000, MAX_ROWS_PER_DAY])
def test_buyer_population_is_capped_whatever_the_day_size(rows_per_day: int) -> None:
    plan = make_plan(EXAMPLE, rows_per_day=rows_per_day)
    assert MIN_BUYERS <= plan.buyers <= MAX_BUYERS
    assert MIN_BUYERS <= plan.new_buyers <= MAX_NEW_BUYERS


@pytest.mark.parametrize(
    "size",
    [
        {"rows": MAX_ROWS + 1},
        {"rows_per_day": MAX_ROWS_PER_DAY + 1},
        {"rows": MAX_ROWS, "days": 1},  # a day of 10**12 rows
        {"days": 10**15},
    ],
)
def test_absurd_sizes_are_refused_before_anything_is_planned(size: dict[str, int]) -> None:
    with pytest.raises(TooLarge):
        make_plan(EXAMPLE, **size)
    with pytest.raises(TooLarge):
        generate_rows(EXAMPLE, **size)  # at the call, not at the first row


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--per-day", "10000000000000"], "'--per-day': 10000000000000 is not in the range"),
        (["--rows", "99999999999999999999"], "'--rows': 99999999999999999999 is not in the range"),
        (["--rows", "900000000000", "--days", "2"], "rows a day; at most"),
    ],
)
def test_absurd_sizes_are_usage_errors(
    runner: CliRunner, tmp_path: Path, args: list[str], option: str
) -> None:
    target = tmp_path / "log.csv"
    result = runner.invoke(
        cli, ["generate-log", "-c", str(EXAMPLE_CONFIG), *args, "-o", str(target)]
    )
    assert result.exit_code == 2
    assert option in result.stderr
    assert "Traceback" not in result.output
    assert not target.exists()


def test_an_overrun_team_keeps_its_buyers_writing() -> None:
    # Seven agents cannot serve 300k rows a day: buyers queue (R13) and write again in
    # their conversation, and the log still replays cleanly.
    rows = list(itertools.islice(generate_rows(EXAMPLE, rows_per_day=300_000, days=1), 60_000))
    assert len(rows) == 60_000
    assert len(parse(EXAMPLE, as_csv(rows))) == 60_000


@pytest.mark.parametrize("time_format", ["naive", "offset"])
@pytest.mark.parametrize(("rows", "days"), [(2500, None), (None, 1)])
def test_generated_events_are_the_generated_log_read_back(
    time_format: str, rows: int | None, days: int | None
) -> None:
    """Tests not about reading take :func:`generate_events` instead of writing a CSV."""
    size = {"rows": rows, "days": days, "rows_per_day": 1500}
    log = as_csv(list(generate_rows(EXAMPLE, seed=5, time_format=time_format, **size)))
    assert parse(EXAMPLE, log) == list(generate_events(EXAMPLE, seed=5, **size))
