"""The reply model (P4-P7): fitted from :class:`~routectl.sim.learn.Evidence`, saved as JSON.

Per agent, a first-reply delay is drawn as::

    (base(u) + 1) * load_factor[level] * hour_factor[hour] * calibration - 1

``base`` is the agent's delay distribution when it holds no other conversation, at its
average hour (51 quantiles; :mod:`.calibrate` maps them onto the log's); ``load_factor``
(one per load level, 1.0 at load 0) and ``hour_factor`` come from an additive fit of
log delays on load and hour (backfitting on the per-hour, per-level sums);
``calibration`` is 1.0 except in runs that draw the model's own uncertainty
(:meth:`ReplyModel.perturbed`). Every per-agent estimate is shrunk towards its group's,
and the group's towards the shop's, with weight ``n / (n + 20)`` (``own_share``: how
much of the agent's model is its own; hour effects ``n / (n + 100)``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from routectl.i18n import N_, _
from routectl.model import ShopConfig
from routectl.sim.hist import POINTS, QuantileTable, mix, quantiles, shifted, survival
from routectl.sim.learn import (
    DELAY_LEVELS,
    LOAD_LEVELS,
    TOP_LEVEL,
    AgentEvidence,
    Evidence,
)

SCHEMA_VERSION = 1
PRIOR_QUESTIONS = 20.0
"""Shrinkage strength: an agent with this many questions is half its own model."""
PRIOR_HOUR_QUESTIONS = 100.0
"""The same for one hour of day's effect: an hour holds few of an agent's questions,
and a noisy hour factor multiplies every delay drawn in that hour."""
TYPICAL = "*"
"""The model of the shop's typical agent: for agents the log never shows answering."""
TYPICAL_TOP_LOAD = 7.0
"""The mean load of the top level (6+) when the log shows none there."""
DEFAULT_SLOPE = math.log(1.08)
"""The growth of log delay per conversation held that a shop whose log shows its agents
at two or more conversations too rarely to tell leans on: about +8 % a conversation,
practitioners' figure (about 1.2x at 2-3, 1.4x at 4-5)."""
MAX_BEYOND = 1.3
"""The most the extrapolation beyond the top level multiplies a delay by at one
conversation beyond it (the growth continues in a straight line)."""
MIN_BEYOND = 1.08
"""The least: beyond the loads a log shows, the practitioners' +8 % a conversation
(DEFAULT_SLOPE), even for agents the log shows busy without slowing: a log cannot tell
how an agent copes with more than it ever held, and P4's research says it slows. Without
it, a day whose agents were no slower at six conversations had ``plan`` staff one agent
for 23 inquiries an hour."""
CONVERSION_NOTE = N_(
    "a correlation learned from the log (buyers answered fast paid more often), not a proven cause"
)


