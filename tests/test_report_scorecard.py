"""The scorecard through the command: R25 from a real log, R26 --as-of, --lang, --wide,
--verbose, the 100-column agents table and the JSON keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from wcwidth import wcswidth

from conftest import EXAMPLE_CONFIG, ROOT, minimal_document
from routectl.cli import cli
from routectl.i18n import lang_from_environ

HEADER = "time,event,buyer,agent,device,status,entry,amount\n"
# a (300) and b (100) online all day; four buyers, two pay, one pays without asking.
LOG = """\
2026-11-02T08:00:00,status,,shop:a,pc,online,,
2026-11-02T08:00:00,status,,shop:b,pc,online,,
2026-11-02T09:00:00,message,b1,shop:a,,,shop_home,
2026-11-02T09:00:40,reply,b1,shop:a,,,,
2026-11-02T09:10:00,message,b2,shop:b,,,shop_home,
2026-11-02T09:20:00,reply,b2,shop:b,,,,
2026-11-02T09:30:00,paid,b1,,,,,199.00
2026-11-02T10:00:00,paid,quiet,,,,,58.50
2026-11-02T22:59:59,message,b3,shop:a,,,shop_home,
2026-11-02T23:00:00,message,b4,shop:a,,,shop_home,
2026-11-02T23:01:00,reply,b3,shop:a,,,,
2026-11-02T23:01:30,reply,b4,shop:a,,,,
2026-11-03T09:00:00,paid,b2,,,,,20
2026-11-03T23:00:00,status,,shop:a,pc,offline,,
2026-11-03T23:00:00,status,,shop:b,pc,offline,,
"""


@pytest.fixture
def files(tmp_path: Path, write_config: Callable[..., Path]) -> tuple[Path, Path]:
    config = write_config(minimal_document())
    log = tmp_path / "log.csv"
    log.write_text(HEADER + LOG, encoding="utf-8")
    return config, log


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(cli, ["report", *args], env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def report_json(runner: CliRunner, config: Path, log: Path, *extra: str) -> dict[str, object]:
    document = json.loads(run(runner, str(log), "-c", str(config), "--format", "json", *extra))
    assert isinstance(document, dict)
    return document


def test_R25_R23_R24_figures_from_a_real_log(runner: CliRunner, files: tuple[Path, Path]) -> None:
    document = report_json(runner, *files)
    summary = document["summary"]
    assert isinstance(summary, dict)
    # b1 (a) paid 199 within 24h; b2 (b) paid 20 at 23h50m after asking; b3, b4 did not.
    assert (summary["buyers"], summary["paid_buyers"], summary["conversion_rate"]) == (4, 2, 0.5)
    assert summary["sales"] == 219.0
    assert (summary["orders"], summary["silent_orders"], summary["silent_sales"]) == (3, 1, 58.5)
    # averaged: b1 40 s, b2 600 s, b3 61 s; b4 at 23:00:00 is outside avg_window
    assert summary["avg_questions"] == 3
    assert summary["avg_response_s"] == round((40 + 600 + 61) / 3, 2)
    assert summary["slow_questions"] == 1  # b2 (600 s); b4's 90 s is under 100 s
    agents = {row["agent"]: row for row in document["agents"]}  # type: ignore[attr-defined]
    assert (agents["shop:a"]["buyers"], agents["shop:a"]["paid_buyers"]) == (3, 1)
    assert (agents["shop:a"]["sales"], agents["shop:a"]["conversion_rate"]) == (199.0, 0.3333)
    assert (agents["shop:b"]["sales"], agents["shop:b"]["avg_response_s"]) == (20.0, 600.0)


def test_json_keys_are_a_superset_of_the_contract_with_a_schema_version(
    runner: CliRunner, files: tuple[Path, Path]
) -> None:
    document = report_json(runner, *files)
    assert document["schema_version"] == 1
    new_keys = {"avg_response_s", "slow_questions", "buyers", "paid_buyers", "conversion_rate"}
    new_keys.add("sales")
    summary = document["summary"]
    assert isinstance(summary, dict) and new_keys <= set(summary)
    for key in ("agents", "groups"):
        rows = document[key]
        assert isinstance(rows, list)
        assert all(new_keys <= set(row) for row in rows)
    assert document["reply_rate"] == {
        "hours": "08:00-24:00", "threshold_s": 180, "avg_hours": "08:00-23:00",
        "avg_cap_s": 600, "slow_after_s": 100,
    }  # fmt: skip
    assert document["sales"] == {"conversion_window_s": 86400}


@freeze_time("2026-12-02 02:00:00")  # 10:00 on 2026-12-02 in Shanghai
@pytest.mark.parametrize(
    ("as_of", "since", "until"),
    [
        ("2026-12-01", "2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00"),
        ("2026-11-03", "2026-10-04T00:00:00+08:00", "2026-11-03T00:00:00+08:00"),
        ("today", "2026-11-02T00:00:00+08:00", "2026-12-02T00:00:00+08:00"),
        ("yesterday", "2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00"),
    ],
)
def test_R26_as_of_is_the_30_days_before(
    runner: CliRunner, files: tuple[Path, Path], as_of: str, since: str, until: str
) -> None:
    document = report_json(runner, *files, "--as-of", as_of)
    window = document["window"]
    assert isinstance(window, dict)
    assert (window["since"], window["until"]) == (since, until)


def test_R26_as_of_the_second_day_leaves_out_that_day(
    runner: CliRunner, files: tuple[Path, Path]
) -> None:
    summary = report_json(runner, *files, "--as-of", "2026-11-03")["summary"]
    assert isinstance(summary, dict)
    assert summary["messages"] == 4  # all on 11-02
    assert summary["paid_buyers"] == 2  # b2 pays on 11-03: it completes an inquiry inside
    summary = report_json(runner, *files, "--as-of", "2026-11-02")["summary"]
    assert isinstance(summary, dict)
    assert summary["messages"] == 0  # DATE itself is never in the window


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-12-01", "--since", "7d"], "--as-of sets the whole window"),
        (["--as-of", "soon"], "expected a date"),
        (["--as-of", "2026-02-30"], "--as-of"),
    ],
)
def test_R26_as_of_usage_errors(
    runner: CliRunner, files: tuple[Path, Path], args: list[str], message: str
) -> None:
    config, log = files
    result = runner.invoke(cli, ["report", str(log), "-c", str(config), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_agents_table_fits_100_columns_by_default(runner: CliRunner, lang: str) -> None:
    log = ROOT / "examples" / "shop-day.csv"
    out = run(runner, str(log), "-c", str(EXAMPLE_CONFIG), "--lang", lang, "--by", "agent")
    title = "Agents" if lang == "en" else "客服考核"
    section = _section(out, title)
    assert len(section) > 8
    assert max(wcswidth(line) for line in section) <= 100
    assert section[3].startswith("小美 ")  # the main account's "旗舰店:" is said once, below
    assert any("旗舰店:" in line for line in section[10:])
    wide = run(runner, str(log), "-c", str(EXAMPLE_CONFIG), "--lang", lang, "--wide")
    assert max(wcswidth(line) for line in _section(wide, title)) > 100
    assert _section(wide, title)[3].startswith("旗舰店:小美 ")


def test_wide_adds_the_presence_columns(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    narrow = run(runner, str(log), "-c", str(config), "--lang", "en")
    wide = run(runner, str(log), "-c", str(config), "--lang", "en", "--wide")
    narrow_head = _section(narrow, "Agents")[1]
    wide_head = _section(wide, "Agents")[1]
    for column in ("weight", "suspended", "mobile", "hours worked", "median"):
        assert column not in narrow_head
        assert column in wide_head
    for column in ("inquiries", "buyers", "conv.", "sales", "in 3m", "avg", "replied", "slow"):
        assert column in narrow_head


def test_chinese_table_uses_the_platforms_terms(
    runner: CliRunner, files: tuple[Path, Path]
) -> None:
    config, log = files
    out = run(runner, str(log), "-c", str(config), "--lang", "zh")
    for term in (
        "3分钟响应率", "平均响应时长", "人工平响", "回复率", "慢响应", "询单转化率",
        "销售额", "静默下单", "在线时长", "客服考核",
    ):  # fmt: skip
        assert term in out
    assert "701.0秒" not in out and "233.67秒" not in out  # one decimal, seconds
    assert "233.7秒" in out
    wide = run(runner, str(log), "-c", str(config), "--lang", "zh", "--wide")
    for term in ("挂起", "手机"):
        assert term in _section(wide, "客服考核")[1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL wins (POSIX order)
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US"}, "zh"),
    ],
)
def test_lang_defaults_from_the_locale(env: dict[str, str], expected: str) -> None:
    assert lang_from_environ(env) == expected


def test_lang_default_in_the_command(runner: CliRunner, files: tuple[Path, Path]) -> None:
    config, log = files
    chinese = run(runner, str(log), "-c", str(config), env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    assert "概览" in chinese
    english = run(runner, str(log), "-c", str(config), env={"LANG": "C.UTF-8", "LC_ALL": ""})
    assert "Summary" in english
    forced = run(runner, str(log), "-c", str(config), "--lang", "en", env={"LANG": "zh_CN"})
    assert "Summary" in forced


def test_rule_ids_and_config_keys_only_with_verbose(
    runner: CliRunner, files: tuple[Path, Path]
) -> None:
    config, log = files
    plain = run(runner, str(log), "-c", str(config), "--lang", "en")
    verbose = run(runner, str(log), "-c", str(config), "--lang", "en", "--verbose")
    for marker in ("(R2", "(R1", "max_concurrent", "avg_window", "[reply_rate]"):
        assert marker not in plain
    for marker in ("(R23, avg_window, avg_cap)", "(R24, slow_after)", "[sales] conversion_window"):
        assert marker in verbose


def test_imbalance_line_prints_its_reference_point_before_the_points(
    runner: CliRunner,
) -> None:
    log = ROOT / "examples" / "shop-day.csv"
    out = run(runner, str(log), "-c", str(EXAMPLE_CONFIG), "--lang", "en")
    line = next(line for line in out.splitlines() if line.startswith("- 旗舰店:小王"))
    assert "Even split 19.1% -> by weight 22.0% (weight +2.9 points)" in line
    assert line.index("Even split 19.1%") < line.index("+2.9 points")
    zh = run(runner, str(log), "-c", str(EXAMPLE_CONFIG), "--lang", "zh")
    assert "平均分配 19.1% → 按权重 22.0%（权重 +2.9 个百分点）" in zh


def test_hour_load_is_a_dash_below_half_an_agent(runner: CliRunner) -> None:
    log = ROOT / "examples" / "shop-day.csv"
    document = json.loads(
        run(runner, str(log), "-c", str(EXAMPLE_CONFIG), "--format", "json", "--by", "hour")
    )
    hours = {row["hour"]: row for row in document["hours"]}
    assert hours[7]["agents_available"] < 0.5
    assert hours[7]["inquiries"] == 2 and hours[7]["inquiries_per_agent_hour"] is None
    assert hours[23]["agents_available"] >= 0.5
    assert hours[23]["inquiries_per_agent_hour"] is not None


def test_by_group_gives_presale_and_aftersale_apart(runner: CliRunner) -> None:
    log = ROOT / "examples" / "shop-day.csv"
    out = run(runner, str(log), "-c", str(EXAMPLE_CONFIG), "--lang", "en", "--by", "group")
    section = _section(out, "Groups")
    assert any(line.startswith("presale") for line in section)
    assert any(line.startswith("aftersale") for line in section)
    assert "avg" in section[1] and "conv." in section[1]


def test_figures_are_the_same_with_and_without_the_day_rows(runner: CliRunner) -> None:
    log = ROOT / "examples" / "shop-day.csv"
    args = (str(log), "-c", str(EXAMPLE_CONFIG), "--format", "json", "--by")
    without = json.loads(run(runner, *args, "agent,group,hour"))
    with_days = json.loads(run(runner, *args, "agent,group,hour,day"))
    assert "days" not in without and len(with_days["days"]) == 1
    for key in ("summary", "agents", "groups", "hours", "imbalance"):
        assert without[key] == with_days[key]
