"""External merge sort of log rows by time, in bounded memory (``--sort``).

Rows are read in chunks of at most :data:`CHUNK_ROWS`; each chunk is sorted in memory
and, when the log holds more than one chunk, written to a temporary file; the files are
then merged with :func:`heapq.merge`. Memory holds one chunk while reading and one row
per chunk file while merging, so a month of log sorts like a day. A log that fits in
one chunk never touches the disk.

Records are ``(time, line, row)``: equal times keep file order because the line number
breaks the tie (a stable sort), and the line number stays the row's own, so a bad row
found after sorting is still reported at ``LOG:LINE``.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import struct
import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

Record = tuple[float, int, list[str]]
_Packed = tuple[float, int, bytes]
"""A record held while sorting: the row pickled on its own (one bytes object, a fraction
of the memory of a list of str), so a chunk costs about its size on disk."""

CHUNK_ROWS = 100_000
"""Rows sorted in memory at a time (some 20-40 MB for a typical export)."""
_FRAME = struct.Struct("<dqI")  # time, line, length of the pickled row


def sort_records(records: Iterable[Record], chunk_rows: int | None = None) -> Iterator[Record]:
    """Yield ``records`` ordered by ``(time, line)``, ``chunk_rows`` (default
    :data:`CHUNK_ROWS`) at a time in memory."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    packed = (
        (time, line, pickle.dumps(row, pickle.HIGHEST_PROTOCOL)) for time, line, row in records
    )
    first = sorted(itertools.islice(packed, chunk_rows))
    if len(first) < chunk_rows:
        yield from _unpacked(first)
        return
    with tempfile.TemporaryDirectory(prefix="routectl-sort-") as folder:
        paths = [_spill(first, folder, 0)]
        del first
        for number in itertools.count(1):
            chunk = sorted(itertools.islice(packed, chunk_rows))
            if not chunk:
                break
            paths.append(_spill(chunk, folder, number))
        del chunk
        handles: list[BinaryIO] = []
        try:
            for path in paths:
                handles.append(open(path, "rb", buffering=64 * 1024))  # closed in finally
            yield from _unpacked(heapq.merge(*(_load(handle) for handle in handles)))
        finally:
            for handle in handles:
                handle.close()


def _unpacked(records: Iterable[_Packed]) -> Iterator[Record]:
    for time, line, row in records:
        yield time, line, pickle.loads(row)


def _spill(chunk: list[_Packed], folder: str, number: int) -> str:
    path = os.path.join(folder, f"chunk-{number:06d}.bin")
    with open(path, "wb") as out:
        for time, line, row in chunk:
            out.write(_FRAME.pack(time, line, len(row)))
            out.write(row)
    return path


def _load(handle: BinaryIO) -> Iterator[_Packed]:
    """The records of one chunk file, in order (its own frames: nothing else is read)."""
    size = _FRAME.size
    while True:
        frame = handle.read(size)
        if len(frame) < size:
            return
        time, line, length = _FRAME.unpack(frame)
        yield time, line, handle.read(length)
