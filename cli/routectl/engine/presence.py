"""R1, R2: agents' effective states and their groups' availability, from status rows.

The only writer of ``AgentState.pc``, ``mobile``, ``state`` and ``offline_since`` and
of ``StrideGroup.available``.
"""

from __future__ import annotations

from typing import final

from routectl.engine.holding import Holder
from routectl.engine.state import OFFLINE, ONLINE
from routectl.engine.tables import Shop
from routectl.engine.waiting import WaitingRoom
from routectl.events import StatusChange


@final
class Presence:
    """Who is online, suspended or offline; what follows when that changes."""

    __slots__ = ("_by_id", "_holder", "_waiting")

    def __init__(self, shop: Shop, waiting: WaitingRoom, holder: Holder) -> None:
        self._by_id = shop.by_id
        self._waiting = waiting
        self._holder = holder

    def status(self, event: StatusChange) -> None:
        """R1, R2: the agent's effective state; its groups' availability follows."""
        agent = self._by_id[event.agent]
        new = agent.set_device(event.device, event.status)
        old = agent.state
        if new == old:
            return
        agent.state = new
        if old == ONLINE:
            for group in agent.groups:
                group.available -= 1
                if not group.available and group.queue:
                    self._waiting.fall_back(group, event.time)
        if new == OFFLINE:
            agent.offline_since = event.time
        elif new == ONLINE:
            under_cap = agent.load < agent.max_concurrent
            for group in agent.groups:
                group.available += 1
                if under_cap:
                    group.rejoin(agent)
            # Its held rows reach it first (R17), then it takes the oldest waiters.
            self._holder.came_back(agent, event.line, event.time)
            self._waiting.drain(agent, event.time)
