"""A :class:`Report` as an aligned text report, a JSON document, or one CSV table.

Machine formats (JSON, CSV) carry fractions 0..1 and whole seconds, ``null``/empty when
nothing was counted; the table shows percentages and readable durations. Key and row
order are fixed: agents in config order, groups in config order (then ``*`` = all
routing agents and ``-`` = not routed by group), hours 0-23, days ascending.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple, TextIO
from zoneinfo import ZoneInfo

from routectl.durations import format_duration
from routectl.logio.timefmt import TimeFormatter
from routectl.output import dumps_json, render_table, write_rows
from routectl.report import labels
from routectl.report.labels import percent as _pct
from routectl.report.narrate import imbalance_text
from routectl.report.result import AgentRow, DayRow, GroupRow, HourRow, Imbalance, Report
from routectl.report.weights import ImpliedWeight
from routectl.safetext import printable

SCHEMA_VERSION = 1
"""Of the report JSON; bumped when a key changes meaning or goes away (new keys do not)."""

BREAKDOWNS = ("agent", "group", "hour", "day")
MONTHLY_DAYS = 28
"""A report of at least this many days has its agents table titled the monthly scorecard."""
DEFAULT_BY = ("agent", "group", "hour")
CHART_WIDTH = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"

# --- JSON -----------------------------------------------------------------------------


def to_json(report: Report, by: Sequence[str] = DEFAULT_BY) -> str:
    """The JSON document: contract keys first, breakdowns chosen by ``by``."""
    moment = TimeFormatter(ZoneInfo(report.timezone)).format
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "shop": report.shop,
        "window": {
            "since": moment(report.since) or None,
            "until": moment(report.until) or None,
            "first_event": moment(report.first_event) or None,
            "last_event": moment(report.last_event) or None,
            "days": report.days,
            "timezone": report.timezone,
        },
        "reply_rate": {
            "hours": report.reply_hours,
            "threshold_s": report.threshold_s,
            "avg_hours": report.avg_hours,
            "avg_cap_s": report.avg_cap_s,
            "slow_after_s": report.slow_after_s,
        },
        "sales": {"conversion_window_s": report.conversion_window_s},
        "summary": asdict(report.summary),
        "agents": [_agent_json(row) for row in report.agents],
    }
    if "group" in by:
        document["groups"] = [asdict(row) for row in report.groups]
    if "hour" in by:
        document["hours"] = [asdict(row) for row in report.hours]
    if "day" in by:
        document["days"] = [asdict(row) for row in report.days_rows]
    document["imbalance"] = [_imbalance_json(item) for item in report.imbalances]
    document["implied_weights"] = [_implied_json(row) for row in report.implied_weights]
    return dumps_json(document)


def _implied_json(row: ImpliedWeight) -> dict[str, Any]:
    document = asdict(row)
    if not math.isfinite(row.high):
        document["high"] = None  # one pick set only: no upper bound
    return document


def _agent_json(row: AgentRow) -> dict[str, Any]:
    document = asdict(row)
    document["groups"] = list(row.groups)
    return document


def _imbalance_json(item: Imbalance) -> dict[str, Any]:
    return {
        "agent": item.agent,
        "inquiries": item.inquiries,
        "share": item.share,
        "equal_share": item.equal_share,
        "weight_share": item.weight_share,
        "online_share": item.online_share,
        "expected_share": item.expected_share,
        "main_cause": item.main_cause,
        "causes": [asdict(cause) for cause in item.causes],
        "text": item.text,
    }


# --- CSV ------------------------------------------------------------------------------


def write_csv(
    report: Report, by: str, out: TextIO, *, excel: bool = False, headers: str = "keys"
) -> int:
    """One breakdown as CSV, columns named like the JSON keys; ``headers="zh"``: Chinese
    headings and rates as percentages (``70.9%``), for people, never for scripts."""
    rows: Sequence[Any] = {
        "agent": report.agents,
        "group": report.groups,
        "hour": report.hours,
        "day": report.days_rows,
    }[by]
    kind = {"agent": AgentRow, "group": GroupRow, "hour": HourRow, "day": DayRow}[by]
    keys = [field.name for field in fields(kind)]
    values = ([_csv_value(getattr(row, name)) for name in keys] for row in rows)
    if headers == "keys":
        return write_rows(keys, values, "csv", out, excel=excel)
    rates = [name in labels.RATES for name in keys]
    cells = (
        [_rate(v) if rate else v for v, rate in zip(row, rates, strict=True)] for row in values
    )
    columns = [labels.heading(name, headers) for name in keys]
    return write_rows(columns, cells, "csv", out, excel=excel)


def _rate(value: Any) -> Any:
    return labels.percent(value) if isinstance(value, float) else value


def _csv_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return " ".join(value)
    return value


# --- table ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableStyle:
    """How the text report reads: ``lang`` en|zh, ``wide`` all agent columns, ``verbose``
    rule ids and config keys next to the figures."""

    lang: str = "en"
    wide: bool = False
    verbose: bool = False


def to_table(
    report: Report, by: Sequence[str] = DEFAULT_BY, style: TableStyle | None = None
) -> str:
    """The human report: header, summary, chosen breakdowns, imbalance explanations."""
    view = _View(report, style or TableStyle())
    sections = [view.header(), view.section("summary", view.summary())]
    if report.summary.contradictions:
        sections.append(view.section("contradictions", view.contradictions()))
    builders: dict[str, Callable[[], str]] = {
        "agent": view.agents,
        "group": view.groups,
        "hour": view.hours,
        "day": view.days,
    }
    monthly = view.window_days() >= MONTHLY_DAYS  # a day's report is no monthly scorecard
    titles = {
        "agent": "agents_monthly" if monthly else "agents",
        "group": "groups",
        "hour": "hours",
        "day": "days",
    }
    for name in BREAKDOWNS:
        if name in by:
            sections.append(view.section(titles[name], builders[name]()))
    sections.append(view.imbalance())
    if report.implied_weights:
        sections.append(view.section("implied", view.implied()))
    return "\n\n".join(sections) + "\n"


class _View:
    """One report in one language and width: labels, cells and tables."""

    def __init__(self, report: Report, style: TableStyle, readable: bool = False) -> None:
        self.r = report
        self.style = style
        self.readable = readable  # durations as the HTML page writes them: 2m07s
        self.lang = style.lang
        self.words = labels.words(style.lang)
        self.values = {
            "hours": report.reply_hours,
            "avg_hours": report.avg_hours,
            "threshold": labels.duration(report.threshold_s, self.lang),
            "cap": labels.duration(report.avg_cap_s, self.lang),
            "slow": labels.seconds(report.slow_after_s, self.lang),
            "conversion": labels.duration(report.conversion_window_s, self.lang),
        }

    def word(self, key: str) -> str:
        """A label with the report's settings filled in, plus its rules with --verbose."""
        text = self.words[key].format(**self.values)
        rules = labels.RULES.get(key)
        if self.style.verbose and rules:
            text += f" ({rules})" if self.lang == "en" else f"（{rules}）"
        return text

    def section(self, key: str, body: str) -> str:
        return f"{self.word(key)}\n{body}"

    # --- header and summary -----------------------------------------------------------

    def header(self) -> str:
        r = self.r
        moment = TimeFormatter(ZoneInfo(r.timezone)).format
        start = moment(r.since) or self.words["log_start"].format(
            moment=moment(r.first_event) or "-"
        )
        end = moment(r.until) or self.words["log_end"].format(moment=moment(r.last_event) or "-")
        days = self.window_days()
        covered = ""
        if days != r.days:  # --as-of's 30 days over a log of one: say both
            covered = self.words["covered"].format(days=r.days, day_word=self.day_word(r.days))
        head = self.words["header"].format(
            shop=printable(r.shop),
            start=start,
            end=end,
            days=days,
            day_word=self.day_word(days),
            covered=covered,
            tz=r.timezone,
        )
        lines = [head, *labels.wrap(self.word("terms"), self.lang)]
        if self.style.verbose:
            lines.append(
                f"[reply_rate] window = {r.reply_hours}, threshold = "
                f"{format_duration(r.threshold_s)}, avg_window = {r.avg_hours}, avg_cap = "
                f"{format_duration(r.avg_cap_s)}, slow_after = {r.slow_after_s}s"
                f"; [sales] conversion_window = {format_duration(r.conversion_window_s)}"
            )
        return "\n".join(lines)

    def day_word(self, days: int) -> str:
        return labels.day_word(days, self.lang)

    def window_days(self) -> int:
        """Local days of the window when it is bounded on both sides (``--as-of``,
        ``--since``/``--until``), else the days the log spans inside it."""
        r = self.r
        if r.since is None or r.until is None or not r.until > r.since:
            return r.days
        zone = ZoneInfo(r.timezone)
        first = datetime.fromtimestamp(r.since, zone).date()
        last = datetime.fromtimestamp(max(r.since, r.until - 1e-6), zone).date()
        return (last - first).days + 1

    def summary(self) -> str:
        header = (self.words["figure"], self.words["value"])
        return _render(header, self.summary_rows())

    def summary_rows(self) -> list[tuple[str, str]]:
        """The summary as (label, value) pairs."""
        s = self.r.summary
        secs, pct, n, and_ = self.secs, _pct, self.count, labels.and_(self.lang)
        rows: list[tuple[str, object]] = [
            ("messages", n(s.messages)),
            ("inquiries_new", n(s.inquiries)),
            ("questions_counted", n(s.questions_counted)),
            ("answered_within", n(s.answered_within_threshold)),
            ("response_rate", pct(s.response_rate)),
            ("answered", n(s.answered)),
            ("reply_rate", pct(s.reply_rate)),
            ("avg_response", self.avg(s.avg_response_s)),
            ("slow", n(s.slow_questions)),
            (
                "median_p90",
                f"{secs(s.first_response_median_s)} / {secs(s.first_response_p90_s)}",
            ),
            ("late_never", f"{n(s.answered_late)} / {n(s.unanswered)}"),
            ("outside_hours", n(s.questions_outside_hours)),
            ("buyers_line", f"{n(s.buyers)} / {n(s.paid_buyers)} / {pct(s.conversion_rate)}"),
            ("sales", self.money(s.sales)),
            ("silent", f"{n(s.silent_orders)}{and_}{self.money(s.silent_sales)}"),
            ("uncredited", n(s.uncredited_orders)),
            ("transfers", f"{n(s.transfers)} / {n(s.transferred_unanswered)}"),
            ("bot_questions", n(s.bot_questions)),
            ("bot_inquiries", f"{n(s.bot_inquiries)} / {n(s.bot_messages)}"),
            ("offline_messages", n(s.offline_messages)),
            (
                "pooled",
                f"{n(s.pooled_inquiries)}{and_}{secs(s.pool_wait_median_s)} / "
                f"{secs(s.pool_wait_max_s)}",
            ),
            ("pooled_never", n(s.pooled_never_assigned)),
            ("queued", f"{n(s.queued_inquiries)}{and_}{secs(s.queue_wait_median_s)}"),
            ("unassigned", n(s.unassigned_inquiries)),
            ("expired", n(s.expired_pool_messages)),
            ("auto_replies", f"{n(s.greetings_sent)} / {n(s.offline_auto_replies)}"),
            ("lag_held", n(s.lag_held_messages)),
            ("unanswered_10m", n(s.unanswered_after_10m)),
        ]
        attributed = s.attributed
        if attributed["received_by"] or attributed["replier"]:
            rows.append(
                (
                    "attributed",
                    f"{n(attributed['received_by'])} / {n(attributed['replier'])} / "
                    f"{n(attributed['replayed'])}",
                )
            )
        if s.routing_agreement is not None:
            observed = sum(int(r["inquiries"] or 0) for r in s.agreement_by_rule.values())
            agreement = self.words["of"].format(rate=pct(s.routing_agreement), n=n(observed))
            rows.append(("agreement", agreement))
        return [(self.word(key), str(value)) for key, value in rows]

    def implied(self) -> str:
        rows = []
        prefix = "" if self.style.wide else _main_account(self.r.agents)
        for row in self.r.implied_weights:
            high = "-" if not math.isfinite(row.high) else f"{row.high:.0f}"
            rows.append(
                (
                    printable(row.agent.removeprefix(prefix)),
                    str(row.weight),
                    f"{row.implied_weight:.0f}",
                    f"{row.low:.0f}-{high}",
                    str(row.picks),
                )
            )
        header = tuple(
            self.words[key] for key in ("c_agent", "c_weight", "c_implied", "c_range", "c_picks")
        )
        return _render(header, rows)

    def contradictions(self) -> str:
        return "\n".join(
            "- "
            + self.words[f"x_{item['kind']}"].format(
                count=item["count"],
                line=item["first_line"],
                buyer=printable(str(item["buyer"])),
                agent=printable(str(item["received_by"])),
            )
            for item in self.r.summary.contradictions
        )

    # --- breakdowns ---------------------------------------------------------------------

    def agents(self) -> str:
        wide = self.style.wide
        prefix = "" if wide else _main_account(self.r.agents)
        columns: list[tuple[str, Callable[[AgentRow], object]]] = [
            ("c_agent", lambda r: r.agent.removeprefix(prefix)),
            *([("c_weight", lambda r: r.weight)] if wide else []),
            ("c_inquiries", lambda r: r.inquiries),
            ("c_buyers", lambda r: r.buyers),
            *([("c_paid", lambda r: r.paid_buyers)] if wide else []),
            ("c_conversion", lambda r: _pct(r.conversion_rate)),
            ("c_sales", lambda r: self.money(r.sales)),
            *([("c_questions", lambda r: r.questions_counted)] if wide else []),
            ("c_in_time", lambda r: _pct(r.response_rate)),
            ("c_avg", lambda r: self.avg(r.avg_response_s)),
            ("c_replied", lambda r: _pct(r.reply_rate)),
            ("c_slow", lambda r: r.slow_questions),
            *([("c_median", lambda r: self.secs(r.first_response_median_s))] if wide else []),
            ("c_online", lambda r: labels.span(r.online_s, self.lang)),
            *(
                [
                    ("c_suspended", lambda r: labels.span(r.suspended_s, self.lang)),
                    ("c_mobile", lambda r: labels.span(r.mobile_s, self.lang)),
                    ("c_inq_h", lambda r: _num(r.inquiries_per_online_hour)),
                    ("c_hours_worked", lambda r: r.hours_worked or "-"),
                ]
                if wide
                else []
            ),
            ("c_share", lambda r: _pct(r.share)),
            ("c_expected", lambda r: _pct(r.expected_share)),
            *([("c_by_weight", lambda r: _pct(r.weight_share))] if wide else []),
        ]
        table = self.table(columns, self.r.agents)
        notes = labels.split_terms(self.word("legend"))
        if prefix:
            notes.insert(0, self.words["prefix_note"].format(prefix=prefix))
        if not wide:
            notes.append(self.words["wide_hint"])
        return table + "\n" + "\n".join(notes)

    def groups(self) -> str:
        wide = self.style.wide
        columns: list[tuple[str, Callable[[GroupRow], object]]] = [
            ("c_group", lambda r: r.group),
            ("c_agents", lambda r: r.agents),
            *([("c_weight", lambda r: r.weight)] if wide else []),
            ("c_inquiries", lambda r: r.inquiries),
            ("c_share", lambda r: _pct(r.share)),
            ("c_buyers", lambda r: r.buyers),
            ("c_conversion", lambda r: _pct(r.conversion_rate)),
            ("c_sales", lambda r: self.money(r.sales)),
            ("c_questions", lambda r: r.questions_counted),
            ("c_in_time", lambda r: _pct(r.response_rate)),
            ("c_avg", lambda r: self.avg(r.avg_response_s)),
            ("c_replied", lambda r: _pct(r.reply_rate)),
            ("c_slow", lambda r: r.slow_questions),
            *(
                [
                    ("c_median", lambda r: self.secs(r.first_response_median_s)),
                    ("c_queued", lambda r: r.queued),
                ]
                if wide
                else []
            ),
        ]
        return self.table(columns, self.r.groups)

    def hours(self) -> str:
        peak = max((r.inquiries for r in self.r.hours), default=0)
        columns: list[tuple[str, Callable[[HourRow], object]]] = [
            ("c_hour", lambda r: f"{r.hour:02d}"),
            ("c_messages", lambda r: r.messages),
            ("c_inquiries", lambda r: r.inquiries),
            ("c_load", lambda r: _bar(r.inquiries, peak)),
            ("c_agents_online", lambda r: f"{r.agents_available:.1f}"),
            ("c_inq_agent_h", lambda r: _num(r.inquiries_per_agent_hour)),
            ("c_questions", lambda r: r.questions_counted),
            ("c_in_time", lambda r: _pct(r.response_rate)),
            ("c_avg", lambda r: self.avg(r.avg_response_s)),
        ]
        shown = [r for r in self.r.hours if r.messages or r.inquiries or r.agents_available]
        return self.table(columns, shown)

    def days(self) -> str:
        columns: list[tuple[str, Callable[[DayRow], object]]] = [
            ("c_day", lambda r: r.day),
            ("c_messages", lambda r: r.messages),
            ("c_inquiries", lambda r: r.inquiries),
            ("c_questions", lambda r: r.questions_counted),
            ("c_in_time", lambda r: _pct(r.response_rate)),
            ("c_avg", lambda r: self.avg(r.avg_response_s)),
            ("c_replied", lambda r: _pct(r.reply_rate)),
            ("c_slow", lambda r: r.slow_questions),
            ("c_median", lambda r: self.secs(r.first_response_median_s)),
            ("c_offline_messages", lambda r: r.offline_messages),
        ]
        return self.table(columns, self.r.days_rows)

    def imbalance(self) -> str:
        title = self.word("imbalance")
        if not self.r.imbalances:
            return f"{title}\n{self.words['balanced']}"
        lines = [
            "- " + printable(imbalance_text(item, self.lang, self.style.verbose))
            for item in self.r.imbalances
        ]
        return title + "\n" + "\n".join(lines)

    # --- cells ----------------------------------------------------------------------------

    def table(self, columns: Sequence[tuple[str, Callable[[Any], object]]], rows: Any) -> str:
        headers = [self.word(key) for key, _ in columns]
        cells = [[self.cell(cell(row)) for _, cell in columns] for row in rows]
        return _render(headers, cells)

    def cell(self, value: object) -> str:
        """Counts grouped as the language reads them (``12,345`` in Chinese)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.count(value)
        return str(value)

    def secs(self, seconds: int | None) -> str:
        if seconds is None:
            return "-"
        if self.readable:
            return labels.readable(seconds, self.lang)
        return labels.duration(seconds, self.lang)

    def avg(self, seconds: float | None) -> str:
        """R23 as the platform prints it: seconds with one decimal (``28.6s`` / ``28.6秒``)."""
        if seconds is None or self.readable:
            return self.secs(None if seconds is None else round(seconds))
        return labels.seconds_tenths(seconds, self.lang)

    def count(self, value: int) -> str:
        return labels.count(value, self.lang)

    def money(self, amount: float) -> str:
        return labels.money(amount, self.lang)


class PageText(NamedTuple):
    """The text report's words for the HTML page, in one language."""

    header: list[str]
    summary: list[tuple[str, str]]
    """(label, value) pairs, durations written ``2m07s``."""
    contradictions: list[str]
    monthly: bool
    """The agents table is the monthly scorecard (as in the text report)."""


