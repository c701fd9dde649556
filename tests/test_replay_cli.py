"""`routectl replay` end to end with CliRunner: exact output for small logs, errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, minimal_document
from routectl.cli import cli

HEADER = "time,event,buyer,agent,device,status,entry,item,order_status,intent,text\n"
COLUMNS = "line,time,buyer,assignee,rule,assigned_at,reason,observed,agrees\n"


@pytest.fixture
def config(write_config: Callable[..., Path]) -> Path:
    return write_config(minimal_document())


def write_log(tmp_path: Path, body: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def replay(runner: CliRunner, config: Path, log: Path | str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["replay", str(log), "-c", str(config), *args])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


DAY_LOG = """\
2026-11-02T08:00:00,status,,shop:a,pc,online,,,,,
2026-11-02T08:00:00,status,,shop:b,电脑,在线,,,,,
2026-11-02T08:01:00,message,b1,,,,item_detail,,,,在吗
2026-11-02T08:01:30,message,b2,,,,店铺首页,,,,hi
2026-11-02T08:02:00,reply,b1,shop:a,,,,,,,在的
2026-11-02T08:03:00,message,b1,,,,,,,,发货了吗
2026-11-02T08:04:00,status,,shop:a,pc,挂起,,,,,
2026-11-02T08:05:00,message,b3,shop:a,,,,,,,找小a
"""


def test_csv_output_is_exact(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    code, out, err = replay(runner, config, write_log(tmp_path, DAY_LOG), "--format", "csv")
    assert (code, err) == (0, "")
    assert out == COLUMNS + (
        "4,2026-11-02T08:01:00+08:00,b1,shop:a,group,2026-11-02T08:01:00+08:00,"
        "entry item_detail → group presale; shop:a next by weight (300) among available agents,,\n"
        "5,2026-11-02T08:01:30+08:00,b2,shop:b,group,2026-11-02T08:01:30+08:00,"
        "entry shop_home → group presale; shop:b next by weight (100) among available agents,,\n"
        "7,2026-11-02T08:03:00+08:00,b1,shop:a,conversation,2026-11-02T08:03:00+08:00,"
        "open conversation with shop:a,,\n"
        '9,2026-11-02T08:05:00+08:00,b3,shop:b,group,2026-11-02T08:05:00+08:00,"'
        "addressed to shop:a, who is suspended (R16); no special rule or entry group: all "
        'routing agents; shop:b next by weight (100) among available agents",,\n'
    )


def test_jsonl_and_json_carry_the_same_rows(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    log = write_log(tmp_path, DAY_LOG)
    _, jsonl, _ = replay(runner, config, log, "--format", "jsonl")
    _, whole, _ = replay(runner, config, log, "--format", "json")
    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert rows == json.loads(whole)
    assert rows[0] == {
        "line": 4,
        "time": "2026-11-02T08:01:00+08:00",
        "buyer": "b1",
        "assignee": "shop:a",
        "rule": "group",
        "assigned_at": "2026-11-02T08:01:00+08:00",
        "reason": "entry item_detail → group presale; shop:a next by weight (300) among "
        "available agents",
        "observed": None,
        "agrees": None,
    }


def test_pooled_inquiry_gets_assigned_at_when_an_agent_comes(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    log = write_log(
        tmp_path,
        "2026-11-02T07:50:00,message,b1,,,,,,,,早\n"
        "2026-11-02T07:55:00,message,b2,,,,,,,,hi\n"
        "2026-11-02T08:00:00,status,,shop:b,pc,online,,,,,\n",
    )
    code, out, _ = replay(runner, config, log, "--format", "csv")
    assert code == 0
    assert out.splitlines()[1:] == [
        "2,2026-11-02T07:50:00+08:00,b1,shop:b,offline,2026-11-02T08:00:00+08:00,"
        "no routing agent online and not suspended (R7); pooled; shop:b took it 10m later,,",
        "3,2026-11-02T07:55:00+08:00,b2,shop:b,offline,2026-11-02T08:00:00+08:00,"
        "no routing agent online and not suspended (R7); pooled; shop:b took it 5m later,,",
    ]


def test_all_agents_suspended_and_never_back_ends_offline(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    log = write_log(
        tmp_path,
        "2026-11-02T08:00:00,status,,shop:a,pc,suspended,,,,,\n"
        "2026-11-02T08:00:00,status,,shop:b,pc,suspended,,,,,\n"
        "2026-11-02T08:01:00,message,b1,,,,,,,,在吗\n",
    )
    code, out, _ = replay(runner, config, log, "--format", "csv")
    assert code == 0
    assert out.splitlines()[1] == (
        "4,2026-11-02T08:01:00+08:00,b1,offline,offline,,no routing agent online and not "
        "suspended (R7); pooled; still waiting at the end of the log,,"
    )


def test_message_to_an_offline_agent_is_re_routed(
    runner: CliRunner, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    config = write_config(minimal_document(routing={"offline_routing": True}))
    log = write_log(
        tmp_path,
        "2026-11-02T08:00:00,status,,shop:a,pc,online,,,,,\n"
        "2026-11-02T08:00:00,status,,shop:b,pc,online,,,,,\n"
        "2026-11-02T08:10:00,status,,shop:b,pc,offline,,,,,\n"
        "2026-11-02T08:11:00,message,b1,shop:b,,,,,,,在吗\n"
        "2026-11-02T08:20:00,message,b2,shop:b,,,,,,,在吗\n",
    )
    code, out, _ = replay(runner, config, log, "--format", "csv")
    assert code == 0
    rows = [line.split(",")[:6] for line in out.splitlines()[1:]]
    assert rows == [
        ["5", "2026-11-02T08:11:00+08:00", "b1", "offline", "offline", ""],
        ["6", "2026-11-02T08:20:00+08:00", "b2", "shop:a", "offline_routing",
         "2026-11-02T08:20:00+08:00"],
    ]  # fmt: skip


def test_header_only_log_gives_header_only(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    code, out, err = replay(runner, config, write_log(tmp_path, ""), "--format", "csv")
    assert (code, out, err) == (0, COLUMNS, "")
    code, out, _ = replay(runner, config, write_log(tmp_path, ""), "--format", "table")
    assert (code, out) == (0, "(no rows)\n")


def test_empty_log_is_an_error(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, out, err = replay(runner, config, empty)
    assert (code, out) == (1, "")
    assert err == (
        f"routectl: error: {empty}:1: empty log: a header row is required (at least: time,event)\n"
    )


def test_unknown_agent_stops_or_is_skipped(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    log = write_log(
        tmp_path,
        "2026-11-02T08:00:00,status,,shop:zz,pc,online,,,,,\n"
        "2026-11-02T08:01:00,message,b1,,,,,,,,hi\n",
    )
    code, out, err = replay(runner, config, log, "--format", "csv")
    assert (code, out) == (1, "")
    assert err == (
        f"routectl: error: {log}:2: unknown agent 'shop:zz' (not in the config's [[agents]])\n"
    )
    code, out, err = replay(runner, config, log, "--format", "csv", "--skip-bad")
    assert code == 0
    assert out.splitlines()[1].startswith("3,2026-11-02T08:01:00+08:00,b1,offline,offline,,")
    assert err.splitlines() == [
        f"routectl: skipped: {log}:2: unknown agent 'shop:zz' (not in the config's [[agents]])",
        "routectl: skipped 1 bad row (--skip-bad)",
    ]


def test_transfer_the_bot_does_not_hold_is_a_bad_row(
    runner: CliRunner, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    config = write_config(minimal_document(bot={"enabled": True, "priority_reception": True}))
    log = write_log(
        tmp_path,
        "2026-11-02T08:00:00,status,,shop:a,pc,online,,,,,\n"
        "2026-11-02T08:01:00,transfer,b1,,,,,,,,\n"
        "2026-11-02T08:02:00,message,b1,,,,,,,,hi\n"
        "2026-11-02T08:03:00,transfer,b1,,,,,,,,\n"
        "2026-11-02T08:04:00,message,b1,,,,,,,,human please\n",
    )
    code, _, err = replay(runner, config, log, "--format", "csv")
    assert code == 1
    assert err == (
        f"routectl: error: {log}:3: transfer for buyer 'b1', whose conversation the bot "
        "does not hold\n"
    )
    code, out, err = replay(runner, config, log, "--format", "csv", "--skip-bad")
    assert code == 0
    assert [row.split(",")[3:5] for row in out.splitlines()[1:]] == [
        ["bot", "bot"],
        ["shop:a", "conversation"],
    ]
    assert err.endswith("routectl: skipped 1 bad row (--skip-bad)\n")


def test_missing_log_is_a_usage_error(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    code, _, err = replay(runner, config, tmp_path / "nope.csv")
    assert code == 2
    assert err == f"routectl: error: {tmp_path / 'nope.csv'}: no such file\n"


def test_stdin_and_output_file(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = runner.invoke(
        cli, ["replay", "-", "-c", str(config), "-o", str(target)], input=HEADER + DAY_LOG
    )
    assert (result.exit_code, result.stdout) == (0, "")
    text = target.read_text(encoding="utf-8-sig")  # a CSV file is Excel-safe by default
    assert text.startswith(COLUMNS) and len(text.splitlines()) == 5


def test_explain_prints_the_decision_trace(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    log = write_log(tmp_path, DAY_LOG)
    code, out, _ = replay(runner, config, log, "--explain", "b3", "--format", "csv")
    assert code == 0
    steps = [row[2] for row in csv.reader(io.StringIO(out))][1:]
    assert steps[0] == "R5: no open conversation → new inquiry (to shop:a)"
    assert steps[1].startswith("R16: addressed to shop:a, who is suspended (R16)")
    assert any(step.startswith("R13: candidates in *: shop:a (suspended") for step in steps)
    assert steps[-1] == "R13: lowest (pass, agent order) → shop:b"


def test_example_day_replays(runner: CliRunner) -> None:
    log = EXAMPLE_CONFIG.parent / "examples" / "shop-day.csv"
    if not log.exists():
        pytest.skip("example log not written yet")
    code, out, err = replay(runner, EXAMPLE_CONFIG, log, "--format", "csv")
    assert (code, err) == (0, "")
    lines = log.read_text(encoding="utf-8").splitlines()
    messages = sum(1 for line in lines if ",message," in line)
    assert len(out.splitlines()) == messages + 1


def test_bot_example_transfers_to_humans(runner: CliRunner) -> None:
    examples = EXAMPLE_CONFIG.parent / "examples"
    code, out, err = replay(
        runner, examples / "bot-shop.toml", examples / "bot-day.csv", "--format", "csv"
    )
    assert (code, err) == (0, "")
    rows = [row[:5] for row in csv.reader(io.StringIO(out))][1:]
    assert [(row[2], row[3], row[4]) for row in rows] == [
        ("night", "tiny:a", "offline"),
        ("u1", "bot", "bot"),
        ("u1", "bot", "conversation"),
        ("u1", "tiny:a", "conversation"),
        ("vip1", "tiny:b", "dedicated"),
        ("u2", "bot", "bot"),
        ("u2", "tiny:c", "conversation"),
        ("u3", "bot", "bot"),
        ("u3", "bot", "conversation"),
        ("u1", "tiny:a", "recent_contact"),
    ]


def test_gb18030_log_with_encoding_option(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    log = tmp_path / "excel.csv"
    log.write_bytes((HEADER + DAY_LOG).encode("gb18030"))
    code, _, err = replay(runner, config, log, "--format", "csv", "--encoding", "utf-8")
    assert code == 1 and "try --encoding gb18030" in err
    expected = replay(runner, config, write_log(tmp_path, DAY_LOG), "--format", "csv")[1]
    for named in ((), ("--encoding", "gb18030")):  # detected, or named
        code, out, err = replay(runner, config, log, "--format", "csv", *named)
        assert (code, err, out) == (0, "", expected)
