"""A timer heap keyed ``(time, priority, sequence)``, the way SimPy's core orders events.

The sequence number makes equal keys impossible, so payloads are never compared and
timers due at the same time fire in a fixed order: by priority, then by creation.
"""

from __future__ import annotations

import heapq
from typing import Generic, TypeVar, final

from routectl.engine.state import Conversation, Timer

T = TypeVar("T")

TIMEOUT = 0
"""R6: a conversation's silence reached ``session_timeout``."""
EXPIRY = 1
"""R17: a pooled inquiry reached ``pool_retention_days``."""
HELD_EXPIRY = 2
"""R17: a message held for an offline agent reached ``pool_retention_days``."""


@final
class TimerHeap(Generic[T]):
    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, T]] = []
        self._seq = 0

    def push(self, due: float, priority: int, payload: T) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, priority, self._seq, payload))

    def due_by(self, now: float) -> bool:
        """Whether some timer is due at or before ``now``."""
        heap = self._heap
        return bool(heap) and heap[0][0] <= now

    def peek(self) -> float | None:
        """The earliest due time, or None without any timer."""
        heap = self._heap
        return heap[0][0] if heap else None

    def pop_due(self, now: float) -> tuple[float, int, T] | None:
        """The earliest timer due at or before ``now``, removed; None if there is none."""
        heap = self._heap
        if not heap or heap[0][0] > now:
            return None
        due, priority, _, payload = heapq.heappop(heap)
        return due, priority, payload

    def __len__(self) -> int:
        return len(self._heap)


@final
class Timeouts:
    """R6: one live timeout timer per conversation, on the engine's timer heap."""

    __slots__ = ("timeout", "timers")

    def __init__(self, timers: TimerHeap[Timer], timeout: float) -> None:
        self.timers = timers
        self.timeout = timeout
        """``session_timeout`` in seconds."""

    def arm(self, conversation: Conversation) -> None:
        if not conversation.timer_live:
            conversation.timer_live = True
            self.timers.push(conversation.last + self.timeout, TIMEOUT, conversation)