@dataclass(frozen=True)
class AgentModel:
    agent: str
    questions: int
    """Questions the log credits to the agent that count here (answered or not)."""
    own_share: float
    borrowed_from: str
    """The group (or ``*``, the shop) the rest of the model comes from."""
    base: QuantileTable
    load_factor: tuple[float, ...]
    hour_factor: tuple[float, ...]
    never: tuple[float, ...]
    """Probability a question is never answered, per load level."""
    mean_log: float = 0.0
    """Mean log(delay + 1) of the agent's answered questions, as learned."""
    calibration: float = 1.0
    """A factor on every delay: 1.0 as learned; a run that draws the model's own
    uncertainty moves it (:meth:`ReplyModel.perturbed`)."""
    median_reply_s: float = 0.0
    """The median first-reply delay of the agent's answered questions in the log (at
    whatever load and hour they came; the group's or shop's when it answered none)."""
    never_rate: float = 0.0
    """The share of the agent's questions never answered, shrunk like the rest."""
    top_load: float = TYPICAL_TOP_LOAD
    """The mean load of the questions at the top load level (6+) in the log."""
    beyond_top: float = 1.0
    """The factor at one conversation held beyond ``top_load``, growing in a straight
    line from there (``1 + (beyond_top - 1) * (load - top_load)``): the model's
    extrapolation to loads the log shows rarely or never (1.0: none). A straight line,
    as a queue grows (each conversation ahead adds its handling time); a factor
    compounded per conversation made a login burst of 25 buyers wait hours."""

    def delay(self, level: int, hour: int, u: float, moment: float = 0.0, load: int = 0) -> float:
        """A first-reply delay at quantile ``u`` with ``load`` conversations held
        (``level`` its load level; ``moment``: when, unused here: a hand-made model may
        vary by day)."""
        scale = self.load_factor[level] * self.hour_factor[hour] * self.calibration
        if load > self.top_load:
            scale *= 1.0 + (self.beyond_top - 1.0) * (load - self.top_load)
        value = (self.base.sample(u) + 1.0) * scale - 1.0
        return value if value > 0.0 else 0.0

    def median_s(self) -> float:
        """The median delay alone (no other conversation held), at an average hour."""
        value = (self.base.median() + 1.0) * self.calibration - 1.0
        return value if value > 0.0 else 0.0

    def per_extra_conversation(self) -> float:
        """The load factor's growth per extra conversation held (log-linear fit)."""
        return math.exp(_slope([math.log(f) for f in self.load_factor], self.top_load)) - 1.0

    def slowest_hours(self) -> tuple[int, int] | None:
        """The two neighbouring hours with the highest hour factors (None: flat)."""
        factors = self.hour_factor
        best, at = 1.0, -1
        for hour in range(23):
            pair = math.sqrt(factors[hour] * factors[hour + 1])
            if pair > best + 0.02:
                best, at = pair, hour
        return None if at < 0 else (at, at + 2)

    def never_share(self) -> float:
        return self.never_rate


@dataclass(frozen=True)
class BuyerModel:
    follow_up: float
    """After each message of a waiting question: the chance of another one."""
    follow_gap: QuantileTable
    ask_again: tuple[float, ...]
    """After an answer, per first-response level: the chance the buyer asks again."""
    next_gap: QuantileTable
    tail: QuantileTable
    """From the answering reply to the holder's last reply in that round."""
    close: float
    """The chance a visit ends with an explicit close (else the session timeout)."""
    close_gap: QuantileTable
    bot_transfer: float
    bot_gap: QuantileTable


@dataclass(frozen=True)
class ConversionModel:
    rate: tuple[float, ...]
    """Per first-response level of a visit's first question: the share that paid."""
    visits: tuple[int, ...]
    lag: QuantileTable
    amount: QuantileTable
    unpriced: float


@dataclass(frozen=True)
class TransferModel:
    """Agents handing a waiting question to a colleague (R17b, 转交) before answering."""

    share: float
    """The chance a question is handed on before its agent answers it (once a question)."""
    gap: QuantileTable
    """When, from the question reaching the agent."""


NO_TRANSFERS = TransferModel(0.0, QuantileTable([60.0] * POINTS))


@dataclass(frozen=True)
class ReplyModel:
    shop: str
    timezone: str
    agents: Mapping[str, AgentModel]
    typical: AgentModel
    buyers: BuyerModel
    conversion: ConversionModel
    transfers: TransferModel = NO_TRANSFERS
    days: Mapping[str, Mapping[str, tuple[float, float, float]]] = field(default_factory=dict)
    """Per local date, per agent: answered, sum of log delay, never answered."""
    first: float | None = None
    last: float | None = None

    def agent(self, agent: str) -> AgentModel:
        found = self.agents.get(agent)
        return found if found is not None else self.typical

    def perturbed(self, rng: random.Random, days: int) -> ReplyModel:
        """The model refitted on ``days`` of the log's days drawn with replacement
        (delay centres and never-answered rates, each moved by how far the drawn days
        stand from all days; P10)."""
        names = sorted(self.days)
        if not names or days < 1:
            return self
        every = _day_totals(self.days[name] for name in names)
        drawn = _day_totals(self.days[names[int(rng.random() * len(names))]] for _ in range(days))
        agents = {
            name: _perturb(model, drawn.get(name), every.get(name))
            for name, model in self.agents.items()
        }
        typical = _perturb(self.typical, drawn.get(TYPICAL), every.get(TYPICAL))
        return replace(self, agents=agents, typical=typical)


