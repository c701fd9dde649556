"""`generate-log` log shapes for the benchmark (issue 13): --time-format, --agents N,
--write-config."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, make_config
from routectl.cli import cli
from routectl.config import load_config
from routectl.logio.timefmt import TimeParser
from routectl.model import Agent, Dedicated, Group, Offline, OfflinePolicy, Shop, ShopConfig
from routectl.sim.generate import generate_rows
from routectl.sim.generate_team import scale_team
from routectl.sim.generate_times import TIME_FORMATS, TimeWriter

EXAMPLE = load_config(str(EXAMPLE_CONFIG))

SHAPES = {
    "naive": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
    "offset": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d",
    "utc": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
    "slash": r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d",
}


# --- --time-format ------------------------------------------------------------------


@pytest.mark.parametrize("time_format", list(TIME_FORMATS))
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe"])
def test_every_time_format_gives_the_same_instants(time_format: str, zone: str) -> None:
    # Starts just before DST changes (New York 2026-11-01, Lord Howe 2026-10-04).
    config = make_config(shop=Shop("s", zone))
    start = date(2026, 10, 31) if zone == "America/New_York" else date(2026, 10, 3)
    naive = list(generate_rows(config, seed=4, start=start, days=2, rows_per_day=3000))
    shaped = list(
        generate_rows(
            config, seed=4, start=start, days=2, rows_per_day=3000, time_format=time_format
        )
    )
    parser = TimeParser(ZoneInfo(zone))
    assert [row[1:] for row in shaped] == [row[1:] for row in naive]
    for plain, written in zip(naive, shaped, strict=True):
        assert re.fullmatch(SHAPES[time_format], written[0]), written[0]
        assert parser.parse(written[0]) == parser.parse(plain[0])


def test_offset_format_writes_the_shop_zone_offset() -> None:
    writer = TimeWriter(ZoneInfo("Asia/Shanghai"), "offset")
    assert writer.write("2026-10-01T08:00:00") == "2026-10-01T08:00:00+08:00"
    new_york = TimeWriter(ZoneInfo("America/New_York"), "offset")
    assert new_york.write("2026-07-01T08:00:59") == "2026-07-01T08:00:59-04:00"
    assert new_york.write("2026-12-01T08:00:00") == "2026-12-01T08:00:00-05:00"


@pytest.mark.parametrize(
    ("time_format", "expected"),
    [
        ("naive", "2026-10-01T08:00:07"),
        ("offset", "2026-10-01T08:00:07+08:00"),
        ("utc", "2026-10-01T00:00:07Z"),
        ("slash", "2026/10/01 08:00:07"),
    ],
)
def test_time_formats(time_format: str, expected: str) -> None:
    writer = TimeWriter(ZoneInfo("Asia/Shanghai"), time_format)
    assert writer.write("2026-10-01T08:00:07") == expected


def test_unknown_time_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time format"):
        TimeWriter(ZoneInfo("Asia/Shanghai"), "iso")


# --- --agents -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 7, 40, 200])
def test_scaled_team_has_exactly_n_agents_with_the_config_shape(size: int) -> None:
    team = scale_team(EXAMPLE, size).agents
    assert len(team) == size
    assert len({agent.id for agent in team}) == size
    kept = min(size, len(EXAMPLE.agents))
    assert team[:kept] == EXAMPLE.agents[:kept]
    for position, agent in enumerate(team[kept:], start=kept):
        template = EXAMPLE.agents[position % len(EXAMPLE.agents)]
        assert agent.groups == template.groups
        assert (agent.weight, agent.routing, agent.mobile, agent.max_concurrent) == (
            template.weight,
            template.routing,
            template.mobile,
            template.max_concurrent,
        )
        assert agent.id.startswith(f"{EXAMPLE.shop.name}:客服")


def test_scaled_team_without_agents_spreads_over_the_groups() -> None:
    config = ShopConfig(shop=Shop("s"), groups=(Group("presale"), Group("aftersale")))
    team = scale_team(config, 4).agents
    assert [agent.groups for agent in team] == [("presale",), ("aftersale",)] * 2
    assert [agent.id for agent in team] == [f"s:客服00{n}" for n in range(1, 5)]


def test_a_smaller_team_keeps_the_config_valid() -> None:
    config = make_config(
        agents=(Agent("shop:a", ("presale",)), Agent("shop:b", ("presale",))),
        dedicated=Dedicated(True, {"vip": "shop:b", "regular": "shop:a"}),
        offline=Offline(OfflinePolicy("agent", "shop:b")),
    )
    small = scale_team(config, 1)
    assert [agent.id for agent in small.agents] == ["shop:a"]
    assert dict(small.dedicated.buyers) == {"regular": "shop:a"}
    assert small.offline.policy == OfflinePolicy()


@pytest.mark.parametrize("size", [0, 10_001])
def test_team_size_out_of_range_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="agents must be"):
        scale_team(EXAMPLE, size)


def test_generated_log_names_the_scaled_team() -> None:
    team = scale_team(EXAMPLE, 40)
    named = {row[3] for row in generate_rows(team, days=1) if row[3]}
    assert named <= {agent.id for agent in team.agents}
    assert len(named) > 30


# --- the command --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agents", "time_format"), [(None, "naive"), (7, "slash"), (40, "offset"), (200, "utc")]
)
def test_benchmark_shapes_replay_with_the_written_config(
    runner: CliRunner, tmp_path: Path, agents: int | None, time_format: str
) -> None:
    log, config = tmp_path / "log.csv", tmp_path / "team.toml"
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "20000", "--seed", "3"]
    args += ["--time-format", time_format, "--write-config", str(config), "-o", str(log)]
    if agents is not None:
        args += ["--agents", str(agents)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    written = load_config(str(config))
    assert len(written.agents) == (agents or len(EXAMPLE.agents))
    first = log.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert re.fullmatch(SHAPES[time_format], first)
    replay = runner.invoke(cli, ["replay", str(log), "-c", str(config), "-o", os.devnull])
    assert replay.exit_code == 0, replay.stderr
    assert replay.stderr == ""


def test_routing_is_the_same_whatever_the_time_format(runner: CliRunner, tmp_path: Path) -> None:
    outputs = set()
    for time_format in TIME_FORMATS:
        log, out = tmp_path / f"{time_format}.csv", tmp_path / f"{time_format}.out"
        args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "5000"]
        generated = runner.invoke(cli, [*args, "--time-format", time_format, "-o", str(log)])
        assert generated.exit_code == 0, generated.stderr
        args = ["replay", str(log), "-c", str(EXAMPLE_CONFIG), "--format", "csv"]
        assert runner.invoke(cli, [*args, "-o", str(out)]).exit_code == 0
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


def test_agents_without_write_config_says_how_to_replay(runner: CliRunner) -> None:
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "5", "--agents", "40"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert "--write-config" in result.stderr


@pytest.mark.parametrize(
    "args", [["--agents", "0"], ["--agents", "10001"], ["--time-format", "iso"]]
)
def test_bad_shape_options_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(cli, ["generate-log", "-c", str(EXAMPLE_CONFIG), *args])
    assert result.exit_code == 2
    assert "routectl: error:" in result.stderr


def test_unwritable_config_output_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "team.toml"
    args = ["generate-log", "-c", str(EXAMPLE_CONFIG), "--rows", "5"]
    result = runner.invoke(cli, [*args, "--write-config", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
