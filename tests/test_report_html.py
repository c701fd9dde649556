"""`report --format html`: one small self-contained page with inline SVG charts, in the
`--lang` language; checked in a real headless Chromium at a phone's and a desktop's width.

The browser tests need Debian's `chromium` (`.ci/run` installs it); without one they are
skipped, saying so.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl import svgchart
from routectl.cli import cli
from routectl.report import html as html_report

EXAMPLE_CONFIG = ROOT / "shopconfig.example.toml"
SHOP_DAY = ROOT / "examples" / "shop-day.csv"
MOST_BYTES = 300_000
HOSTILE = "</svg><script>alert(1)</script>"


def write_page(tmp_path: Path, *extra: str, log: Path = SHOP_DAY, config: Path = EXAMPLE_CONFIG
               ) -> tuple[Path, str]:  # fmt: skip
    target = tmp_path / f"report{len(list(tmp_path.glob('report*.html')))}.html"
    result = CliRunner().invoke(
        cli,
        ["report", str(log), "-c", str(config), "--format", "html", "-o", str(target), *extra],
    )
    assert (result.exit_code, result.stderr) == (0, "")
    return target, target.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A month of a 40-agent team (a smaller day than the generator's default: the page's
    size grows with agents and days, not with rows)."""
    folder = tmp_path_factory.mktemp("month")
    log, config = folder / "month.csv", folder / "team40.toml"
    result = CliRunner().invoke(
        cli,
        ["generate-log", "-c", str(EXAMPLE_CONFIG), "--agents", "40", "--days", "30",
         "--per-day", "1200", "--write-config", str(config), "-o", str(log)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return log, config


def _external_references(page: str) -> list[str]:
    """Anything a browser would fetch: src/href attributes, CSS url() and @import, and
    any address (the SVG namespace is a name, never fetched)."""
    found = re.findall(r"<[^>]+\s(?:src|href|srcset|data|poster)\s*=[^>]*>", page)
    found += re.findall(r"url\(|@import", page)
    found += [u for u in re.findall(r"(?:https?:)?//[\w.-]+", page) if "www.w3.org" not in u]
    return found


def test_the_page_is_one_small_self_contained_file_without_script(tmp_path: Path) -> None:
    _, page = write_page(tmp_path)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert len(page.encode()) < MOST_BYTES
    assert _external_references(page) == []
    assert "<script" not in page and "<iframe" not in page and "<img" not in page
    assert page.count("<svg ") == 3
    assert "旗舰店:小美" in page and "Each agent&#x27;s share of inquiries" in page


def test_a_month_of_forty_agents_stays_under_the_size_limit(
    tmp_path: Path, month: tuple[Path, Path]
) -> None:
    log, config = month
    for lang in ("en", "zh"):
        _, page = write_page(tmp_path, "--lang", lang, log=log, config=config)
        assert len(page.encode()) < MOST_BYTES, lang
        assert _external_references(page) == []
        assert page.count("<tr>") > 40 + 30  # every agent and every day has its row


def test_the_page_is_byte_identical_run_to_run(tmp_path: Path) -> None:
    _, first = write_page(tmp_path, "--lang", "zh")
    _, second = write_page(tmp_path, "--lang", "zh")
    assert first == second


def test_lang_zh_gives_a_chinese_page_with_words_not_json_keys(tmp_path: Path) -> None:
    _, english = write_page(tmp_path, "--lang", "en")
    _, chinese = write_page(tmp_path, "--lang", "zh")
    assert '<html lang="zh-CN">' in chinese and '<html lang="en">' in english
    for heading in ("客服考核", "分流不均的原因", "概览", "分时段", "图表"):
        assert f"<h2>{heading}</h2>" in chinese
    for figure in ("3分钟响应率", "预期占比", "在线客服", "平均响应时长"):
        assert figure in chinese
    headings = re.findall(r"<th(?: class=\"t\")?>([^<]*)</th>", chinese)
    assert "预期占比" in headings and "客服" in headings
    assert not [h for h in headings if re.fullmatch(r"[a-z_]+", h)]  # no expected_share...
    assert not [h for h in re.findall(r"<th[^>]*>([^<]*)</th>", english) if "_" in h]
    assert "Agents: the scorecard" in english and "expected share" in english


def test_the_platforms_thirty_days_title_the_monthly_scorecard(tmp_path: Path) -> None:
    _, day = write_page(tmp_path, "--lang", "zh")
    _, month = write_page(tmp_path, "--lang", "zh", "--as-of", "2026-11-03")
    assert "<h2>客服考核</h2>" in day and "<h2>客服考核（月度考核表）</h2>" in month


def test_the_locale_picks_the_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    _, page = write_page(tmp_path)
    assert '<html lang="zh-CN">' in page and "<h2>客服考核</h2>" in page


def test_figures_read_as_people_write_them(tmp_path: Path) -> None:
    _, english = write_page(tmp_path, "--lang", "en")
    _, chinese = write_page(tmp_path, "--lang", "zh")
    # seconds as durations, rates as percentages, no raw fractions of a second
    assert re.search(r'<div class="figure">\dm\d\ds</div>', english)
    assert re.search(r'<div class="figure">\d分\d\d秒</div>', chinese)
    assert re.search(r'<div class="figure">\d+\.\d%</div>', english)
    assert not re.search(r"<td>\d+\.\d+s</td>|<td>\d+\.\d{3,}</td>", english)
    assert "<td>3m05s</td>" in english  # the average response, not 185.32 or 185.3s
    assert "<td>5,179.50</td>" in english  # sales, grouped


def test_cells_and_counts_read_as_words_and_grouped_numbers() -> None:
    assert html_report.cell(12345, "messages", "en") == "12,345"
    assert html_report.cell(0.7093, "response_rate", "en") == "70.9%"
    assert html_report.cell(185.32, "avg_response_s", "en") == "3m05s"
    assert html_report.cell(185.32, "avg_response_s", "zh") == "3分05秒"
    assert html_report.cell(34200, "online_s", "zh") == "9小时30分"
    assert html_report.cell(None, "share", "en") == "-"
    assert html_report.cell("<b>买家</b>", "agent", "en") == "&lt;b&gt;买家&lt;/b&gt;"


def test_the_weights_the_log_implies_and_contradictions_are_on_the_page(tmp_path: Path) -> None:
    _, page = write_page(tmp_path, "--lang", "zh")
    assert "<h2>日志反推的权重" in page
    assert "<th>反推权重</th><th>90%下限</th><th>90%上限</th><th>接待数</th>" in page
    document = {"shop": "s", "agents": []}
    shown = html_report.document_page(document, "en", notes=["3 buyers <b>"])
    assert "<h2>Where the log contradicts the config" in shown
    assert "<li>3 buyers &lt;b&gt;</li>" in shown


def test_tables_show_every_json_key_so_new_columns_appear() -> None:
    document = {
        "shop": "s",
        "agents": [{"agent": "s:a", "inquiries": 3, "new_figure": 42.5}],
    }
    shown = html_report.document_page(document, "zh")
    assert "<th>new_figure</th>" in shown and "<td>42.5</td>" in shown
    assert '<th class="t">客服</th>' in shown and "<th>接待</th>" in shown


def _svg_texts(svg: str) -> list[str]:
    """Every text of a chart (tooltips included): the SVG must parse as XML."""
    root = ET.fromstring(svg)
    return [
        "".join(node.itertext()) for node in root.iter() if node.tag.endswith(("text", "title"))
    ]


def test_charts_carry_the_report_figures() -> None:
    document = {
        "hours": [
            {"hour": 8, "inquiries": 3, "agents_available": 1.5, "response_rate": 0.5},
            {"hour": 9, "inquiries": 0, "agents_available": 0.0, "response_rate": None},
        ],
        "agents": [{"agent": "s:a", "share": 0.75, "expected_share": 0.6}],
    }
    words = html_report.Words("en", document)
    (load_id, _, load), (_, _, response), (_, caption, share) = html_report.charts(document, words)
    assert load_id == "chart-load"
    texts = _svg_texts(load)
    assert "08 · inquiries: 3" in texts and "08 · agents online: 1.5" in texts
    assert "09 · agents online: 0" in texts  # a bar of 0 is not drawn, the line's point is
    assert "08 · 3m response rate: 50.0%" in _svg_texts(response)
    assert not [text for text in _svg_texts(response) if text.startswith("09 ·")]
    texts = _svg_texts(share)
    assert "a · share of inquiries: 75.0%" in texts and "a · expected share: 60.0%" in texts
    assert "s:" in caption  # the main account left out of the names is said


def test_svg_escapes_hostile_names_and_stays_well_formed() -> None:
    bars = svgchart.Series(HOSTILE, [1.0, 2.0])
    charts = [
        svgchart.grouped_bars(HOSTILE, [HOSTILE, "b & <c>"], [bars]),
        svgchart.bar_chart(HOSTILE, [HOSTILE, "x"], bars),
        svgchart.bars_and_line("t", ["a", "b"], bars, svgchart.Series('"><x', [1.0, None])),
    ]
    for svg in charts:
        assert "<script" not in svg and "</svg><" not in svg
        assert svg.count("<svg ") == 1 and svg.endswith("</svg>")
        assert HOSTILE in "".join(_svg_texts(svg)) or '"><x' in "".join(_svg_texts(svg))


def test_a_hostile_agent_name_cannot_reach_the_page_structure() -> None:
    document = {"shop": HOSTILE, "agents": [{"agent": "s:" + HOSTILE, "share": 0.5}]}
    page = html_report.document_page(document, "en")
    assert "<script" not in page
    assert page.count("<svg ") == 1 and page.count("</svg>") == 1


def test_charts_are_deterministic_and_label_every_other_hour_without_overlap() -> None:
    hours = [f"{hour:02d}" for hour in range(24)]
    values = [float(hour % 5) for hour in range(24)]
    first = svgchart.bar_chart("t", hours, svgchart.Series("n", values))
    assert first == svgchart.bar_chart("t", hours, svgchart.Series("n", values))
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>(\d\d)<', first)
    xs = [float(x) for x, _ in labels]
    assert [name for _, name in labels][:2] == ["00", "02"] and len(labels) == 12
    gap = min(b - a for a, b in pairwise(xs))
    assert gap > svgchart.text_width("00", svgchart.SMALL)
    assert min(xs) - svgchart.text_width("00", svgchart.SMALL) / 2 >= 0


def test_nice_ticks_end_on_a_round_number_at_or_above_the_largest_value() -> None:
    assert svgchart.nice_ticks(23) == [0, 10, 20, 30]
    assert svgchart.nice_ticks(0.352) == [0, 0.1, 0.2, 0.3, 0.4]
    assert svgchart.nice_ticks(1, top=1.0) == [0, 0.25, 0.5, 0.75, 1.0]
    assert svgchart.nice_ticks(0) == [0, 1]


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
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args,
        page.as_uri(),
    ]  # fmt: skip
    environment = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=180, env=environment, check=False
    )


