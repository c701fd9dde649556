"""A :class:`~routectl.diff.core.DiffResult` as a text table, JSON, or GitHub-flavoured Markdown.

JSON carries fractions 0..1, whole seconds and ``null`` (as ``report --format json``);
the table and Markdown show percentages, readable durations and signed changes. Summary
rows are read from the report's summary generically: the headline figures first (when
the report has them), then every other figure that differs between the two sides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from routectl.diff.core import REPLY_NOTE, AgentDelta, Change, Decision, DiffResult, summary_figures
from routectl.i18n import N_, _, current_lang, translations
from routectl.logio.timefmt import TimeFormatter
from routectl.output import dumps_json, render_table
from routectl.reasons import translate_reason
from routectl.report import labels
from routectl.report.labels import percent as _pct
from routectl.safetext import printable

FORMATS = ("table", "json", "markdown")

HEADLINE = (
    "messages",
    "inquiries",
    "questions_counted",
    "response_rate",
    "reply_rate",
    "avg_response_s",
    "first_response_median_s",
    "first_response_p90_s",
    "slow_questions",
    "offline_messages",
    "pooled_inquiries",
    "queued_inquiries",
    "unassigned_inquiries",
    "conversion_rate",
)
"""Summary keys always shown in table and Markdown (those the report has)."""


@dataclass(frozen=True, slots=True)
class Sources:
    """What was compared, as the user named it."""

    base: str
    new: str
    log: str


# --- JSON -----------------------------------------------------------------------------


def to_json(result: DiffResult, sources: Sources) -> str:
    moment = TimeFormatter(ZoneInfo(result.base.timezone)).format
    document: dict[str, Any] = {
        "base": sources.base,
        "new": sources.new,
        "log": sources.log,
        "messages": result.messages,
        "changed_messages": result.changed_messages,
        "changed_assignee": result.changed_assignee,
        "changed_rule_only": result.changed_rule_only,
        "changed": result.changed,
        "ignored_on_base": result.ignored_on_base,
        "ignored_on_new": result.ignored_on_new,
        "note": REPLY_NOTE,
        "summary": {"base": summary_figures(result.base), "new": summary_figures(result.new)},
        "agents": [_agent_json(delta) for delta in result.agents],
        "moves": [
            {"from": move.from_assignee, "to": move.to_assignee, "messages": move.messages}
            for move in result.moves
        ],
        "limit": result.limit,
        "changes": [_change_json(change, moment) for change in result.changes],
    }
    return dumps_json(document)


def _agent_json(delta: AgentDelta) -> dict[str, Any]:
    return {
        "agent": delta.agent,
        "share_base": delta.share_base,
        "share_new": delta.share_new,
        "inquiries_base": delta.inquiries_base,
        "inquiries_new": delta.inquiries_new,
        "response_rate_base": delta.response_rate_base,
        "response_rate_new": delta.response_rate_new,
        "in_base": delta.in_base,
        "in_new": delta.in_new,
    }


def _change_json(change: Change, moment: Callable[[float | None], str]) -> dict[str, Any]:
    return {
        "line": change.line,
        "time": moment(change.time),
        "buyer": change.buyer,
        **{
            side: {
                "assignee": decision.assignee,
                "rule": decision.rule,
                "assigned_at": moment(decision.assigned_at) or None,
                "reason": decision.reason,
            }
            for side, decision in (("base", change.base), ("new", change.new))
        },
    }


# --- table and Markdown -----------------------------------------------------------------

Table = tuple[Sequence[str], list[list[str]]]


def to_table(result: DiffResult, sources: Sources) -> str:
    base, new, log = (printable(name) for name in (sources.base, sources.new, sources.log))
    parts = [_("routectl diff: {base} -> {new} on {log}").format(base=base, new=new, log=log)]
    parts.append(_headline(result))
    for title, (columns, rows) in _sections(result):
        if rows:
            parts.append(f"{title}\n{render_table(columns, rows)}")
    if result.changes:
        parts.append(f"{_changes_title(result)}\n{_change_blocks(result)}")
    note = _("Note: {note}").format(note=_(REPLY_NOTE))
    parts.append("\n".join(labels.wrap(note, current_lang(), 88)))
    return "\n\n".join(parts) + "\n"


def to_markdown(result: DiffResult, sources: Sources) -> str:
    """For a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""
    parts = [
        _("### routectl diff: {base} → {new}").format(
            base=_md_code(sources.base), new=_md_code(sources.new)
        ),
        _("Replayed {log}.").format(log=_md_code(sources.log)) + _space() + _headline(result),
    ]
    for title, (columns, rows) in _sections(result):
        if rows:
            parts.append(f"#### {title}\n\n{_markdown_table(columns, rows)}")
    columns, rows = _change_rows_markdown(result)
    if rows:
        table = _markdown_table(columns, rows, escaped=True)
        parts.append(f"#### {_changes_title(result)}\n\n{table}")
    parts.append(f"> {_(REPLY_NOTE)}")
    return "\n\n".join(parts) + "\n"


