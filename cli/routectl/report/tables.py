"""Turn a :class:`~.tally.Tally` into the report's rows and the imbalance contexts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple, TypedDict

from routectl.events import RULE_DEDICATED, RULE_DIRECT, RULE_OFFLINE, RULE_RECENT_CONTACT
from routectl.report.contradictions import KINDS
from routectl.report.explain import AgentContext
from routectl.report.result import AgentRow, DayRow, GroupRow, HourRow, Summary
from routectl.report.sales import SalesCounts
from routectl.report.shares import ALL
from routectl.report.stats import RateCounts, ReplyStats, ratio
from routectl.report.tally import Tally

NON_WEIGHT_RULES = (RULE_RECENT_CONTACT, RULE_DEDICATED, RULE_DIRECT, RULE_OFFLINE)
"""Rules that pick an agent without looking at weights."""

WORKED_FRACTION = 0.25
"""An hour of day is "worked" when the agent was logged in for at least a quarter of it
(on average over the days of the report)."""

BUSY_HOURS = 4
"""How many of the busiest hours (most inquiries) the time-of-day explanation names."""

MIN_AGENTS_FOR_LOAD = 0.5
"""Below this many agents online on average, an hour's load per agent-hour is not shown:
two inquiries over a few minutes of one agent would read as dozens per hour."""


class _Team(NamedTuple):
    members: list[str]
    """Held so that ``id(members)`` stays this team's key while the figures are used."""
    names: set[str]
    available_s: float
    time_fraction: float | None
    arrival_fraction: float | None
    bypass: int
    max_concurrent: float


