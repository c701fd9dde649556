"""A rota: the fewest shifts, by start hour, whose agents cover every hour's need.

An integer program, solved by HiGHS through scipy's ``milp`` (the optional extra
``.[plan]`` from the checkout): one integer variable per (start hour, shift length), the number of
agents starting such a shift; minimise their sum subject to, for every hour, the shifts
covering it >= the hour's need. The day is a cycle: a shift starting at 20:00 for 8 h
covers 20:00-04:00, as it does every day of a repeating rota. Equal-sized solutions are
told apart by HiGHS's own deterministic order (same input, same rota).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from routectl.i18n import N_, _

SOLVER_MISSING = N_(
    "--shift needs the solver extra; routectl is not on PyPI, so install it from the "
    "routectl checkout: pip install '.[plan]' (or pip install scipy)"
)


class NoSolver(RuntimeError):
    """scipy (HiGHS) is not installed."""


@dataclass(frozen=True)
class Shift:
    start: int
    hours: int
    agents: int


@dataclass(frozen=True)
class Rota:
    shifts: tuple[Shift, ...]
    """Shifts with at least one agent, by start hour then length."""
    total: int
    covered: tuple[int, ...]
    """Agents on shift in each hour."""


def covers(start: int, hours: int, hour: int, period: int) -> bool:
    return (hour - start) % period < hours


def coverage(shifts: Sequence[Shift], period: int) -> tuple[int, ...]:
    return tuple(
        sum(s.agents for s in shifts if covers(s.start, s.hours, hour, period))
        for hour in range(period)
    )


def load_solver() -> None:
    """Import the solver now (raises NoSolver), so that timing a solve leaves it out."""
    try:
        import scipy.optimize  # noqa: F401
    except ImportError:
        raise NoSolver(_(SOLVER_MISSING)) from None


def solve(need: Sequence[int], lengths: Sequence[int]) -> Rota:
    """The fewest shifts covering ``need`` (one value per hour of a cyclic period)."""
    try:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
    except ImportError:
        raise NoSolver(_(SOLVER_MISSING)) from None
    period = len(need)
    kinds = [(start, hours) for start in range(period) for hours in sorted(set(lengths))]
    if not any(need):
        return Rota((), 0, (0,) * period)
    matrix = np.array(
        [[1.0 if covers(s, h, hour, period) else 0.0 for s, h in kinds] for hour in range(period)]
    )
    result = milp(
        c=np.ones(len(kinds)),
        constraints=LinearConstraint(matrix, lb=np.array(need, dtype=float), ub=np.inf),
        integrality=np.ones(len(kinds)),
        bounds=Bounds(0, np.inf),
    )
    if result.x is None:
        raise RuntimeError(_("the solver found no rota ({reason})").format(reason=result.message))
    shifts = tuple(
        Shift(start, hours, round(value))
        for (start, hours), value in zip(kinds, result.x)
        if round(value) > 0
    )
    return Rota(shifts, sum(s.agents for s in shifts), coverage(shifts, period))
