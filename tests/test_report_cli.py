"""`routectl report`: the command's options, formats and exit codes, with the real engine."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from conftest import minimal_document
from routectl.cli import cli

HEADER = "time,event,buyer,agent,device,status,entry\n"
# a (300) and b (100) in presale; a leaves at 12:00. Times are Shanghai local.
DAY_ONE = """\
2026-11-02T07:50:00,status,,shop:a,pc,online,
2026-11-02T07:59:59,message,early,,,,shop_home
2026-11-02T08:00:00,status,,shop:b,pc,online,
2026-11-02T08:00:00,reply,early,shop:a,,,
2026-11-02T09:00:00,message,b1,,,,shop_home
2026-11-02T09:01:00,message,b1,,,,shop_home
2026-11-02T09:02:00,reply,b1,shop:a,,,
2026-11-02T09:10:00,message,b2,,,,shop_home
2026-11-02T09:20:00,reply,b2,shop:b,,,
2026-11-02T10:00:00,message,b3,,,,shop_home
2026-11-02T12:00:00,status,,shop:a,pc,offline,
2026-11-02T18:00:00,status,,shop:b,pc,offline,
"""
DAY_TWO = """\
2026-11-03T09:00:00,status,,shop:a,pc,online,
2026-11-03T09:30:00,message,c1,,,,shop_home
2026-11-03T09:31:00,reply,c1,shop:a,,,
2026-11-03T10:00:00,status,,shop:a,pc,offline,
"""
CONTRACT_SUMMARY = [
    "messages", "inquiries", "questions_counted", "answered_within_threshold",
    "response_rate", "answered", "reply_rate", "first_response_median_s",
    "first_response_p90_s", "offline_messages",
]  # fmt: skip
CONTRACT_AGENT = [
    "agent", "inquiries", "share", "expected_share", "online_s", "mobile_s",
    "questions_counted", "response_rate",
]  # fmt: skip


@pytest.fixture
def files(tmp_path: Path, write_config: Callable[..., Path]) -> tuple[Path, Path]:
    config = write_config(minimal_document())
    log = tmp_path / "log.csv"
    log.write_text(HEADER + DAY_ONE + DAY_TWO, encoding="utf-8")
    return config, log


def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["report", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def report_json(runner: CliRunner, config: Path, log: Path, *extra: str) -> dict[str, object]:
    code, out, err = invoke(runner, str(log), "-c", str(config), "--format", "json", *extra)
    assert code == 0, err
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


def test_json_has_the_contract_keys_in_order(runner: CliRunner, files: tuple[Path, Path]) -> None:
    document = report_json(runner, *files)
    summary = document["summary"]
    agents = document["agents"]
    assert isinstance(summary, dict) and isinstance(agents, list)
    assert list(summary)[: len(CONTRACT_SUMMARY)] == CONTRACT_SUMMARY
    assert [row["agent"] for row in agents] == ["shop:a", "shop:b"]
    for row in agents:
        assert set(CONTRACT_AGENT) <= set(row)


def test_json_figures_hand_computed(runner: CliRunner, files: tuple[Path, Path]) -> None:
    document = report_json(runner, *files)
    summary = document["summary"]
    assert isinstance(summary, dict)
    # counted: b1 (09:00, 120 s), b2 (09:10, 600 s), b3 (10:00, never), c1 (60 s);
    # early (07:59:59) is outside 08:00-24:00.
    assert summary["messages"] == 6
    assert summary["inquiries"] == 5
    assert summary["questions_counted"] == 4
    assert summary["questions_outside_hours"] == 1
    assert summary["answered_within_threshold"] == 2
    assert summary["response_rate"] == 0.5
    assert summary["answered"] == 3
    assert summary["reply_rate"] == 0.75
    assert summary["first_response_median_s"] == 120
    assert summary["first_response_p90_s"] == 600
    assert summary["offline_messages"] == 0


def test_json_online_durations(runner: CliRunner, files: tuple[Path, Path]) -> None:
    agents = report_json(runner, *files)["agents"]
    assert isinstance(agents, list)
    a, b = agents
    assert a["online_s"] == 4 * 3600 + 10 * 60 + 3600  # 07:50-12:00 and 09:00-10:00
    assert b["online_s"] == 10 * 3600
    assert a["mobile_s"] == b["mobile_s"] == 0


@freeze_time("2026-11-04 02:00:00")  # 10:00 on 2026-11-04 in Shanghai
def test_since_until_yesterday_counts_only_that_day(
    runner: CliRunner, files: tuple[Path, Path]
) -> None:
    document = report_json(runner, *files, "--since", "yesterday", "--until", "yesterday")
    summary = document["summary"]
    agents = document["agents"]
    assert isinstance(summary, dict) and isinstance(agents, list)
    assert summary["messages"] == 1  # c1: day one still went through the engine
    assert summary["questions_counted"] == 1
    assert agents[0]["online_s"] == 3600
    assert agents[1]["online_s"] == 0
    window = document["window"]
    assert isinstance(window, dict)
    assert window["since"] == "2026-11-03T00:00:00+08:00"
    assert window["until"] == "2026-11-04T00:00:00+08:00"


@freeze_time("2026-11-03 02:00:00")  # 10:00 on 2026-11-03 in Shanghai
def test_relative_window_in_the_command(runner: CliRunner, files: tuple[Path, Path]) -> None:
    summary = report_json(runner, *files, "--since", "24h")["summary"]
    assert isinstance(summary, dict)
    assert summary["messages"] == 2  # b3 at 10:00 yesterday and c1 today
    summary = report_json(runner, *files, "--since", "7d", "--until", "today")["summary"]
    assert isinstance(summary, dict)
    assert summary["messages"] == 6


def test_log_defaults_to_standard_input(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    code, out, err = invoke(
        runner, "-c", str(config), "--format", "json", stdin=log.read_text("utf-8")
    )
    assert code == 0, err
    assert json.loads(out)["summary"]["messages"] == 6


def test_table_is_the_default(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    code, out, _ = invoke(runner, str(log), "-c", str(config), "--lang", "en")
    assert code == 0
    assert out.startswith("test shop: report from start of log (2026-11-02T07:50:00+08:00)")
    for title in ("Summary", "Agents", "Groups", "Hours of day", "Why the split is uneven"):
        assert f"\n{title}" in out
    assert "\nDays\n" not in out
    assert re.search(r"\n3m response rate +50\.0%\n", out)


def test_by_chooses_the_breakdowns(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    code, out, _ = invoke(runner, str(log), "-c", str(config), "--by", "day,hour", "--lang", "en")
    assert code == 0
    assert "\nDays\n" in out and "\nHours of day" in out and "\nAgents:" not in out
    document = report_json(runner, config, log, "--by", "day", "--by", "agent")
    assert "days" in document and "hours" not in document and "groups" not in document
    days = document["days"]
    assert isinstance(days, list)
    assert [row["day"] for row in days] == ["2026-11-02", "2026-11-03"]


def test_csv_is_the_agent_table(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    code, out, _ = invoke(runner, str(log), "-c", str(config), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["agent"] for row in rows] == ["shop:a", "shop:b"]
    assert rows[0]["groups"] == "presale"
    assert set(CONTRACT_AGENT) <= set(rows[0])


def test_csv_by_group(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    code, out, _ = invoke(runner, str(log), "-c", str(config), "--format", "csv", "--by", "group")
    assert code == 0
    assert out.splitlines()[0].startswith("group,agents,weight,inquiries,share")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "--by", "agent,hour"], "csv writes one table"),
        (["--by", "week"], "week: choose from agent, group, hour, day"),
        (["--since", "last week"], "--since 'last week': not a time"),
        (["--since", "2026-11-03", "--until", "2026-11-02"], "the window is empty"),
    ],
)
def test_usage_errors_exit_2(
    runner: CliRunner, files: tuple[Path, Path], args: list[str], message: str
) -> None:
    config, log = files
    code, _, err = invoke(runner, str(log), "-c", str(config), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_bad_row_exits_1_and_skip_bad_goes_on(
    runner: CliRunner, files: tuple[Path, Path], tmp_path: Path
) -> None:
    config, _ = files
    log = tmp_path / "bad.csv"
    log.write_text(HEADER + "2026-11-02T09:00:00,mesage,b1,,,,\n" + DAY_TWO, encoding="utf-8")
    code, _, err = invoke(runner, str(log), "-c", str(config))
    assert code == 1
    assert f"routectl: error: {log}:2: unknown event 'mesage'" in err
    code, out, err = invoke(runner, str(log), "-c", str(config), "--skip-bad", "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["messages"] == 1
    assert "skipped 1 bad row" in err


def test_output_file_is_written(
    runner: CliRunner, files: tuple[Path, Path], tmp_path: Path
) -> None:
    config, log = files
    target = tmp_path / "report.json"
    code, out, _ = invoke(
        runner, str(log), "-c", str(config), "--format", "json", "-o", str(target)
    )
    assert code == 0 and out == ""
    assert json.loads(target.read_text("utf-8"))["summary"]["inquiries"] == 5


def test_empty_log_reports_nulls(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, _ = files
    code, out, _ = invoke(runner, "-c", str(config), "--format", "json", stdin=HEADER)
    assert code == 0
    summary = json.loads(out)["summary"]
    assert summary["questions_counted"] == 0
    assert summary["response_rate"] is None and summary["reply_rate"] is None
    assert summary["first_response_median_s"] is None
