"""The shell side of reading a log: open the file or stdin, report skipped rows.

Commands call :func:`open_events`; the engine never sees a file.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, TextIO
from zoneinfo import ZoneInfo

import click

from routectl.encodings import SNIFF_BYTES, codec_for
from routectl.errors import BadLogRow, UsageProblem
from routectl.events import Event
from routectl.logreader import UNDECODABLE_ERRORS, read_events
from routectl.model import ShopConfig
from routectl.notices import skipped_notice
from routectl.progress import clear_progress, track_progress


@dataclass
class SkipCounter:
    """Counts and lists skipped rows on stderr (``--skip-bad``)."""

    count: int = 0
    read_errors: int = 0
    """Rows the reader skipped (the rest of ``count``: events the engine refused)."""
    rows: int = 0
    """Rows in the log: events read plus rows the reader skipped (set at the end)."""

    def __call__(self, error: BadLogRow) -> None:
        self.count += 1
        clear_progress()
        click.echo(f"routectl: skipped: {error}", err=True)

    def reader_skip(self, error: BadLogRow) -> None:
        self.read_errors += 1
        self(error)

    def summary(self) -> str | None:
        if not self.count:
            return None
        rows = "row" if self.count == 1 else "rows"
        return f"routectl: skipped {self.count} bad {rows} (--skip-bad)"


def _counted(events: Iterator[Event], counter: SkipCounter) -> Iterator[Event]:
    read = 0
    for event in events:
        read += 1
        yield event
    counter.rows = read + counter.read_errors


def _head(stream: BinaryIO) -> bytes:
    """The first bytes of ``stream`` without consuming them (for the encoding sniff)."""
    peek = getattr(stream, "peek", None)
    try:
        if peek is not None:
            return bytes(peek(SNIFF_BYTES)[:SNIFF_BYTES])
        if stream.seekable():
            head = stream.read(SNIFF_BYTES)
            stream.seek(0)
            return head
    except (OSError, ValueError):
        pass
    return b""


def _as_text(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    codec = codec_for(encoding, _head(stream))
    return io.TextIOWrapper(stream, encoding=codec, errors=UNDECODABLE_ERRORS, newline="")


@contextlib.contextmanager
def open_log_text(path: str, encoding: str) -> Iterator[TextIO]:
    """Open a log (``-`` = stdin) as text with universal newlines left to the csv module.

    The codec comes from ``encoding`` and the log's first bytes (:mod:`routectl.encodings`).
    """
    if path == "-":
        _say_reading_stdin()
        stdin = _as_text(sys.stdin.buffer, encoding)
        try:
            yield stdin
        finally:
            with contextlib.suppress(ValueError, OSError):
                stdin.detach()  # leave sys.stdin open for whoever comes after
        return
    try:
        handle = _as_text(open(path, "rb", buffering=SNIFF_BYTES), encoding)
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"{path}: is a folder, not a log file") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        yield handle


def _say_reading_stdin() -> None:
    """Never wait silently: a person who forgot the LOG argument is told what happens."""
    try:
        on_terminal = sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        on_terminal = False
    if on_terminal:
        click.echo(
            "routectl: reading the log from standard input (give a LOG file to read one; "
            "end input with Ctrl-D)",
            err=True,
        )


@contextlib.contextmanager
def open_events(
    path: str,
    config: ShopConfig,
    *,
    encoding: str = "utf-8",
    skip_bad: bool = False,
    columns: Mapping[str, str] | None = None,
    sort: bool = False,
) -> Iterator[tuple[Iterator[Event], SkipCounter]]:
    """Yield ``(events, skipped)`` for a log; print the skip summary when done.

    ``columns`` (``--columns``) maps columns to other headings; ``sort`` (``--sort``)
    orders the rows by time first.
    """
    counter = SkipCounter()
    source = "<stdin>" if path == "-" else path
    with open_log_text(path, encoding) as raw_text, track_progress(raw_text, label=source) as text:
        events = read_events(
            text,
            source,
            ZoneInfo(config.shop.timezone),
            known_agents=frozenset(agent.id for agent in config.agents),
            on_bad=counter.reader_skip if skip_bad else None,
            columns=columns,
            sort=sort,
        )
        yield (_counted(events, counter) if skip_bad else events), counter
    for line in (counter.summary(), skipped_notice(counter.count, counter.rows)):
        if line:
            click.echo(line, err=True)
