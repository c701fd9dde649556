"""``routectl plan``: staffing by simulation against worlds whose answer is known.

The worlds: the same arrivals (three days, a few hundred buyers a day with a morning and an
evening peak) served by k = 2..7 equal agents, simulated through the simulation core
with a hand-made reply model in which agents slow down sharply with load, and written
as logs. ``report`` reads each world's per-hour rate; the truth for an hour is the
least k whose world reached the target. ``plan`` sees only the k = 4 world's log.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import tomli_w
from click.testing import CliRunner

from routectl.cli import cli
from routectl.events import BuyerMessage, StatusChange
from routectl.logio.writer import HEADER, log_rows
from routectl.model import Agent, Group, Shop, ShopConfig
from routectl.sim.core import Simulation
from routectl.sim.hist import POINTS, QuantileTable
from routectl.sim.model import TYPICAL, AgentModel, BuyerModel, ConversionModel, ReplyModel

ZONE = "Asia/Shanghai"
DAY0 = 1793548800.0  # 2026-11-02 00:00 Asia/Shanghai
AGENTS = tuple(f"shop:a{n}" for n in range(1, 8))
PROFILE = (0, 0, 0, 0, 0, 0, 0, 0, 8, 20, 44, 50, 24, 16, 20, 20, 16, 16, 12, 24, 44, 50, 24, 8)
"""Arrivals per hour of day (about 460 a day)."""
TARGET = 0.8


def _constant(value: float) -> QuantileTable:
    return QuantileTable([value] * POINTS)


def _exponential(median_s: float) -> QuantileTable:
    scale = median_s / math.log(2)
    points = [-scale * math.log(1 - i / (POINTS - 1)) for i in range(POINTS - 1)]
    return QuantileTable([*points, points[-1] * 1.5])


def hand_made_model() -> ReplyModel:
    """Equal agents, 50 s median alone, much slower with every conversation held."""
    agent = AgentModel(
        agent=TYPICAL, questions=10000, own_share=1.0, borrowed_from=TYPICAL,
        base=_exponential(50.0), load_factor=(1.0, 1.8, 3.0, 4.5, 6.5, 9.0),
        hour_factor=(1.0,) * 24, never=(0.0,) * 6,
    )  # fmt: skip
    buyers = BuyerModel(
        follow_up=0.1, follow_gap=_constant(30.0), ask_again=(0.3,) * 6,
        next_gap=_constant(60.0), tail=_constant(0.0), close=0.7, close_gap=_constant(90.0),
        bot_transfer=0.0, bot_gap=_constant(30.0),
    )  # fmt: skip
    conversion = ConversionModel(
        rate=(0.1,) * 6, visits=(0,) * 6, lag=_constant(600.0), amount=_constant(50.0),
        unpriced=0.0,
    )  # fmt: skip
    return ReplyModel("world", ZONE, {}, agent, buyers, conversion)


def world_config(agents: tuple[str, ...] = AGENTS) -> ShopConfig:
    return ShopConfig(
        shop=Shop(name="world", timezone=ZONE),
        groups=(Group("presale", ("shop_home", "item_detail", "contact_list", "order")),),
        agents=tuple(Agent(a, ("presale",)) for a in agents),
    )


def arrivals(days: int = 3, profile: tuple[int, ...] = PROFILE) -> list[BuyerMessage]:
    rng = random.Random(20)
    found: list[tuple[float, str]] = []
    for day in range(days):
        for hour, count in enumerate(profile):
            for n in range(count):
                moment = DAY0 + day * 86400 + hour * 3600 + int(rng.random() * 3600)
                found.append((moment, f"b{day}_{hour}_{n}"))
    found.sort()
    return [
        BuyerMessage(i + 2, t, b, None, "shop_home", None, None, None, None, None)
        for i, (t, b) in enumerate(found)
    ]


def presence(k: int, days: int = 3, agents: tuple[str, ...] = AGENTS) -> list[StatusChange]:
    rows = []
    for day in range(days):
        start, end = DAY0 + day * 86400 + 8 * 3600, DAY0 + (day + 1) * 86400
        rows += [StatusChange(0, start, a, "online") for a in agents[:k]]
        rows += [StatusChange(0, end, a, "offline") for a in agents[:k]]
    return rows


def write_world(
    path: Path, k: int, days: int = 3, profile: tuple[int, ...] = PROFILE,
    agents: tuple[str, ...] = AGENTS,
) -> None:  # fmt: skip
    config = world_config(agents)
    records = sorted(
        [*presence(k, days, agents), *arrivals(days, profile)],
        key=lambda r: (r.time, type(r) is not StatusChange),
    )
    pairs = Simulation(config, hand_made_model(), seed=5).run(records)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(log_rows(pairs, ZoneInfo(ZONE)))


def write_config(path: Path, agents: tuple[str, ...] = AGENTS) -> None:
    entries = ["shop_home", "item_detail", "contact_list", "order"]
    document = {
        "shop": {"name": "world", "timezone": ZONE},
        "groups": [{"name": "presale", "entries": entries}],
        "agents": [{"id": a, "groups": ["presale"]} for a in agents],
    }
    path.write_bytes(tomli_w.dumps(document).encode())


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("worlds")
    write_config(folder / "shop.toml")
    for k in range(2, 8):
        write_world(folder / f"k{k}.csv", k)
    return folder


def hour_rates(runner: CliRunner, folder: Path, k: int) -> dict[int, float | None]:
    result = runner.invoke(
        cli,
        ["report", str(folder / f"k{k}.csv"), "-c", str(folder / "shop.toml"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    return {row["hour"]: row["response_rate"] for row in json.loads(result.stdout)["hours"]}


def test_plan_names_the_least_world_that_reached_the_target(worlds: Path) -> None:
    runner = CliRunner()
    rates = {k: hour_rates(runner, worlds, k) for k in range(2, 8)}
    result = runner.invoke(
        cli,
        ["plan", str(worlds / "k4.csv"), "-c", str(worlds / "shop.toml"), "--target", "80%",
         "--format", "json", "--runs", "4", "--jobs", "1", "--max-agents", "8"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    hours = json.loads(result.stdout)["hours"]
    planned = {row["hour"]: row["agents_needed"] for row in hours}
    # per day of the buyers' days (the last replies spill past midnight: not a 4th day)
    assert all(row["agents_online"] == (4.0 if row["hour"] >= 8 else 0.0) for row in hours)
    assert all(abs(row["inquiries_per_day"] - PROFILE[row["hour"]]) <= 1 for row in hours)
    graded = [h for h in range(8, 24) if PROFILE[h] >= 6]
    close = []
    for hour in graded:
        truth = next((k for k in range(2, 8) if (rates[k][hour] or 0.0) >= TARGET), 8)
        found = planned[hour] if planned[hour] is not None else 9
        close.append(abs(found - truth) <= 1 or (truth == 2 and found <= 2))
    assert sum(close) >= 0.75 * len(graded), (planned, rates)


SMALL_PROFILE = (0,) * 9 + (6, 10, 6) + (0,) * 12
HOSTILE = "shop:\x1b[2J\u202eevil::error::x"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A day of a few dozen buyers, two agents (one with a hostile name)."""
    folder = tmp_path_factory.mktemp("small")
    agents = ("shop:a1", HOSTILE)
    write_config(folder / "shop.toml", agents)
    write_world(folder / "day.csv", 2, days=1, profile=SMALL_PROFILE, agents=agents)
    return folder


