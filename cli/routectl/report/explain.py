"""R22: say in plain words why an agent's share departs from what its weight promises.

An agent is explained when its actual share of inquiries departs from its weight-only
share or from its expected share (weight x who was online at each inquiry) by more
than :data:`ABSOLUTE_MARGIN` (5 points) or :data:`RELATIVE_MARGIN` (20 % of the
expected value), and by at least :data:`MIN_GAP_INQUIRIES` inquiries (so that a
handful of inquiries never raises an alarm).

The departure from an even split is cut into four terms that add up exactly:

- **weight**: weight-only share - even split (the configured part);
- **online time**: weight x online-time share - weight-only share;
- **hours of day**: expected share - weight x online-time share (being online when
  buyers come, not just long);
- **caps and rules**: actual share - expected share (``max_concurrent`` caps, recent
  contact R9, dedicated agents R10, direct messages, the offline pool).

The main cause is the largest of the last three: what moved the agent away from the
share its weight promises. In a group balanced by busyness (R13b) the text says so: the
split then also follows how long agents keep conversations open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from routectl.durations import humanize_seconds
from routectl.i18n import N_, in_lang, translations
from routectl.model import ShopConfig
from routectl.report import labels
from routectl.report.labels import LANGS
from routectl.report.labels import percent as _pct
from routectl.report.narrate import imbalance_text
from routectl.report.result import AgentRow, Cause, Imbalance, LocalDetails

ABSOLUTE_MARGIN = 0.05
RELATIVE_MARGIN = 0.20
MIN_GAP_INQUIRIES = 2.0


@dataclass(frozen=True, slots=True)
class AgentContext:
    """What the imbalance explanation says beyond an agent's row."""

    equal_share: float
    team_available_s: float
    time_fraction: float | None
    """Share of the report's time the agent was available."""
    team_time_fraction: float | None
    arrival_fraction: float | None
    """Share of its group(s)' inquiries that arrived while it was available."""
    team_arrival_fraction: float | None
    part_when_available: float | None
    """Its mean split of an inquiry while available (its weight over the available weight)."""
    nominal_part: float | None
    """Its mean split by weight alone, everyone in."""
    hours_worked: str
    busy_hours: str
    team_bypass: int
    """Inquiries its teammates got by rules that bypass weights (R9, R10, direct, pool)."""
    queued_in_groups: int
    max_concurrent: int
    team_max_concurrent: float


def departs(actual: float, expected: float, total: int) -> bool:
    """True when ``actual`` is off ``expected`` by more than the documented margin."""
    gap = abs(actual - expected)
    if gap * total < MIN_GAP_INQUIRIES - 1e-9:
        return False
    return gap > ABSOLUTE_MARGIN or gap > RELATIVE_MARGIN * expected


def explain_imbalances(
    config: ShopConfig, agents: Sequence[AgentRow], contexts: Mapping[str, AgentContext]
) -> tuple[Imbalance, ...]:
    total = sum(row.inquiries for row in agents)
    found = []
    for row in agents:
        if row.share is None or row.expected_share is None or row.weight_share is None:
            continue
        if not (
            departs(row.share, row.weight_share, total)
            or departs(row.share, row.expected_share, total)
        ):
            continue
        found.append(_explain(config, row, contexts[row.agent], total))
    return tuple(found)


def _explain(config: ShopConfig, row: AgentRow, context: AgentContext, total: int) -> Imbalance:
    share = row.share or 0.0
    weight_share = row.weight_share or 0.0
    online_share = row.online_share if row.online_share is not None else weight_share
    expected = row.expected_share or 0.0
    points = (
        weight_share - context.equal_share,
        online_share - weight_share,
        expected - online_share,
        share - expected,
    )

    def details(lang: str) -> tuple[str, ...]:
        return (
            _weight_detail(config, row, lang),
            _online_detail(row, context, lang),
            _hours_detail(context, lang),
            _rules_detail(row, context, points[3], lang),
        )

    causes = tuple(
        Cause(name, round(value, 4), detail)
        for name, value, detail in zip(CAUSES, points, details("en"), strict=True)
    )
    main = max(zip(CAUSES[1:], points[1:], strict=True), key=lambda cause: abs(cause[1]))
    item = Imbalance(
        agent=row.agent,
        inquiries=row.inquiries,
        total=total,
        share=share,
        equal_share=context.equal_share,
        weight_share=weight_share,
        online_share=online_share,
        expected_share=expected,
        causes=causes,
        main_cause=main[0],
        text="",
        note=_busyness_note(config, row, "en"),
        local=tuple(
            LocalDetails(lang, details(lang), _busyness_note(config, row, lang))
            for lang in LANGS
            if lang != "en"
        ),
    )
    return replace(item, text=imbalance_text(item))


