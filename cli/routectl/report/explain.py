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
from dataclasses import replace

from routectl.durations import humanize_seconds
from routectl.model import ShopConfig
from routectl.report.labels import percent as _pct
from routectl.report.narrate import imbalance_text
from routectl.report.result import AgentRow, Cause, Imbalance
from routectl.report.tables import AgentContext

ABSOLUTE_MARGIN = 0.05
RELATIVE_MARGIN = 0.20
MIN_GAP_INQUIRIES = 2.0


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
    causes = (
        Cause("weight", weight_share - context.equal_share, _weight_detail(config, row)),
        Cause("online time", online_share - weight_share, _online_detail(row, context)),
        Cause("hours of day", expected - online_share, _hours_detail(context)),
        Cause("caps and rules", share - expected, _rules_detail(row, context, share - expected)),
    )
    main = max(causes[1:], key=lambda cause: abs(cause.points))
    item = Imbalance(
        agent=row.agent,
        inquiries=row.inquiries,
        total=total,
        share=share,
        equal_share=context.equal_share,
        weight_share=weight_share,
        online_share=online_share,
        expected_share=expected,
        causes=tuple(Cause(c.name, round(c.points, 4), c.detail) for c in causes),
        main_cause=main.name,
        text="",
        note=_busyness_note(config, row).strip(),
    )
    return replace(item, text=imbalance_text(item))


def _busyness_note(config: ShopConfig, row: AgentRow) -> str:
    """R13b: under busyness, weights set open conversations per agent, not the split."""
    busy = [g.name for g in config.groups if g.balance == "busyness" and g.name in row.groups]
    if not busy:
        return ""
    return (
        f" Group(s) {', '.join(busy)} balance by busyness (R13b): each inquiry goes to the "
        "agent with the fewest open conversations per unit of weight, so the split also "
        "follows how long agents keep conversations open (quick closers get more)."
    )


def _weight_detail(config: ShopConfig, row: AgentRow) -> str:
    team = [a.weight for a in config.agents if set(a.groups) & set(row.groups) and a.routing]
    if not team:
        return f"weight {row.weight}"
    return f"weight {row.weight} vs {sum(team) / len(team):.0f} on average in its group(s)"


def _online_detail(row: AgentRow, context: AgentContext) -> str:
    return (
        f"online and not suspended {humanize_seconds(row.available_s)} vs "
        f"{humanize_seconds(context.team_available_s)} on average in its group(s)"
    )


def _hours_detail(context: AgentContext) -> str:
    arrivals, team_arrivals = context.arrival_fraction, context.team_arrival_fraction
    if arrivals is None or team_arrivals is None:
        return "no inquiry arrived in its group(s)"
    text = (
        f"available when {_pct(arrivals)} of its group(s)' inquiries arrived "
        f"(average {_pct(team_arrivals)})"
    )
    if context.part_when_available is not None and context.nominal_part is not None:
        text += (
            f", and then {_pct(context.part_when_available)} of the available weight "
            f"vs {_pct(context.nominal_part)} with everyone in"
        )
    worked = f"hours worked {context.hours_worked}" if context.hours_worked else "never online"
    busy = f", busiest hours {context.busy_hours}" if context.busy_hours else ""
    return f"{text} ({worked}{busy})"


def _rules_detail(row: AgentRow, context: AgentContext, points: float) -> str:
    if points >= 0:
        parts = [
            f"{count} {name}"
            for name, count in (
                ("by recent contact (R9)", row.by_recent_contact),
                ("by dedicated agent (R10)", row.by_dedicated),
                ("addressed to it directly", row.direct),
                ("from the offline pool (R14)", row.from_pool),
            )
            if count
        ]
        if not parts:
            return "no inquiry by rules that bypass weights"
        return "it got " + ", ".join(parts) + ", which bypass weights"
    parts = []
    if context.team_bypass:
        parts.append(
            f"its teammates got {context.team_bypass} by recent contact, dedicated, "
            "direct or pool rules, which bypass weights"
        )
    if context.queued_in_groups:
        parts.append(
            f"{_inquiries(context.queued_in_groups)} of its group(s) queued with every "
            f"candidate at max_concurrent (its own: {context.max_concurrent})"
        )
    elif context.max_concurrent < context.team_max_concurrent:
        parts.append(f"max_concurrent {context.max_concurrent} is below its group(s)' average")
    return "; ".join(parts) or "fewer than its presence predicts"


def _inquiries(count: int) -> str:
    return f"{count} inquiry" if count == 1 else f"{count} inquiries"