_IGNORED_ON_BASE = N_("{count} log rows do not apply to the base config (left out there).")
_IGNORED_ON_NEW = N_("{count} log rows do not apply to the new config (left out there).")


def _space() -> str:
    """What separates two sentences: a space in English, nothing in Chinese."""
    return "" if current_lang() == "zh" else " "


def _headline(result: DiffResult) -> str:
    if not result.changed:
        return _("{messages} messages: nothing changes.").format(messages=result.messages)
    share = ""
    if result.messages:
        share = _(" ({share:.1f}%)").format(share=result.changed_messages / result.messages * 100)
    text = _(
        "{messages} messages, {changed} routed differently{share}: {assignee} to another "
        "assignee, {rule} by another rule only."
    ).format(
        messages=result.messages,
        changed=result.changed_messages,
        share=share,
        assignee=result.changed_assignee,
        rule=result.changed_rule_only,
    )
    for count, message in (
        (result.ignored_on_base, _IGNORED_ON_BASE),
        (result.ignored_on_new, _IGNORED_ON_NEW),
    ):
        if count:
            text += _space() + _(message).format(count=count)
    return text


def _sections(result: DiffResult) -> list[tuple[str, Table]]:
    return [
        (_("Summary"), _summary_rows(result)),
        (_("Agents"), _agent_rows(result.agents)),
        (_("Moves (assignee before -> after)"), _move_rows(result)),
    ]


def _changes_title(result: DiffResult) -> str:
    shown = len(result.changes)
    if shown < result.changed_messages:
        return _("First {shown} of {changed} changed messages (--limit)").format(
            shown=shown, changed=result.changed_messages
        )
    return _("Changed messages")


def _summary_rows(result: DiffResult) -> Table:
    base, new = summary_figures(result.base), summary_figures(result.new)
    keys = [key for key in HEADLINE if key in base]
    keys += [key for key in base if key not in keys and base[key] != new.get(key)]
    rows = [
        [
            _figure_name(key),
            _figure(key, base[key]),
            _figure(key, new.get(key)),
            _change(key, base[key], new.get(key)),
        ]
        for key in keys
    ]
    return _columns(N_("figure"), N_("base"), N_("new"), N_("change")), rows


def _agent_rows(agents: Sequence[AgentDelta]) -> Table:
    columns = _columns(N_("agent"), N_("inquiries"), N_("share"), N_("change"), N_("in time"))
    rows = []
    removed, added = _(" (removed)"), _(" (added)")
    for a in agents:
        name = a.agent + ("" if a.in_new else removed) + ("" if a.in_base else added)
        rows.append(
            [
                name,
                f"{a.inquiries_base} -> {a.inquiries_new}",
                f"{_pct(a.share_base)} -> {_pct(a.share_new)}",
                _points(a.share_base, a.share_new),
                f"{_pct(a.response_rate_base)} -> {_pct(a.response_rate_new)}",
            ]
        )
    return columns, rows


def _move_rows(result: DiffResult) -> Table:
    rows = [[m.from_assignee, m.to_assignee, str(m.messages)] for m in result.moves]
    return _columns(N_("from (base)"), N_("to (new)"), N_("messages")), rows


