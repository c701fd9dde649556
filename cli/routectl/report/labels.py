"""Words and numbers of the text report in English and Chinese (the platform's own terms).

``--lang zh|en`` picks one; without it, :func:`routectl.i18n.current_lang` reads the
locale. The words are English in :data:`ENGLISH` and Chinese in the gettext catalogue ``report``
(``routectl/locale/zh/LC_MESSAGES/report.po``): :func:`word` looks one up. Labels are
plain text for a shop manager; the rule ids and config keys behind a figure are kept in
``RULES`` and shown only with ``--verbose`` (JSON carries them by key name).

Numbers and durations a person reads go through here, one style per language:
``12,345`` in Chinese (English keeps plain ``12345``), ``9h32m`` / ``9小时32分`` for
online time, ``1m45s`` / ``1分45秒`` and ``7m6s`` / ``7分06秒`` for response times.
"""

from __future__ import annotations

import re
import textwrap

from wcwidth import wcswidth

from routectl.durations import format_duration, humanize_seconds, readable_duration
from routectl.i18n import N_, in_lang, translations

LANGS = ("en", "zh")
COLUMN = "column"
"""The message context of column headings (``c_*`` keys)."""
ENUMERATION = "enumeration"
"""The message context of the list separator ``, ``."""
HTML = "html"
"""The message context of the HTML page's own words (``h_*``, ``chart_*``, ``html_*``)."""


def percent(fraction: float | None) -> str:
    """A rate as every text report shows it: ``70.9%``, or ``-`` when nothing counted."""
    return "-" if fraction is None else f"{fraction * 100:.1f}%"


def word(key: str, lang: str) -> str:
    """The report word ``key`` in ``lang`` (columns in the ``column`` context, the HTML
    page's words in ``html``)."""
    if key in ("day", "days_word"):
        return day_word(1 if key == "day" else 2, lang)
    english = ENGLISH[key]
    context = _context(key)
    if context:
        return translations(lang).pgettext(context, english)
    return in_lang(lang, english)


def enumeration(lang: str) -> str:
    """What separates the items of a list: ``, `` / ``、``."""
    return translations(lang).pgettext(ENUMERATION, ", ")


def day_word(days: int, lang: str) -> str:
    """``day`` / ``days`` after a number of days (``天``)."""
    return translations(lang).ngettext(ENGLISH["day"], ENGLISH["days_word"], days)


def words(lang: str) -> dict[str, str]:
    """Every report word in ``lang``, by key."""
    return {key: word(key, lang) for key in ENGLISH}


def _context(key: str) -> str:
    if key.startswith("c_"):
        return COLUMN
    if key.startswith(("h_", "chart_", "html_")):
        return HTML
    return ""


HEADERS = ("keys", "zh")
"""``report --format csv --headers``: the JSON keys (default, for scripts) or Chinese."""
CSV = "csv"
"""The message context of CSV headings (``--headers zh``): the msgid is the key."""
RATES = frozenset(
    {
        "share", "observed_share", "expected_share", "weight_share", "online_share",
        "response_rate", "reply_rate", "conversion_rate",
    }
)  # fmt: skip
"""CSV columns holding a fraction 0..1: with ``--headers zh`` written as ``70.9%``."""


def heading(key: str, lang: str) -> str:
    """A CSV column's heading in ``lang`` (the key itself when it has none)."""
    return translations(lang).pgettext(CSV, key)


def count(value: int, lang: str) -> str:
    """A count as people read it: ``12,345`` in Chinese, ``12345`` in English."""
    return f"{value:,}" if lang == "zh" else str(value)


def money(amount: float, lang: str) -> str:
    """Sales with two decimals: ``5,179.50`` in Chinese, ``5179.50`` in English."""
    return f"{amount:,.2f}" if lang == "zh" else f"{amount:.2f}"


def and_(lang: str) -> str:
    """What joins two figures in one cell: ``11, 7m`` / ``11 / 7分钟``."""
    return " / " if lang == "zh" else ", "