def page_text(report: Report, lang: str) -> PageText:
    """For the HTML page, in ``lang``: the header lines, the summary and where the log
    contradicts the config, as the text report words them."""
    view = _View(report, TableStyle(lang), readable=True)
    head, *terms = view.header().splitlines()  # a page wraps the terms itself
    contradictions = view.contradictions().splitlines()
    return PageText(
        [head, ("" if lang == "zh" else " ").join(terms)],
        view.summary_rows(),
        [line.removeprefix("- ") for line in contradictions],
        view.window_days() >= MONTHLY_DAYS,
    )


def _main_account(rows: Sequence[AgentRow]) -> str:
    """``旗舰店:`` when every agent id is ``旗舰店:<name>`` (sub-accounts of one main account)."""
    heads = {row.agent.partition(":")[0] for row in rows if ":" in row.agent}
    if len(heads) != 1 or any(":" not in row.agent for row in rows):
        return ""
    return heads.pop() + ":"


def _render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned table with two spaces between columns and no padding beyond that."""
    return render_table(headers, rows, min_padding=0)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _bar(value: int, peak: int) -> str:
    """A horizontal bar in eighths of a character, ``CHART_WIDTH`` wide at ``peak``."""
    if peak <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value * CHART_WIDTH * 8 / peak))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")
