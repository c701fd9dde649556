"""A :class:`Report` as an aligned text report, a JSON document, or one CSV table.

Machine formats (JSON, CSV) carry fractions 0..1 and whole seconds, ``null``/empty when
nothing was counted; the table shows percentages and readable durations. Key and row
order are fixed: agents in config order, groups in config order (then ``*`` = all
routing agents and ``-`` = not routed by group), hours 0-23, days ascending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from routectl.durations import format_duration, humanize_seconds
from routectl.output import dumps_json, render_table, write_rows
from routectl.report.result import AgentRow, DayRow, GroupRow, HourRow, Imbalance, Report
from routectl.safetext import printable
from routectl.timefmt import TimeFormatter

BREAKDOWNS = ("agent", "group", "hour", "day")
DEFAULT_BY = ("agent", "group", "hour")
CHART_WIDTH = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"

# --- JSON -----------------------------------------------------------------------------


def to_json(report: Report, by: Sequence[str] = DEFAULT_BY) -> str:
    """The JSON document: contract keys first, breakdowns chosen by ``by``."""
    moment = TimeFormatter(ZoneInfo(report.timezone)).format
    document: dict[str, Any] = {
        "shop": report.shop,
        "window": {
            "since": moment(report.since) or None,
            "until": moment(report.until) or None,
            "first_event": moment(report.first_event) or None,
            "last_event": moment(report.last_event) or None,
            "days": report.days,
            "timezone": report.timezone,
        },
        "reply_rate": {"hours": report.reply_hours, "threshold_s": report.threshold_s},
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
    return dumps_json(document)


def _agent_json(row: AgentRow) -> dict[str, Any]:
    document = asdict(row)
    document["groups"] = list(row.groups)
    return document


def _imbalance_json(item: Imbalance) -> dict[str, Any]:
    return {
        "agent": item.agent,
        "share": item.share,
        "weight_share": item.weight_share,
        "online_share": item.online_share,
        "expected_share": item.expected_share,
        "main_cause": item.main_cause,
        "causes": [asdict(cause) for cause in item.causes],
        "text": item.text,
    }


# --- CSV ------------------------------------------------------------------------------


def write_csv(report: Report, by: str, out: TextIO, *, excel: bool = False) -> int:
    """One breakdown as CSV, columns named like the JSON keys."""
    rows: Sequence[Any] = {
        "agent": report.agents,
        "group": report.groups,
        "hour": report.hours,
        "day": report.days_rows,
    }[by]
    kind = {"agent": AgentRow, "group": GroupRow, "hour": HourRow, "day": DayRow}[by]
    columns = [field.name for field in fields(kind)]
    values = ([_csv_value(getattr(row, name)) for name in columns] for row in rows)
    return write_rows(columns, values, "csv", out, excel=excel)


def _csv_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return " ".join(value)
    return value


# --- table ----------------------------------------------------------------------------


def to_table(report: Report, by: Sequence[str] = DEFAULT_BY) -> str:
    """The human report: header, summary, chosen breakdowns, imbalance explanations."""
    sections = [_header(report), _section("Summary", _summary_table(report))]
    builders: dict[str, Callable[[Report], tuple[str, str]]] = {
        "agent": _agents_section,
        "group": _groups_section,
        "hour": _hours_section,
        "day": _days_section,
    }
    for name in BREAKDOWNS:
        if name in by:
            sections.append(_section(*builders[name](report)))
    sections.append(_imbalance_section(report))
    return "\n\n".join(sections) + "\n"


def _section(title: str, body: str) -> str:
    return f"{title}\n{body}"


def _header(report: Report) -> str:
    moment = TimeFormatter(ZoneInfo(report.timezone)).format
    start = moment(report.since) or f"start of log ({moment(report.first_event) or '-'})"
    end = moment(report.until) or f"end of log ({moment(report.last_event) or '-'})"
    days = "day" if report.days == 1 else "days"
    return (
        f"{printable(report.shop)}: report from {start} to {end}, {report.days} {days} "
        f"({report.timezone})\n"
        f"Questions count when their first message is within {report.reply_hours} shop "
        f"time; threshold {format_duration(report.threshold_s)}. Columns: in time = "
        "response rate (answered within the threshold), replied = reply rate."
    )


def _summary_table(report: Report) -> str:
    s = report.summary
    threshold = format_duration(report.threshold_s)
    rows = [
        ("messages", s.messages),
        ("inquiries (new conversations)", s.inquiries),
        (f"questions counted ({report.reply_hours})", s.questions_counted),
        (f"answered within {threshold}", s.answered_within_threshold),
        (f"{threshold} response rate", _pct(s.response_rate)),
        ("answered at all", s.answered),
        ("reply rate", _pct(s.reply_rate)),
        (
            "first response median / p90",
            f"{_secs(s.first_response_median_s)} / {_secs(s.first_response_p90_s)}",
        ),
        ("answered late / never", f"{s.answered_late} / {s.unanswered}"),
        (f"questions outside {report.reply_hours} (not counted)", s.questions_outside_hours),
        ("bot questions (not counted, R21)", s.bot_questions),
        ("bot inquiries / messages", f"{s.bot_inquiries} / {s.bot_messages}"),
        ("offline messages", s.offline_messages),
        (
            "pooled inquiries (R14), waited median / max",
            f"{s.pooled_inquiries}, {_secs(s.pool_wait_median_s)} / {_secs(s.pool_wait_max_s)}",
        ),
        ("pooled and never assigned", s.pooled_never_assigned),
        (
            "queued at max_concurrent (R13), waited median",
            f"{s.queued_inquiries}, {_secs(s.queue_wait_median_s)}",
        ),
        ("inquiries never assigned", s.unassigned_inquiries),
        ("expired pool messages (R17)", s.expired_pool_messages),
        ("auto-replies: greeting / offline", f"{s.greetings_sent} / {s.offline_auto_replies}"),
        ("held in the offline detection lag (R15)", s.lag_held_messages),
        ("assigned, unanswered after 10m", s.unanswered_after_10m),
    ]
    return render_table(("figure", "value"), [(label, str(value)) for label, value in rows])


def _agents_section(report: Report) -> tuple[str, str]:
    columns = (
        "agent", "weight", "inquiries", "share", "expected", "by weight", "online",
        "suspended", "mobile", "inq/h", "hours worked", "questions",
        "in time", "replied", "median",
    )  # fmt: skip
    rows = [
        (
            r.agent,
            r.weight,
            r.inquiries,
            _pct(r.share),
            _pct(r.expected_share),
            _pct(r.weight_share),
            _span(r.online_s),
            _span(r.suspended_s),
            _span(r.mobile_s),
            _num(r.inquiries_per_online_hour),
            r.hours_worked or "-",
            r.questions_counted,
            _pct(r.response_rate),
            _pct(r.reply_rate),
            _secs(r.first_response_median_s),
        )
        for r in report.agents
    ]
    return "Agents", render_table(columns, _strings(rows))


def _groups_section(report: Report) -> tuple[str, str]:
    columns = (
        "group", "agents", "weight", "inquiries", "share", "queued", "questions",
        "in time", "replied", "median",
    )  # fmt: skip
    rows = [
        (
            r.group,
            r.agents,
            r.weight,
            r.inquiries,
            _pct(r.share),
            r.queued,
            r.questions_counted,
            _pct(r.response_rate),
            _pct(r.reply_rate),
            _secs(r.first_response_median_s),
        )
        for r in report.groups
    ]
    title = "Groups (* = all routing agents, - = not routed by group)"
    return title, render_table(columns, _strings(rows))


def _hours_section(report: Report) -> tuple[str, str]:
    peak = max((r.inquiries for r in report.hours), default=0)
    columns = (
        "hour", "messages", "inquiries", "load", "agents online", "inq/agent h",
        "questions", "in time",
    )  # fmt: skip
    rows = [
        (
            f"{r.hour:02d}",
            r.messages,
            r.inquiries,
            _bar(r.inquiries, peak),
            f"{r.agents_available:.1f}",
            _num(r.inquiries_per_agent_hour),
            r.questions_counted,
            _pct(r.response_rate),
        )
        for r in report.hours
        if r.messages or r.inquiries or r.agents_available
    ]
    title = (
        "Hours of day (load = inquiries; agents online = average available agents; "
        "hours with neither are left out)"
    )
    return title, render_table(columns, _strings(rows))


def _days_section(report: Report) -> tuple[str, str]:
    columns = (
        "day", "messages", "inquiries", "questions", "answered in time",
        "in time", "replied", "median", "offline messages",
    )  # fmt: skip
    rows = [
        (
            r.day,
            r.messages,
            r.inquiries,
            r.questions_counted,
            r.answered_within_threshold,
            _pct(r.response_rate),
            _pct(r.reply_rate),
            _secs(r.first_response_median_s),
            r.offline_messages,
        )
        for r in report.days_rows
    ]
    return "Days", render_table(columns, _strings(rows))


def _imbalance_section(report: Report) -> str:
    title = "Why the split is uneven (R22)"
    if not report.imbalances:
        return f"{title}\nEvery agent's share is within the margin of its expected share."
    return title + "\n" + "\n".join(f"- {printable(item.text)}" for item in report.imbalances)


# --- cell formatting --------------------------------------------------------------------


def _strings(rows: Sequence[Sequence[Any]]) -> list[list[str]]:
    return [[str(value) for value in row] for row in rows]


def _pct(fraction: float | None) -> str:
    return "-" if fraction is None else f"{fraction * 100:.1f}%"


def _secs(seconds: int | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


def _span(seconds: int) -> str:
    return humanize_seconds(seconds) if seconds else "0"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _bar(value: int, peak: int) -> str:
    """A horizontal bar in eighths of a character, ``CHART_WIDTH`` wide at ``peak``."""
    if peak <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value * CHART_WIDTH * 8 / peak))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")