ENGLISH: dict[str, str] = {
    # sections
    "summary": N_("Summary"),
    "agents": N_("Agents: the scorecard"),
    "agents_monthly": N_("Agents: the monthly scorecard"),
    "groups": N_("Groups (* = all routing agents, - = not routed by group)"),
    "hours": N_(
        "Hours of day (load = inquiries; agents online = average available agents; "
        "hours with neither are left out)"
    ),
    "days": N_("Days"),
    "imbalance": N_("Why the split is uneven"),
    "balanced": N_("Every agent's share is within the margin of its expected share."),
    "figure": N_("figure"),
    "value": N_("value"),
    # header
    "header": N_("{shop}: report from {start} to {end}, {days} {day_word}{covered} ({tz})"),
    "covered": N_(" (the log covers {days} {day_word})"),
    "day": N_("day"),
    "days_word": N_("days"),
    "log_start": N_("start of log ({moment})"),
    "log_end": N_("end of log ({moment})"),
    "terms": N_(
        "Questions count by their first message: within {hours} for the response and "
        "reply rates, within {avg_hours} for the average response time (each delay "
        "capped at {cap}); response threshold {threshold}; slow from {slow}; a payment "
        "converts an inquiry within {conversion}."
    ),
    # summary rows
    "messages": N_("messages"),
    "inquiries_new": N_("inquiries (new conversations)"),
    "questions_counted": N_("questions counted ({hours})"),
    "answered_within": N_("answered within {threshold}"),
    "response_rate": N_("{threshold} response rate"),
    "answered": N_("answered at all"),
    "reply_rate": N_("reply rate"),
    "median_p90": N_("first response median / p90"),
    "avg_response": N_("average response time ({avg_hours}, each capped at {cap})"),
    "slow": N_("slow responses ({slow} or more, or never)"),
    "late_never": N_("answered late / never"),
    "outside_hours": N_("questions outside {hours} (not counted)"),
    "bot_questions": N_("bot questions (not counted)"),
    "bot_inquiries": N_("bot inquiries / messages"),
    "buyers_line": N_("inquiring buyers / paid within {conversion} / conversion"),
    "sales": N_("sales credited to agents"),
    "silent": N_("silent orders (paid without asking), their sales"),
    "uncredited": N_("orders after an inquiry no agent received (bot, pool)"),
    "transfers": N_("transfers / questions they ended unanswered"),
    "offline_messages": N_("offline messages"),
    "pooled": N_("pooled inquiries, waited median / max"),
    "pooled_never": N_("pooled and never assigned"),
    "queued": N_("queued at the concurrency cap, waited median"),
    "unassigned": N_("inquiries never assigned"),
    "expired": N_("expired pool messages"),
    "auto_replies": N_("auto-replies: greeting / offline"),
    "lag_held": N_("held in the offline detection lag"),
    "unanswered_10m": N_("assigned, unanswered after 10m"),
    "attributed": N_("questions held, per log: receiver / replier / guess"),
    "contradictions": N_("Where the log contradicts the config (the platform runs something else)"),
    "implied": N_(
        "Weights the log implies (fitted from the log's own group picks and who was "
        "available at each; 90% range)"
    ),
    "c_implied": N_("implied"),
    "c_range": N_("90% range"),
    "c_picks": N_("picks"),
    "x_unavailable_receiver": N_(
        "{count} new buyers received by a suspended or offline agent, not a recent "
        "contact (first: line {line}, {buyer} -> {agent})"
    ),
    "x_outside_group": N_(
        "{count} buyers received by an agent outside the group the config sends them "
        "to (first: line {line}, {buyer} -> {agent})"
    ),
    "x_non_routing_receiver": N_(
        "{count} routed buyers received by an agent with routing = false "
        "(first: line {line}, {buyer} -> {agent})"
    ),
    "x_dedicated_elsewhere": N_(
        "{count} dedicated buyers received by someone else while their agent was "
        "available (first: line {line}, {buyer} -> {agent})"
    ),
    "agreement": N_("replay agrees with the log's receivers"),
    "of": N_("{rate} of {n}"),
    # columns
    "c_agent": N_("agent"),
    "c_group": N_("group"),
    "c_agents": N_("agents"),
    "c_weight": N_("weight"),
    "c_inquiries": N_("inquiries"),
    "c_buyers": N_("buyers"),
    "c_paid": N_("paid"),
    "c_conversion": N_("conv."),
    "c_sales": N_("sales"),
    "c_share": N_("share"),
    "c_expected": N_("expected"),
    "c_by_weight": N_("by weight"),
    "c_online": N_("online"),
    "c_suspended": N_("suspended"),
    "c_mobile": N_("mobile"),
    "c_inq_h": N_("inq/h"),
    "c_hours_worked": N_("hours worked"),
    "c_questions": N_("questions"),
    "c_in_time": N_("in {threshold}"),
    "c_avg": N_("avg"),
    "c_replied": N_("replied"),
    "c_slow": N_("slow"),
    "c_median": N_("median"),
    "c_queued": N_("queued"),
    "c_hour": N_("hour"),
    "c_day": N_("day"),
    "c_messages": N_("messages"),
    "c_load": N_("load"),
    "c_agents_online": N_("agents online"),
    "c_inq_agent_h": N_("inq/agent h"),
    "c_offline_messages": N_("offline messages"),
    "legend": N_(
        "in {threshold} = {threshold} response rate; avg = average response time "
        "({avg_hours}); replied = reply rate; slow = answered after {slow} or never; "
        "buyers = inquiring buyers; conv. = share of them who paid within {conversion}; "
        "expected = share by weight and who was online at each inquiry."
    ),
    "prefix_note": N_("agent = the sub-account name, after the main account's {prefix}"),
    "wide_hint": N_("More columns (weight, suspended, mobile, hours worked...): --wide."),
    # imbalance
    "imb_head": N_("{agent}: {share} of inquiries ({inquiries} of {total})."),
    "imb_chain": N_(
        "Even split {equal} -> by weight {weight} (weight {p_weight}) -> by weight x "
        "online time {online} (online time {p_online}) -> expected {expected} (hours "
        "of day {p_hours}) -> actual {share} (caps and rules {p_rules})."
    ),
    "imb_main": N_("Main cause: {cause}: {detail}."),
    "points": N_("{points:+.1f} points"),
    "cause_weight": N_("weight"),
    "cause_online time": N_("online time"),
    "cause_hours of day": N_("hours of day"),
    "cause_caps and rules": N_("caps and rules"),
    # the HTML page (report --format html): headings, cards, charts, columns
    "html_title": N_("{shop}: customer-service report"),
    "h_charts": N_("Charts"),
    "h_hours": N_("Hours of day"),
    "h_no_rows": N_("(no rows)"),
    "h_response_rate": N_("{threshold} response rate"),
    "h_avg_response": N_("average response time"),
    "h_conversion": N_("inquiry conversion"),
    "h_slow": N_("slow responses"),
    "h_median": N_("median first response"),
    "h_inquiries": N_("inquiries"),
    "h_share": N_("share of inquiries"),
    "h_expected_share": N_("expected share"),
    "h_by_online": N_("by online time"),
    "h_observed": N_("per log"),
    "h_observed_share": N_("share per log"),
    "h_available": N_("available"),
    "h_recent_contact": N_("recent contact"),
    "h_dedicated": N_("dedicated"),
    "h_direct": N_("addressed to it"),
    "h_from_pool": N_("from the pool"),
    "h_low": N_("90% low"),
    "h_high": N_("90% high"),
    "h_candidate_in": N_("picks it could get"),
    "h_main_account": N_("(agent names without the main account's {prefix})"),
    "chart_load": N_("Inquiries and agents online per hour"),
    "chart_response": N_("{threshold} response rate per hour"),
    "chart_share": N_("Each agent's share of inquiries vs expected share"),
    "chart_plan": N_("Rota: agents needed for a {target} response rate vs agents online"),
    "chart_needed": N_("agents needed"),
    "chart_out_of_reach": N_("out of reach"),
}
"""The report's words by key, in English: the msgids of the ``report`` catalogue
(``locale/zh/LC_MESSAGES/report.po``). Column headings (``c_*``) are looked up in the
message context ``column``, so ``day`` the heading and ``day`` the unit translate apart."""

