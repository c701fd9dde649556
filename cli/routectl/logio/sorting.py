"""External merge sort of log rows by time, in bounded memory, and the check whether a
log needs it.

Rows are read in chunks of at most :data:`CHUNK_ROWS` rows and :data:`CHUNK_BYTES` bytes
(pickled: about the characters of the row), whichever comes first; each chunk is sorted
in memory and, when the log holds more than one chunk, written to a temporary file; the
files are then merged with :func:`heapq.merge`, at most :data:`FAN_IN` at a time (more
are first merged in groups into longer files), so the open files stay few whatever the
log's size. Memory holds one chunk while reading and one row per open chunk file while
merging, so a month of log sorts like a day, and a log of long rows like one of short
ones. A log that fits in one chunk never touches the disk.

Records are ``(time, line, row)``: equal times keep file order because the line number
breaks the tie (a stable sort), and the line number stays the row's own, so a bad row
found after sorting is still reported at ``LOG:LINE``.

:func:`first_row_back` is the cheap look at a regular file before the real read: is it
in time order? It reads the time column only, as text (see there), so a log in order
costs about one bare ``csv.reader`` pass more (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import csv
import heapq
import itertools
import math
import os
import pickle
import struct
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO, TextIO
from zoneinfo import ZoneInfo

from routectl.errors import UsageProblem, os_reason
from routectl.i18n import _
from routectl.logio.headers import resolve_header
from routectl.logio.timefmt import TimeParser

Record = tuple[float, int, list[str]]
_Packed = tuple[float, int, bytes]
"""A record held while sorting: the row pickled on its own (one bytes object, a fraction
of the memory of a list of str), so a chunk costs about its size on disk."""

CHUNK_ROWS = 100_000
"""Rows sorted in memory at a time (some 20-40 MB for a typical export)."""
CHUNK_BYTES = 16 * 1024 * 1024
"""Bytes of pickled rows sorted in memory at a time: a log of long rows (a 20 KB text in
each) fills a chunk with fewer rows instead of reaching gigabytes."""
FAN_IN = 64
"""Chunk files merged at once: the files open at a time, far below any descriptor limit."""
_FRAME = struct.Struct("<dqI")  # time, line, length of the pickled row


def sort_records(records: Iterable[Record], chunk_rows: int | None = None) -> Iterator[Record]:
    """Yield ``records`` ordered by ``(time, line)``, ``chunk_rows`` (default
    :data:`CHUNK_ROWS`) at a time in memory."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    packed = (
        (time, line, pickle.dumps(row, pickle.HIGHEST_PROTOCOL)) for time, line, row in records
    )
    first, full = _chunk(packed, chunk_rows)
    if not full:
        yield from _unpacked(first)
        return
    try:
        yield from _merged(first, packed, chunk_rows)
    except OSError as exc:
        raise UsageProblem(
            _(
                "sorting the log by time: cannot use temporary files in {folder}: "
                "{reason} (set TMPDIR to a folder with room for the log)"
            ).format(folder=tempfile.gettempdir(), reason=os_reason(exc))
        ) from None


def _chunk(packed: Iterator[_Packed], chunk_rows: int) -> tuple[list[_Packed], bool]:
    """The next chunk, sorted, and whether it stopped at a bound (more may follow)."""
    chunk: list[_Packed] = []
    size = 0
    limit = CHUNK_BYTES
    for record in packed:
        chunk.append(record)
        size += len(record[2]) + 64  # the row, its record and the list's slot
        if len(chunk) >= chunk_rows or size >= limit:
            chunk.sort()
            return chunk, True
    chunk.sort()
    return chunk, False


def _merged(first: list[_Packed], packed: Iterator[_Packed], chunk_rows: int) -> Iterator[Record]:
    with tempfile.TemporaryDirectory(prefix="routectl-sort-") as folder:
        numbers = itertools.count()
        # Files by level: FAN_IN files of one level merge into one of the next, so each
        # row is rewritten once per level (log base FAN_IN of the chunks), not per merge.
        levels: list[list[str]] = [[_spill(first, folder, next(numbers))]]
        del first
        full = True
        while full:
            chunk, full = _chunk(packed, chunk_rows)
            if chunk:
                levels[0].append(_spill(chunk, folder, next(numbers)))
            del chunk
            for level, paths in enumerate(levels):
                if len(paths) < FAN_IN:
                    break
                if level + 1 == len(levels):
                    levels.append([])
                levels[level + 1].append(_merge_files(paths, folder, next(numbers)))
                paths.clear()
        paths = [path for files in levels for path in files]
        while len(paths) > FAN_IN:  # what is left over the levels: merge the smaller first
            paths = [*paths[FAN_IN - 1 :], _merge_files(paths[: FAN_IN - 1], folder, next(numbers))]
        with _opened(paths) as handles:
            yield from _unpacked(heapq.merge(*(_load(handle) for handle in handles)))