def plan_args(folder: Path, *more: str) -> list[str]:
    return ["plan", str(folder / "day.csv"), "-c", str(folder / "shop.toml"), "--runs", "2",
            "--jobs", "1", "--max-agents", "3", *more]  # fmt: skip


def test_json_has_the_contract_keys_and_is_the_same_for_the_same_seed(small: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, plan_args(small, "--format", "json", "--seed", "3"))
    again = runner.invoke(cli, plan_args(small, "--format", "json", "--seed", "3"))
    assert first.exit_code == 0, first.output
    assert first.stdout == again.stdout
    document = json.loads(first.stdout)
    assert (document["target"], document["runs"], document["seed"]) == (0.85, 2, 3)
    keys = {"hour", "inquiries_per_day", "agents_online", "predicted_rate", "agents_needed",
            "predicted_rate_needed"}  # fmt: skip
    assert [row["hour"] for row in document["hours"]] == list(range(24))
    assert all(keys <= set(row) for row in document["hours"])
    assert document["hours"][10]["inquiries_per_day"] == 10.0


def test_average_response_goal_names_its_own_keys(small: Path) -> None:
    result = CliRunner().invoke(
        cli, plan_args(small, "--figure", "avg_response_s", "--target", "60s", "--format", "csv")
    )
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    assert "predicted_avg_response_s_needed" in header
    assert len(result.stdout.splitlines()) == 25


def test_table_escapes_hostile_agent_names_and_speaks_chinese(small: Path) -> None:
    result = CliRunner().invoke(cli, plan_args(small, "--lang", "zh", "--like", HOSTILE))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert not any(line.startswith("::error::") for line in result.stdout.splitlines())
    assert "\\x1b[2J\\u202eevil" in result.stdout
    assert "排班" in result.stdout and "需要客服" in result.stdout and "在线客服" in result.stdout


