"""The small trips of a shop operator's first path (issue 23), each pinned by a test."""

from __future__ import annotations

import io
import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli
from routectl.config import load_config
from routectl.durations import shortest_duration
from routectl.logio import source as logsource
from routectl.report.window import parse_bound

EXAMPLE = ROOT / "shopconfig.example.toml"
SHOP_DAY = ROOT / "examples" / "shop-day.csv"
TINY = ROOT / "examples" / "tiny-shop.toml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


# --- a log typed on the terminal: no progress bar over it ---------------------------------


class _TerminalStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("path", "bar"), [("-", False), (str(ROOT / "examples" / "tiny-day.csv"), None)]
)
def test_no_progress_bar_over_a_log_typed_on_the_terminal(
    monkeypatch: pytest.MonkeyPatch, path: str, bar: bool | None
) -> None:
    asked: list[bool | None] = []
    real = logsource.track_progress

    def spy(text: io.TextIOWrapper, **options: object):  # type: ignore[no-untyped-def]
        asked.append(options.get("enabled"))  # type: ignore[arg-type]
        return real(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(logsource, "track_progress", spy)
    monkeypatch.setattr(sys, "stdin", _TerminalStdin(b"time,event\n"))
    with logsource.open_events(path, load_config(str(TINY))) as (events, _):
        list(events)
    assert asked == [bar]  # None: the bar's own rule (a terminal on stderr, not CI)


# --- the report's header and title ---------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "header"),
    [
        ("en", "report from 2026-11-01T00:00:00+08:00 to 2026-12-01T00:00:00+08:00, 30 days "
               "(the log covers 1 day) (Asia/Shanghai)"),
        ("zh", "2026-11-01T00:00:00+08:00 至 2026-12-01T00:00:00+08:00，共 30 天（日志覆盖 1 天）"
               "（Asia/Shanghai）"),
    ],
)  # fmt: skip
def test_as_of_says_the_windows_30_days_and_the_days_the_log_covers(lang: str, header: str) -> None:
    code, out, _ = run(
        "report", str(SHOP_DAY), "-c", str(EXAMPLE), "--as-of", "2026-12-01", "--lang", lang
    )
    assert code == 0
    assert header in out.splitlines()[0]


@pytest.mark.parametrize(
    ("options", "title"),
    [
        ((), "Agents: the scorecard"),
        (("--lang", "zh"), "客服考核"),
        (("--as-of", "2026-12-01"), "Agents: the monthly scorecard"),
        (("--as-of", "2026-12-01", "--lang", "zh"), "客服考核（月度考核表）"),
    ],
)
def test_only_a_month_is_titled_the_monthly_scorecard(options: tuple[str, ...], title: str) -> None:
    code, out, _ = run("report", str(SHOP_DAY), "-c", str(EXAMPLE), *options)
    assert code == 0
    titles = [line for line in out.splitlines() if line.startswith(("Agents", "客服考核"))]
    assert titles == [title]


@pytest.mark.parametrize("text", ["7d", "24h", "90m", "now"])
def test_a_look_back_from_now_is_whole_seconds(text: str) -> None:
    now = datetime(2026, 12, 7, 11, 30, 5, 799_000, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_bound(text, now, end=False).is_integer()


def test_since_7d_prints_no_milliseconds() -> None:
    _, _, err = run("report", str(SHOP_DAY), "-c", str(EXAMPLE), "--since", "7d")
    assert re.search(r"the window \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00 \.\. end", err), err


# --- config keeps the durations as written ----------------------------------------------------


def test_config_keeps_durations_as_the_config_wrote_them(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'threshold = "3m"', 'threshold = "180s"\nslow_after = "100s"\n', 1
    )
    text += '\n[sales]\nconversion_window = "24h"\n'
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("config", str(path))
    assert (code, err) == (0, "")
    for line in ('threshold = "180s"', 'slow_after = "100s"', 'conversion_window = "24h"',
                 'avg_cap = "10m"', 'session_timeout = "15m"'):  # fmt: skip
        assert line in out.splitlines()
    again = tmp_path / "again.toml"
    again.write_text(out, encoding="utf-8")
    assert load_config(str(again)) == load_config(str(path))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(100, "100s"), (86400, "24h"), (172800, "2d"), (5400, "90m"), (3723, "3723s"),
     (3900, "65m"), (0, "0s"), (600, "10m"), (90000, "25h")],
)  # fmt: skip
def test_a_default_duration_is_written_in_its_shortest_faithful_form(
    seconds: int, text: str
) -> None:
    assert shortest_duration(seconds) == text


def test_config_writes_defaults_as_the_docs_do() -> None:
    code, out, _ = run("config", str(TINY))
    assert code == 0
    assert 'slow_after = "100s"' in out and 'conversion_window = "24h"' in out


# --- docs: every rule report.md cites is defined in routing.md -------------------------------


def _rules(text: str) -> set[int]:
    """Rule numbers a doc names: ``R23``, and every one of a range ``R23–R25``."""
    named = {int(n) for n in re.findall(r"\bR(\d+)b?\b", text)}
    for low, high in re.findall(r"\bR(\d+)[–-]R?(\d+)\b", text):
        named.update(range(int(low), int(high) + 1))
    return named


def test_every_rule_the_report_docs_cite_is_defined_in_routing_md() -> None:
    routing = (ROOT / "docs" / "routing.md").read_text(encoding="utf-8")
    report = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert sorted(_rules(report) - _rules(routing)) == []
    for rule in ("R23", "R24", "R25", "R26"):
        assert f"- **{rule}**" in routing
