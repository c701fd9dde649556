"""The report side in Chinese (issue 23): goldens for both languages, and a scan.

Goldens: ``replay --explain`` (tests/golden/replay-tiny-explain-*-zh.csv), ``diff`` as a
table and as Markdown (diff-shop-day*.txt, diff-shop-day-zh.md), ``test`` with failures
(test-failing*.txt); the report's own are in test_report_golden.py. Regenerate after an
intended change, then read the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_i18n_report.py

The scan runs ``report``, ``replay --explain``, ``diff`` and ``test`` on the shipped
examples under ``LANG=zh_CN.UTF-8`` and finds no English left: no run of three or more
ASCII letters but the words that stay (names, config keys, rule names, file names).

Every test here names its language (``--lang`` or the environment) and leaves the
language unset after, so they pass whatever the session's default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import EXAMPLE_CONFIG, ROOT
from routectl.cli import cli
from routectl.i18n import set_lang
from routectl.reasons import translate_reason
from routectl.report import labels

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXAMPLES = ROOT / "examples"
SHOP_DAY = EXAMPLES / "shop-day.csv"
TINY = ["replay", str(EXAMPLES / "tiny-day.csv"), "-c", str(EXAMPLES / "tiny-shop.toml")]
ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
EN = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}

FAILING_SUITE = """\
config = "{config}"
date = "2026-11-02"

[[tests]]
name = "wrong on purpose"
log = \"\"\"
time,event,buyer,agent,status,entry
09:00,status,,旗舰店:安娜,online,
09:00,status,,旗舰店:小美,online,
09:01,message,buyer_vip_1,,,shop_home
\"\"\"
expect = [
  {{ buyer = "buyer_vip_1", assignee = "旗舰店:小美", rule = "group" }},
  {{ buyer = "nobody", assignee = "旗舰店:小美" }},
  {{ buyer = "buyer_vip_1", nth = 3, assignee = "旗舰店:小美" }},
  {{ buyer = "buyer_vip_1", assigned_at = "none" }},
]
expect_report = {{ messages = 2 }}
"""


@pytest.fixture(autouse=True)
def no_chosen_language() -> Iterator[None]:
    """The language comes from each test's own environment or option, and is unset after."""
    set_lang(None)
    yield
    set_lang(None)


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # relative paths in the output: goldens independent of the checkout


