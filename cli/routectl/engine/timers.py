"""A timer heap keyed ``(time, priority, sequence)``, the way SimPy's core orders events.

The sequence number makes equal keys impossible, so payloads are never compared and
timers due at the same time fire in a fixed order: by priority, then by creation.
"""

from __future__ import annotations

import heapq
from typing import Generic, TypeVar

T = TypeVar("T")

TIMEOUT = 0
"""R6: a conversation's silence reached ``session_timeout``."""
EXPIRY = 1
"""R17: a pooled inquiry reached ``pool_retention_days``."""
HELD_EXPIRY = 2
"""R17: a message held for an offline agent reached ``pool_retention_days``."""


class TimerHeap(Generic[T]):
    __slots__ = ("_heap", "_seq", "entries")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, T]] = []
        self.entries = self._heap
        """The heap itself, read-only: ``entries[0][0]`` is the earliest due time (a
        per-event check without a method call)."""
        self._seq = 0

    def push(self, due: float, priority: int, payload: T) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, priority, self._seq, payload))

    def due_by(self, now: float) -> bool:
        """Whether some timer is due at or before ``now``."""
        heap = self._heap
        return bool(heap) and heap[0][0] <= now

    def pop_due(self, now: float) -> tuple[float, int, T] | None:
        """The earliest timer due at or before ``now``, removed; None if there is none."""
        heap = self._heap
        if not heap or heap[0][0] > now:
            return None
        due, priority, _, payload = heapq.heappop(heap)
        return due, priority, payload

    def __len__(self) -> int:
        return len(self._heap)
