"""`report --format html`: one self-contained page; checked in a real headless Chromium.

The browser test needs Debian's `chromium` (`.ci/run` installs it); without one it is
skipped, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli
from routectl.report import html as html_report

EXAMPLE_CONFIG = ROOT / "shopconfig.example.toml"
SHOP_DAY = ROOT / "examples" / "shop-day.csv"


def write_page(tmp_path: Path, *extra: str) -> tuple[Path, str]:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli,
        ["report", str(SHOP_DAY), "-c", str(EXAMPLE_CONFIG), "--format", "html", "-o", str(target),
         *extra],
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    return target, target.read_text(encoding="utf-8")


def test_the_page_is_one_self_contained_file(tmp_path: Path) -> None:
    _, page = write_page(tmp_path)
    assert page.startswith("<!DOCTYPE html>")
    assert "Plotly" in page and "newPlot" in page
    # nothing fetched when viewed: no external scripts, styles, images or frames
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert "旗舰店:小美" in page and "Share vs expected per agent" in page


def test_the_page_is_byte_identical_run_to_run(tmp_path: Path) -> None:
    _, first = write_page(tmp_path)
    _, second = write_page(tmp_path)
    assert first == second


def test_tables_show_every_json_key_so_new_columns_appear() -> None:
    document = {
        "shop": "s",
        "agents": [{"agent": "s:a", "inquiries": 3, "new_figure": 42.5}],
    }
    shown = html_report.document_page(document, plotly_js="")
    assert "<th>new_figure</th>" in shown and "<td>42.5</td>" in shown


def test_charts_carry_the_report_figures() -> None:
    document = {
        "hours": [
            {"hour": 8, "inquiries": 3, "agents_available": 1.5, "response_rate": 0.5},
            {"hour": 9, "inquiries": 0, "agents_available": 0.0, "response_rate": None},
        ],
        "agents": [{"agent": "s:a", "share": 0.75, "expected_share": 0.6}],
    }
    load, response, share = html_report.charts(document)
    assert load["data"][0]["x"] == ["08:00", "09:00"] and load["data"][0]["y"] == [3, 0]
    assert load["data"][1]["y"] == [1.5, 0.0] and load["data"][1]["yaxis"] == "y2"
    assert response["data"][0]["y"] == [50.0, None]
    assert [trace["y"] for trace in share["data"]] == [[75.0], [60.0]]


def test_text_from_the_log_cannot_end_a_script_or_inject_markup() -> None:
    assert "</script" not in html_report._script_json({"x": "</script><script>alert(1)"})
    assert html_report._cell("<b>买家</b>") == "&lt;b&gt;买家&lt;/b&gt;"


def test_without_the_html_extra_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "plotly.offline", None)
    target = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli,
        ["report", str(SHOP_DAY), "-c", str(EXAMPLE_CONFIG), "--format", "html", "-o", str(target)],
    )
    assert result.exit_code == 2 and not target.exists()
    assert result.stderr == (
        "routectl: error: --format html needs the charting extra; routectl is not on PyPI, "
        "so install it from the routectl checkout: pip install '.[html]' (or pip install "
        "plotly)\n"
    )  # issue 23: not 'routectl[html]', which pip would look for on PyPI


# --- in a real browser ---------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium on PATH (apt-get install chromium; .ci/run installs it)")


def _browse(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", *args,
        page.as_uri(),
    ]  # fmt: skip
    environment = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=180, env=environment, check=False
    )


def test_the_page_renders_its_charts_in_chromium_without_console_errors(tmp_path: Path) -> None:
    page, _ = write_page(tmp_path)
    result = _browse(tmp_path, page, "--dump-dom")
    body = re.search(r"<body[^>]*>", result.stdout)
    assert body is not None, result.stderr[-2000:]
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(0)))
    assert attributes.get("data-errors") == ""  # window errors and console.error calls
    assert attributes.get("data-charts") == "3"
    marks = [int(count) for count in attributes["data-chart-marks"].split(",")]
    assert len(marks) == 3 and all(count > 0 for count in marks)  # every chart has data
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if re.search(r"error|uncaught", line, re.IGNORECASE)]
    assert result.stdout.count('class="main-svg"') >= 3


def test_a_screenshot_of_the_page_is_a_picture(tmp_path: Path) -> None:
    page, _ = write_page(tmp_path)
    shot = tmp_path / "shot.png"
    _browse(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,1400")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
