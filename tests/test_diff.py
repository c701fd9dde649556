"""`routectl diff`: one pass of a log through two configs, end to end and in the core.

Goldens (regenerate with ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_diff.py``
and read the diff): the shipped example day, with 旗舰店:小美's weight cut from 300 to 100.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, ROOT, make_config, minimal_document
from routectl.cli import cli
from routectl.diff.core import compare
from routectl.events import BuyerMessage, StatusChange
from routectl.model import Agent

EXAMPLE_LOG = ROOT / "examples" / "shop-day.csv"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE = "shopconfig.example.toml"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
HEADER = "time,event,buyer,agent,device,status,entry,item,order_status,intent,text\n"


def lighter_xiaomei() -> str:
    """The example config with 旗舰店:小美's weight 300 -> 100 (the only weight of 300)."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    assert text.count("weight = 300") == 1
    return text.replace("weight = 300", "weight = 100")


def run_diff(runner: CliRunner, *args: str, stdin: str | None = None) -> Any:
    return runner.invoke(cli, ["diff", *args], input=stdin)


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # relative paths in the output: goldens independent of the checkout


def test_a_config_against_itself_changes_nothing(runner: CliRunner, in_root: None) -> None:
    args = ["shopconfig.example.toml", "shopconfig.example.toml", "examples/shop-day.csv"]
    result = run_diff(runner, *args, "--format", "json", "--exit-code")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["changed_messages"] == 0
    assert document["changed"] is False
    assert document["changes"] == [] and document["moves"] == []
    assert document["summary"]["base"] == document["summary"]["new"]
    assert document["messages"] == document["summary"]["base"]["messages"] > 0
    for agent in document["agents"]:
        assert agent["share_base"] == agent["share_new"]
    table = run_diff(runner, *args)
    assert "nothing changes" in table.stdout


def test_a_lower_weight_moves_share_away_from_that_agent(runner: CliRunner, in_root: None) -> None:
    args = ["shopconfig.example.toml", "-", "examples/shop-day.csv", "--format", "json"]
    result = run_diff(runner, *args, "--exit-code", stdin=lighter_xiaomei())
    assert result.exit_code == 1, result.stderr  # --exit-code: something changed
    document = json.loads(result.stdout)
    agents = {row["agent"]: row for row in document["agents"]}
    assert agents["旗舰店:小美"]["share_new"] < agents["旗舰店:小美"]["share_base"]
    # 小丽 (weight 100) now weighs as much as 小美 and gains the most.
    assert agents["旗舰店:小丽"]["share_new"] > agents["旗舰店:小丽"]["share_base"]
    assert agents["旗舰店:小丽"]["inquiries_new"] > agents["旗舰店:小丽"]["inquiries_base"]
    moves = {(m["from"], m["to"]): m["messages"] for m in document["moves"]}
    assert moves[("旗舰店:小美", "旗舰店:小丽")] > 0
    assert document["changed_messages"] == (
        document["changed_assignee"] + document["changed_rule_only"]
    )
    assert sum(moves.values()) == document["changed_assignee"]


def test_changes_are_the_first_ones_in_log_order_up_to_the_limit(
    runner: CliRunner, in_root: None
) -> None:
    args = ["shopconfig.example.toml", "-", "examples/shop-day.csv", "--format", "json"]
    every = json.loads(run_diff(runner, *args, "--limit", "100000", stdin=lighter_xiaomei()).stdout)
    first = json.loads(run_diff(runner, *args, "--limit", "5", stdin=lighter_xiaomei()).stdout)
    lines = [change["line"] for change in every["changes"]]
    assert lines == sorted(lines) and len(lines) == every["changed_messages"]
    assert [change["line"] for change in first["changes"]] == lines[:5]
    for change in first["changes"]:
        base, new = change["base"], change["new"]
        assert (base["assignee"], base["rule"]) != (new["assignee"], new["rule"])
        assert base["reason"] and new["reason"]


@pytest.mark.parametrize(
    "fmt,golden", [("json", "diff-shop-day.json"), ("markdown", "diff-shop-day.md")]
)
def test_diff_of_the_example_day_matches_its_golden_file(
    runner: CliRunner, in_root: None, fmt: str, golden: str
) -> None:
    args = ["shopconfig.example.toml", "-", "examples/shop-day.csv", "--format", fmt]
    result = run_diff(runner, *args, "--limit", "5", stdin=lighter_xiaomei())
    assert result.exit_code == 0, result.stderr
    path = GOLDEN / golden
    if UPDATE:
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


def test_markdown_and_table_say_the_new_side_assumes_the_log_reply_times(
    runner: CliRunner, in_root: None
) -> None:
    for fmt in ("markdown", "table"):
        args = ["shopconfig.example.toml", "-", "examples/shop-day.csv", "--format", fmt]
        result = run_diff(runner, *args, stdin=lighter_xiaomei())
        assert "assumes the log's reply times" in " ".join(result.stdout.split())
    markdown = run_diff(runner, *args[:-1], "markdown", stdin=lighter_xiaomei()).stdout
    assert "| 旗舰店:小美 | 65 -> " in markdown