class Tables:
    def __init__(self, tally: Tally) -> None:
        self.t = tally
        self.days_spanned = self._days_spanned()
        self._teams: dict[tuple[str, ...], list[str]] = {}

    def _days_spanned(self) -> int:
        t = self.t
        if t.first_event is None:
            return 0
        start = max(t.first_event, t.window.since)
        end = max(start, t.end)
        first = date.fromisoformat(t.clock.day(start))
        last = date.fromisoformat(t.clock.day(max(start, end - 1e-6)))
        return (last - first).days + 1

    # --- summary ------------------------------------------------------------------

    def summary(self) -> Summary:
        t = self.t
        replies = t.shop.replies
        figures = t.figures
        sales = t.sales
        return Summary(
            messages=t.shop.messages,
            inquiries=t.shop.inquiries,
            **_reply_figures(replies),
            first_response_p90_s=replies.p90_s,
            avg_questions=replies.avg_count,
            **_sales_figures(sales.shop),
            orders=sales.orders,
            silent_orders=sales.silent_orders,
            silent_sales=round(sales.silent_sales, 2),
            uncredited_orders=sales.uncredited_orders,
            offline_messages=t.shop.offline_messages,
            transfers=figures["transfers"],
            transferred_unanswered=t.transferred_unanswered,
            unanswered=replies.counted - replies.answered,
            answered_late=replies.answered - replies.within,
            questions_outside_hours=t.questions_outside_hours,
            bot_questions=t.bot_questions,
            bot_messages=figures["bot_messages"],
            bot_inquiries=figures["bot_inquiries"],
            pooled_inquiries=figures["pooled_inquiries"],
            pool_wait_median_s=t.pool_waits.percentile(0.5),
            pool_wait_max_s=t.pool_waits.max(),
            pooled_never_assigned=figures["pooled_never_assigned"],
            queued_inquiries=figures["queued_inquiries"],
            queue_wait_median_s=t.queue_waits.percentile(0.5),
            unassigned_inquiries=figures["unassigned_inquiries"],
            expired_pool_messages=figures["expired_pool_messages"],
            greetings_sent=figures["greetings_sent"],
            offline_auto_replies=figures["offline_auto_replies"],
            lag_held_messages=figures["lag_held_messages"],
            unanswered_after_10m=figures["unanswered_after_10m"],
            attributed={
                source: t.attributed[source] for source in ("received_by", "replier", "replayed")
            },
            routing_agreement=_routing_agreement(t.agreement),
            contradictions=_contradictions(t.contradictions),
            agreement_by_rule=_agreement_by_rule(t.agreement),
        )

    # --- agents -------------------------------------------------------------------

    def _agent_ids(self) -> list[str]:
        ids = [agent.id for agent in self.t.config.agents]
        known = set(ids)
        extra = (
            set(self.t.agent_times)
            | set(self.t.shares.actual)
            | set(self.t.observed_inquiries)
            | set(self.t.by_agent)
        )
        return ids + sorted(extra - known)

    def agents(self) -> tuple[AgentRow, ...]:
        online_expected = self.t.shares.online_expected(self._available_s())
        return tuple(
            self._agent_row(agent_id, online_expected.get(agent_id, 0.0))
            for agent_id in self._agent_ids()
        )

    def _agent_row(self, agent_id: str, online_expected: float) -> AgentRow:
        t = self.t
        config_agent = t.config.agent(agent_id)
        shares = t.shares
        total = shares.total
        time = t.agent_times.get(agent_id)
        online_s = time.online_s if time else 0.0
        inquiries = shares.actual[agent_id]
        replies = t.by_agent[agent_id]
        rules = t.shares.rules[agent_id]
        return AgentRow(
            agent=agent_id,
            groups=config_agent.groups if config_agent else (),
            weight=config_agent.weight if config_agent else 0,
            inquiries=inquiries,
            share=ratio(inquiries, total),
            observed_inquiries=t.observed_inquiries[agent_id],
            observed_share=ratio(t.observed_inquiries[agent_id], t.observed_inquiries.total()),
            expected_share=ratio(shares.by_presence[agent_id], total) if shares.expected else None,
            weight_share=ratio(shares.by_weight[agent_id], total),
            online_share=ratio(online_expected, total),
            online_s=round(online_s),
            suspended_s=round(time.suspended_s) if time else 0,
            mobile_s=round(time.mobile_s) if time else 0,
            available_s=round(time.available_s) if time else 0,
            # R4: per-hour figures divide by the time it could take buyers (mobile too)
            inquiries_per_online_hour=_per_hour(inquiries, time.available_s if time else 0.0),
            hours_worked=self._hours_worked(time.present_by_hour if time else [0.0] * 24),
            **_reply_figures(replies),
            **_sales_figures(t.sales.by_agent.get(agent_id)),
            by_recent_contact=rules[RULE_RECENT_CONTACT],
            by_dedicated=rules[RULE_DEDICATED],
            direct=rules[RULE_DIRECT],
            from_pool=rules[RULE_OFFLINE],
        )

    def _available_s(self) -> dict[str, float]:
        return {agent_id: t.available_s for agent_id, t in self.t.agent_times.items()}

    def _hours_worked(self, by_hour: list[float]) -> str:
        """Local hours with enough presence, as clock ranges: ``08-12 14-22``."""
        least = WORKED_FRACTION * 3600 * max(1, self.days_spanned)
        return " ".join(hour_ranges({h for h, seconds in enumerate(by_hour) if seconds >= least}))

    def agent_context(self) -> dict[str, AgentContext]:
        t = self.t
        shares = t.shares
        available = self._available_s()
        caps = {agent.id: agent.max_concurrent for agent in t.config.agents}
        span = self.span_s
        busy = self._busy_hours()
        contexts = {}
        teams: dict[int, _Team] = {}  # by id(team): teams are shared lists (_teammates)
        for agent_id in self._agent_ids():
            team = self._teammates(agent_id)
            figures = teams.get(id(team))
            if figures is None:
                figures = teams[id(team)] = self._team(team, available, caps, span)
            config_agent = t.config.agent(agent_id)
            groups = config_agent.groups if config_agent else ()
            contexts[agent_id] = AgentContext(
                equal_share=shares.by_equal[agent_id] / shares.total if shares.total else 0.0,
                team_available_s=figures.available_s,
                time_fraction=_mean([available.get(agent_id, 0.0) / span] if span > 0 else []),
                team_time_fraction=figures.time_fraction,
                arrival_fraction=self._arrival_fraction([agent_id]),
                team_arrival_fraction=figures.arrival_fraction,
                part_when_available=_quotient(
                    shares.by_presence[agent_id], shares.arrivals_available[agent_id]
                ),
                nominal_part=_quotient(shares.by_weight[agent_id], shares.arrivals[agent_id]),
                hours_worked=self._hours_worked(t.agent_times[agent_id].present_by_hour)
                if agent_id in t.agent_times
                else "",
                busy_hours=busy,
                team_bypass=figures.bypass
                - (self._bypass(agent_id) if agent_id in figures.names else 0),
                queued_in_groups=sum(t.group_queued[g] for g in groups),
                max_concurrent=caps.get(agent_id, 0),
                team_max_concurrent=figures.max_concurrent,
            )
        return contexts

    def _team(
        self, team: list[str], available: dict[str, float], caps: dict[str, int], span: float
    ) -> _Team:
        """A team's figures, computed once per team (not once per member: 2,000 agents in
        one group made the report quadratic)."""
        return _Team(
            team,
            set(team),
            sum(available.get(a, 0.0) for a in team) / len(team),
            _mean([available.get(a, 0.0) / span for a in team if span > 0]),
            self._arrival_fraction(team),
            sum(self._bypass(a) for a in team),
            sum(caps.get(a, 0) for a in team) / len(team),
        )

    @property
    def span_s(self) -> float:
        """Seconds the report covers (the window clipped to the log)."""
        t = self.t
        if t.first_event is None:
            return 0.0
        return max(0.0, t.end - max(t.first_event, t.window.since))

    def _arrival_fraction(self, agents: list[str]) -> float | None:
        shares = self.t.shares
        return _mean(
            [
                shares.arrivals_available[a] / shares.arrivals[a]
                for a in agents
                if shares.arrivals[a]
            ]
        )

    def _bypass(self, agent_id: str) -> int:
        rules = self.t.shares.rules[agent_id]
        return sum(rules[rule] for rule in NON_WEIGHT_RULES)

    def _teammates(self, agent_id: str) -> list[str]:
        """The routing agents sharing a group with ``agent_id`` (itself included)."""
        config_agent = self.t.config.agent(agent_id)
        members = self.t.shares.members
        if config_agent is None or not config_agent.groups:
            return list(members[ALL]) or [agent_id]
        team = self._teams.get(config_agent.groups)
        if team is None:  # once per set of groups: agents sharing groups share the team
            names = (a for group in config_agent.groups for a in members.get(group, []))
            team = self._teams[config_agent.groups] = list(dict.fromkeys(names))
        return team or [agent_id]

    def _busy_hours(self) -> str:
        """The busiest local hours (most inquiries) as ranges: ``10-12, 20-22``."""
        load = [(counts.inquiries, hour) for hour, counts in enumerate(self.t.by_hour)]
        busiest = sorted(load, key=lambda item: (-item[0], item[1]))[:BUSY_HOURS]
        return ", ".join(hour_ranges({hour for inquiries, hour in busiest if inquiries}))

    # --- groups, hours, days ----------------------------------------------------------

    def groups(self) -> tuple[GroupRow, ...]:
        t = self.t
        labels = [group.name for group in t.config.groups]
        for extra in (ALL, "-"):
            if t.group_inquiries[extra] or extra in t.by_group:
                labels.append(extra)
        return tuple(self._group_row(label) for label in labels)

    def _group_row(self, label: str) -> GroupRow:
        t = self.t
        members = [] if label == "-" else t.shares.members.get(label, [])
        replies = t.by_group[label]
        inquiries = t.group_inquiries[label]
        return GroupRow(
            group=label,
            agents=len(members),
            weight=sum(t.shares.weights.get(a, 0) for a in members),
            inquiries=inquiries,
            share=ratio(inquiries, t.shop.inquiries),
            queued=t.group_queued[label],
            **_group_reply_figures(replies),
            **_sales_figures(t.sales.by_group.get(label)),
        )

    def hours(self) -> tuple[HourRow, ...]:
        t = self.t
        days = max(1, self.days_spanned)
        rows = []
        for hour, counts in enumerate(t.by_hour):
            agent_seconds = sum(t.available_by_hour[hour] for t in t.agent_times.values())
            agents = round(agent_seconds / (3600 * days), 2)
            rows.append(
                HourRow(
                    hour=hour,
                    messages=counts.messages,
                    inquiries=counts.inquiries,
                    **_rate_figures(counts.replies),
                    agents_available=agents,
                    inquiries_per_agent_hour=None
                    if agents < MIN_AGENTS_FOR_LOAD
                    else _per_hour(counts.inquiries, agent_seconds),
                )
            )
        return tuple(rows)

    def days(self) -> tuple[DayRow, ...]:
        rows = []
        for day in sorted(self.t.by_day):
            counts = self.t.by_day[day]
            replies = counts.replies
            rows.append(
                DayRow(
                    day=day,
                    messages=counts.messages,
                    inquiries=counts.inquiries,
                    **_reply_figures(replies),
                    offline_messages=counts.offline_messages,
                )
            )
        return tuple(rows)


