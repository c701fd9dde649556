"""Small streaming aggregates: reply counts with a bounded response-time histogram, rates."""

from __future__ import annotations

import math


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; None when nothing was counted."""
    if whole == 0:
        return None
    return round(part / whole, 4)


def ratio(part: float, whole: float) -> float | None:
    if whole <= 0:
        return None
    return round(part / whole, 4)


EXACT_BELOW_S = 600
"""Response times are kept to the second below 10 minutes (the threshold's range)..."""
TENS_BELOW_S = 3600
"""...to 10 seconds below 1 hour..."""
MINUTES_BELOW_S = 86400
"""...to the minute below 1 day, and to the hour beyond."""


def bucket(seconds: float) -> int:
    """The value a response time is kept as: rounded to its resolution (see above).

    This bounds a histogram at 600 + 300 + 1380 entries plus one per hour beyond a day,
    whatever the number of rows or days.
    """
    key = round(seconds)
    if key < EXACT_BELOW_S:
        return key
    if key < TENS_BELOW_S:
        return (key + 5) // 10 * 10
    if key < MINUTES_BELOW_S:
        return (key + 30) // 60 * 60
    return (key + 1800) // 3600 * 3600


class Histogram:
    """Response times as counts per :func:`bucket` (or per second when ``exact``)."""

    __slots__ = ("counts", "exact", "peak", "total")

    def __init__(self, exact: bool = False) -> None:
        self.exact = exact
        """Keep every value to the second (bounded by the longest value, not by rows)."""
        self.counts: dict[int, int] = {}
        self.total = 0
        self.peak: int | None = None
        """The largest value added, to the second (kept apart from the buckets)."""

    def add(self, seconds: float) -> None:
        exact = round(seconds)
        key = exact if self.exact else bucket(seconds)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1
        self.total += 1
        if self.peak is None or exact > self.peak:
            self.peak = exact

    def merge(self, other: Histogram) -> None:
        """Add ``other``'s values (same resolution) to this histogram."""
        counts = self.counts
        for key, count in other.counts.items():
            counts[key] = counts.get(key, 0) + count
        self.total += other.total
        if other.peak is not None and (self.peak is None or other.peak > self.peak):
            self.peak = other.peak

    def percentile(self, fraction: float) -> int | None:
        """Nearest rank: the smallest value with at least ``fraction`` of all at or below it."""
        if self.total == 0:
            return None
        rank = max(1, math.ceil(fraction * self.total))
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value
        raise AssertionError("unreachable: rank <= total")

    def max(self) -> int | None:
        return self.peak


class Speed:
    """R23 average response time and R24 slow responses over some set of questions.

    ``avg_*`` run over the questions in ``avg_window`` (each delay capped, never
    answered = the cap); ``slow`` counts the R19-counted questions answered after
    ``slow_after`` or never.
    """

    __slots__ = ("avg_count", "avg_sum", "slow")

    def __init__(self) -> None:
        self.slow = 0
        self.avg_count = 0
        self.avg_sum = 0.0

    def merge_speed(self, other: Speed) -> None:
        self.slow += other.slow
        self.avg_count += other.avg_count
        self.avg_sum += other.avg_sum

    @property
    def avg_response_s(self) -> float | None:
        """The mean capped delay in seconds, to 0.01 s (the platform shows two decimals)."""
        if self.avg_count == 0:
            return None
        return round(self.avg_sum / self.avg_count, 2)


class RateCounts(Speed):
    """R19 counts without response times (hours of day need no median)."""

    __slots__ = ("counted", "within")

    def __init__(self) -> None:
        super().__init__()
        self.counted = 0
        self.within = 0

    def add(self, response_s: float | None, threshold_s: float) -> None:
        self.counted += 1
        if response_s is not None and response_s <= threshold_s:
            self.within += 1

    @property
    def response_rate(self) -> float | None:
        return rate(self.within, self.counted)


class ReplyStats(Speed):
    """R19/R20 figures over some set of counted questions (shop, agent, group, day)."""

    __slots__ = ("counted", "times", "within")

    def __init__(self) -> None:
        super().__init__()
        self.counted = 0
        self.within = 0
        self.times = Histogram()

    def add(self, response_s: float | None, threshold_s: float) -> None:
        """One counted question; ``response_s`` is None when no human ever replied."""
        self.counted += 1
        if response_s is None:
            return
        self.times.add(response_s)
        if response_s <= threshold_s:
            self.within += 1

    def merge(self, other: ReplyStats) -> None:
        """Add ``other``'s questions (a disjoint set) to these figures."""
        self.merge_speed(other)
        self.counted += other.counted
        self.within += other.within
        self.times.merge(other.times)

    @property
    def answered(self) -> int:
        return self.times.total

    @property
    def response_rate(self) -> float | None:
        return rate(self.within, self.counted)

    @property
    def reply_rate(self) -> float | None:
        return rate(self.answered, self.counted)

    @property
    def median_s(self) -> int | None:
        return self.times.percentile(0.5)

    @property
    def p90_s(self) -> int | None:
        return self.times.percentile(0.9)


def record(
    stats: tuple[ReplyStats, ...],
    hour: RateCounts | None,
    response_s: float | None,
    threshold_s: float,
    slow_after_s: float = math.inf,
    cap_s: float | None = None,
) -> None:
    """One counted question into several figures at once: :meth:`ReplyStats.add` for each
    of ``stats`` and :meth:`RateCounts.add` for ``hour`` (None: no hour kept), bucketing
    the response once; a response of ``slow_after_s`` or more (or none) is also a slow
    one (R24). With ``cap_s`` the question is averaged too (R23, see
    :func:`record_average`): one pass."""
    if cap_s is not None:
        capped = cap_s if response_s is None or response_s > cap_s else response_s
        for target in stats:
            target.avg_count += 1
            target.avg_sum += capped
        if hour is not None:
            hour.avg_count += 1
            hour.avg_sum += capped
    if response_s is None:
        for target in stats:
            target.counted += 1
            target.slow += 1
        if hour is not None:
            hour.counted += 1
            hour.slow += 1
        return
    exact = round(response_s)
    key = exact if exact < EXACT_BELOW_S else bucket(response_s)  # bucket(), inlined below 600
    within = 1 if response_s <= threshold_s else 0
    slow = 1 if response_s >= slow_after_s else 0
    for target in stats:
        target.counted += 1
        target.within += within
        target.slow += slow
        times = target.times
        counts = times.counts
        counts[key] = counts.get(key, 0) + 1
        times.total += 1
        peak = times.peak
        if peak is None or exact > peak:
            times.peak = exact
    if hour is not None:
        hour.counted += 1
        hour.within += within
        hour.slow += slow


def record_average(stats: tuple[Speed, ...], response_s: float | None, cap_s: float) -> None:
    """One R23 question: its first-reply delay capped at ``cap_s``; never answered = the cap."""
    capped = cap_s if response_s is None or response_s > cap_s else response_s
    for target in stats:
        target.avg_count += 1
        target.avg_sum += capped
