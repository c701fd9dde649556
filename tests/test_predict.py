"""Prediction (P4-P11): `routectl model`, `diff --predict`, `backtest`, and the core.

The shops here are written by ``benchmarks/worlds.py``: an independent program whose
agents work a queue and whose platform routes by its own draw, so what the model learns
is what the data says, not what routectl's simulation put there.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, ROOT
from routectl.cli import cli
from routectl.config import load_config
from routectl.logio.source import open_events
from routectl.replay import run
from routectl.report import Window, build_report
from routectl.sim.calibrate import learned_model
from routectl.sim.core import Simulation, uniform
from routectl.sim.hist import BINS, QuantileTable, quantiles, shifted, survival
from routectl.sim.inputs import Inputs
from routectl.sim.learn import learn
from routectl.sim.model import ReplyModel, fit, from_json, to_json
from routectl.sim.predict import (
    Interval,
    Job,
    figures_of,
    interval,
    run_all,
    side_intervals,
)
from routectl.sim.prepare import Preparation
from routectl.sim.weeks import spread
from routectl.sim.whatif import log_plus_change

sys.path.insert(0, str(ROOT / "benchmarks"))
import worlds

EXAMPLE_LOG = ROOT / "examples" / "shop-day.csv"
HOSTILE = "x\x1b]0;pwned\x07\u202eevil\r\n::error file=a.toml::hi"
worlds.SHAPES["test"] = worlds.Shape(
    agents=3, per_day=320, days=10, handle_s=(15.0, 120.0), balance="weight"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 10-day shop of three queue-working agents: fast (15 s), middling, slow (120 s)."""
    return worlds.write_world("test", tmp_path_factory.mktemp("world"), seed=3)


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, list(args), catch_exceptions=False)