MEASURE = """<script>
window.addEventListener("load", function () {
  var page = document.getElementById("page").contentDocument, clipped = [];
  var charts = page.querySelectorAll("svg");
  charts.forEach(function (svg) {
    var box = svg.viewBox.baseVal;
    svg.querySelectorAll("text").forEach(function (text) {
      var b = text.getBBox();
      if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
          || b.y + b.height > box.y + box.height + 0.5) { clipped.push(text.textContent); }
    });
  });
  var widths = Array.prototype.map.call(charts, function (svg) {
    return Math.round(svg.getBoundingClientRect().width);
  });
  document.body.setAttribute("data-scroll-width", String(page.documentElement.scrollWidth));
  document.body.setAttribute("data-chart-widths", widths.join(","));
  document.body.setAttribute("data-clipped", clipped.join("|"));
});
</script>"""


def _measure(tmp_path: Path, page: Path, width: int) -> dict[str, str]:
    """Lay the page out ``width`` CSS pixels wide and read what a script measured there.

    The page is shown in a frame of that width (headless Chromium lays a window out at
    least 500 pixels wide), beside the measuring script: the page itself has none."""
    frame = html.escape(page.read_text("utf-8"), quote=True)
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="page" srcdoc="{frame}" '
        f'style="width:{width}px;height:1500px;border:0"></iframe>{MEASURE}</body></html>',
        "utf-8",
    )
    result = _browse(tmp_path, probe, "--dump-dom", f"--window-size={max(width, 500)},1600")
    body = re.search(r"<body[^>]*data-scroll-width[^>]*>", result.stdout)
    assert body is not None, result.stderr[-2000:]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(0)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_phone_nothing_overflows_and_no_chart_label_is_clipped(
    tmp_path: Path, lang: str
) -> None:
    page, _ = write_page(tmp_path, "--lang", lang)
    phone = _measure(tmp_path, page, 390)
    assert int(phone["data-scroll-width"]) <= 390  # wide tables scroll inside their box
    widths = [int(w) for w in phone["data-chart-widths"].split(",")]
    assert len(widths) == 3 and all(300 <= w <= 390 for w in widths)
    assert phone["data-clipped"] == ""
    desktop = _measure(tmp_path, page, 1400)
    assert int(desktop["data-scroll-width"]) <= 1400 and desktop["data-clipped"] == ""
    assert all(int(w) > 340 for w in desktop["data-chart-widths"].split(","))


@pytest.mark.parametrize(("lang", "width"), [("zh", 390), ("en", 1400)])
def test_a_screenshot_of_the_page_is_a_picture(tmp_path: Path, lang: str, width: int) -> None:
    page, _ = write_page(tmp_path, "--lang", lang)
    shot = tmp_path / f"shot-{lang}-{width}.png"
    result = _browse(tmp_path, page, f"--screenshot={shot}", f"--window-size={width},2400")
    assert shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    assert int.from_bytes(data[16:20], "big") == width  # the PNG's width
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if re.search(r"error|uncaught", line, re.IGNORECASE)]
