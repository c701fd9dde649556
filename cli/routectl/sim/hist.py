"""Delay distributions: log-spaced histograms (learning) and quantile tables (sampling).

A histogram counts ``d + 1`` seconds in bins of 1/12 decade, so a month of questions
costs 85 integers per agent and load level, whatever the number of rows. A
:class:`QuantileTable` is what the model keeps and samples: the delay at 51 evenly
spaced quantiles, read by linear interpolation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

BINS_PER_DECADE = 12
BINS = 12 * 7 + 1
"""Up to 10**7 s (115 days); longer delays land in the last bin."""
POINTS = 51
"""Quantiles kept per table: 0 %, 2 %, ..., 100 %."""


def bin_of(delay_s: float) -> int:
    if delay_s <= 0.0:
        return 0
    index = int(BINS_PER_DECADE * math.log10(delay_s + 1.0))
    return index if index < BINS else BINS - 1


def new_histogram() -> list[int]:
    return [0] * BINS


def shifted(counts: Sequence[float], log_factor: float) -> list[float]:
    """The histogram of ``(d + 1) * exp(log_factor)``: counts moved by a fraction of bins."""
    offset = log_factor / math.log(10.0) * BINS_PER_DECADE
    whole = math.floor(offset)
    part = offset - whole
    out = [0.0] * BINS
    for index, count in enumerate(counts):
        if count == 0:
            continue
        low = min(max(index + whole, 0), BINS - 1)
        high = min(max(index + whole + 1, 0), BINS - 1)
        out[low] += count * (1.0 - part)
        out[high] += count * part
    return out


def quantiles(counts: Sequence[float]) -> list[float] | None:
    """Delays (s) at :data:`POINTS` even quantiles; None for an empty histogram.

    Inside a bin, values spread evenly in log space (geometric interpolation)."""
    total = 0.0
    for count in counts:
        total += count
    if total <= 0.0:
        return None
    last = max(index for index, count in enumerate(counts) if count > 0.0)
    out: list[float] = []
    cumulative = 0.0
    index = 0
    for point in range(POINTS):
        target = total * point / (POINTS - 1)
        # ``last`` bounds the walk: summed in another order, the cumulative count can
        # fall short of ``total`` by a rounding error, and the top point then landed in
        # the last bin (10**7 s) whatever the histogram held.
        while index < last and cumulative + counts[index] < target:
            cumulative += counts[index]
            index += 1
        inside = counts[index]
        fraction = (target - cumulative) / inside if inside > 0 else 0.0
        fraction = min(max(fraction, 0.0), 1.0)
        log_value = (index + fraction) / BINS_PER_DECADE
        out.append(max(10.0**log_value - 1.0, 0.0))
    # The top and bottom of the distribution are the histogram's occupied bin edges.
    return out


def mix(own: Sequence[float] | None, prior: Sequence[float] | None, weight: float) -> list[float]:
    """Quantile averaging: ``weight`` of ``own`` and the rest of ``prior``."""
    if own is None and prior is None:
        return [0.0] * POINTS
    if own is None:
        return list(prior)  # type: ignore[arg-type]
    if prior is None or weight >= 1.0:
        return list(own)
    return [weight * a + (1.0 - weight) * b for a, b in zip(own, prior, strict=True)]


def survival(events: Sequence[float], censored: Sequence[float]) -> tuple[float, list[float]]:
    """Kaplan-Meier over histogram bins: the share of cases whose event ever comes, and
    the histogram of when it comes, from ``events`` and the ``censored`` cases (watched
    until their bin without the event: it may still have come later). A censored case
    is at risk through its own bin."""
    at_risk = 0.0
    for count in events:
        at_risk += count
    for count in censored:
        at_risk += count
    alive = 1.0
    density = [0.0] * len(events)
    for index in range(len(events)):
        if at_risk <= 0.0:
            break
        hazard = events[index] / at_risk
        density[index] = alive * hazard
        alive -= alive * hazard
        at_risk -= events[index] + censored[index]
    return 1.0 - alive, density


class QuantileTable:
    """A delay distribution as :data:`POINTS` quantiles; :meth:`sample` maps u in [0, 1)."""

    __slots__ = ("points",)

    def __init__(self, points: Sequence[float]) -> None:
        self.points = [float(p) for p in points]

    def sample(self, u: float) -> float:
        position = u * (POINTS - 1)
        index = int(position)
        if index >= POINTS - 1:
            return self.points[-1]
        low = self.points[index]
        return low + (self.points[index + 1] - low) * (position - index)

    def median(self) -> float:
        return self.points[(POINTS - 1) // 2]

    def share_within(self, seconds: float) -> float:
        """The fraction of the distribution at or below ``seconds``."""
        points = self.points
        if seconds < points[0]:
            return 0.0
        for index in range(1, POINTS):
            if points[index] >= seconds:
                low, high = points[index - 1], points[index]
                part = (seconds - low) / (high - low) if high > low else 1.0
                return (index - 1 + part) / (POINTS - 1)
        return 1.0