def test_an_agent_the_new_config_removes_is_left_out_not_an_error(
    runner: CliRunner, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    base = write_config(minimal_document(), "base.toml")
    without_b = minimal_document(agents=[{"id": "shop:a", "groups": ["presale"]}])
    new = write_config(without_b, "new.toml")
    log = tmp_path / "log.csv"
    log.write_text(
        HEADER
        + "2026-11-02T09:00:00,status,,shop:a,,online,,,,,\n"
        + "2026-11-02T09:00:00,status,,shop:b,,online,,,,,\n"
        + "2026-11-02T09:01:00,message,u1,shop:b,,,shop_home,,,,hi\n"
        + "2026-11-02T09:02:00,message,u2,,,,shop_home,,,,hi\n",
        encoding="utf-8",
    )
    result = run_diff(runner, str(base), str(new), str(log), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ignored_on_new"] == 1  # shop:b's status row
    assert document["messages"] == 2
    agents = {row["agent"]: row for row in document["agents"]}
    assert agents["shop:b"]["in_new"] is False
    assert agents["shop:a"]["inquiries_new"] == 2


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["missing.toml", EXAMPLE, "examples/shop-day.csv"], None, "no such file"),
        ([EXAMPLE, EXAMPLE, "missing.csv"], None, "no such file"),
        (["-", "-", "examples/shop-day.csv"], "", "standard input (-) can be read once"),
        ([EXAMPLE, "-"], "", "standard input (-) can be read once"),
        ([EXAMPLE, "-", "examples/shop-day.csv"], "[shop]\nnmae = 1\n", "invalid config"),
        ([EXAMPLE, "-", "examples/shop-day.csv"], "", "invalid config"),
    ],
)
def test_unusable_input_is_one_error_and_exit_2(
    runner: CliRunner, in_root: None, args: list[str], stdin: str | None, message: str
) -> None:
    result = run_diff(runner, *args, stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("routectl: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "body,where",
    [
        ("", "empty.csv:1"),
        (HEADER + "2026-11-02T09:00:00,dance,u1,,,,,,,,\n", "empty.csv:2"),
        (HEADER + "2026-11-02T09:00:00,message,u1,,,,shop_home\n"
         "2026-11-02T25:00:00,message,u2,,,,shop_home\n", "empty.csv:3"),  # a file out of
        # order is sorted (issue 23): a bad time is the row that stops it here
    ],
)  # fmt: skip
def test_a_bad_log_is_file_line_and_exit_2(
    runner: CliRunner, in_root: None, tmp_path: Path, body: str, where: str
) -> None:
    log = tmp_path / "empty.csv"
    log.write_text(body, encoding="utf-8")
    result = run_diff(runner, "shopconfig.example.toml", "shopconfig.example.toml", str(log))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and where in result.stderr


def test_skip_bad_skips_the_row_on_both_sides(
    runner: CliRunner, in_root: None, tmp_path: Path
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "2026-11-02T09:00:00,dance,u1,,,,,,,,\n", encoding="utf-8")
    args = ["shopconfig.example.toml", "shopconfig.example.toml", str(log), "--skip-bad"]
    result = run_diff(runner, *args, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["messages"] == 0
    assert "skipped 1 bad row" in result.stderr


def test_core_pairs_a_row_decided_later_with_its_other_side() -> None:
    # Nobody online: u1 waits (R14) and is assigned only when shop:a comes online.
    events = [
        BuyerMessage(2, 1000.0, "u1", entry="shop_home"),
        StatusChange(3, 1600.0, "shop:a", "online"),
        BuyerMessage(4, 1700.0, "u2", entry="shop_home"),
    ]
    config = make_config()
    result = compare(config, config, events)
    assert result.messages == 2
    assert result.changed_messages == 0 and not result.changed
    assert result.base.summary.pooled_inquiries == result.new.summary.pooled_inquiries == 1


def test_core_keeps_the_first_changes_in_log_order_whatever_the_order_they_pair_in() -> None:
    # u1 waits in the pool on the base side (nobody online) and is decided at once on the
    # new side (shop:b is an R15 rerouting target? no: simply online from the start there).
    base = make_config()
    new = make_config(agents=(Agent("shop:a", ("presale",)), Agent("shop:c", ("presale",))))
    events = [
        StatusChange(2, 900.0, "shop:c", "online"),
        BuyerMessage(3, 1000.0, "u1", entry="shop_home"),
        BuyerMessage(4, 1100.0, "u2", entry="shop_home"),
        StatusChange(5, 1600.0, "shop:a", "online"),
        BuyerMessage(6, 1700.0, "u3", entry="shop_home"),
    ]
    result = compare(base, new, events, limit=1)
    assert result.ignored_on_new == 0
    assert result.changed_messages >= 2
    assert [change.line for change in result.changes] == [3]
