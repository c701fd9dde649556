"""Issue 5: bounded response-time histograms and O(1) shares, same figures as before."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict

import pytest

from conftest import make_config
from routectl.model import Agent, Group, ShopConfig
from routectl.report.shares import ShareModel
from routectl.report.stats import Histogram, RateCounts, ReplyStats, bucket, record


@pytest.mark.parametrize(
    ("seconds", "kept"),
    [
        (0.4, 0),
        (59.6, 60),
        (599.4, 599),
        (600, 600),
        (604, 600),
        (605, 610),
        (3594, 3590),
        (3596, 3600),
        (3629, 3600),
        (3630, 3660),
        (86399, 86400),
        (86400 + 1799, 86400),
        (86400 + 1800, 90000),
    ],
)
def test_response_times_are_exact_below_10_minutes_then_coarser(seconds: float, kept: int) -> None:
    assert bucket(seconds) == kept


def test_a_histogram_stays_small_however_many_times_it_gets() -> None:
    histogram = Histogram()
    seconds = range(0, 3 * 86400, 7)
    for second in seconds:
        histogram.add(second + 0.3)
    assert len(histogram.counts) < 600 + 300 + 1380 + 2 * 24 + 2
    assert histogram.max() == seconds[-1]  # the max stays exact
    assert histogram.percentile(0.0) == 0


def test_an_exact_histogram_keeps_every_second() -> None:
    histogram = Histogram(exact=True)
    for seconds in (6092.4, 601.0, 27869.0):
        histogram.add(seconds)
    assert histogram.percentile(0.5) == 6092
    assert histogram.max() == 27869


def test_median_and_p90_below_10_minutes_are_unchanged() -> None:
    rng = random.Random(5)
    times = [rng.uniform(0, 599.4) for _ in range(1001)]
    histogram = Histogram()
    for t in times:
        histogram.add(t)
    exact = sorted(round(t) for t in times)
    assert histogram.percentile(0.5) == exact[math.ceil(0.5 * len(exact)) - 1]
    assert histogram.percentile(0.9) == exact[math.ceil(0.9 * len(exact)) - 1]


def test_record_is_add_for_each_figure() -> None:
    rng = random.Random(7)
    one, other, hour = ReplyStats(), ReplyStats(), RateCounts()
    expected, expected_hour = ReplyStats(), RateCounts()
    for _ in range(500):
        response = None if rng.random() < 0.2 else rng.uniform(0, 20000)
        record((one, other), hour, response, 180.0)
        expected.add(response, 180.0)
        expected_hour.add(response, 180.0)
    for stats in (one, other):
        assert (stats.counted, stats.within, stats.answered) == (
            expected.counted,
            expected.within,
            expected.answered,
        )
        assert stats.times.counts == expected.times.counts
        assert stats.times.max() == expected.times.max()
        assert (stats.median_s, stats.p90_s) == (expected.median_s, expected.p90_s)
    assert (hour.counted, hour.within) == (expected_hour.counted, expected_hour.within)


class _NaiveShares:
    """The per-inquiry spreading ShareModel did before issue 5, as the reference."""

    def __init__(self, model: ShareModel) -> None:
        self.model = model
        self.by_equal: defaultdict[str, float] = defaultdict(float)
        self.by_weight: defaultdict[str, float] = defaultdict(float)
        self.by_presence: defaultdict[str, float] = defaultdict(float)
        self.arrivals: Counter[str] = Counter()
        self.arrivals_available: Counter[str] = Counter()

    def inquiry(self, agent: str, group: str | None, available: frozenset[str]) -> None:
        m = self.model
        label = group if group in m.members else m._team_label(agent)
        members = m.members[label]
        for member, part in m._split(members, agent):
            self.by_weight[member] += part
        for member in members:
            self.by_equal[member] += 1 / len(members)
            self.arrivals[member] += 1
            if member in available:
                self.arrivals_available[member] += 1
        for member, part in m._presence_split(label, available) or [(agent, 1.0)]:
            self.by_presence[member] += part


def _config() -> ShopConfig:
    agents = (
        Agent("shop:a", ("presale",), weight=300),
        Agent("shop:b", ("presale", "aftersale"), weight=100),
        Agent("shop:c", ("aftersale",), weight=200),
        Agent("shop:z", ("idle",), weight=0),
    )
    groups = (
        Group("presale", ("shop_home",)),
        Group("aftersale", ("order",)),
        Group("idle", ("item_detail",)),
    )
    return make_config(agents, groups=groups)


def test_shares_counted_per_group_and_presence_match_spreading_every_inquiry() -> None:
    config = _config()
    model, reference = ShareModel(config), _NaiveShares(ShareModel(config))
    rng = random.Random(11)
    ids = [a.id for a in config.agents]
    available = frozenset(ids)
    for _ in range(3000):
        if rng.random() < 0.05:
            model.flush(available)  # the presence changes: what was tallied saw the old one
            available = frozenset(a for a in ids if rng.random() < 0.6)
        agent = rng.choice(ids)
        group = rng.choice(["presale", "aftersale", "idle", "*", None])
        rule = rng.choice(["group", "recent_contact"])
        model.inquiry(agent, group, rule)
        reference.inquiry(agent, group, available)
    model.settle(available)
    model.settle(available)  # idempotent
    for name in ("by_equal", "by_weight", "by_presence", "arrivals", "arrivals_available"):
        got, want = getattr(model, name), getattr(reference, name)
        assert set(got) == set(want), name
        for agent_id in want:
            assert got[agent_id] == pytest.approx(want[agent_id], rel=1e-9), (name, agent_id)
    assert sum(model.actual.values()) == model.total == 3000
    assert sum(sum(rules.values()) for rules in model.rules.values()) == 3000