def _change_rows_markdown(result: DiffResult) -> Table:
    """Changed messages as Markdown cells, already escaped (the reasons joined by <br>)."""
    moment = TimeFormatter(ZoneInfo(result.base.timezone)).format
    rows = [
        [
            str(c.line),
            moment(c.time),
            _md(c.buyer),
            _md(f"{c.base.assignee} ({c.base.rule})"),
            _md(f"{c.new.assignee} ({c.new.rule})"),
            _("base: {base}<br>new: {new}").format(
                base=_md(translate_reason(c.base.reason)), new=_md(translate_reason(c.new.reason))
            ),
        ]
        for c in result.changes
    ]
    return _columns(N_("line"), N_("time"), N_("buyer"), N_("base"), N_("new"), N_("why")), rows


def _change_blocks(result: DiffResult) -> str:
    """Changed messages for the terminal: one block each, reasons on their own lines."""
    moment = TimeFormatter(ZoneInfo(result.base.timezone)).format
    blocks = []
    for c in result.changes:
        base, new = c.base, c.new
        head = _("line {line}").format(line=c.line)
        blocks.append(
            f"{head}  {moment(c.time)}  {printable(c.buyer)}\n"
            + printable(_("  base: {decision}").format(decision=_decision(base)))
            + "\n"
            + printable(_("  new:  {decision}").format(decision=_decision(new)))
        )
    return "\n".join(blocks)


def _markdown_table(columns: Sequence[str], rows: list[list[str]], *, escaped: bool = False) -> str:
    """A GitHub table; cells are escaped with :func:`_md` unless ``escaped`` says they are."""

    def cells(values: Sequence[str]) -> str:
        return "| " + " | ".join(values if escaped else map(_md, values)) + " |"

    lines = [cells(columns), "|" + "---|" * len(columns)]
    lines += [cells(row) for row in rows]
    return "\n".join(lines)


_MD_PUNCTUATION = re.compile(r"([\\`*\[\]|~])")
_MD_ENTITIES = str.maketrans({"<": "&lt;"})


def _md(text: str) -> str:
    """``text`` as inert Markdown inline text: control and line-break characters written
    as visible escapes (:func:`~routectl.safetext.printable`), ``<`` as ``&lt;`` (no raw
    HTML, comment or autolink can start), and the punctuation that makes code, emphasis, links and
    table cells (and the backslash itself) escaped with a backslash."""
    return _MD_PUNCTUATION.sub(r"\\\1", printable(text)).translate(_MD_ENTITIES)


def _md_code(text: str) -> str:
    """``text`` as a Markdown code span: a fence longer than any run of backticks in it
    (CommonMark), control characters escaped; nothing in a code span is markup."""
    shown = printable(text)
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


# --- cell formatting -------------------------------------------------------------------


def _decision(decision: Decision) -> str:
    return f"{decision.assignee} ({decision.rule}): {translate_reason(decision.reason)}"


def _columns(*headings: str) -> tuple[str, ...]:
    """Column headings in the current language (message context ``column``)."""
    catalogue = translations(current_lang())
    return tuple(catalogue.pgettext(labels.COLUMN, heading) for heading in headings)


FIGURE = "figure"
"""The message context of summary keys: in Chinese a figure's name, in English the key."""


def _figure_name(key: str) -> str:
    return translations(current_lang()).pgettext(FIGURE, key)


def _figure(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key.endswith("_rate") and isinstance(value, int | float):
        return _pct(value)
    if key.endswith("_s") and isinstance(value, int | float):
        return labels.duration(value, current_lang())
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _change(key: str, base: Any, new: Any) -> str:
    numbers = (int, float)
    if base == new or not isinstance(base, numbers) or not isinstance(new, numbers):
        return "" if base == new else _("changed")
    if key.endswith("_rate"):
        return _points(base, new)
    delta = new - base
    sign = "+" if delta > 0 else "-"
    if key.endswith("_s"):
        return sign + labels.duration(abs(delta), current_lang())
    return f"{sign}{abs(delta):.2f}" if isinstance(delta, float) else f"{sign}{abs(delta)}"


def _points(base: float | None, new: float | None) -> str:
    if base is None or new is None or round((new - base) * 1000) == 0:
        return ""
    return _("{points:+.1f} pt").format(points=(new - base) * 100)
