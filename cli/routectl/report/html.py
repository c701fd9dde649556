"""``report --format html``: one self-contained page a manager can open and forward.

The page holds the headline figures, charts, the agents' scorecard, why the split is
uneven, the summary and every breakdown table, in the language of ``--lang``. The
charts are inline SVG drawn by :mod:`routectl.svgchart`: the page has no script and
fetches nothing (no CDN, font, image or frame), so it opens offline, in a mail client
or a chat app's viewer, and stays small (32 KB for the example day, 80 KB for a month
of 40 agents).

The tables are rendered from the report's JSON document (:func:`render.to_json`), key
by key: a known key gets the text report's word for its heading, and a key the page
does not know still appears, headed by the key itself. Deterministic: the same report
gives the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from routectl import svgchart
from routectl.report import labels, render
from routectl.report.labels import LANGS
from routectl.report.narrate import imbalance_text
from routectl.report.result import Report
from routectl.safetext import printable
from routectl.svgchart import COLORS, Axis, Series

PERCENT_AXIS = Axis(svgchart.percent, 1.0, tick=svgchart.whole_percent)

FONTS = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif'
)
"""Chinese faces by name, each platform's first (macOS/iOS, Windows, Android/Linux)."""

COLUMNS: dict[str, str] = {
    "agent": "c_agent",
    "group": "c_group",
    "groups": "c_group",
    "day": "c_day",
    "hour": "c_hour",
    "agents": "c_agents",
    "weight": "c_weight",
    "messages": "c_messages",
    "inquiries": "c_inquiries",
    "share": "c_share",
    "expected_share": "h_expected_share",
    "weight_share": "c_by_weight",
    "online_share": "h_by_online",
    "observed_inquiries": "h_observed",
    "observed_share": "h_observed_share",
    "buyers": "c_buyers",
    "paid_buyers": "c_paid",
    "conversion_rate": "c_conversion",
    "sales": "c_sales",
    "questions_counted": "c_questions",
    "answered_within_threshold": "answered_within",
    "response_rate": "h_response_rate",
    "answered": "answered",
    "reply_rate": "c_replied",
    "avg_response_s": "c_avg",
    "first_response_median_s": "c_median",
    "slow_questions": "c_slow",
    "online_s": "c_online",
    "suspended_s": "c_suspended",
    "mobile_s": "c_mobile",
    "available_s": "h_available",
    "inquiries_per_online_hour": "c_inq_h",
    "hours_worked": "c_hours_worked",
    "agents_available": "c_agents_online",
    "inquiries_per_agent_hour": "c_inq_agent_h",
    "queued": "c_queued",
    "offline_messages": "c_offline_messages",
    "by_recent_contact": "h_recent_contact",
    "by_dedicated": "h_dedicated",
    "direct": "h_direct",
    "from_pool": "h_from_pool",
    "implied_weight": "c_implied",
    "low": "h_low",
    "high": "h_high",
    "picks": "c_picks",
    "candidate_in": "h_candidate_in",
}
"""JSON key -> word of :func:`labels.words` for its column heading. Columns come in this
order (the scorecard's first), then any other key in the JSON's order."""

ORDER = (
    "agent", "group", "day", "hour", "groups", "agents", "weight", "messages", "inquiries",
    "buyers", "paid_buyers", "conversion_rate", "sales", "questions_counted", "response_rate",
    "avg_response_s", "reply_rate", "slow_questions", "online_s", "share", "expected_share",
    "agents_available", "inquiries_per_agent_hour",
)  # fmt: skip

WHOLE = ("implied_weight", "low", "high")
"""Figures shown without decimals (as the text report shows them)."""

HEADLINE = (
    ("response_rate", "h_response_rate"),
    ("reply_rate", "reply_rate"),
    ("avg_response_s", "h_avg_response"),
    ("conversion_rate", "h_conversion"),
    ("inquiries", "h_inquiries"),
    ("messages", "messages"),
    ("slow_questions", "h_slow"),
    ("first_response_median_s", "h_median"),
)


