"""P3: the weights the log implies, fitted from the platform's own group picks.

Each inquiry the replay routed by group (R12/R13) at once, whose ``received_by`` was one
of the group's available routing agents, is a choice of one agent out of a candidate
set. Under the weighted split, agent ``i`` is chosen from set ``S`` with probability
``w_i / sum(w_j for j in S)`` (a Luce choice model). The weights that best explain the
picks (maximum likelihood, fitted by Hunter's MM iteration) are scaled so that they add
up to the configured weights of the same agents, and get a 90 % range from the observed
information (``exp(±1.645·se)`` on the log scale).

Memory: one counter per (candidate set, pick), bounded by ``MAX_SETS`` distinct sets.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

MAX_SETS = 20_000
"""Distinct candidate sets kept; picks from further sets are counted as not fitted."""

Z90 = 1.645


@dataclass(frozen=True, slots=True)
class ImpliedWeight:
    agent: str
    weight: int
    """As configured."""
    implied_weight: float
    low: float
    high: float
    picks: int
    """Inquiries the log says it received out of a candidate set (its evidence)."""
    candidate_in: int
    """Fitted choices it was a candidate in."""


class WeightEvidence:
    """The observed group picks, tallied by candidate set."""

    def __init__(self) -> None:
        self.choices: Counter[tuple[tuple[str, ...], str]] = Counter()
        self.sets: Counter[tuple[str, ...]] = Counter()
        self.not_fitted = 0

    def pick(self, candidates: tuple[str, ...], picked: str) -> None:
        if candidates not in self.sets and len(self.sets) >= MAX_SETS:
            self.not_fitted += 1
            return
        self.sets[candidates] += 1
        self.choices[candidates, picked] += 1

    def fit(self, configured: dict[str, int], rounds: int = 500) -> tuple[ImpliedWeight, ...]:
        """Implied weights of every agent that was a candidate, in ``configured`` order."""
        if not self.sets:
            return ()
        agents = sorted({a for s in self.sets for a in s}, key=list(configured).index)
        wins = Counter[str]()
        for (_, picked), n in self.choices.items():
            wins[picked] += n
        weight = {a: 1.0 for a in agents}
        for _ in range(rounds):
            denominator = dict.fromkeys(agents, 0.0)
            for s, n in self.sets.items():
                total = _weight_of(s, weight)
                for a in s:
                    denominator[a] += n / total
            new = {a: (wins[a] / denominator[a] if denominator[a] else 0.0) for a in agents}
            norm = 0.0
            for value in new.values():
                norm += value
            if norm <= 0:
                norm = 1.0
            new = {a: w * len(agents) / norm for a, w in new.items()}
            change = max(abs(new[a] - weight[a]) for a in agents)
            weight = new
            if change < 1e-9:
                break
        configured_total = float(sum(configured[a] for a in agents))
        fitted_total = 0.0
        for value in weight.values():
            fitted_total += value
        scale = configured_total / fitted_total if fitted_total > 0 else 1.0
        info = dict.fromkeys(agents, 0.0)
        candidate_in = Counter[str]()
        for s, n in self.sets.items():
            total = _weight_of(s, weight)
            for a in s:
                candidate_in[a] += n
                p = weight[a] / total if total else 0.0
                info[a] += n * p * (1 - p)
        rows = []
        for a in agents:
            implied = weight[a] * scale
            spread = math.exp(Z90 / math.sqrt(info[a])) if info[a] > 0 else math.inf
            rows.append(
                ImpliedWeight(
                    a,
                    configured[a],
                    round(implied, 1),
                    round(implied / spread, 1),
                    round(implied * spread, 1) if math.isfinite(spread) else math.inf,
                    wins[a],
                    candidate_in[a],
                )
            )
        return tuple(rows)


def _weight_of(candidates: tuple[str, ...], weight: dict[str, float]) -> float:
    total = 0.0
    for agent in candidates:
        total += weight[agent]
    return total