@contextlib.contextmanager
def _opened(paths: list[str]) -> Iterator[list[BinaryIO]]:
    handles: list[BinaryIO] = []
    try:
        for path in paths:
            handles.append(open(path, "rb", buffering=64 * 1024))  # closed in finally
        yield handles
    finally:
        for handle in handles:
            handle.close()


def _merge_files(paths: list[str], folder: str, number: int) -> str:
    """Merge sorted chunk files into one (then removed); return its path."""
    with _opened(paths) as handles:
        merged = _spill(heapq.merge(*(_load(handle) for handle in handles)), folder, number)
    for path in paths:
        os.remove(path)
    return merged


def _unpacked(records: Iterable[_Packed]) -> Iterator[Record]:
    for time, line, row in records:
        yield time, line, pickle.loads(row)


def _spill(chunk: Iterable[_Packed], folder: str, number: int) -> str:
    path = os.path.join(folder, f"chunk-{number:06d}.bin")
    with open(path, "wb", buffering=256 * 1024) as out:
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


_BLOCK_CHARS = 1 << 20
_LONGEST_LINE = 2_000_000
"""Longest line the order check holds (as ``linebound.MAX_LINE_CHARS``); the rest of a
longer one is passed over, and the real read reports it."""
_LONGEST_FIELD = 1_000_000  # as logreader.MAX_FIELD_BYTES, which sets the same global


class _BlockLines:
    """The lines of a text stream, read a block at a time and split in C (the order check
    does not need :class:`~routectl.logio.linebound.BoundedLines`' exact per-line bookkeeping,
    only bounded memory). ``dropped`` counts the over-long lines passed over."""

    def __init__(self, text: TextIO) -> None:
        self.text = text
        self.dropped = 0

    def blocks(self) -> Iterator[list[str]]:
        carry = ""
        skipping = False
        while block := self.text.read(_BLOCK_CHARS):
            if skipping:
                ends = [at for at in (block.find("\n"), block.find("\r")) if at >= 0]
                if not ends:
                    continue
                block, skipping = block[min(ends) + 1 :], False
                if not block:
                    continue
            lines = (carry + block).splitlines()  # any line end: LF, CRLF, CR alone
            carry = lines.pop()
            if len(carry) > _LONGEST_LINE:
                carry, skipping = "", True
                self.dropped += 1
            yield lines
        if carry:
            yield [carry]


def first_row_back(
    text: TextIO, zone: ZoneInfo, columns: Mapping[str, str] | None = None
) -> int | None:
    """The line of the first row of a CSV log whose time is earlier than a row's before
    it, or None when the rows are in time order (or the header does not say where the
    time is: the real read reports that).

    A time is parsed only when its text leaves the previous one's hour: a different
    length, first 13 characters (``2026-11-02T08``) or text after the seconds (an
    offset), or text that sorts lower. Inside an hour, the text's order is the time's
    (minutes and seconds are written with their leading zero), so most rows cost a few
    string comparisons. Unreadable rows and times that do not parse are passed over:
    the real read reports them at their lines.
    """
    csv.field_size_limit(_LONGEST_FIELD)
    lines = _BlockLines(text)
    reader = csv.reader(itertools.chain.from_iterable(lines.blocks()), strict=True)
    time_at = _time_column(reader, columns)
    if time_at is None:
        return None
    parser = TimeParser(zone)
    previous, hour, tail, size, latest = "", "", "", -1, -math.inf
    while True:
        try:
            for row in reader:
                if len(row) <= time_at:
                    continue
                raw = row[time_at]
                if (
                    len(raw) == size
                    and raw >= previous
                    and raw.startswith(hour)
                    and raw[19:] == tail
                ):
                    previous = raw
                    continue
                # previous first: in a repeated hour, the parser reads each time after
                # the ones before it (timefmt)
                before = _parsed(parser, previous) if previous else None
                time = _parsed(parser, raw)
                if time is None:
                    continue
                if before is not None and before > latest:
                    latest = before
                if time < latest:
                    return reader.line_num + lines.dropped
                previous, hour, tail, size, latest = raw, raw[:13], raw[19:], len(raw), time
            return None
        except csv.Error:
            continue  # the real read reports the row


def _time_column(reader: Iterator[list[str]], columns: Mapping[str, str] | None) -> int | None:
    try:
        for header in reader:
            if any(cell.strip() for cell in header):
                layout = resolve_header(header, columns)
                ok = not (layout.duplicates or layout.missing_mapped)
                return layout.index.get("time") if ok else None
    except csv.Error:
        pass
    return None


def _parsed(parser: TimeParser, raw: str) -> float | None:
    try:
        return parser.parse(raw.strip())
    except (ValueError, OverflowError):
        return None