class Words:
    """The page's words in one language, with the report's settings filled in."""

    def __init__(self, lang: str, document: Mapping[str, Any]) -> None:
        self.lang = lang if lang in LANGS else "en"
        self.text = labels.words(self.lang)
        reply = _mapping(document.get("reply_rate"))
        sales = _mapping(document.get("sales"))
        self.values = {
            "hours": str(reply.get("hours", "")),
            "avg_hours": str(reply.get("avg_hours", "")),
            "threshold": labels.duration(_number(reply.get("threshold_s"), 180), self.lang),
            "cap": labels.duration(_number(reply.get("avg_cap_s"), 600), self.lang),
            "slow": labels.seconds(int(_number(reply.get("slow_after_s"), 100)), self.lang),
            "conversion": labels.duration(
                _number(sales.get("conversion_window_s"), 86400), self.lang
            ),
        }

    def __call__(self, key: str, **extra: str) -> str:
        return self.text[key].format(**self.values, **extra)

    def column(self, key: str) -> str:
        word = COLUMNS.get(key)
        return self(word) if word else key


def page(report: Report, lang: str = "en", plan: Mapping[str, Any] | None = None) -> str:
    """The whole HTML document for ``report`` in ``lang``; ``plan`` (``routectl plan``'s
    JSON document) adds the chart of the agents needed each hour."""
    document = json.loads(render.to_json(report, render.BREAKDOWNS))
    if plan is not None:
        document["plan"] = plan
    for item, imbalance in zip(document["imbalance"], report.imbalances):
        item["text"] = imbalance_text(imbalance, lang, verbose=False)
    text = render.page_text(report, lang)
    return document_page(
        document,
        lang,
        header=text.header,
        summary=text.summary,
        notes=text.contradictions,
        monthly=text.monthly,
    )


def document_page(
    document: Mapping[str, Any],
    lang: str = "en",
    *,
    header: Sequence[str] = (),
    summary: Sequence[tuple[str, str]] | None = None,
    notes: Sequence[str] = (),
    monthly: bool | None = None,
) -> str:
    """The page for a report's JSON document: every key of its rows becomes a column.
    ``header``: lines under the title; ``summary``: (label, value) rows, else the
    document's summary key by key; ``notes``: where the log contradicts the config;
    ``monthly``: title the agents table the monthly scorecard (default: 28 days or more
    in the document's window)."""
    words = Words(lang, document)
    shop = str(document.get("shop", ""))
    agents = _rows(document.get("agents"))
    if monthly is None:
        days = _number(_mapping(document.get("window")).get("days"), 0)
        monthly = days >= render.MONTHLY_DAYS
    summary_rows = (
        _pairs(summary)
        if summary is not None
        else _key_values(_mapping(document.get("summary")), words)
    )
    sections = [
        _headline(_mapping(document.get("summary")), words),
        _section(words("h_charts"), _charts(document, words), "charts"),
        _section(words("agents_monthly" if monthly else "agents"), _table(agents, words)),
        _section(words("imbalance"), _imbalance(_rows(document.get("imbalance")), words)),
        _section(words("summary"), summary_rows),
        _section(words("contradictions"), _list(notes)),
        _section(words("implied"), _table(_rows(document.get("implied_weights")), words, "")),
        _section(words("groups"), _table(_rows(document.get("groups")), words)),
        _section(words("h_hours"), _table(_rows(document.get("hours")), words)),
        _section(words("days"), _table(_rows(document.get("days")), words)),
    ]
    lines = "".join(f"<p>{_text(line)}</p>" for line in header)
    return _TEMPLATE.format(
        lang="zh-CN" if words.lang == "zh" else "en",
        title=_text(words("html_title", shop=shop)),
        style=_STYLE,
        header=f"<header><h1>{_text(words('html_title', shop=shop))}</h1>{lines}</header>"
        if shop
        else "",
        body="\n".join(section for section in sections if section),
    )


# --- charts ---------------------------------------------------------------------------