@pytest.mark.parametrize(
    ("more", "message"),
    [
        (["--target", "eighty"], "write the rate like 85%"),
        (["--target", "120%"], "between 0% and 100%"),
        (["--figure", "avg_response_s", "--target", "85%"], "--target 85%"),
        (["--like", "shop:nobody"], "no such agent"),
        (["--shift", "90m"], "whole hours"),
    ],
)
def test_bad_options_are_usage_errors(small: Path, more: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, plan_args(small, *more))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("onto", ["day.csv", "shop.toml"])
def test_output_onto_an_input_is_refused(small: Path, onto: str) -> None:
    before = (small / onto).read_bytes()
    result = CliRunner().invoke(cli, plan_args(small, "-o", str(small / onto)))
    assert result.exit_code == 2
    assert "same file as the input" in result.output
    assert (small / onto).read_bytes() == before


def test_rota_in_the_table_covers_the_need(small: Path) -> None:
    result = CliRunner().invoke(cli, plan_args(small, "--shift", "4h", "--format", "json"))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    rota = document["rota"]
    assert rota["shift_hours"] == [4]
    need = [  # out of reach: today's staffing, rounded up
        math.ceil(row["agents_online"]) if row["agents_needed"] is None else row["agents_needed"]
        for row in document["hours"]
    ]
    assert all(c >= n for c, n in zip(rota["covered"], need))


def test_rota_without_scipy_says_how_to_install_it(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    result = CliRunner().invoke(cli, plan_args(small, "--shift", "8h"))
    assert result.exit_code == 2
    assert "pip install '.[plan]'" in result.output


def curve_evaluator(curves: dict[int, list[float | None]]) -> tuple[list[tuple[int, ...]], object]:
    """An ``evaluate`` whose hour h scores ``curves[h][k]`` at k agents (others: None)."""
    seen: list[tuple[int, ...]] = []

    def evaluate(vector: tuple[int, ...]) -> tuple[float | None, ...]:
        seen.append(vector)
        return tuple(curves[h][vector[h]] if h in curves else None for h in range(len(vector)))

    return seen, evaluate


@pytest.mark.parametrize(
    ("curve", "needed"),
    [
        ([0.1, 0.5, 0.7, 0.82, 0.9, 0.95, 0.96, 0.97, 0.98], 3),
        ([0.1, 0.81, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], 1),
        ([0.1, 0.5, 0.85, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6], 2),  # slow agents dilute the rate
        ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.79], None),
        ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8], 8),
    ],
)
def test_search_finds_the_least_k(curve: list[float | None], needed: int | None) -> None:
    from routectl.sim.plan import Goal, search

    seen, evaluate = curve_evaluator({10: curve})
    found = search(Goal("response_rate", 0.8), 8, evaluate)  # type: ignore[arg-type]
    assert found.needed[10] == needed
    assert found.needed[3] == 0  # nothing graded: no one needed
    assert found.staffing[10] == (8 if needed is None else needed)
    assert len(seen) <= 10


def test_search_for_an_average_response_time() -> None:
    from routectl.sim.plan import Goal, search

    _, evaluate = curve_evaluator({20: [900.0, 300.0, 120.0, 70.0, 50.0, 40.0, 40.0]})
    found = search(Goal("avg_response_s", 60.0), 6, evaluate)  # type: ignore[arg-type]
    assert found.needed[20] == 4


