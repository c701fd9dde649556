"""The tests' own reference model of agents' effective states (R1, R2), written once.

Rebuilt from status rows alone, independently of the engine, so that property tests
can check who may receive an inquiry against it.
"""

from __future__ import annotations

from routectl.events import StatusChange
from routectl.model import ShopConfig


class Presence:
    """Each agent's effective state (R1, R2), rebuilt from status rows alone."""

    def __init__(self, config: ShopConfig) -> None:
        self.counts_mobile = {
            a.id: config.routing.mobile_reception and a.mobile for a in config.agents
        }
        self.devices: dict[tuple[str, str], str] = {}

    def update(self, event: StatusChange) -> None:
        self.devices[(event.agent, event.device)] = event.status

    def state(self, agent: str) -> str:
        """``online`` if a counting device is online, else ``suspended`` if one is
        suspended, else ``offline`` (``mobile`` counts only where R2 lets it)."""
        states = {self.devices.get((agent, "pc"), "offline")}
        if self.counts_mobile[agent]:
            states.add(self.devices.get((agent, "mobile"), "offline"))
        return next((s for s in ("online", "suspended") if s in states), "offline")