def charts(document: Mapping[str, Any], words: Words) -> list[tuple[str, str, str]]:
    """The charts as (id, caption, SVG text), from the report's JSON document."""
    hours = _rows(document.get("hours"))
    agents = _rows(document.get("agents"))
    hour_names = [f"{int(_number(row.get('hour'), 0)):02d}" for row in hours]
    found: list[tuple[str, str, str]] = []
    if hours:
        title = words("chart_load")
        load = svgchart.bars_and_line(
            title,
            hour_names,
            Series(words("h_inquiries"), _values(hours, "inquiries"), COLORS[0]),
            Series(words("c_agents_online"), _values(hours, "agents_available"), COLORS[3]),
            Axis(color=COLORS[0]),
            Axis(color=COLORS[3]),
        )
        found.append(("chart-load", title, load))
        title = words("chart_response")
        rates = Series(words("h_response_rate"), _values(hours, "response_rate"), COLORS[0])
        response = svgchart.bar_chart(title, hour_names, rates, PERCENT_AXIS)
        found.append(("chart-response", title, response))
    if agents:
        title = words("chart_share")
        names = [str(row.get("agent", "")) for row in agents]
        prefix = main_account(names)
        share = svgchart.grouped_bars(
            title,
            [printable(name.removeprefix(prefix)) for name in names],
            [
                Series(words("h_share"), _values(agents, "share"), COLORS[0]),
                Series(words("h_expected_share"), _values(agents, "expected_share"), COLORS[1]),
            ],
            Axis(svgchart.percent, tick=svgchart.whole_percent),
        )
        space = "" if words.lang == "zh" else " "
        note = space + words("h_main_account", prefix=prefix) if prefix else ""
        found.append(("chart-share", title + note, share))
    plan = document.get("plan")
    if isinstance(plan, Mapping):
        found.append(plan_chart(plan, words))
    return found


def plan_chart(plan: Mapping[str, Any], words: Words) -> tuple[str, str, str]:
    """The agents needed each hour (``routectl plan``) against the agents online today;
    an hour out of reach is drawn at ``max_agents``, in grey, and named so."""
    hours = _rows(plan.get("hours"))
    names = [
        (f"{row['weekday']} " if "weekday" in row else "")
        + f"{int(_number(row.get('hour'), 0)):02d}"
        for row in hours
    ]
    most = _number(plan.get("max_agents"), 0)
    needed = [row.get("agents_needed") for row in hours]
    out = words("chart_out_of_reach")
    target = plan.get("target")
    goal = svgchart.whole_percent(float(target)) if isinstance(target, int | float) else ""
    title = words("chart_plan", target=goal)
    bars = Series(
        words("chart_needed"),
        [most if n is None else _number(n, 0) for n in needed],
        COLORS[1],
        shown=[out if n is None else svgchart.number(_number(n, 0)) for n in needed],
        colors=[svgchart.MUTED if n is None else "" for n in needed],
    )
    online = Series(words("c_agents_online"), _values(hours, "agents_online"), COLORS[0])
    notes = [Series(out, (), svgchart.MUTED)] if None in needed else []
    svg = svgchart.bars_and_line(title, names, bars, online, notes=notes)
    return ("chart-plan", title, svg)


def main_account(names: Sequence[str]) -> str:
    """``旗舰店:`` when every name is ``旗舰店:<sub-account>``, else ``""``."""
    heads = {name.partition(":")[0] for name in names}
    if len(heads) != 1 or not names or any(":" not in name for name in names):
        return ""
    return heads.pop() + ":"


def _charts(document: Mapping[str, Any], words: Words) -> str:
    figures = "".join(
        f'<figure id="{chart_id}"><figcaption>{_text(caption)}</figcaption>{svg}</figure>'
        for chart_id, caption, svg in charts(document, words)
    )
    return f'<div class="charts">{figures}</div>' if figures else ""


# --- tables and figures -----------------------------------------------------------------