@pytest.fixture
def lighter(tmp_path: Path) -> Path:
    """The example config with 旗舰店:小美's weight 300 -> 100 (as test_diff.py)."""
    path = tmp_path / "lighter.toml"
    path.write_text(
        EXAMPLE_CONFIG.read_text(encoding="utf-8").replace("weight = 300", "weight = 100"),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def failing_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "failing.toml").write_text(
        FAILING_SUITE.format(config=EXAMPLE_CONFIG.as_posix()), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return "failing.toml"


def invoke(args: Sequence[str], env: dict[str, str], stdin: str | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    set_lang(None)  # diff --lang sets it for the process
    return result


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"differs from {golden}"


# --- goldens ----------------------------------------------------------------------------


@pytest.mark.parametrize("buyer", ["u7", "u8"])
def test_replay_explain_in_chinese_matches_its_golden(buyer: str) -> None:
    result = invoke([*TINY, "--format", "csv", "--explain", buyer], ZH)
    assert result.exit_code == 0, result.stderr
    check_golden(f"replay-tiny-explain-{buyer}-zh.csv", result.stdout)
    english = invoke([*TINY, "--format", "csv", "--explain", buyer], EN)
    assert english.stdout == (GOLDEN / f"replay-tiny-explain-{buyer}.csv").read_text("utf-8")


def test_replay_json_keeps_the_engines_english_reasons() -> None:
    english = invoke([*TINY, "--format", "jsonl"], EN).stdout
    assert invoke([*TINY, "--format", "jsonl"], ZH).stdout == english


@pytest.mark.parametrize(
    "name,fmt,lang",
    [
        ("diff-shop-day.txt", "table", "en"),
        ("diff-shop-day-zh.txt", "table", "zh"),
        ("diff-shop-day-zh.md", "markdown", "zh"),
        ("diff-shop-day.md", "markdown", "en"),
    ],
)
def test_diff_in_either_language_matches_its_golden(
    in_root: None, name: str, fmt: str, lang: str
) -> None:
    light = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace("weight = 300", "weight = 100")
    args = ["diff", "shopconfig.example.toml", "-", "examples/shop-day.csv", "--format", fmt]
    env = ZH if lang == "en" else EN  # --lang wins over the locale
    result = invoke([*args, "--limit", "5", "--lang", lang], env, stdin=light)
    assert result.exit_code == 0, result.stderr
    check_golden(name, result.stdout)


def test_diff_json_is_the_same_in_any_language(in_root: None, lighter: Path) -> None:
    args = ["diff", "shopconfig.example.toml", str(lighter), "examples/shop-day.csv"]
    english = invoke([*args, "--format", "json"], EN).stdout
    assert invoke([*args, "--format", "json", "--lang", "zh"], EN).stdout == english
    assert invoke([*args, "--format", "json"], ZH).stdout == english


@pytest.mark.parametrize("name,env", [("test-failing.txt", EN), ("test-failing-zh.txt", ZH)])
def test_test_results_in_either_language_match_their_golden(
    failing_suite: str, name: str, env: dict[str, str]
) -> None:
    result = invoke(["test", failing_suite], env)
    assert result.exit_code == 1, result.stderr
    check_golden(name, result.stdout)


# --- CSV headings -------------------------------------------------------------------------


def test_report_csv_headings_are_keys_unless_zh_is_asked() -> None:
    args = ["report", str(SHOP_DAY), "-c", str(EXAMPLE_CONFIG), "--format", "csv"]
    keys = invoke(args, ZH).stdout
    assert keys == (GOLDEN / "report-shop-day-agents.csv").read_text(encoding="utf-8")
    chinese = invoke([*args, "--headers", "zh"], EN).stdout.splitlines()
    assert chinese[0].startswith("客服,分组,权重,接待咨询数,接待占比,")
    assert "预期占比" in chinese[0] and "3分钟" not in chinese[0]
    first = dict(zip(chinese[0].split(","), chinese[1].split(","), strict=True))
    assert first["客服"] == "旗舰店:小美" and first["接待占比"] == "30.2%"
    assert first["询单转化率"] == "12.0%" and first["在线时长（秒）"] == "34368"


def test_headers_without_csv_is_a_usage_error() -> None:
    result = invoke(["report", str(SHOP_DAY), "-c", str(EXAMPLE_CONFIG), "--headers", "zh"], EN)
    assert result.exit_code == 2 and "--format csv" in result.stderr
    assert "Traceback" not in result.output


# --- numbers, durations, reasons ------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds,en,zh",
    [
        (180, "3m", "3分钟"),
        (105, "1m45s", "1分45秒"),
        (426, "7m6s", "7分06秒"),
        (6092, "1h41m32s", "1小时41分32秒"),
        (86400, "1d", "1天"),
        (0, "0s", "0秒"),
    ],
)
def test_durations_read_one_way_per_language(seconds: int, en: str, zh: str) -> None:
    assert labels.duration(seconds, "en") == en
    assert labels.duration(seconds, "zh") == zh


def test_online_time_and_counts_read_one_way_per_language() -> None:
    assert labels.span(34368, "en") == "9h32m" and labels.span(34368, "zh") == "9小时32分"
    assert labels.span(32580, "zh") == "9小时03分"
    assert labels.count(12345, "zh") == "12,345" and labels.count(12345, "en") == "12345"
    assert labels.money(5179.5, "zh") == "5,179.50" and labels.money(5179.5, "en") == "5179.50"


@pytest.mark.parametrize(
    "english,chinese",
    [
        ("open conversation with 旗舰店:小美", "与 旗舰店:小美 的会话进行中"),
        (
            "tiny:b offline for 4m (past the 3m lag); re-routed; no special rule or entry "
            "group: all routing agents",
            "tiny:b 已离线 4分钟（超过 3分钟 的离线检测延迟）；重新分流；"
            "无特殊规则或入口分组：全部分流客服",
        ),
        ("R7: 2 routing agent(s) available", "R7：2 位分流客服可接待"),
        (
            "旗舰店:安娜 offline for 12h46m (past the 3m lag); re-routed; order_status rule "
            "matches 'shipped' → group aftersale",
            "旗舰店:安娜 已离线 12小时46分（超过 3分钟 的离线检测延迟）；重新分流；"
            "订单状态规则匹配 'shipped' → 分组 aftersale",
        ),
        (
            "旗舰店:小美 went offline 1m ago, inside the 3m detection lag; held; 旗舰店:小美 "
            "back online 11h02m later",
            "旗舰店:小美 1分钟前离线，仍在 3分钟 的离线检测延迟内；留给原客服；"
            "旗舰店:小美 11小时02分后重新上线",
        ),
        ("R17b: transferred from bot to tiny:c", "R17b：由 机器人 转交给 tiny:c"),
        ("something new the engine says", "something new the engine says"),
    ],
)
def test_reasons_translate_where_printed(english: str, chinese: str) -> None:
    assert translate_reason(english, "zh") == chinese
    assert translate_reason(english, "en") == english


# --- the scan ---------------------------------------------------------------------------------

ALLOWED = {
    # product, commands, options, formats, files
    "routectl", "diff", "report", "replay", "test", "wide", "limit", "explain", "format",
    "json", "csv", "toml", "examples", "shopconfig", "example", "shop", "day", "tests",
    "routing", "offline", "failing", "lighter", "tiny", "stdin", "summary",
    # the shop's names: groups, entries, time zone, buyers
    "presale", "aftersale", "vip", "item_detail", "shop_home", "Asia", "Shanghai",
    "buyer_vip_", "nobody", "early",
    # rule names (the rule column, JSON values) and config keys
    "group", "conversation", "dedicated", "recent_contact", "contact_list", "special",
    "crowd", "intent", "order_status", "offline_routing", "bot", "direct",
    "max_concurrent", "reply_rate", "window", "threshold", "avg_window", "avg_cap",
    "slow_after", "sales", "conversion_window", "offline_delay", "pool_retention_days",
    "expect_report", "messages", "assignee", "rule", "assigned_at", "first_available",
    # replay's CSV keys (the contract): the columns of rows and of --explain
    "line", "time", "buyer", "reason", "observed", "agrees", "step", "true", "false",
}  # fmt: skip

_RESULT_LINE = re.compile(r"^(\S+)  (\S+:\d+)  .*$", re.M)  # a test's name is the user's


def english_left(text: str) -> set[str]:
    """Runs of three or more ASCII letters that are not among the words that stay."""
    text = _RESULT_LINE.sub(r"\1  \2", text)
    words = re.findall(r"[A-Za-z][A-Za-z_]*[A-Za-z_]", text)
    return {w for w in words if len(w.strip("_")) >= 3 and w not in ALLOWED}


def test_english_left_finds_english() -> None:
    assert english_left("客服 group presale 9h32m") == set()
    assert english_left("概览 Main cause: 时段") == {"Main", "cause"}


def test_under_a_chinese_locale_nothing_is_left_in_english(
    lighter: Path, failing_suite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = Path(failing_suite).resolve()
    monkeypatch.chdir(ROOT)
    runs = [
        ["report", "examples/shop-day.csv", "-c", "shopconfig.example.toml"],
        [
            "report", "examples/shop-day.csv", "-c", "shopconfig.example.toml",
            "--by", "agent,group,hour,day", "--wide",
        ],
        [*TINY, "--format", "table"],
        *([*TINY, "--explain", buyer] for buyer in ("u7", "u8", "early", "u1", "u5", "u9")),
        ["diff", "shopconfig.example.toml", str(lighter), "examples/shop-day.csv"],
        [
            "diff", "shopconfig.example.toml", str(lighter), "examples/shop-day.csv",
            "--format", "markdown",
        ],
        ["test"],
        ["test", str(suite)],
        [
            "report", "examples/shop-day.csv", "-c", "shopconfig.example.toml",
            "--since", "2030-01-01",
        ],
    ]  # fmt: skip
    left: dict[str, set[str]] = {}
    for args in runs:
        result = invoke(args, ZH)
        assert result.exit_code in (0, 1), (args, result.output)
        output = result.output.replace(str(lighter), "lighter.toml")
        output = output.replace(str(suite), "failing.toml").replace(str(ROOT), "")
        found = english_left(output)
        if found:
            left[" ".join(args[:2])] = found
    assert not left


@pytest.mark.parametrize("config", ["shopconfig.example.toml", "examples/bot-shop.toml"])
def test_every_reason_of_a_generated_day_reads_in_chinese(tmp_path: Path, config: str) -> None:
    """A seeded day of the generator (transfers, the bot, the pool, offline agents,
    queues, every special rule) replayed under a Chinese locale: no reason left in English."""
    path = ROOT / config
    log = tmp_path / "day.csv"
    made = invoke(
        ["generate-log", "-c", str(path), "--days", "1", "--seed", "7", "-o", str(log)], EN
    )
    assert made.exit_code == 0, made.output
    result = invoke(["replay", str(log), "-c", str(path), "--format", "csv"], ZH)
    assert result.exit_code == 0, result.output
    reasons = [row.split(",", 6)[6] for row in result.stdout.splitlines()[1:]]
    log_values = {"order", "refund", "refunding", "shipped", "signed", "paid", "unpaid"}
    assert not {w for r in reasons for w in english_left(r)} - log_values
