"""``report --format html``: one self-contained page a manager can open and forward.

The page holds the summary, every breakdown table and three charts: inquiries and
available agents per hour, the response rate per hour, and each agent's share against
the share expected. The charts are drawn by plotly.js, whose script is copied into the
page from the ``plotly`` Python package (MIT), so the file needs no network when viewed.
``plotly`` is the optional extra ``routectl[html]``; without it :func:`html_renderer`
raises a usage error that says how to install it.

The tables are rendered from the report's JSON document (:func:`render.to_json`), key
by key, so a figure added to the JSON appears in the page with no change here.
Deterministic: the same report gives the same bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from routectl.errors import UsageProblem
from routectl.report import render
from routectl.report.result import Report

MISSING = (
    "--format html needs the charting extra: pip install 'routectl[html]' (or pip install plotly)"
)
FONTS = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif'


def html_renderer() -> Callable[..., str]:
    """The page renderer ``(report, plan=None)``, or a usage error when the ``html`` extra
    is not installed. ``plan``: ``routectl plan``'s JSON document, drawn as a chart."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise UsageProblem(MISSING) from None

    def to_html(report: Report, plan: Mapping[str, Any] | None = None) -> str:
        return page(report, get_plotlyjs(), plan)

    return to_html


def page(report: Report, plotly_js: str, plan: Mapping[str, Any] | None = None) -> str:
    """The whole HTML document for ``report``, with ``plotly_js`` inlined."""
    document = json.loads(render.to_json(report, render.BREAKDOWNS))
    if plan is not None:
        document["plan"] = plan
    return document_page(document, plotly_js)


def document_page(document: Mapping[str, Any], plotly_js: str) -> str:
    """The page for a report's JSON document: every key of its rows becomes a column."""
    shop = html.escape(str(document.get("shop", "")))
    sections = [
        _headline(document.get("summary", {})),
        '<section><h2>Charts 图表</h2><div class="charts">'
        + "".join(f'<div class="chart" id="{chart["id"]}"></div>' for chart in charts(document))
        + "</div></section>",
        _section("Agents 客服", _table(document.get("agents", []))),
        _section("Why the split is uneven 分流不均", _imbalance(document.get("imbalance", []))),
        _window(document.get("window", {})),
        _section("Summary 概览", _key_values(document.get("summary", {}))),
        _section("Groups 分组", _table(document.get("groups", []))),
        _section("Hours 按小时", _table(document.get("hours", []))),
        _section("Days 按天", _table(document.get("days", []))),
    ]
    return _TEMPLATE.format(
        title=f"{shop}: routectl report",
        shop=shop,
        style=_STYLE,
        body="\n".join(sections),
        plotly=plotly_js.replace("</script", "<\\/script"),
        charts=_script_json(charts(document)),
        boot=_BOOT,
    )