def cell(value: Any, key: str, lang: str) -> str:
    """One figure as the page shows it: ``70.9%``, ``2m07s``, ``12,345``, escaped."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        if key.endswith(("rate", "share")):
            return labels.percent(value)
        if key.endswith("_s"):
            return labels.readable(value, lang)
        if key.endswith("sales"):
            return f"{value:,.2f}"
        if key in WHOLE:
            return f"{value:,.0f}"
        if key == "hour" and isinstance(value, int):
            return f"{value:02d}:00"
        return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    if isinstance(value, list | tuple):
        return _text(", ".join(str(item) for item in value))
    if isinstance(value, dict):
        return _text(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return _text(str(value))


def _table(rows: Sequence[Mapping[str, Any]], words: Words, empty: str = "h_no_rows") -> str:
    """The rows as a table (nothing, or the ``empty`` word, when there are none)."""
    if not rows:
        return f"<p>{_text(words(empty))}</p>" if empty else ""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    columns = [key for key in ORDER if key in keys] + [key for key in keys if key not in ORDER]
    text = {key for key in columns if any(_is_text(row.get(key), key) for row in rows)}
    head = "".join(
        ('<th class="t">' if key in text else "<th>") + f"{_text(words.column(key))}</th>"
        for key in columns
    )
    body = "".join(
        "<tr>" + "".join(_td(row.get(key), key, words.lang) for key in columns) + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _td(value: Any, key: str, lang: str) -> str:
    """A cell; text (names, groups, hours worked) reads from the left, figures line up
    on the right."""
    shown = cell(value, key, lang)
    return f'<td class="t">{shown}</td>' if _is_text(value, key) else f"<td>{shown}</td>"


def _is_text(value: Any, key: str) -> bool:
    return isinstance(value, str | list) and key != "day"


def _headline(summary: Mapping[str, Any], words: Words) -> str:
    cards = "".join(
        f'<div class="card"><div class="figure">{cell(summary.get(key), key, words.lang)}</div>'
        f'<div class="label">{_text(words(word))}</div></div>'
        for key, word in HEADLINE
        if key in summary
    )
    return f'<section class="cards">{cards}</section>' if cards else ""


def _key_values(values: Mapping[str, Any], words: Words) -> str:
    return _pairs(
        [(words.column(key), cell(value, key, words.lang)) for key, value in values.items()],
        escaped=True,
    )


def _pairs(rows: Sequence[tuple[str, str]], escaped: bool = False) -> str:
    """A two-column table of (label, value); counts in values grouped (12,345)."""
    body = "".join(
        f"<tr><th>{_text(label)}</th><td>{value if escaped else _text(_grouped(value))}</td></tr>"
        for label, value in rows
    )
    return f'<div class="scroll"><table class="kv">{body}</table></div>'


def _imbalance(items: Sequence[Mapping[str, Any]], words: Words) -> str:
    texts = [str(item.get("text") or item.get("agent") or "") for item in items]
    return _list(texts) or f"<p>{_text(words('balanced'))}</p>"


def _list(texts: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_text(text)}</li>" for text in texts) + "</ul>" if texts else ""


def _section(title: str, body: str, name: str = "") -> str:
    if not body:
        return ""
    attribute = f' class="{name}-section"' if name else ""
    return f"<section{attribute}><h2>{_text(title)}</h2>{body}</section>"


_DIGITS = re.compile(r"(?<![\d.,:-])\d{4,}")


def _grouped(text: str) -> str:
    """``12345 / 678`` -> ``12,345 / 678``; decimals, times and dates are left alone."""
    return _DIGITS.sub(lambda found: f"{int(found.group()):,}", text)


def _text(value: object) -> str:
    return html.escape(printable(str(value)))


def _rows(value: object) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


def _values(rows: Sequence[Mapping[str, Any]], key: str) -> list[float | None]:
    values = [row.get(key) for row in rows]
    return [float(value) if isinstance(value, int | float) else None for value in values]


_STYLE = """
:root { color-scheme: light; }
body { font-family: FONTS; margin: 0 auto; max-width: 1200px; padding: 0 12px 2em;
  color: #222; line-height: 1.45; -webkit-text-size-adjust: 100%; }
h1 { font-size: 1.45em; margin: 0.7em 0 0.2em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #ddd; margin: 1.4em 0 0.5em; }
h1, p, li, figcaption { overflow-wrap: anywhere; }
header p { color: #555; font-size: 0.9em; margin: 0.2em 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5em, 1fr));
  gap: 0.6em; margin-top: 1em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 0.8em; }
.card .figure { font-size: 1.6em; font-weight: bold; font-variant-numeric: tabular-nums; }
.card .label { color: #555; font-size: 0.85em; }
.charts { display: grid; align-items: start; gap: 1em;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 360px), 1fr)); }
figure { margin: 0; border: 1px solid #e4e4e4; border-radius: 6px; padding: 0.5em;
  min-width: 0; break-inside: avoid; }
figcaption { font-weight: bold; font-size: 0.95em; margin-bottom: 0.3em; }
figure svg { display: block; width: 100%; height: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.5em; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; }
tbody td:first-child, thead th:first-child { text-align: left; position: sticky; left: 0; }
tbody td:first-child { background: #fff; } td.t, th.t { text-align: left; }
table.kv th { text-align: left; white-space: normal; min-width: 12em; }
table.kv td { text-align: left; }
li { margin-bottom: 0.4em; }
@media (max-width: 600px) { body { font-size: 15px; } .card .figure { font-size: 1.35em; } }
@media print {
  body { max-width: none; font-size: 10pt; }
  .scroll { overflow: visible; }
  tbody td:first-child, thead th:first-child { position: static; }
  section, tr { break-inside: avoid; }
}
""".replace("FONTS", FONTS.replace('"', "'"))

_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="routectl report --format html">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{header}
{body}
</body>
</html>
"""
