"""The rota's integer program (HiGHS via scipy): it covers every hour, and it is minimal
(checked against brute force on small cyclic periods)."""

from __future__ import annotations

import itertools
import random

import pytest

from routectl.sim.rota import covers, solve

pytest.importorskip("scipy")


def brute_force(need: list[int], lengths: tuple[int, ...]) -> int:
    """The fewest shifts covering ``need``, by trying every multiset of shifts by size."""
    period = len(need)
    kinds = [(s, h) for s in range(period) for h in lengths]
    for size in range(sum(need) + 1):
        for chosen in itertools.combinations_with_replacement(kinds, size):
            if all(
                sum(1 for s, h in chosen if covers(s, h, hour, period)) >= need[hour]
                for hour in range(period)
            ):
                return size
    raise AssertionError("no cover")


@pytest.mark.parametrize(
    ("need", "lengths"),
    [
        ([1, 0, 0, 1, 0, 0], (2,)),
        ([1, 2, 1, 0, 0, 0], (2, 3)),
        ([2, 2, 0, 1, 1, 0], (3,)),
        ([0, 1, 2, 2, 1, 0], (2, 4)),
        ([1, 1, 1, 1, 1, 1], (4,)),
        ([0, 0, 0, 0, 0, 0], (2,)),
    ],
)
def test_rota_is_minimal_on_small_cases(need: list[int], lengths: tuple[int, ...]) -> None:
    found = solve(need, lengths)
    assert found.total == brute_force(need, lengths)
    assert all(c >= n for c, n in zip(found.covered, need))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lengths", [(8,), (6, 8), (4, 10)])
def test_rota_covers_every_hour_of_a_day(seed: int, lengths: tuple[int, ...]) -> None:
    rng = random.Random(seed)
    need = [0] * 8 + [rng.randint(1, 7) for _ in range(16)]
    found = solve(need, lengths)
    assert all(c >= n for c, n in zip(found.covered, need))
    assert {shift.hours for shift in found.shifts} <= set(lengths)
    assert found.total == sum(shift.agents for shift in found.shifts)
    assert found.total >= max(need)


def test_a_shift_wraps_past_midnight() -> None:
    found = solve([1, 1] + [0] * 20 + [1, 1], (4,))
    assert found.total == 1
    assert found.shifts[0].start == 22