def _routing_agreement(agreement: Mapping[str, list[int]]) -> float | None:
    """P3: the share of inquiries with a ``received_by`` routed to that same agent."""
    return ratio(
        sum(agreed for _, agreed in agreement.values()),
        sum(total for total, _ in agreement.values()),
    )


def _agreement_by_rule(
    agreement: Mapping[str, list[int]],
) -> dict[str, dict[str, int | float | None]]:
    return {
        rule: {"inquiries": total, "agreed": agreed, "agreement": ratio(agreed, total)}
        for rule, (total, agreed) in sorted(agreement.items())
    }


def _contradictions(seen_by_kind: Mapping[str, list[Any]]) -> list[dict[str, str | int]]:
    """P3: per kind (in :data:`~.contradictions.KINDS` order) its count and first case."""
    return [
        {
            "kind": kind,
            "count": seen[0],
            "first_line": seen[1],
            "buyer": seen[2],
            "received_by": seen[3],
        }
        for kind in KINDS
        if (seen := seen_by_kind.get(kind)) is not None
    ]


class RateFigures(TypedDict):
    """R19 response rate and R23/R24 speed: what every row with questions shows."""

    questions_counted: int
    answered_within_threshold: int
    response_rate: float | None
    avg_response_s: float | None
    slow_questions: int


