"""Presence in the reply model: what a logged-out agent can do, and what calibration
compares (P4, P8).

- the simulation: a reply that falls due while its agent is logged out waits for the
  agent's next login, as in Qianniu (no answer comes from a closed client);
- the learner: calibration compares only questions that met a logged-in holder, since
  one that waited in the pool or for a login is answered in the login burst;
- calibration's ratios: a handful of never-answered questions or a tail quantile lean on
  the shop's ratio instead of moving an agent's model by themselves.
"""

from __future__ import annotations

import pytest

from routectl.events import BuyerMessage, HumanReply, Status, StatusChange
from routectl.model import Agent, Group, Shop, ShopConfig
from routectl.replay import run
from routectl.sim.calibrate import NO_RATIOS, _ratios
from routectl.sim.core import Simulation
from routectl.sim.hist import POINTS, QuantileTable
from routectl.sim.learn import learn
from routectl.sim.model import TYPICAL, AgentModel, BuyerModel, ConversionModel, ReplyModel

ZONE = "Asia/Shanghai"
T0 = 1793584800.0  # 2026-11-02 10:00 Asia/Shanghai
AGENT = "s:a"


def _config() -> ShopConfig:
    return ShopConfig(
        shop=Shop(name="s", timezone=ZONE),
        groups=(Group("g", ("shop_home",)),),
        agents=(Agent(AGENT, ("g",)),),
    )


def _constant(value: float) -> QuantileTable:
    return QuantileTable([value] * POINTS)


def _model(delay_s: float) -> ReplyModel:
    """One agent who always answers after ``delay_s``; buyers who ask once and wait."""
    agent = AgentModel(
        agent=AGENT, questions=1000, own_share=1.0, borrowed_from=TYPICAL,
        base=_constant(delay_s), load_factor=(1.0,) * 6, hour_factor=(1.0,) * 24,
        never=(0.0,) * 6,
    )  # fmt: skip
    buyers = BuyerModel(
        follow_up=0.0, follow_gap=_constant(30.0), ask_again=(0.0,) * 6,
        next_gap=_constant(60.0), tail=_constant(0.0), close=0.0, close_gap=_constant(60.0),
        bot_transfer=0.0, bot_gap=_constant(30.0),
    )  # fmt: skip
    conversion = ConversionModel(
        rate=(0.0,) * 6, visits=(0,) * 6, lag=_constant(60.0), amount=_constant(10.0),
        unpriced=0.0,
    )  # fmt: skip
    return ReplyModel("s", ZONE, {AGENT: agent}, agent, buyers, conversion)


def _replies(records: list[StatusChange | BuyerMessage], delay_s: float) -> list[float]:
    pairs = Simulation(_config(), _model(delay_s), seed=1).run(records)
    return [event.time for event, _ in pairs if isinstance(event, HumanReply)]


@pytest.mark.parametrize(
    ("then", "replied_at"),
    [
        # due at T0 + 660, when the agent is gone: answered 600 s after it is back
        ("offline", T0 + 7200 + 600),
        # suspended (挂起) keeps the client open: answered on time
        ("suspended", T0 + 660),
    ],
)
def test_P8_a_reply_due_while_its_agent_is_logged_out_waits_for_the_next_login(
    then: Status, replied_at: float
) -> None:
    records: list[StatusChange | BuyerMessage] = [
        StatusChange(0, T0, AGENT, "online"),
        BuyerMessage(0, T0 + 60, "b1", entry="shop_home"),
        StatusChange(0, T0 + 300, AGENT, then),
        StatusChange(0, T0 + 7200, AGENT, "online"),
    ]
    assert _replies(records, 600.0) == [replied_at]


def test_P4_calibration_compares_only_questions_that_met_a_logged_in_holder() -> None:
    events = [
        BuyerMessage(1, T0, "pooled", entry="shop_home"),  # nobody online: the pool
        StatusChange(2, T0 + 3600, AGENT, "online"),
        HumanReply(3, T0 + 3630, "pooled", AGENT),
        BuyerMessage(4, T0 + 4000, "waited", entry="shop_home"),
        HumanReply(5, T0 + 4040, "waited", AGENT),
    ]
    evidence = learn(_config(), run(_config(), iter(events)))
    day = next(iter(evidence.day_delays.values()))
    assert sum(day[AGENT]) == 1  # the question that met the agent online
    assert sum(evidence.agents[AGENT].asked) == 2  # the fit still learns from both


def _figure(answered: int, delay_s: float, never_share: float) -> tuple[int, list[float], float]:
    return answered, [delay_s * (1 + i / POINTS) for i in range(POINTS)], never_share


def test_P4_a_handful_of_never_answered_questions_leans_on_the_shop() -> None:
    # 5 never answered in the log against 10 in the simulation: alone, a ratio of 0.5
    shop = ([1.0] * POINTS, 0.9)
    log, simulated = _figure(200, 40.0, 5 / 205), _figure(200, 40.0, 10 / 210)
    _, never = _ratios(log, simulated, shop)
    assert 0.5 < never < 0.9
    assert abs(never - 0.9) < abs(never - 0.5)


def test_P4_tail_quantiles_lean_on_the_shop_and_the_median_on_the_agent() -> None:
    log, simulated = _figure(200, 40.0, 0.0), _figure(200, 80.0, 0.0)
    quantile_ratios, _ = _ratios(log, simulated, NO_RATIOS)
    median, top = quantile_ratios[(POINTS - 1) // 2], quantile_ratios[-1]
    assert median < 0.55  # 200 questions behind the median: nearly the agent's own 0.5
    assert top == 1.0  # nothing behind the maximum: no correction