CAUSES = ("weight", "online time", "hours of day", "caps and rules")
"""The four terms, in the order they move the share (the names are JSON values)."""


def _say(lang: str, message: str, **values: object) -> str:
    return in_lang(lang, message).format(**values)


def _span(seconds: float, lang: str) -> str:
    return humanize_seconds(seconds) if lang == "en" else labels.span(seconds, lang)


def _busyness_note(config: ShopConfig, row: AgentRow, lang: str) -> str:
    """R13b: under busyness, weights set open conversations per agent, not the split."""
    busy = [g.name for g in config.groups if g.balance == "busyness" and g.name in row.groups]
    if not busy:
        return ""
    return _say(
        lang,
        N_(
            "Group(s) {groups} balance by busyness (R13b): each inquiry goes to the agent "
            "with the fewest open conversations per unit of weight, so the split also "
            "follows how long agents keep conversations open (quick closers get more)."
        ),
        groups=", ".join(busy),
    )


def _weight_detail(config: ShopConfig, row: AgentRow, lang: str) -> str:
    team = [a.weight for a in config.agents if set(a.groups) & set(row.groups) and a.routing]
    if not team:
        return _say(lang, N_("weight {weight}"), weight=row.weight)
    return _say(
        lang,
        N_("weight {weight} vs {average} on average in its group(s)"),
        weight=row.weight,
        average=f"{sum(team) / len(team):.0f}",
    )


def _online_detail(row: AgentRow, context: AgentContext, lang: str) -> str:
    return _say(
        lang,
        N_("online and not suspended {own} vs {average} on average in its group(s)"),
        own=_span(row.available_s, lang),
        average=_span(context.team_available_s, lang),
    )


def _hours_detail(context: AgentContext, lang: str) -> str:
    arrivals, team_arrivals = context.arrival_fraction, context.team_arrival_fraction
    if arrivals is None or team_arrivals is None:
        return _say(lang, N_("no inquiry arrived in its group(s)"))
    text = _say(
        lang,
        N_("available when {own} of its group(s)' inquiries arrived (average {average})"),
        own=_pct(arrivals),
        average=_pct(team_arrivals),
    )
    if context.part_when_available is not None and context.nominal_part is not None:
        text += _say(
            lang,
            N_(", and then {own} of the available weight vs {nominal} with everyone in"),
            own=_pct(context.part_when_available),
            nominal=_pct(context.nominal_part),
        )
    if context.hours_worked:
        worked = _say(lang, N_("hours worked {hours}"), hours=context.hours_worked)
    else:
        worked = _say(lang, N_("never online"))
    if context.busy_hours:
        worked += _say(lang, N_(", busiest hours {hours}"), hours=context.busy_hours)
    return _say(lang, N_("{text} ({worked})"), text=text, worked=worked)


def _rules_detail(row: AgentRow, context: AgentContext, points: float, lang: str) -> str:
    if points >= 0:
        parts = [
            _say(lang, name, count=count)
            for name, count in (
                (N_("{count} by recent contact (R9)"), row.by_recent_contact),
                (N_("{count} by dedicated agent (R10)"), row.by_dedicated),
                (N_("{count} addressed to it directly"), row.direct),
                (N_("{count} from the offline pool (R14)"), row.from_pool),
            )
            if count
        ]
        if not parts:
            return _say(lang, N_("no inquiry by rules that bypass weights"))
        return _say(
            lang,
            N_("it got {parts}, which bypass weights"),
            parts=labels.enumeration(lang).join(parts),
        )
    found = []
    if context.team_bypass:
        found.append(
            _say(
                lang,
                N_(
                    "its teammates got {count} by recent contact, dedicated, direct or "
                    "pool rules, which bypass weights"
                ),
                count=context.team_bypass,
            )
        )
    if context.queued_in_groups:
        found.append(
            _say(
                lang,
                N_(
                    "{inquiries} of its group(s) queued with every candidate at "
                    "max_concurrent (its own: {cap})"
                ),
                inquiries=_inquiries(context.queued_in_groups, lang),
                cap=context.max_concurrent,
            )
        )
    elif context.max_concurrent < context.team_max_concurrent:
        found.append(
            _say(
                lang,
                N_("max_concurrent {cap} is below its group(s)' average"),
                cap=context.max_concurrent,
            )
        )
    return _say(lang, N_("; ")).join(found) or _say(lang, N_("fewer than its presence predicts"))


def _inquiries(count: int, lang: str) -> str:
    return (
        translations(lang)
        .ngettext("{count} inquiry", "{count} inquiries", count)
        .format(count=count)
    )
