"""The computed report: plain frozen dataclasses, rendered by :mod:`.render`."""

from __future__ import annotations

from dataclasses import dataclass

from routectl.report.weights import ImpliedWeight


@dataclass(frozen=True, slots=True)
class Summary:
    messages: int
    inquiries: int
    questions_counted: int
    answered_within_threshold: int
    response_rate: float | None
    answered: int
    reply_rate: float | None
    first_response_median_s: int | None
    first_response_p90_s: int | None
    offline_messages: int
    avg_response_s: float | None
    avg_questions: int
    slow_questions: int
    buyers: int
    paid_buyers: int
    conversion_rate: float | None
    sales: float
    orders: int
    silent_orders: int
    silent_sales: float
    uncredited_orders: int
    transfers: int
    transferred_unanswered: int
    unanswered: int
    answered_late: int
    questions_outside_hours: int
    bot_questions: int
    bot_messages: int
    bot_inquiries: int
    pooled_inquiries: int
    pool_wait_median_s: int | None
    pool_wait_max_s: int | None
    pooled_never_assigned: int
    queued_inquiries: int
    queue_wait_median_s: int | None
    unassigned_inquiries: int
    expired_pool_messages: int
    greetings_sent: int
    offline_auto_replies: int
    lag_held_messages: int
    unanswered_after_10m: int
    attributed: dict[str, int]
    """Counted questions by the source of their agent: received_by, replier, replayed."""
    routing_agreement: float | None
    """Share of inquiries with a ``received_by`` that the replay routed to that agent."""
    agreement_by_rule: dict[str, dict[str, int | float | None]]
    """Per engine rule: inquiries with a receiver, how many agree, and the share."""
    contradictions: list[dict[str, str | int]]
    """P3: each kind where the log's receiver contradicts the config: kind, count, and
    the first one's line, buyer and receiver."""


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent: str
    groups: tuple[str, ...]
    weight: int
    inquiries: int
    share: float | None
    observed_inquiries: int
    observed_share: float | None
    expected_share: float | None
    weight_share: float | None
    online_share: float | None
    online_s: int
    suspended_s: int
    mobile_s: int
    available_s: int
    inquiries_per_online_hour: float | None
    hours_worked: str
    questions_counted: int
    answered_within_threshold: int
    response_rate: float | None
    answered: int
    reply_rate: float | None
    first_response_median_s: int | None
    avg_response_s: float | None
    slow_questions: int
    buyers: int
    paid_buyers: int
    conversion_rate: float | None
    sales: float
    by_recent_contact: int
    by_dedicated: int
    direct: int
    from_pool: int


@dataclass(frozen=True, slots=True)
class GroupRow:
    group: str
    agents: int
    weight: int
    inquiries: int
    share: float | None
    queued: int
    questions_counted: int
    answered_within_threshold: int
    response_rate: float | None
    reply_rate: float | None
    first_response_median_s: int | None
    avg_response_s: float | None
    slow_questions: int
    buyers: int
    paid_buyers: int
    conversion_rate: float | None
    sales: float


@dataclass(frozen=True, slots=True)
class HourRow:
    hour: int
    messages: int
    inquiries: int
    questions_counted: int
    answered_within_threshold: int
    response_rate: float | None
    avg_response_s: float | None
    slow_questions: int
    agents_available: float
    inquiries_per_agent_hour: float | None


@dataclass(frozen=True, slots=True)
class DayRow:
    day: str
    messages: int
    inquiries: int
    questions_counted: int
    answered_within_threshold: int
    response_rate: float | None
    answered: int
    reply_rate: float | None
    first_response_median_s: int | None
    avg_response_s: float | None
    slow_questions: int
    offline_messages: int


@dataclass(frozen=True, slots=True)
class Cause:
    """One term of an imbalance: how many share points it moves the agent."""

    name: str
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class LocalDetails:
    """An imbalance's cause details and note in one more language (not in JSON)."""

    lang: str
    details: tuple[str, ...]
    """One per cause, in the order of :attr:`Imbalance.causes`."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Imbalance:
    agent: str
    inquiries: int
    total: int
    share: float
    equal_share: float
    weight_share: float
    online_share: float
    expected_share: float
    causes: tuple[Cause, ...]
    main_cause: str
    text: str
    note: str = ""
    """Said after the explanation in English (R13b busyness), empty otherwise."""
    local: tuple[LocalDetails, ...] = ()
    """The details and note in the other languages (text reports only, not JSON)."""


@dataclass(frozen=True, slots=True)
class Report:
    shop: str
    timezone: str
    since: float | None
    until: float | None
    first_event: float | None
    last_event: float | None
    days: int
    reply_hours: str
    threshold_s: int
    avg_hours: str
    avg_cap_s: int
    slow_after_s: int
    conversion_window_s: int
    summary: Summary
    agents: tuple[AgentRow, ...]
    groups: tuple[GroupRow, ...]
    hours: tuple[HourRow, ...]
    days_rows: tuple[DayRow, ...]
    imbalances: tuple[Imbalance, ...]
    implied_weights: tuple[ImpliedWeight, ...] = ()
    """P3: the weights the log's own group picks imply (empty without ``received_by``)."""