def _day_totals(
    days: Iterable[Mapping[str, tuple[float, float, float]]],
) -> dict[str, list[float]]:
    """Per agent (and ``*``, the shop): answered, sum of log delay, never answered."""
    totals: dict[str, list[float]] = {}
    shop = totals[TYPICAL] = [0.0, 0.0, 0.0]
    for cells in days:
        for agent, cell in cells.items():
            into = totals.get(agent)
            if into is None:
                into = totals[agent] = [0.0, 0.0, 0.0]
            for index in range(3):
                into[index] += cell[index]
                shop[index] += cell[index]
    return totals


def _perturb(
    model: AgentModel, drawn: Sequence[float] | None, every: Sequence[float] | None
) -> AgentModel:
    if drawn is None or every is None or drawn[0] <= 0 or every[0] <= 0:
        return model
    answered, total_log, never = drawn
    weight = answered / (answered + PRIOR_QUESTIONS)
    shift = weight * (total_log / answered - every[1] / every[0])
    rate = every[2] / (every[0] + every[2])
    moved = (never + PRIOR_QUESTIONS * rate) / (answered + never + PRIOR_QUESTIONS)
    ratio = moved / rate if rate > 0 else 1.0
    return replace(
        model,
        calibration=model.calibration * math.exp(shift),
        never=tuple(min(p * ratio, 1.0) for p in model.never),
    )


# --- fitting -----------------------------------------------------------------------

LEVELS = len(LOAD_LEVELS)


class _Fit:
    """Additive log-delay fit of one pool of questions: mean, load and hour effects."""

    def __init__(self, pool: AgentEvidence) -> None:
        n, s = pool.cross_n, pool.cross_sum
        total = sum(n)
        self.answered = total
        self.mean = math.fsum(s) / total if total else 0.0
        self.level_n = [sum(n[h * LEVELS + b] for h in range(24)) for b in range(LEVELS)]
        self.hour_n = [sum(n[h * LEVELS + b] for b in range(LEVELS)) for h in range(24)]
        beta = [0.0] * LEVELS
        gamma = [0.0] * 24
        for _round in range(4):
            for b in range(LEVELS):
                if self.level_n[b]:
                    beta[b] = (
                        math.fsum(
                            s[h * LEVELS + b] - n[h * LEVELS + b] * (self.mean + gamma[h])
                            for h in range(24)
                        )
                        / self.level_n[b]
                    )
            for h in range(24):
                if self.hour_n[h]:
                    gamma[h] = (
                        math.fsum(
                            s[h * LEVELS + b] - n[h * LEVELS + b] * (self.mean + beta[b])
                            for b in range(LEVELS)
                        )
                        / self.hour_n[h]
                    )
        self.beta = beta
        self.gamma = gamma


def _xs(top_load: float) -> tuple[float, ...]:
    """The representative load of each load level."""
    return (0.0, 1.0, 2.0, 3.0, 4.5, top_load)


def _least_squares(
    xs: Sequence[float], ys: Sequence[float], weights: Sequence[float] | None = None
) -> float:
    """The (weighted) least-squares slope of ``ys`` on ``xs`` (0.0 when undefined)."""
    w = weights if weights is not None else [1.0] * len(xs)
    total = math.fsum(w)
    if total <= 0:
        return 0.0
    mean_x = math.fsum(wi * x for wi, x in zip(w, xs, strict=True)) / total
    mean_y = math.fsum(wi * y for wi, y in zip(w, ys, strict=True)) / total
    num = math.fsum(wi * (x - mean_x) * (y - mean_y) for wi, x, y in zip(w, xs, ys, strict=True))
    den = math.fsum(wi * (x - mean_x) ** 2 for wi, x in zip(w, xs, strict=True))
    return num / den if den > 0 else 0.0


def _slope(
    betas: Sequence[float], top_load: float, weights: Sequence[float] | None = None
) -> float:
    """The (weighted) least-squares slope of log delay factors on load."""
    return _least_squares(_xs(top_load), betas, weights)


