"""Message rows that wait for one decision, kept compact and spilled to disk.

An inquiry that waits (queued at the cap, pooled, R13/R14) and messages held for an
offline agent (R15) collect the buyer's later message rows until one decision settles
them all. One buyer writing a million times to nobody must not cost a million objects:
each row is two floats (its line, negative when it starts a conversation, and its time)
and the reasons are run-length coded (held rows share a handful of texts). Past
:data:`MEMORY_PAIRS` rows in memory over all the queues of one engine, a queue's rows go
in chunks to one anonymous temporary file (in ``$TMPDIR``, deleted when the engine is
gone), so memory does not grow with the messages of a waiting or held inquiry.

When the decision comes the engine hands the rows out as one :class:`~routectl.events.Rows`
that makes each :class:`~routectl.events.Routed` as it is read (decision 33).
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterator
from typing import IO

MEMORY_PAIRS = 131_072
"""Rows (line, time pairs: 16 bytes each) kept in memory over all queues: 2 MiB."""
CHUNK_PAIRS = 2048
"""A queue writes its rows to disk in chunks of at most this many (32 KiB)."""
SMALL_CHUNK = 64
"""Over the budget, a queue with at least this many rows in memory spills them (and so
does a decided queue, whose rows may wait to be read)."""
READ_VALUES = 128
"""Spilled chunks are read back this many values (64 rows, 1 KiB) at a time: thousands of
queues may each be part-way through reading theirs."""


class SpillFile:
    """The temporary file every :class:`RowQueue` of one engine spills to, and the
    count of rows the queues hold in memory."""

    __slots__ = ("_file", "in_memory")

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self.in_memory = 0

    def write(self, values: array[float]) -> int:
        """Append ``values``; return where they start."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="routectl-rows-")
        file = self._file
        at = file.seek(0, 2)
        values.tofile(file)
        return at

    def read(self, at: int, count: int) -> array[float]:
        assert self._file is not None
        self._file.seek(at)
        values = array("d")
        values.fromfile(self._file, count)
        return values

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class RowQueue:
    """Rows (line, time, starts, reason) in arrival order: in memory, or on disk in chunks.

    Appended at the back, read at the front with :meth:`first_time` / :meth:`popleft`,
    or read whole with :meth:`read` (any number of times: the rows stay where they are).
    Order: ``_head`` from ``_at`` on, then the spilled chunks, then ``_tail``.
    """

    __slots__ = ("_at", "_chunks", "_counted", "_head", "_reasons", "_store", "_tail", "size")

    def __init__(self, store: SpillFile) -> None:
        self._store = store
        self._head = array("d")
        """The front chunk being read (from disk, or the tail moved there)."""
        self._at = 0
        """Next value of ``_head`` to read."""
        self._chunks: list[tuple[int, int]] = []
        """Spilled chunks (file offset, values), oldest first (lists: an empty deque
        costs 600 bytes, and thousands of queues may wait at once)."""
        self._tail = array("d")
        """The newest rows, in memory: the only ones counted in the store's budget."""
        self._reasons: list[list[object]] = []
        """Run-length coded reasons: [count, text]; empty when rows carry none."""
        self.size = 0
        self._counted = True
        """Whether ``_tail`` counts in the store's budget (until :meth:`release`)."""

    def append(self, line: int, time: float, starts: bool = False, reason: str = "") -> None:
        tail = self._tail
        tail.append(-line if starts else line)
        tail.append(time)
        self.size += 1
        if reason:
            reasons = self._reasons
            if reasons and reasons[-1][1] == reason:
                reasons[-1][0] += 1  # type: ignore[operator]
            else:
                reasons.append([1, reason])
        store = self._store
        store.in_memory += 1
        pairs = len(tail) >> 1
        if pairs >= CHUNK_PAIRS or (store.in_memory > MEMORY_PAIRS and pairs >= SMALL_CHUNK):
            self._chunks.append((store.write(tail), len(tail)))
            store.in_memory -= pairs
            self._tail = array("d")

    def first_line(self) -> int:
        """Line of the oldest row (the queue is not empty); reads no chunk back."""
        if self._at < len(self._head):
            return int(abs(self._head[self._at]))
        if self._chunks:
            return int(abs(self._store.read(self._chunks[0][0], 1)[0]))
        return int(abs(self._tail[0]))

    def first_time(self) -> float:
        """Time of the oldest row (the queue is not empty)."""
        self._load_head()
        return self._head[self._at + 1]

    def popleft(self) -> tuple[int, float, bool, str]:
        """Take the oldest row: (line, time, starts, reason)."""
        self._load_head()
        at = self._at
        code, time = self._head[at], self._head[at + 1]
        self._at = at + 2
        self.size -= 1
        return int(abs(code)), time, code < 0, self._pop_reason()

    def _load_head(self) -> None:
        if self._at < len(self._head):
            return
        self._at = 0
        chunks = self._chunks
        if chunks:
            at, count = chunks[0]
            piece = min(count, READ_VALUES)  # one piece at a time: many queues may be read
            self._head = self._store.read(at, piece)
            if piece == count:
                del chunks[0]
            else:
                chunks[0] = (at + piece * 8, count - piece)
        else:
            self._head, self._tail = self._tail, array("d")
            if self._counted:
                self._store.in_memory -= len(self._head) >> 1

    def _pop_reason(self) -> str:
        reasons = self._reasons
        if not reasons:
            return ""
        first = reasons[0]
        text = first[1]
        first[0] -= 1  # type: ignore[operator]
        if not first[0]:
            del reasons[0]
        return text  # type: ignore[return-value]

    def read(self) -> Iterator[tuple[int, float, bool, str]]:
        """Every row, oldest first, without taking them (chunks read back one at a time)."""
        reasons = iter(list(self._reasons))
        left, text = 0, ""
        for part, start in self._parts():
            for index in range(start, len(part), 2):
                code = part[index]
                if left == 0:
                    run = next(reasons, None)
                    if run is not None:
                        left, text = run[0], run[1]  # type: ignore[assignment]
                if left:
                    left -= 1
                yield int(abs(code)), part[index + 1], code < 0, text

    def _parts(self) -> Iterator[tuple[array[float], int]]:
        yield self._head, self._at
        for at, count in list(self._chunks):
            for start in range(0, count, READ_VALUES):  # a reader holds one piece at a time
                yield self._store.read(at + start * 8, min(READ_VALUES, count - start)), 0
        yield self._tail, 0

    def release(self) -> None:
        """The rows are decided (read from now on, never appended or taken): stop
        counting those in memory against the budget. Once."""
        if self._counted:
            self._counted = False
            tail = self._tail
            self._store.in_memory -= len(tail) >> 1
            if len(tail) >> 1 >= SMALL_CHUNK:  # it may wait a while to be read: on disk
                self._chunks.append((self._store.write(tail), len(tail)))
                self._tail = array("d")