RULES: dict[str, str] = {
    "questions_counted": "R19, [reply_rate] window",
    "answered_within": "R19, threshold",
    "response_rate": "R19",
    "reply_rate": "R20",
    "avg_response": "R23, avg_window, avg_cap",
    "slow": "R24, slow_after",
    "outside_hours": "R19",
    "bot_questions": "R21",
    "bot_inquiries": "R11",
    "buyers_line": "R25, [sales] conversion_window",
    "sales": "R25",
    "silent": "R25",
    "uncredited": "R25",
    "transfers": "R17b, R18",
    "offline_messages": "R14, R15",
    "pooled": "R14",
    "queued": "R13, max_concurrent",
    "expired": "R17, pool_retention_days",
    "lag_held": "R15, offline_delay",
    "imbalance": "R22",
    "agents": "R4, R18-R25",
    "agents_monthly": "R4, R18-R25",
}

_RULE_IDS = re.compile(r" ?\(R\d+[a-z]?\)")


_RULE_IDS_ZH = re.compile(r"（R\d+[a-z]?）")


def plain(text: str, lang: str = "en") -> str:
    """Drop rule ids and config keys from a sentence (they stay in ``--verbose``)."""
    cap = in_lang(lang, N_("the concurrency cap"))
    return _RULE_IDS_ZH.sub("", _RULE_IDS.sub("", text)).replace("max_concurrent", cap)


