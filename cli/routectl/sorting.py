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
import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

Record = tuple[float, int, list[str]]

CHUNK_ROWS = 200_000
"""Rows sorted in memory at a time (a few tens of MB for a typical export)."""


def sort_records(records: Iterable[Record], chunk_rows: int = CHUNK_ROWS) -> Iterator[Record]:
    """Yield ``records`` ordered by ``(time, line)``."""
    source = iter(records)
    first = sorted(itertools.islice(source, chunk_rows))
    if len(first) < chunk_rows:
        yield from first
        return
    with tempfile.TemporaryDirectory(prefix="routectl-sort-") as folder:
        paths = [_spill(first, folder, 0)]
        del first
        for number in itertools.count(1):
            chunk = sorted(itertools.islice(source, chunk_rows))
            if not chunk:
                break
            paths.append(_spill(chunk, folder, number))
        handles: list[BinaryIO] = []
        try:
            for path in paths:
                handles.append(open(path, "rb"))  # closed in finally
            yield from heapq.merge(*(_load(handle) for handle in handles))
        finally:
            for handle in handles:
                handle.close()


def _spill(chunk: list[Record], folder: str, number: int) -> str:
    path = os.path.join(folder, f"chunk-{number:06d}.pickle")
    with open(path, "wb") as out:
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        for record in chunk:
            pickler.dump(record)
            pickler.clear_memo()
    return path


def _load(handle: BinaryIO) -> Iterator[Record]:
    unpickler = pickle.Unpickler(handle)
    while True:
        try:
            record: Record = unpickler.load()
        except EOFError:
            return
        yield record