def _shop_line(fit: _Fit, top_load: float) -> list[float]:
    """The shop's load effect as a straight line in log delay, for levels with little or
    no evidence to lean on: fitted on the levels the log shows, towards
    :data:`DEFAULT_SLOPE` as the questions at two or more conversations thin out; never
    falling with load."""
    busy = sum(fit.level_n[2:])
    own = _slope(fit.beta, top_load, [float(n) for n in fit.level_n]) if busy else 0.0
    slope = max((busy * own + PRIOR_QUESTIONS * DEFAULT_SLOPE) / (busy + PRIOR_QUESTIONS), 0.0)
    xs = _xs(top_load)
    seen = sum(fit.level_n)
    anchor = (
        math.fsum(n * (b - slope * x) for n, b, x in zip(fit.level_n, fit.beta, xs, strict=True))
        / seen
        if seen
        else 0.0
    )
    return [anchor + slope * x for x in xs]


def _top_load(pool: AgentEvidence, prior: float) -> float:
    """The mean load at the top level, shrunk towards ``prior``."""
    n = pool.asked[TOP_LEVEL]
    return (pool.top_load + PRIOR_QUESTIONS * prior) / (n + PRIOR_QUESTIONS)


def _beyond(betas: Sequence[float], top_load: float) -> float:
    """The extrapolation factor at one conversation beyond the top level: the agent's
    own delay factor's growth per conversation over its upper levels (3, 4-5, 6+; a
    least-squares line in the factor, not its log), relative to the top level's factor,
    between :data:`MIN_BEYOND` and :data:`MAX_BEYOND`."""
    factors = [math.exp(b) for b in betas[-3:]]
    growth = _least_squares(_xs(top_load)[-3:], factors) / factors[-1]
    return min(max(1.0 + growth, MIN_BEYOND), MAX_BEYOND)


def _shrunk(
    own: Sequence[float], counts: Sequence[int], prior: Sequence[float], strength: float
) -> list[float]:
    return [
        (c * o + strength * p) / (c + strength) for o, c, p in zip(own, counts, prior, strict=True)
    ]


def _agent_model(
    name: str,
    pool: AgentEvidence,
    prior: AgentModel | None,
    prior_beta: Sequence[float],
    prior_gamma: Sequence[float],
    borrowed_from: str,
) -> tuple[AgentModel, list[float], list[float]]:
    fit = _Fit(pool)
    top_load = _top_load(pool, prior.top_load if prior is not None else float(TYPICAL_TOP_LOAD))
    if prior is None:
        prior_beta = _shop_line(fit, top_load)
    beta = _shrunk(fit.beta, fit.level_n, prior_beta, PRIOR_QUESTIONS)
    gamma = _shrunk(fit.gamma, fit.hour_n, prior_gamma, PRIOR_HOUR_QUESTIONS)
    zero = beta[0]
    beta = [b - zero for b in beta]
    weights = fit.hour_n if fit.answered else [1] * 24
    total = sum(weights) or 1
    centre = math.fsum(g * w for g, w in zip(gamma, weights, strict=True)) / total
    asked = sum(pool.asked)
    base_counts = [0.0] * len(pool.by_level[0])
    for level, counts in enumerate(pool.by_level):
        for index, count in enumerate(shifted(counts, -(fit.beta[level] - fit.beta[0]))):
            base_counts[index] += count
    own = quantiles(base_counts)
    weight = asked / (asked + PRIOR_QUESTIONS)
    prior_points = prior.base.points if prior is not None else None
    base = mix(own, prior_points, weight)
    prior_never = prior.never if prior is not None else (0.0,) * LEVELS
    never = [
        (u + PRIOR_QUESTIONS * p) / (a + PRIOR_QUESTIONS)
        for u, a, p in zip(pool.unanswered, pool.asked, prior_never, strict=True)
    ]
    answered = [0.0] * len(pool.by_level[0])
    for counts in pool.by_level:
        for index, count in enumerate(counts):
            answered[index] += count
    median = _median_or(quantiles(answered), prior.median_reply_s if prior is not None else 0.0)
    prior_rate = prior.never_rate if prior is not None else 0.0
    never_rate = (sum(pool.unanswered) + PRIOR_QUESTIONS * prior_rate) / (asked + PRIOR_QUESTIONS)
    model = AgentModel(
        agent=name,
        questions=asked,
        own_share=weight if prior is not None else 1.0,
        borrowed_from=borrowed_from,
        base=QuantileTable(base),
        load_factor=tuple(math.exp(b) for b in beta),
        hour_factor=tuple(math.exp(g - centre) for g in gamma),
        never=tuple(never),
        mean_log=fit.mean,
        median_reply_s=median,
        never_rate=never_rate,
        top_load=top_load,
        beyond_top=_beyond(beta, top_load),
    )
    return model, beta, gamma