def duration(seconds: float, lang: str) -> str:
    """``180`` -> ``3m`` / ``3分钟``; ``105`` -> ``1m45s`` / ``1分45秒``; ``426`` -> ``7m6s`` /
    ``7分06秒``."""
    return _zh_units(format_duration(seconds)) if lang == "zh" else format_duration(seconds)


def span(seconds: float, lang: str) -> str:
    """A rough duration (online time): ``9h32m`` / ``9小时32分``."""
    if not seconds:
        return "0"
    text = humanize_seconds(seconds)
    return _zh_units(text) if lang == "zh" else text


def duration_text(text: str, lang: str) -> str:
    """A duration already spelled ``3h05m`` (the engine's words) in ``lang``'s units."""
    return _zh_units(text) if lang == "zh" and _DURATION_WHOLE.fullmatch(text) else text


_ZH_UNITS = {"d": "天", "h": "小时", "m": "分", "s": "秒"}
_DURATION_PART = re.compile(r"(\d+)([dhms])")
_DURATION_WHOLE = re.compile(r"(?:\d+[dhms])+")


def _zh_units(text: str) -> str:
    """``1h41m32s`` -> ``1小时41分32秒``: every part after the first two digits wide, as a
    clock reads (``2分07秒``, ``9小时03分``); minutes alone are ``3分钟`` ("3分" is a score)."""
    parts = _DURATION_PART.findall(text)
    out = "".join(
        (number if i == 0 or unit == "d" else number.zfill(2)) + _ZH_UNITS[unit]
        for i, (number, unit) in enumerate(parts)
    )
    return out + "钟" if [unit for _, unit in parts] == ["m"] else out


def seconds(value: int, lang: str) -> str:
    """Whole seconds as the platform says them: ``100s`` / ``100秒`` (R24's reminder)."""
    return f"{value}秒" if lang == "zh" else f"{value}s"


def seconds_tenths(value: float, lang: str) -> str:
    """R23 as the platform prints it: seconds with one decimal (``28.6s`` / ``28.6秒``)."""
    return f"{value:.1f}" + ("秒" if lang == "zh" else "s")


def split_terms(legend: str) -> list[str]:
    """A legend of ``term = meaning`` parts, one part per line (tables stay 100 wide)."""
    parts = re.split(r"(?<=[;；])\s*", legend.rstrip(".。"))
    return [part.rstrip(";；").strip() for part in parts if part.strip()]


def wrap(text: str, lang: str, width: int = 100) -> list[str]:
    """A sentence over lines of at most ``width`` columns (Chinese: at clause ends)."""
    if lang != "zh":
        return textwrap.wrap(text, width)
    lines: list[str] = []
    for clause in re.split(r"(?<=[；。])", text):
        if lines and wcswidth(lines[-1] + clause) <= width:
            lines[-1] += clause
        elif clause:
            lines.append(clause)
    return lines


def readable(seconds: float, lang: str) -> str:
    """A duration on the HTML page: ``2m07s`` / ``2分07秒``, ``1h05m`` / ``1小时05分``."""
    text = readable_duration(seconds)
    return _zh_units(text) if lang == "zh" else text