def model_json(runner: CliRunner, config: Path, log: Path) -> dict[str, Any]:
    result = invoke(runner, "model", str(log), "-c", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


# --- routectl model ------------------------------------------------------------------


def test_model_learns_the_agents_speed_order_from_an_independent_shop(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    agents = {a["agent"]: a for a in model_json(runner, *world)["agents"]}
    fast, middle, slow = (agents[f"w:{i:03d}"]["median_reply_s"] for i in range(3))
    assert fast < middle < slow
    assert slow > 2 * fast


def test_model_json_has_the_contract_keys_and_says_how_much_is_its_own(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    data = model_json(runner, *world)
    assert data["schema_version"] == 1
    for agent in data["agents"]:
        assert {"agent", "questions", "median_reply_s"} <= agent.keys()
        assert 0.0 <= agent["own_share"] <= 1.0
        assert set(agent["load_factor"]) == {"0", "1", "2", "3", "4-5", "6+"}
    assert "correlation" in data["conversion"]["note"]


def test_model_table_reads_as_sentences_and_names_the_correlation(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    config, log = world
    result = invoke(runner, "model", str(log), "-c", str(config))
    assert result.exit_code == 0
    assert "w:000: median " in result.output
    assert "per extra conversation" in result.output
    assert "not a proven cause" in result.output


def test_a_thin_agent_borrows_from_its_group() -> None:
    config = load_config(str(EXAMPLE_CONFIG))
    with open_events(str(EXAMPLE_LOG), config) as (events, _):
        model = fit(config, learn(config, run(config, events)))
    thin = min(model.agents.values(), key=lambda agent: agent.questions)
    thick = max(model.agents.values(), key=lambda agent: agent.questions)
    assert thin.own_share < thick.own_share < 1.0
    assert thin.borrowed_from in {group.name for group in config.groups}


def test_model_saved_with_o_is_read_back_by_diff_predict(
    runner: CliRunner, world: tuple[Path, Path], tmp_path: Path
) -> None:
    config, log = world
    saved = tmp_path / "model.json"
    assert invoke(runner, "model", str(log), "-c", str(config), "-o", str(saved)).exit_code == 0
    assert from_json(json.loads(saved.read_text(encoding="utf-8"))) is not None
    args = ("diff", str(config), str(config), str(log), "--predict", "--runs", "2",
            "--format", "json")  # fmt: skip
    learned = json.loads(invoke(runner, *args).output)["predicted"]
    given = json.loads(invoke(runner, *args, "--model", str(saved)).output)["predicted"]
    assert given["base"] == learned["base"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "schema_version"),
        ("not json", "--model"),
        ('{"schema_version": 1, "agents": [{"agent": "a"}]}', "not a routectl reply model"),
    ],
)
def test_a_bad_model_file_is_one_usage_error(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "model.json"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(
        cli, ["diff", str(EXAMPLE_CONFIG), str(EXAMPLE_CONFIG), str(EXAMPLE_LOG), "--predict",
              "--model", str(bad)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["model", "backtest", "diff-model"])
def test_outputs_never_replace_an_input(runner: CliRunner, tmp_path: Path, command: str) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes(EXAMPLE_LOG.read_bytes())
    config = tmp_path / "shop.toml"
    config.write_bytes(EXAMPLE_CONFIG.read_bytes())
    saved = tmp_path / "model.json"
    assert invoke(runner, "model", str(log), "-c", str(config), "-o", str(saved)).exit_code == 0
    before = {path: path.read_bytes() for path in (log, config, saved)}
    args = {
        "model": ["model", str(log), "-c", str(config), "-o", str(log)],
        "backtest": ["backtest", str(log), "-c", str(config), "-o", str(config)],
        "diff-model": ["diff", str(config), str(config), str(log), "--predict", "--model",
                       str(saved), "-o", str(saved)],
    }[command]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "is the same file as the input" in result.output
    assert {path: path.read_bytes() for path in before} == before


# --- diff --predict ------------------------------------------------------------------


def predicted(runner: CliRunner, base: Path, new: Path, log: Path, *extra: str) -> Any:
    result = invoke(runner, "diff", str(base), str(new), str(log), "--predict", "--runs", "4",
                    "--format", "json", *extra)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["predicted"]


def test_diff_of_a_config_against_itself_predicts_identical_sides(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    config, log = world
    found = predicted(runner, config, config, log)
    assert found["base"] == found["new"]
    for name, change in found["change"].items():
        assert change == {"mean": 0.0, "low": 0.0, "high": 0.0}, name
    for name, expected in found["expected"].items():
        today = found["actual"][name]
        places = 5e-5 if name.endswith("rate") else 0.05  # JSON rounds rates to 4 places
        for key in ("mean", "low", "high"):
            assert expected[key] == pytest.approx(today, abs=places), name


def test_log_plus_change_moves_the_logs_figure_and_keeps_rates_within_0_and_1() -> None:
    logged = {"response_rate": 0.97, "reply_rate": 0.5, "avg_response_s": 20.0,
              "slow_questions": None, "conversion_rate": 0.1}  # fmt: skip
    change = {"response_rate": Interval(0.02, -0.01, 0.05), "reply_rate": None,
              "avg_response_s": Interval(-15.0, -30.0, 1.0),
              "slow_questions": Interval(1.0, 0.0, 2.0),
              "conversion_rate": Interval(0.01, 0.0, 0.02)}  # fmt: skip
    found = log_plus_change(logged, change)

    def bounds(name: str) -> tuple[float, ...]:
        interval = found[name]
        assert interval is not None, name
        return dataclasses.astuple(interval)

    assert bounds("response_rate") == pytest.approx((0.99, 0.96, 1.0))
    assert bounds("avg_response_s") == pytest.approx((5.0, 0.0, 21.0))
    assert bounds("conversion_rate") == pytest.approx((0.11, 0.1, 0.12))
    lower = log_plus_change({**logged, "reply_rate": 0.01},
                            {**change, "reply_rate": Interval(-0.02, -0.04, 0.0)})  # fmt: skip
    assert lower["reply_rate"] == Interval(0.0, 0.0, 0.01)
    assert found["reply_rate"] is None  # no change predicted: no figure
    assert found["slow_questions"] is None  # no figure in the log: none either


def test_the_same_seed_gives_byte_identical_output_and_another_seed_differs(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    config, log = world
    args = ["diff", str(config), str(config), str(log), "--predict", "--runs", "3"]
    first = invoke(runner, *args, "--seed", "7").output
    assert invoke(runner, *args, "--seed", "7", "--jobs", "1").output == first
    assert invoke(runner, *args, "--seed", "8").output != first


def test_predicted_figures_have_the_contract_shape(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    config, log = world
    found = predicted(runner, config, config, log)
    assert found["runs"] == 4
    assert found["seed"] == 1
    for side in ("base", "new"):
        assert set(found[side]) >= {
            "response_rate", "reply_rate", "avg_response_s", "slow_questions", "conversion_rate",
        }  # fmt: skip
        rate = found[side]["response_rate"]
        assert rate["low"] <= rate["mean"] <= rate["high"]
    assert {row["agent"] for row in found["agents"]} == {"w:000", "w:001", "w:002"}
    assert "response_rate" in found["agents"][0]["base"]


def test_moving_buyers_off_the_slow_agent_predicts_faster_answers(
    runner: CliRunner, world: tuple[Path, Path], tmp_path: Path
) -> None:
    """The change `diff` alone cannot see: the log's reply times stay, the figures do not.
    w:002 works its queue at ~120 s a reply; a weight of 1 sends its new buyers elsewhere
    (returning buyers still go back to it, R9)."""
    config, log = world
    text = config.read_text(encoding="utf-8")
    slowless = tmp_path / "slowless.toml"
    before = 'id = "w:002"\ngroups = [\n    "all",\n]\nweight = 300'
    assert before in text
    slowless.write_text(text.replace(before, before.replace("300", "1")), encoding="utf-8")
    found = predicted(runner, config, slowless, log)
    assert found["change"]["avg_response_s"]["high"] < 0
    assert found["change"]["slow_questions"]["high"] < 0
    assert found["change"]["response_rate"]["mean"] > 0
    slow = next(row for row in found["agents"] if row["agent"] == "w:002")
    assert slow["new"]["inquiries"]["mean"] < slow["base"]["inquiries"]["mean"]


def test_an_agent_never_online_and_a_threshold_edit_are_said_plainly(
    runner: CliRunner, world: tuple[Path, Path], tmp_path: Path
) -> None:
    config, log = world
    new = tmp_path / "new.toml"
    new.write_text(
        config.read_text(encoding="utf-8")
        + '\n[reply_rate]\nthreshold = "5m"\n\n[[agents]]\nid = "w:new"\ngroups = ["all"]\n',
        encoding="utf-8",
    )
    result = invoke(runner, "diff", str(config), str(new), str(log), "--predict", "--runs", "2")
    assert "never online in the log" in result.output
    assert "w:new" in result.output
    assert "changes what the figure means" in result.output


def test_markdown_prediction_is_a_table_fit_for_a_pull_request(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    config, log = world
    result = invoke(runner, "diff", str(config), str(config), str(log), "--predict", "--runs",
                    "2", "--format", "markdown")  # fmt: skip
    assert "#### Predicted response figures (2 runs, seed 1)" in result.output
    assert "| 3-minute response rate |" in result.output
    assert "<details>" in result.output


def test_hostile_agent_names_reach_the_prediction_table_inert(
    runner: CliRunner, tmp_path: Path
) -> None:
    name = json.dumps(HOSTILE)
    config = tmp_path / "shop.toml"
    config.write_text(
        f'[shop]\nname = {name}\n[[groups]]\nname = "g"\nentries = ["shop_home"]\n'
        f'[[agents]]\nid = {name}\ngroups = ["g"]\n',
        encoding="utf-8",
    )
    log = tmp_path / "log.csv"
    agent = HOSTILE.replace('"', '""')
    log.write_text(
        "time,event,buyer,agent,status,entry\n"
        f'2026-11-02T09:00:00+08:00,status,,"{agent}",online,\n'
        "2026-11-02T09:01:00+08:00,message,b1,,,shop_home\n"
        f'2026-11-02T09:02:00+08:00,reply,b1,"{agent}",,\n'
        "2026-11-03T09:01:00+08:00,message,b2,,,shop_home\n"
        f'2026-11-03T09:03:00+08:00,reply,b2,"{agent}",,\n',
        encoding="utf-8",
    )
    for command in (
        ["model", str(log), "-c", str(config)],
        ["diff", str(config), str(config), str(log), "--predict", "--runs", "2"],
        ["diff", str(config), str(config), str(log), "--predict", "--format", "markdown"],
        ["backtest", str(log), "-c", str(config), "--holdout", "1d", "--runs", "2"],
    ):
        result = invoke(runner, *command)
        assert result.exit_code == 0, result.output
        for raw in ("\x1b", "\u202e", "\r", "\n::error"):
            assert raw not in result.output, (command[0], raw)


# --- backtest ------------------------------------------------------------------------


def test_backtest_actual_is_what_report_gives_for_the_holdout(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    config, log = world
    result = invoke(runner, "backtest", str(log), "-c", str(config), "--holdout", "3d",
                    "--runs", "3", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert set(found) >= {"train", "holdout", "runs", "seed", "figures"}
    since, until = found["holdout"]["since"], found["holdout"]["until"]
    report = json.loads(
        invoke(runner, "report", str(log), "-c", str(config), "--since", since, "--until",
               until, "--format", "json").output
    )["summary"]  # fmt: skip
    for name in ("response_rate", "reply_rate", "avg_response_s", "slow_questions"):
        assert found["figures"][name]["actual"] == pytest.approx(report[name]), name
        assert {"mean", "low", "high"} <= found["figures"][name].keys()


def test_backtest_on_an_independent_shop_is_close(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    """P11 on a shop whose mechanics are not the model's: a looser bound than the
    benchmark's (a 3-day holdout of 3 agents is a small sample); docs/prediction.md
    quotes the week-long figures."""
    config, log = world
    found = json.loads(
        invoke(runner, "backtest", str(log), "-c", str(config), "--holdout", "3d", "--runs",
               "4", "--format", "json").output
    )["figures"]  # fmt: skip
    rate = found["response_rate"]
    assert abs(rate["mean"] - rate["actual"]) < 0.05
    average = found["avg_response_s"]
    assert abs(average["mean"] - average["actual"]) / average["actual"] < 0.25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-"], "give a file"),
        (["--holdout", "12h"], "one day"),
        (["--holdout", "30d"], "no whole day before the holdout"),
    ],
)
def test_backtest_usage_problems_are_one_line(
    runner: CliRunner, args: list[str], message: str
) -> None:
    log = [] if args[0] == "-" else [str(EXAMPLE_LOG)]
    result = runner.invoke(cli, ["backtest", *log, *args, "-c", str(EXAMPLE_CONFIG)])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output


# --- the core ------------------------------------------------------------------------


def recorded(config_path: Path, log: Path) -> tuple[Any, Inputs, Any, Any]:
    config = load_config(str(config_path))
    inputs = Inputs()
    preparation = Preparation(config, inputs)
    with open_events(str(log), config) as (events, _):
        pairs = list(run(config, events))
    evidence = preparation.consume(iter(pairs))
    return config, inputs, evidence, build_report(config, iter(pairs))


def test_making_an_agent_faster_never_lowers_the_predicted_shop_rate(
    world: tuple[Path, Path],
) -> None:
    config, inputs, evidence, _ = recorded(*world)
    with inputs:
        model = fit(config, evidence)
        for name in sorted(model.agents):
            faster = dataclasses.replace(
                model,
                agents={**model.agents, name: dataclasses.replace(model.agents[name],
                                                                  calibration=0.5)},
            )  # fmt: skip
            job = Job((config, config), model, inputs, 5, 1, Window())
            base = side_intervals(run_all(job, 2, 1), 0)["response_rate"]
            job = dataclasses.replace(job, model=faster)
            quick = side_intervals(run_all(job, 2, 1), 0)["response_rate"]
            assert base is not None and quick is not None
            assert quick.mean >= base.mean, name


def test_common_random_numbers_keep_a_buyer_s_draws_whatever_other_buyers_do() -> None:
    assert uniform(1, 7, 2, 3) == uniform(1, 7, 2, 3)
    assert uniform(1, 7, 2, 3) != uniform(1, 8, 2, 3)
    draws = [uniform(9, buyer, 1, 1) for buyer in range(2000)]
    assert 0.45 < sum(draws) / len(draws) < 0.55
    assert all(0.0 <= u < 1.0 for u in draws)


def test_simulating_with_the_learned_model_reproduces_the_log_s_figures(
    world: tuple[Path, Path],
) -> None:
    """In-sample: the calibrated model, simulated on the log's own arrivals and
    presence, lands near the log's 3-minute rate and average response."""
    config, inputs, evidence, actual = recorded(*world)
    with inputs:
        model = learned_model(config, evidence, inputs.events, seed=1)
        reports = [build_report(config, Simulation(config, model, s).run(inputs.events()))
                   for s in (11, 12)]  # fmt: skip
    truth = figures_of(actual)
    for name, bound in (
        ("response_rate", 0.04),
        ("avg_response_s", 0.15 * truth["avg_response_s"]),
    ):
        mean = sum(figures_of(r)[name] for r in reports) / 2  # type: ignore[misc]
        assert abs(mean - truth[name]) < bound, (name, mean, truth[name])  # type: ignore[operator]


def test_calibration_pulls_a_model_made_too_slow_back() -> None:
    config = load_config(str(EXAMPLE_CONFIG))
    with Inputs() as inputs:
        preparation = Preparation(config, inputs)
        with open_events(str(EXAMPLE_LOG), config) as (events, _):
            evidence = preparation.consume(run(config, events))
        model = fit(config, evidence)
        slow = dataclasses.replace(
            model,
            agents={n: dataclasses.replace(a, calibration=3.0) for n, a in model.agents.items()},
        )
        from routectl.sim.calibrate import calibrate

        fixed = calibrate(config, slow, evidence, inputs.events, seed=1)
    busy = max(model.agents, key=lambda name: model.agents[name].questions)
    # Three times too slow, then quantile-mapped back: the median moves most of the way.
    assert fixed.agents[busy].median_s() < 0.6 * slow.agents[busy].median_s()


def test_calibration_simulates_the_learning_periods_last_two_weeks() -> None:
    """A week's late and never-answered questions are too few to fit ratios to
    (docs/prediction.md, calibration): the last 14 learned days, from a warm-up day before
    them, in each of the two rounds."""
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from routectl.sim.calibrate import DAYS, ROUNDS, calibrate
    from routectl.sim.weeks import WARM_UP_S, local_time

    config = load_config(str(EXAMPLE_CONFIG))
    with open_events(str(EXAMPLE_LOG), config) as (events, _):
        evidence = learn(config, run(config, events))
    model = fit(config, evidence)
    last = date.fromisoformat(max(evidence.days))
    for back in range(1, 20):  # 19 quiet days before the log's one
        evidence.day((last - timedelta(days=back)).isoformat(), "旗舰店:小美")
    asked: list[float | None] = []

    def records(since: float | None) -> Any:
        asked.append(since)
        return iter(())

    calibrate(config, model, evidence, records, seed=1)
    first = last - timedelta(days=DAYS - 1)
    since = local_time(first, 0, ZoneInfo(config.shop.timezone)) - WARM_UP_S
    assert (DAYS, ROUNDS) == (14, 2)
    assert asked == [since] * ROUNDS


def test_model_json_round_trips() -> None:
    config = load_config(str(EXAMPLE_CONFIG))
    with open_events(str(EXAMPLE_LOG), config) as (events, _):
        model = fit(config, learn(config, run(config, events)))
    saved = from_json(json.loads(json.dumps(to_json(model))))
    assert isinstance(saved, ReplyModel)
    assert to_json(from_json(json.loads(json.dumps(to_json(saved))))) == to_json(saved)


def test_R18_follow_ups_are_censored_by_the_reply() -> None:
    """Kaplan-Meier: 10 waits of which 5 saw a follow-up at bin 2 and 5 were answered
    at bin 1 (censored): half of those still at risk at bin 2 followed up."""
    events = [0.0] * 5
    censored = [0.0] * 5
    events[2], censored[1] = 5.0, 5.0
    share, density = survival(events, censored)
    assert share == pytest.approx(1.0)
    assert density[2] == pytest.approx(1.0)
    events[2], censored[1], censored[3] = 5.0, 5.0, 5.0
    share, _ = survival(events, censored)
    assert share == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("values", "bounded", "expected"),
    [([0.5], True, (0.5, 0.5, 0.5)), ([0.2, 0.2, 0.2], True, (0.2, 0.2, 0.2))],
)
def test_interval_of_identical_runs_is_a_point(
    values: list[float], bounded: bool, expected: tuple[float, float, float]
) -> None:
    found = interval(values, bounded=bounded)
    assert found is not None
    assert (found.mean, found.low, found.high) == pytest.approx(expected)


def test_interval_of_a_rate_stays_inside_0_1() -> None:
    found = interval([0.99, 1.0, 0.98, 1.0], bounded=True)
    assert found is not None
    assert found.high <= 1.0
    assert found.low < found.mean < found.high


def test_quantile_table_share_within_inverts_sample() -> None:
    table = QuantileTable([float(i * 10) for i in range(51)])
    assert table.share_within(table.sample(0.3)) == pytest.approx(0.3)


def test_quantiles_top_point_is_the_last_occupied_bins_edge() -> None:
    # fractional counts (a histogram shifted by a load factor) summed in another order
    # fall short of their total by a rounding error: the top point landed in the last
    # bin (10**7 s), and one delay in a hundred was drawn as months
    counts = [0.0] * BINS
    for index, count in ((6, 19.0), (11, 19.0), (16, 25.0), (17, 10.0), (19, 16.0)):
        counts[index] = count
    moved = shifted(counts, -0.35)
    points = quantiles(moved)
    assert points is not None
    occupied = max(i for i, c in enumerate(moved) if c > 0)
    assert points[-1] <= 10 ** ((occupied + 1) / 12) - 1 + 1e-6
    assert points == sorted(points)


# --- weeks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "runs", "expected"),
    [(5, 3, (0, 2, 4)), (2, 4, (0, 1, 0, 1)), (1, 2, (0, 0)), (0, 3, ()), (9, 1, (0,))],
)
def test_runs_spread_over_the_log_s_weeks(weeks: int, runs: int, expected: tuple[int, ...]) -> None:
    assert spread(weeks, runs) == expected


def test_a_long_log_s_runs_simulate_its_weeks_beside_the_log_s_same_weeks(
    runner: CliRunner, world: tuple[Path, Path]
) -> None:
    """The 10-day world has one whole week: every run simulates it, and the log's
    column is that week's report (conversion is per buyer: a week's is not the log's)."""
    config, log = world
    found = predicted(runner, config, config, log)
    assert len(found["weeks"]) == 4
    week = found["weeks"][0]
    assert {w["since"] for w in found["weeks"]} == {week["since"]}
    report = json.loads(
        invoke(runner, "report", str(log), "-c", str(config), "--since", week["since"],
               "--until", week["until"], "--format", "json").output
    )["summary"]  # fmt: skip
    assert found["actual"]["conversion_rate"] == pytest.approx(report["conversion_rate"], abs=0.01)
    assert found["actual"]["response_rate"] == pytest.approx(report["response_rate"], abs=0.01)


def test_a_log_of_a_week_or_less_is_simulated_whole(runner: CliRunner) -> None:
    found = predicted(runner, EXAMPLE_CONFIG, EXAMPLE_CONFIG, EXAMPLE_LOG)
    assert found["weeks"] == []
    report = json.loads(
        invoke(runner, "report", str(EXAMPLE_LOG), "-c", str(EXAMPLE_CONFIG), "--format",
               "json").output
    )["summary"]  # fmt: skip
    assert found["actual"]["response_rate"] == report["response_rate"]


def test_what_if_with_a_known_truth(runner: CliRunner, tmp_path: Path) -> None:
    """The same independent shop run twice, the second time with w:002 (the slow agent)
    at weight 1 (same arrivals and presence; the platform draws anew): the prediction of
    the second world's 3-minute rate from the first world's log is within 3 points (the
    issue asks 2 on a month: this world is 10 days of 3 agents; the benchmark measures
    the month-long shapes, docs/prediction.md#back-tests)."""
    base_config, base_log = worlds.write_world("test", tmp_path, seed=5)
    new_config, new_log = worlds.write_world("test", tmp_path, seed=5, weights={"w:002": 1},
                                             tag="-new")  # fmt: skip
    found = predicted(runner, base_config, new_config, base_log)
    truth = json.loads(
        invoke(runner, "report", str(new_log), "-c", str(new_config), "--since",
               found["weeks"][0]["since"], "--until", found["weeks"][0]["until"],
               "--format", "json").output
    )["summary"]  # fmt: skip
    new = found["new"]["response_rate"]
    assert new["low"] <= truth["response_rate"] <= new["high"]
    assert abs(new["mean"] - truth["response_rate"]) < 0.04
    # log + change: the log's figure for the runs' weeks, moved by the predicted change
    expected, change = found["expected"]["response_rate"], found["change"]["response_rate"]
    for key in ("mean", "low", "high"):
        assert expected[key] == pytest.approx(found["actual"]["response_rate"] + change[key],
                                              abs=2e-4)  # fmt: skip
    assert abs(expected["mean"] - truth["response_rate"]) < 0.04


def _evidence(loads_and_delays: list[tuple[int, float]], agent: str = "s:a") -> Any:
    from routectl.sim.learn import Evidence

    evidence = Evidence()
    for index, (load, delay) in enumerate(loads_and_delays):
        evidence.agent(agent).answered(load, 8 + index % 12, delay)
    return evidence


def _one_agent_config() -> Any:
    from routectl.model import Agent, Group, Shop, ShopConfig

    return ShopConfig(
        shop=Shop(name="s", timezone="Asia/Shanghai"),
        groups=(Group(name="g"),),
        agents=(Agent(id="s:a", groups=("g",)),),
    )


def test_P4_load_beyond_the_logs_top_level_keeps_slowing_the_agent() -> None:
    # an agent seen at 0-7 conversations, 40 % slower for each one: at 15 the model must
    # not answer as fast as at 7 (the top level's factor held flat was the old slip)
    pairs = [(load, 20.0 * 1.4**load) for load in range(8) for _ in range(60)]
    model = fit(_one_agent_config(), _evidence(pairs)).agent("s:a")
    at_top = model.delay(5, 10, 0.5, load=7)
    assert model.top_load == pytest.approx(6.5, abs=0.3)
    assert model.beyond_top > 1.1
    assert model.delay(5, 10, 0.5, load=15) > 2.0 * at_top
    assert model.delay(5, 10, 0.5, load=6) <= at_top


def test_P4_load_beyond_the_logs_top_level_grows_in_a_straight_line() -> None:
    # a queue: each conversation held adds a handling time. Past the top level the delay
    # grows by the same step per conversation; compounded, a login burst of 30 buyers
    # waited hours (1.3 ** 23 is 400 times the top level's delay)
    pairs = [(load, 20.0 * (1 + load)) for load in range(8) for _ in range(60)]
    model = fit(_one_agent_config(), _evidence(pairs)).agent("s:a")
    top = model.top_load
    at = [model.delay(5, 10, 0.5, load=round(top) + k) for k in (2, 12, 22)]
    assert at[2] - at[1] == pytest.approx(at[1] - at[0], rel=0.02)
    assert at[2] < 6.0 * model.delay(5, 10, 0.5, load=round(top))


def test_P4_an_agent_the_log_shows_busy_without_slowing_still_slows_beyond_it() -> None:
    # no load effect at 0-7 conversations: kept there (the log shows it), but past the
    # top level the log cannot tell, and the model leans on +8 % a conversation
    pairs = [(load, 40.0) for load in range(8) for _ in range(60)]
    model = fit(_one_agent_config(), _evidence(pairs)).agent("s:a")
    top = round(model.top_load)
    assert model.delay(5, 10, 0.5, load=top) == pytest.approx(model.delay(0, 10, 0.5), rel=0.1)
    assert model.beyond_top == pytest.approx(1.08)
    assert model.delay(5, 10, 0.5, load=top + 10) > 1.7 * model.delay(5, 10, 0.5, load=top)


def test_P4_a_shop_seen_only_alone_still_slows_at_unseen_loads() -> None:
    # every question at no other conversation: the levels the log never shows lean on
    # the stated default (+8 % a conversation), not on "no effect"
    model = fit(_one_agent_config(), _evidence([(0, 30.0)] * 200)).agent("s:a")
    assert list(model.load_factor) == sorted(model.load_factor)
    assert model.load_factor[-1] > 1.3
    round_trip = from_json(to_json(fit(_one_agent_config(), _evidence([(0, 30.0)] * 200))))
    assert round_trip.agent("s:a").beyond_top == pytest.approx(model.beyond_top, abs=1e-4)


# --- Chinese -------------------------------------------------------------------------

ALLOWED_ENGLISH = {"received_by", "presale", "aftersale", "vip", "docs", "prediction", "md",
                   "reading", "HiGHS", "max", "agents"}  # fmt: skip
"""Words that stay as they are in Chinese output: log columns, group names, paths."""


def english_words(text: str) -> set[str]:
    import re

    return {word for word in re.findall(r"[A-Za-z_]{3,}", text) if word not in ALLOWED_ENGLISH}


def test_model_backtest_and_prediction_speak_chinese_under_a_chinese_locale(
    world: tuple[Path, Path],
) -> None:
    config, log = world
    runner = CliRunner(env={"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None})
    outputs = {
        "model": invoke(runner, "model", str(EXAMPLE_LOG), "-c", str(EXAMPLE_CONFIG)).output,
        "backtest": invoke(runner, "backtest", str(log), "-c", str(config), "--holdout", "2d",
                           "--runs", "2").output,
    }  # fmt: skip
    for form in ("table", "markdown"):
        found = invoke(runner, "diff", str(config), str(config), str(log), "--predict", "--runs",
                       "2", "--format", form).output  # fmt: skip
        start = found.index("预测")
        outputs[f"diff --predict ({form})"] = found[start:]
    for command, output in outputs.items():
        assert "3分钟响应率" in output or "回复模型" in output, command
        assert english_words(output.replace("<details>", "").replace("</details>", "")
                             .replace("<summary>", "").replace("</summary>", "")) == set(), (
            command, output)  # fmt: skip
