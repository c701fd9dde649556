"""Small streaming aggregates: reply counts with a per-second histogram, rates."""

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


class Histogram:
    """Response times as per-second counts: memory is O(distinct seconds), not O(rows)."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.total = 0

    def add(self, seconds: float) -> None:
        key = round(seconds)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1
        self.total += 1

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
        return max(self.counts) if self.counts else None


class RateCounts:
    """R19 counts without response times (hours of day need no median)."""

    __slots__ = ("counted", "within")

    def __init__(self) -> None:
        self.counted = 0
        self.within = 0

    def add(self, response_s: float | None, threshold_s: float) -> None:
        self.counted += 1
        if response_s is not None and response_s <= threshold_s:
            self.within += 1

    @property
    def response_rate(self) -> float | None:
        return rate(self.within, self.counted)


class ReplyStats:
    """R19/R20 figures over some set of counted questions (shop, agent, group, day)."""

    __slots__ = ("counted", "times", "within")

    def __init__(self) -> None:
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
