"""Synthetic presence for ``generate-log``: each agent's status rows, day by day.

Agents work shifts (early 08:00-17:30, late 13:30-23:55, full 09:00-22:00, with
jitter), take one day off a week, are suspended for meals and short breaks, sometimes
drop offline for a few minutes, and the ones with ``mobile = true`` (and only those)
also log in on ``mobile``, mostly in the evening. Every status row of a day falls
inside that day, so days follow each other in time order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from routectl.model import ShopConfig

DAY = 86_400

Status = tuple[int, str, str, str]
"""``(local second of the day, agent, device, status)``."""


class Presence:
    """The agents' shifts, fixed for the whole log, and their status rows per day."""

    def __init__(self, config: ShopConfig, rng: random.Random) -> None:
        self.config = config
        self.rng = rng
        kinds = ("early", "late", "full")
        turn = int(rng.random() * 3)
        self.shifts = tuple(kinds[(turn + i) % 3] for i in range(len(config.agents)))
        self.days_off = tuple(int(rng.random() * 7) for _ in config.agents)

    def day(self, day: int) -> list[Status]:
        """The status rows of ``day`` (0: the first day), in time order."""
        rows: list[Status] = []
        for index in range(len(self.config.agents)):
            if (day + self.days_off[index]) % 7 != 0:
                self._agent_day(index, rows)
        rows.sort(key=_moment)
        return rows

    def _agent_day(self, index: int, rows: list[Status]) -> None:
        agent = self.config.agents[index]
        rand = self.rng.random
        kind = self.shifts[index]
        meals: tuple[int, ...]
        if kind == "early":
            start, end, meals = 8 * 3600, 17 * 3600 + 1800, (12 * 3600,)
        elif kind == "late":
            start, end, meals = 13 * 3600 + 1800, 23 * 3600 + 3300, (18 * 3600,)
        else:
            start, end, meals = 9 * 3600, 22 * 3600, (12 * 3600, 18 * 3600)
        start += int(rand() * 1500) - 300
        end = min(end + int(rand() * 1200) - 600, DAY - 60)

        breaks: list[tuple[int, int, str]] = []
        for meal in meals:
            begin = meal + int(rand() * 3600) - 1800
            breaks.append((begin, begin + 1200 + int(rand() * 1500), "suspended"))
        for _ in range(int(rand() * 3)):
            begin = start + int(rand() * (end - start))
            breaks.append((begin, begin + 180 + int(rand() * 720), "suspended"))
        if rand() < 0.2:
            begin = start + int(rand() * (end - start))
            breaks.append((begin, begin + 120 + int(rand() * 1380), "offline"))
        breaks.sort()

        timeline: list[tuple[int, str]] = [(start, "online")]
        last = start + 600
        for begin, finish, status in breaks:
            if begin < last or finish > end - 600:
                continue
            timeline.append((begin, status))
            timeline.append((finish, "online"))
            last = finish + 60
        timeline.append((end, "offline"))
        _add(rows, agent.id, "pc", timeline)

        if agent.mobile:
            spells: list[tuple[int, int]] = []
            if rand() < 0.7:
                begin = max(end - 1800, 19 * 3600) + int(rand() * 1800)
                spells.append((begin, min(begin + 3600 + int(rand() * 7200), DAY - 30)))
            if rand() < 0.3:
                begin = 7 * 3600 + int(rand() * 1800)
                spells.append((begin, begin + 1800 + int(rand() * 3600)))
            spells.sort()
            last = -1
            for begin, finish in spells:
                if begin <= last or finish <= begin:
                    continue
                _add(rows, agent.id, "mobile", [(begin, "online"), (finish, "offline")])
                last = finish


def _add(rows: list[Status], agent: str, device: str, timeline: Sequence[tuple[int, str]]) -> None:
    for moment, status in timeline:
        rows.append((moment, agent, device, status))


def _moment(row: Status) -> int:
    return row[0]