def charts(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plotly figures (id, data, layout) drawn from the report's JSON document."""
    hours = [row for row in document.get("hours", []) if isinstance(row, Mapping)]
    agents = [row for row in document.get("agents", []) if isinstance(row, Mapping)]
    labels = [f"{int(row.get('hour', 0)):02d}:00" for row in hours]
    plan = document.get("plan")
    extra = [plan_chart(plan)] if isinstance(plan, Mapping) else []
    return [
        _figure(
            "chart-load",
            "Inquiries and available agents per hour 每小时进线与在线客服",
            [
                _bar("inquiries 进线", labels, [row.get("inquiries") for row in hours]),
                {
                    **_line("available 在线客服", labels, _column(hours, "agents_available")),
                    "yaxis": "y2",
                },
            ],
            {
                "yaxis": {"rangemode": "tozero"},
                "yaxis2": {
                    "title": {"text": "agents"},
                    "overlaying": "y",
                    "side": "right",
                    "rangemode": "tozero",
                },
            },
        ),
        _figure(
            "chart-response",
            "Response rate per hour 每小时响应率 (%)",
            [_bar("response rate 响应率", labels, _percent(hours, "response_rate"))],
            {"yaxis": {"range": [0, 100], "ticksuffix": "%"}},
        ),
        _figure(
            "chart-share",
            "Share vs expected per agent 客服分流占比与应得占比 (%)",
            [
                _bar("share 实际", _names(agents), _percent(agents, "share")),
                _bar("expected 应得", _names(agents), _percent(agents, "expected_share")),
            ],
            {"barmode": "group", "yaxis": {"ticksuffix": "%"}},
        ),
        *extra,
    ]


def plan_chart(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The agents needed each hour (``routectl plan``) against the agents online today;
    an hour out of reach is drawn at ``max_agents`` and named so."""
    hours = [row for row in plan.get("hours", []) if isinstance(row, Mapping)]
    labels = [f"{int(row.get('hour', 0)):02d}:00" for row in hours]
    most = plan.get("max_agents")
    needed = [row.get("agents_needed") for row in hours]
    target = plan.get("target")
    goal = f"{float(target) * 100:.0f}%" if isinstance(target, (int, float)) else ""
    return _figure(
        "chart-plan",
        f"Agents needed for {goal} vs online 需要客服与在线客服 (排班)",
        [
            {
                **_bar("needed 需要客服", labels, [most if n is None else n for n in needed]),
                "text": ["out of reach 无法达标" if n is None else "" for n in needed],
            },
            _line("online 在线客服", labels, _column(hours, "agents_online")),
        ],
        {"yaxis": {"rangemode": "tozero", "title": {"text": "agents"}}},
    )


def _figure(
    chart_id: str, title: str, data: list[dict[str, Any]], layout: dict[str, Any]
) -> dict[str, Any]:
    base = {
        "title": {"text": title},
        "font": {"family": FONTS},
        "margin": {"t": 50, "r": 50, "b": 60, "l": 50},
        "legend": {"orientation": "h"},
        "height": 360,
    }
    return {"id": chart_id, "data": data, "layout": {**base, **layout}}


def _bar(name: str, x: Sequence[Any], y: Sequence[Any]) -> dict[str, Any]:
    return {"type": "bar", "name": name, "x": list(x), "y": list(y)}


def _line(name: str, x: Sequence[Any], y: Sequence[Any]) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": list(x), "y": list(y)}


def _column(rows: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    return [row.get(key) for row in rows]


def _percent(rows: Sequence[Mapping[str, Any]], key: str) -> list[float | None]:
    values = _column(rows, key)
    return [None if value is None else round(float(value) * 100, 1) for value in values]


def _names(agents: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(row.get("agent", "")) for row in agents]


def _window(window: Mapping[str, Any]) -> str:
    parts = {
        "since": window.get("since") or f"start of log ({window.get('first_event') or '-'})",
        "until": window.get("until") or f"end of log ({window.get('last_event') or '-'})",
        "days": window.get("days"),
        "timezone": window.get("timezone"),
    }
    return _section("Window 统计区间", _key_values(parts))


HEADLINE = (
    ("response_rate", "3-minute response rate 3分钟响应率"),
    ("reply_rate", "reply rate 回复率"),
    ("avg_response_s", "average response time 平均响应时间 (s)"),
    ("conversion_rate", "inquiry conversion 询单转化率"),
    ("inquiries", "inquiries 咨询数"),
    ("messages", "buyer messages 买家消息"),
    ("slow_questions", "slow responses 慢响应"),
    ("first_response_median_s", "median first response 首次响应中位数 (s)"),
)


def _headline(summary: Mapping[str, Any]) -> str:
    cards = "".join(
        f'<div class="card"><div class="figure">{_cell(summary.get(key), key)}</div>'
        f'<div class="label">{html.escape(label)}</div></div>'
        for key, label in HEADLINE
        if key in summary
    )
    return f'<section class="headline">{cards}</section>'


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _cell(value: Any, key: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and key.endswith(("rate", "share")):
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, list | tuple):
        return html.escape(", ".join(str(item) for item in value))
    if isinstance(value, dict):
        return html.escape(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return html.escape(str(value))


def _key_values(values: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(str(key))}</th><td>{_cell(value, str(key))}</td></tr>"
        for key, value in values.items()
    )
    return f'<table class="kv">{rows}</table>'


def _table(rows: Sequence[Any]) -> str:
    records = [row for row in rows if isinstance(row, Mapping)]
    if not records:
        return "<p>(no rows)</p>"
    columns = list(dict.fromkeys(key for row in records for key in row))
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(row.get(column), str(column))}</td>" for column in columns)
        + "</tr>"
        for row in records
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _imbalance(items: Sequence[Any]) -> str:
    texts = [
        str(item.get("text") or item.get("agent") or "")
        for item in items
        if isinstance(item, Mapping)
    ]
    if not texts:
        return "<p>No agent is more than a few points from the share expected.</p>"
    return "<ul>" + "".join(f"<li>{html.escape(text)}</li>" for text in texts) + "</ul>"


def _script_json(value: Any) -> str:
    """JSON that no value can end or restructure inside a <script> element.

    Every ``<``, ``>`` and ``&`` is written as a JSON escape (``\\u003c`` ...): a name
    like ``</script>`` or ``<!--<script>`` (which moves the HTML tokenizer into its
    "script data escaped" states, where a later ``</script>`` no longer ends the
    element) holds no ``<`` for the tokenizer to see. ``ensure_ascii`` escapes U+2028/9.
    """
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_STYLE = """
body { font-family: FONTS; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; } table.kv th { text-align: left; }
.scroll { overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1em; }
.chart { min-height: 360px; }
.headline { display: flex; flex-wrap: wrap; gap: 1em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 10em; }
.card .figure { font-size: 1.8em; font-weight: bold; } .card .label { color: #666; }
""".replace("FONTS", FONTS.replace('"', "'"))

_BOOT = """
(function () {
  var body = document.body, errors = [];
  function fail(message) {
    errors.push(String(message));
    body.setAttribute("data-errors", errors.join(" | "));
  }
  window.addEventListener("error", function (event) { fail(event.message); });
  var consoleError = console.error;
  console.error = function () {
    fail(Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };
  var figures = JSON.parse(document.getElementById("routectl-charts").textContent);
  var config = {displayModeBar: false, responsive: true};
  Promise.all(figures.map(function (figure) {
    return Plotly.newPlot(figure.id, figure.data, figure.layout, config);
  })).then(function () {
    var points = figures.map(function (figure) {
      var node = document.getElementById(figure.id);
      return node.querySelectorAll(".point, .trace path, .scatterlayer .js-line").length;
    });
    body.setAttribute("data-charts", String(figures.length));
    body.setAttribute("data-chart-marks", points.join(","));
  }, fail);
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="routectl report --format html">
<title>{title}</title>
<style>{style}</style>
<script>{plotly}</script>
</head>
<body data-errors="">
<h1>{shop}: customer-service report 客服接待报告</h1>
{body}
<script type="application/json" id="routectl-charts">{charts}</script>
<script>{boot}</script>
</body>
</html>
"""
