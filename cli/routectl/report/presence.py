"""R4: how long each agent was online, per device, clipped to the report window.

- ``online_s``: pc status online or suspended (the "online duration"; R4 keeps mobile
  out of it); ``suspended_s`` is the suspended part of it.
- ``mobile_s``: mobile status online or suspended, reported apart.
- ``available_s``: online and not suspended on a device that counts for routing (R2):
  the time the agent could receive new buyers. Expected shares are built on it.

An agent still logged in at the end counts until the end of the report (the window's
``until`` or the last event, whichever is earlier).
"""

from __future__ import annotations

from routectl.events import StatusChange
from routectl.model import ShopConfig
from routectl.report.clock import LocalClock
from routectl.report.window import Window

_PRESENT = ("online", "suspended")


class AgentTime:
    """One agent's device states and accumulated durations."""

    __slots__ = (
        "available_by_hour",
        "available_s",
        "counts_mobile",
        "id",
        "mobile",
        "mobile_s",
        "online_s",
        "pc",
        "present_by_hour",
        "since",
        "suspended_s",
    )  # fmt: skip

    def __init__(self, agent_id: str, counts_mobile: bool) -> None:
        self.id = agent_id
        self.counts_mobile = counts_mobile
        self.pc = "offline"
        self.mobile = "offline"
        self.since = 0.0
        self.online_s = 0.0
        self.suspended_s = 0.0
        self.mobile_s = 0.0
        self.available_s = 0.0
        self.present_by_hour = [0.0] * 24
        """Seconds logged in (any device, online or suspended) per local hour of day."""
        self.available_by_hour = [0.0] * 24

    @property
    def available(self) -> bool:
        return _available(self.pc, self.mobile, self.counts_mobile)

    @property
    def present(self) -> bool:
        return self.pc in _PRESENT or self.mobile in _PRESENT


class Presence:
    """Follows StatusChange events; knows who is available now (for expected shares)."""

    def __init__(self, config: ShopConfig, window: Window, clock: LocalClock) -> None:
        mobile_ok = config.routing.mobile_reception
        self.window = window
        self.clock = clock
        self.agents: dict[str, AgentTime] = {
            agent.id: AgentTime(agent.id, mobile_ok and agent.mobile) for agent in config.agents
        }
        self.available: set[str] = set()
        """Who can take new buyers now."""

    def changes_availability(self, event: StatusChange) -> bool:
        """Whether :meth:`status` would add ``event.agent`` to ``available`` or take it out
        (asked before the change, while ``available`` still says who it was)."""
        agent = self.agents.get(event.agent)
        if agent is None:
            return event.device != "mobile" and event.status == "online"
        return _available(*_devices_after(agent, event), agent.counts_mobile) != agent.available

    def status(self, event: StatusChange) -> None:
        agent = self.agents.get(event.agent)
        if agent is None:
            agent = self.agents[event.agent] = AgentTime(event.agent, False)
        self._accumulate(agent, event.time)
        was_available = agent.available
        agent.pc, agent.mobile = _devices_after(agent, event)
        if agent.available != was_available:
            if agent.available:
                self.available.add(agent.id)
            else:
                self.available.discard(agent.id)

    def finish(self, end: float) -> None:
        """Count everyone still logged in up to ``end``."""
        for agent in self.agents.values():
            self._accumulate(agent, end)

    def _accumulate(self, agent: AgentTime, now: float) -> None:
        start = max(agent.since, self.window.since)
        stop = min(now, self.window.until)
        agent.since = now
        if stop <= start or not (agent.present or agent.available):
            return
        span = stop - start
        if agent.pc in _PRESENT:
            agent.online_s += span
            if agent.pc == "suspended":
                agent.suspended_s += span
        if agent.mobile in _PRESENT:
            agent.mobile_s += span
        available = agent.available
        if available:
            agent.available_s += span
        for hour, seconds in self.clock.split_hours(start, stop):
            agent.present_by_hour[hour] += seconds
            if available:
                agent.available_by_hour[hour] += seconds


def _available(pc: str, mobile: str, counts_mobile: bool) -> bool:
    """Online and not suspended on a device that counts for routing (R2)."""
    return pc == "online" or (counts_mobile and mobile == "online")


def _devices_after(agent: AgentTime, event: StatusChange) -> tuple[str, str]:
    """The agent's (pc, mobile) states once ``event`` is applied."""
    if event.device == "mobile":
        return agent.pc, event.status
    return event.status, agent.mobile