class GroupReplyFigures(RateFigures):
    """A group's: the rate figures, the R20 reply rate and the median first response."""

    reply_rate: float | None
    first_response_median_s: int | None


class ReplyFigures(GroupReplyFigures):
    """The shop's, an agent's and a day's: a group's figures and how many were answered."""

    answered: int


def _rate_figures(counts: RateCounts | ReplyStats) -> RateFigures:
    return {
        "questions_counted": counts.counted,
        "answered_within_threshold": counts.within,
        "response_rate": counts.response_rate,
        "avg_response_s": counts.avg_response_s,
        "slow_questions": counts.slow,
    }


def _group_reply_figures(replies: ReplyStats) -> GroupReplyFigures:
    return {
        **_rate_figures(replies),
        "reply_rate": replies.reply_rate,
        "first_response_median_s": replies.median_s,
    }


def _reply_figures(replies: ReplyStats) -> ReplyFigures:
    return {**_group_reply_figures(replies), "answered": replies.answered}


class SalesFigures(TypedDict):
    buyers: int
    paid_buyers: int
    conversion_rate: float | None
    sales: float


def _sales_figures(counts: SalesCounts | None) -> SalesFigures:
    """R25 figures of one row: ``buyers, paid_buyers, conversion_rate, sales``."""
    if counts is None:
        return {"buyers": 0, "paid_buyers": 0, "conversion_rate": None, "sales": 0.0}
    return {
        "buyers": len(counts.buyers),
        "paid_buyers": len(counts.paid),
        "conversion_rate": counts.conversion_rate,
        "sales": round(counts.sales, 2),
    }


def _quotient(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def hour_ranges(hours: set[int]) -> list[str]:
    """``{8, 9, 10, 14}`` -> ``["08-11", "14-15"]`` (clock times, end exclusive)."""
    ranges = []
    hour = 0
    while hour < 24:
        if hour not in hours:
            hour += 1
            continue
        start = hour
        while hour in hours:
            hour += 1
        ranges.append(f"{start:02d}-{hour:02d}")
    return ranges


def _per_hour(count: int, seconds: float) -> float | None:
    if seconds <= 0 or math.isnan(seconds):
        return None
    return round(count / (seconds / 3600), 2)