def _median_or(points: Sequence[float] | None, default: float) -> float:
    return default if points is None else points[(POINTS - 1) // 2]


def _pooled(pools: Sequence[AgentEvidence]) -> AgentEvidence:
    into = AgentEvidence()
    for pool in pools:
        for level in range(LEVELS):
            counts = into.by_level[level]
            for index, count in enumerate(pool.by_level[level]):
                counts[index] += count
            into.asked[level] += pool.asked[level]
            into.unanswered[level] += pool.unanswered[level]
        into.top_load += pool.top_load
        for cell in range(len(into.cross_n)):
            into.cross_n[cell] += pool.cross_n[cell]
            into.cross_sum[cell] += pool.cross_sum[cell]
    return into


def fit(config: ShopConfig, evidence: Evidence) -> ReplyModel:
    """The reply model of a shop from a log's evidence (agents: the config's and the log's)."""
    names = sorted(set(evidence.agents) | {agent.id for agent in config.agents})
    pools = {name: evidence.agents.get(name) or AgentEvidence() for name in names}
    shop, shop_beta, shop_gamma = _agent_model(
        TYPICAL, _pooled(list(pools.values())), None, [0.0] * LEVELS, [0.0] * 24, TYPICAL
    )
    groups_of = {agent.id: agent.groups for agent in config.agents}
    group_models: dict[str, tuple[AgentModel, list[float], list[float]]] = {}
    for group in config.groups:
        members = [pools[a.id] for a in config.agents if group.name in a.groups]
        group_models[group.name] = _agent_model(
            group.name, _pooled(members), shop, shop_beta, shop_gamma, TYPICAL
        )
    agents: dict[str, AgentModel] = {}
    for name in names:
        groups = groups_of.get(name, ())
        prior = group_models.get(groups[0]) if groups else None
        if prior is None:
            prior = (shop, shop_beta, shop_gamma)
            source = TYPICAL
        else:
            source = groups[0]
        agents[name], _, _ = _agent_model(name, pools[name], prior[0], prior[1], prior[2], source)
    return ReplyModel(
        shop=config.shop.name,
        timezone=config.shop.timezone,
        agents=agents,
        typical=shop,
        buyers=_buyer_model(evidence, config),
        conversion=_conversion_model(evidence),
        transfers=_transfer_model(evidence),
        days={
            day: {a: (c[0], c[1], c[2]) for a, c in sorted(cells.items())}
            for day, cells in sorted(evidence.days.items())
        },
        first=evidence.first,
        last=evidence.last,
    )


def _table(counts: Sequence[float], default_s: float) -> QuantileTable:
    points = quantiles(counts)
    return QuantileTable(points if points is not None else [default_s] * POINTS)


def _share(hits: float, total: float, default: float) -> float:
    return hits / total if total > 0 else default


def _buyer_model(evidence: Evidence, config: ShopConfig) -> BuyerModel:
    asked, ended = evidence.next_asked, evidence.next_ended
    overall = _share(sum(asked), sum(asked) + sum(ended), 0.3)
    ask_again = tuple(
        (a + PRIOR_QUESTIONS * overall) / (a + e + PRIOR_QUESTIONS)
        for a, e in zip(asked, ended, strict=True)
    )
    timeout = float(config.routing.session_timeout_s)
    follow_up, follow_gap = survival(evidence.follow_gap, evidence.follow_censored)
    return BuyerModel(
        follow_up=follow_up if evidence.questions else 0.2,
        follow_gap=_table(follow_gap, 20.0),
        ask_again=ask_again,
        next_gap=_table(evidence.next_gap, 60.0),
        tail=_table(evidence.tail, 0.0),
        close=_share(evidence.closed_visits, sum(evidence.next_ended), 0.0),
        close_gap=_table(evidence.close_gap, 60.0),
        bot_transfer=_share(evidence.bot_transfers, evidence.bot_visits, 0.3),
        bot_gap=_table(evidence.bot_gap, min(30.0, timeout / 2)),
    )


def _transfer_model(evidence: Evidence) -> TransferModel:
    share, when = survival(evidence.pass_gap, evidence.pass_censored)
    if share <= 0.0:
        return NO_TRANSFERS
    return TransferModel(share, _table(when, 60.0))


def _conversion_model(evidence: Evidence) -> ConversionModel:
    overall = _share(sum(evidence.converted), sum(evidence.inquired), 0.0)
    rate = tuple(
        (c + PRIOR_QUESTIONS * overall) / (n + PRIOR_QUESTIONS)
        for c, n in zip(evidence.converted, evidence.inquired, strict=True)
    )
    paid = sum(evidence.converted)
    return ConversionModel(
        rate=rate,
        visits=tuple(evidence.inquired),
        lag=_table(evidence.pay_lag, 1800.0),
        amount=_table(evidence.amounts, 0.0),
        unpriced=_share(evidence.unpriced, paid, 1.0),
    )


# --- JSON --------------------------------------------------------------------------


def _r(value: float, digits: int = 4) -> float:
    return round(value, digits)


def _agent_json(model: AgentModel) -> dict[str, Any]:
    slowest = model.slowest_hours()
    return {
        "agent": model.agent,
        "questions": model.questions,
        "median_reply_s": _r(model.median_reply_s, 1),
        "median_alone_s": _r(model.median_s(), 1),
        "own_share": _r(model.own_share),
        "borrowed_from": model.borrowed_from,
        "per_extra_conversation": _r(model.per_extra_conversation()),
        "top_load": _r(model.top_load, 2),
        "beyond_top": _r(model.beyond_top),
        "load_factor": dict(zip(LOAD_LEVELS, (_r(f) for f in model.load_factor), strict=True)),
        "never_answered": dict(zip(LOAD_LEVELS, (_r(p) for p in model.never), strict=True)),
        "never_answered_share": _r(model.never_share()),
        "slowest_hours": None if slowest is None else f"{slowest[0]:02d}:00-{slowest[1]:02d}:00",
        "hour_factor": [_r(f) for f in model.hour_factor],
        "quantiles_s": [_r(p, 2) for p in model.base.points],
        "mean_log": _r(model.mean_log, 6),
        "calibration": _r(model.calibration),
    }


def to_json(model: ReplyModel) -> dict[str, Any]:
    buyers, conversion = model.buyers, model.conversion
    return {
        "schema_version": SCHEMA_VERSION,
        "shop": model.shop,
        "timezone": model.timezone,
        "first_event": model.first,
        "last_event": model.last,
        "load_levels": list(LOAD_LEVELS),
        "agents": [_agent_json(model.agents[name]) for name in sorted(model.agents)],
        "typical": _agent_json(model.typical),
        "buyers": {
            "follow_up": _r(buyers.follow_up),
            "follow_gap_s": [_r(p, 2) for p in buyers.follow_gap.points],
            "ask_again": dict(zip(DELAY_LEVELS, (_r(p) for p in buyers.ask_again), strict=True)),
            "next_gap_s": [_r(p, 2) for p in buyers.next_gap.points],
            "tail_s": [_r(p, 2) for p in buyers.tail.points],
            "close": _r(buyers.close),
            "close_gap_s": [_r(p, 2) for p in buyers.close_gap.points],
            "bot_transfer": _r(buyers.bot_transfer),
            "bot_gap_s": [_r(p, 2) for p in buyers.bot_gap.points],
        },
        "conversion": {
            "note": CONVERSION_NOTE,
            "by_first_response": [
                {"first_response": level, "visits": visits, "rate": _r(rate)}
                for level, visits, rate in zip(
                    DELAY_LEVELS, conversion.visits, conversion.rate, strict=True
                )
            ],
            "lag_s": [_r(p, 2) for p in conversion.lag.points],
            "amount": [_r(p, 2) for p in conversion.amount.points],
            "unpriced": _r(conversion.unpriced),
        },
        "transfers": {
            "share": _r(model.transfers.share),
            "gap_s": [_r(p, 2) for p in model.transfers.gap.points],
        },
        "days": {day: {a: [_r(v, 6) for v in c] for a, c in cells.items()}
                 for day, cells in model.days.items()},
    }  # fmt: skip


def _transfers_from(data: Any) -> TransferModel:
    if data is None:
        return NO_TRANSFERS
    return TransferModel(float(data["share"]), QuantileTable(_points(data["gap_s"])))


class BadModel(ValueError):
    """A model file that is not a routectl reply model."""


def _agent_from(data: Mapping[str, Any]) -> AgentModel:
    return AgentModel(
        agent=str(data["agent"]),
        questions=int(data["questions"]),
        own_share=float(data["own_share"]),
        borrowed_from=str(data["borrowed_from"]),
        base=QuantileTable(_points(data["quantiles_s"])),
        load_factor=tuple(float(data["load_factor"][k]) for k in LOAD_LEVELS),
        hour_factor=tuple(float(f) for f in data["hour_factor"][:24]),
        never=tuple(float(data["never_answered"][k]) for k in LOAD_LEVELS),
        mean_log=float(data.get("mean_log", 0.0)),
        calibration=float(data.get("calibration", 1.0)),
        median_reply_s=float(data["median_reply_s"]),
        never_rate=float(data["never_answered_share"]),
        top_load=float(data.get("top_load", TYPICAL_TOP_LOAD)),
        beyond_top=float(data.get("beyond_top", 1.0)),
    )


def _points(values: Sequence[Any]) -> list[float]:
    points = [float(v) for v in values]
    if len(points) != POINTS or any(not math.isfinite(p) or p < 0 for p in points):
        raise BadModel(
            _("a quantile table has {points} finite delays of 0 or more").format(points=POINTS)
        )
    return points


def from_json(data: Any) -> ReplyModel:
    """A model saved by :func:`to_json`; raises BadModel with what is wrong."""
    try:
        if data.get("schema_version") != SCHEMA_VERSION:
            raise BadModel(_("schema_version is not {version}").format(version=SCHEMA_VERSION))
        agents = {a["agent"]: _agent_from(a) for a in data["agents"]}
        if any(len(a.hour_factor) != 24 for a in agents.values()):
            raise BadModel(_("hour_factor has 24 values"))
        b, c = data["buyers"], data["conversion"]
        levels = c["by_first_response"]
        return ReplyModel(
            shop=str(data["shop"]),
            timezone=str(data["timezone"]),
            agents=agents,
            typical=_agent_from(data["typical"]),
            buyers=BuyerModel(
                follow_up=float(b["follow_up"]),
                follow_gap=QuantileTable(_points(b["follow_gap_s"])),
                ask_again=tuple(float(b["ask_again"][k]) for k in DELAY_LEVELS),
                next_gap=QuantileTable(_points(b["next_gap_s"])),
                tail=QuantileTable(_points(b["tail_s"])),
                close=float(b["close"]),
                close_gap=QuantileTable(_points(b["close_gap_s"])),
                bot_transfer=float(b["bot_transfer"]),
                bot_gap=QuantileTable(_points(b["bot_gap_s"])),
            ),
            conversion=ConversionModel(
                rate=tuple(float(level["rate"]) for level in levels),
                visits=tuple(int(level["visits"]) for level in levels),
                lag=QuantileTable(_points(c["lag_s"])),
                amount=QuantileTable(_points(c["amount"])),
                unpriced=float(c["unpriced"]),
            ),
            transfers=_transfers_from(data.get("transfers")),
            days={
                str(day): {
                    str(a): (float(v[0]), float(v[1]), float(v[2])) for a, v in cells.items()
                }
                for day, cells in data.get("days", {}).items()
            },
            first=data.get("first_event"),
            last=data.get("last_event"),
        )
    except BadModel:
        raise
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise BadModel(
            _("not a routectl reply model ({kind}: {reason})").format(
                kind=type(exc).__name__, reason=exc
            )
        ) from None