def test_weekday_hour_plans_each_weekday_on_its_own_buyers(worlds: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["plan", str(worlds / "k4.csv"), "-c", str(worlds / "shop.toml"), "--by",
         "weekday-hour", "--format", "json", "--runs", "1", "--jobs", "1", "--max-agents",
         "6", "--target", "80%", "--shift", "8h"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    hours = document["hours"]
    assert [(row["weekday"], row["hour"]) for row in hours] == [
        (day, hour) for day in ("Mon", "Tue", "Wed") for hour in range(24)
    ]
    assert all(row["agents_online"] == (4.0 if row["hour"] >= 8 else 0.0) for row in hours)
    assert all(row["inquiries_per_day"] == PROFILE[row["hour"]] for row in hours)
    assert [rota["weekday"] for rota in document["rotas"]] == ["Mon", "Tue", "Wed"]


def test_weekday_presence_adds_up_to_the_reports(tmp_path: Path) -> None:
    """Cut at every midnight, the log's presence is the report's, hour by hour."""
    from routectl.config import load_config
    from routectl.logio.source import open_events
    from routectl.replay import run
    from routectl.sim.inputs import Inputs
    from routectl.sim.planlog import observe, observed_by_weekday
    from routectl.sim.staffing import Weekdays, hour_starts

    repo = Path(__file__).resolve().parent.parent
    log, config_path = repo / "examples" / "shop-day.csv", repo / "shopconfig.example.toml"
    config = load_config(str(config_path))
    with Inputs() as inputs:
        with open_events(str(log), config) as (events, _):
            _, actual = observe(config, run(config, events, source=str(log)), inputs)
        zone = ZoneInfo(config.shop.timezone)
        assert inputs.first is not None and inputs.last is not None
        days = [0] * 7
        for moment, _ in hour_starts(inputs.first, inputs.last, zone)[::24]:
            days[Weekdays(zone).of(moment)] += 1
        assert sum(days) == actual.days == 1
        split = observed_by_weekday(config, inputs, actual, zone, days)
    for row in actual.hours:
        total = sum(split[(w, row.hour)].agents_online for w in range(7))
        assert total == pytest.approx(row.agents_available, abs=0.011)


def test_report_html_draws_the_hourly_need_against_todays_staffing(small: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["report", str(small / "day.csv"), "-c", str(small / "shop.toml"), "--format", "html",
         "--plan-target", "80%", "--lang", "zh"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '<figure id="chart-plan">' in result.stdout and result.stdout.count("<svg ") == 4
    assert "排班：达到80%响应率需要的客服与在线客服" in result.stdout
    assert "需要客服" in result.stdout and "在线客服" in result.stdout


def test_report_plan_target_is_for_the_html_page(small: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["report", str(small / "day.csv"), "-c", str(small / "shop.toml"), "--plan-target", "80%"],
    )
    assert result.exit_code == 2
    assert "--format html" in result.output


def test_plan_chart_draws_an_hour_out_of_reach_at_the_most_agents() -> None:
    from routectl.report.html import Words, plan_chart

    hours = [
        {"hour": 9, "agents_online": 2.5, "agents_needed": 3},
        {"hour": 10, "agents_online": 3.0, "agents_needed": None},
    ]
    plan = {"target": 0.85, "max_agents": 12, "hours": hours}
    chart_id, title, svg = plan_chart(plan, Words("en", {}))
    assert chart_id == "chart-plan" and "85%" in title
    assert "<title>09 · agents needed: 3</title>" in svg
    assert "<title>10 · agents needed: out of reach</title>" in svg
    assert "<title>09 · agents online: 2.5</title>" in svg
    bars = re.findall(r'height="([\d.]+)" fill="[^"]+"><title>(\d\d) · agents needed', svg)
    tall = {hour: float(height) for height, hour in bars}
    assert tall["10"] == pytest.approx(tall["09"] * 12 / 3, rel=0.01)  # drawn at max_agents


def test_a_log_without_buyers_is_an_error_not_a_plan(tmp_path: Path) -> None:
    write_config(tmp_path / "shop.toml")
    (tmp_path / "empty.csv").write_text(
        "time,event,buyer,agent,status\n2026-11-02T09:00,status,,shop:a1,online\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["plan", str(tmp_path / "empty.csv"), "-c", str(tmp_path / "shop.toml")]
    )
    assert result.exit_code == 1
    assert "no buyer message to plan for" in result.output


def test_the_plan_does_not_depend_on_the_number_of_processes(small: Path) -> None:
    runner = CliRunner()
    args = plan_args(small, "--format", "json", "--runs", "3")
    one = runner.invoke(cli, [*args, "--jobs", "1"])
    two = runner.invoke(cli, [*args, "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout


def test_forked_workers_end_without_a_traceback(small: Path) -> None:
    """``diff --predict`` terminates its pool at the end; routectl's SIGTERM handler,
    inherited by the workers, printed a traceback per worker now and then (a race)."""
    import subprocess

    new = small / "new.toml"
    new.write_text((small / "shop.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    config = str(small / "shop.toml")
    args = [sys.executable, "-m", "routectl", "diff", config, str(new), str(small / "day.csv"),
            "--predict", "--runs", "4", "--jobs", "2", "--format", "json"]  # fmt: skip
    for _ in range(4):
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr


def test_a_need_busier_than_any_hour_of_the_log_is_flagged() -> None:
    from routectl.sim.plan import HourPlan, beyond_the_log
    from routectl.sim.planrender import _hour_json

    def hour(h: int, inquiries: float, online: float, needed: int | None) -> HourPlan:
        return HourPlan(None, h, inquiries, online, 0.8, needed, 0.86, needed or 9)

    # the log's busiest hour gives each agent 20 inquiries (40 over 2 agents)
    rows = beyond_the_log([hour(9, 40, 2, 2), hour(10, 60, 4, 2), hour(11, 30, 3, 2),
                           hour(12, 10, 0.2, None)])  # fmt: skip
    assert [row.beyond_log for row in rows] == [False, True, False, False]
    assert _hour_json(rows[1], "response_rate")["beyond_log"] is True
