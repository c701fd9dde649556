"""The shell side of reading a log: open the file or stdin, report skipped rows.

Commands call :func:`open_events`; the engine never sees a file.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, TextIO
from zoneinfo import ZoneInfo

import click

from routectl.errors import BadLogRow, RoutectlError, UsageProblem, os_reason
from routectl.events import Event
from routectl.i18n import _, ngettext
from routectl.logio.encodings import SNIFF_BYTES, codec_for, detect_codec
from routectl.logio.reader import read_events, undecodable_errors
from routectl.logio.sorting import first_row_back
from routectl.model import ShopConfig
from routectl.progress import clear_progress, track_progress
from routectl.safetext import printable


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
        click.echo(_("routectl: skipped: {error}").format(error=error), err=True)

    def reader_skip(self, error: BadLogRow) -> None:
        self.read_errors += 1
        self(error)

    def summary(self) -> str | None:
        if not self.count:
            return None
        message = ngettext(
            "routectl: skipped {count} bad row (--skip-bad)",
            "routectl: skipped {count} bad rows (--skip-bad)",
            self.count,
        )
        return message.format(count=self.count)


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


def _as_text(stream: BinaryIO, encoding: str | None) -> io.TextIOWrapper:
    codec = _codec(stream, encoding)
    return io.TextIOWrapper(stream, encoding=codec, errors=undecodable_errors(), newline="")


def _codec(stream: BinaryIO, encoding: str | None) -> str:
    """``encoding`` as named; unnamed (or ``auto``), detected from a regular file's bytes
    (:func:`~routectl.logio.encodings.detect_codec`), or sniffed from a stream's first bytes;
    standard input unnamed is UTF-8 (the contract: it is not detected)."""
    if encoding is None and stream is _stdin_buffer():
        encoding = "utf-8"
    if encoding in (None, "auto") and _is_regular(stream):
        return detect_codec(stream)
    return codec_for(encoding or "auto", _head(stream))


def _stdin_buffer() -> BinaryIO | None:
    return getattr(sys.stdin, "buffer", None)


def _is_regular(stream: BinaryIO | TextIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode) and stream.seekable()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


@contextlib.contextmanager
def open_log_text(path: str, encoding: str | None = None) -> Iterator[TextIO]:
    """Open a log (``-`` = stdin) as text with universal newlines left to the csv module.

    The codec comes from ``encoding`` (None: detected on a file, UTF-8 on standard
    input) and the log's bytes (:mod:`routectl.logio.encodings`).
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
        binary = open(path, "rb", buffering=SNIFF_BYTES)  # closed by the wrapper below
    except FileNotFoundError:
        raise UsageProblem(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise UsageProblem(_("{path}: is a folder, not a log file").format(path=path)) from None
    except OSError as exc:
        raise UsageProblem(
            _("{path}: cannot read: {reason}").format(path=path, reason=os_reason(exc))
        ) from None
    try:
        handle = _as_text(binary, encoding)
    except OSError as exc:  # EIO while detecting: a log failing while read (exit 1)
        binary.close()
        reason = os_reason(exc)
        message = _("{path}: cannot read: {reason}").format(path=printable(path), reason=reason)
        raise RoutectlError(message) from None
    except BaseException:
        binary.close()
        raise
    with handle:
        yield handle


def _out_of_order(
    path: str, text: TextIO, zone: ZoneInfo, columns: Mapping[str, str] | None
) -> tuple[int | None, bool]:
    """Where a regular file's rows first go back in time (None: in order, or not a
    regular file), and whether that was found already in this command run: ``backtest``
    reads LOG twice, looks once and says it once."""
    if not _is_regular(text):
        return None, False
    info = os.fstat(text.fileno())
    key = (path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, text.encoding)
    context = click.get_current_context(silent=True)
    seen: dict[object, int | None] = (
        {} if context is None else context.meta.setdefault("routectl.logio.source.order", {})
    )
    if key in seen:
        return seen[key], True
    try:
        with open(path, encoding=text.encoding, errors="replace", newline="") as again:
            line = first_row_back(again, zone, columns)
    except (OSError, UnicodeError):
        line = None  # the real read reports what is wrong, at its line
    seen[key] = line
    return line, False


def _stdin_on_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _say_reading_stdin() -> None:
    """Never wait silently: a person who forgot the LOG argument is told what happens."""
    if _stdin_on_terminal():
        click.echo(
            _(
                "routectl: reading the log from standard input (give a LOG file to read one; "
                "end input with Ctrl-D)"
            ),
            err=True,
        )


@contextlib.contextmanager
def open_events(
    path: str,
    config: ShopConfig,
    *,
    encoding: str | None = None,
    skip_bad: bool = False,
    columns: Mapping[str, str] | None = None,
    sort: bool = False,
) -> Iterator[tuple[Iterator[Event], SkipCounter]]:
    """Yield ``(events, skipped)`` for a log; print the skip summary when done.

    ``columns`` (``--columns``) maps columns to other headings; ``sort`` (``--sort``)
    orders the rows by time first, as does a regular file found out of order (one line
    on stderr says so). ``encoding`` None: detected on a file, UTF-8 on standard input.
    """
    counter = SkipCounter()
    source = "<stdin>" if path == "-" else path
    zone = ZoneInfo(config.shop.timezone)
    with contextlib.ExitStack() as stack:
        raw_text = stack.enter_context(open_log_text(path, encoding))
        if not sort and path != "-":
            back, said = _out_of_order(path, raw_text, zone, columns)
            sort = back is not None
            if back is not None and not said:
                click.echo(
                    _(
                        "routectl: {path}: rows are not in time order (line {line} "
                        "goes back in time); sorting them by time first (equal times keep "
                        "file order)"
                    ).format(path=printable(path), line=back),
                    err=True,
                )
        # A log typed or pasted on the terminal shares it with stderr: no bar over it.
        bar = False if path == "-" and _stdin_on_terminal() else None
        text = stack.enter_context(track_progress(raw_text, label=source, enabled=bar))
        events = read_events(
            text,
            source,
            zone,
            known_agents=frozenset(agent.id for agent in config.agents),
            on_bad=counter.reader_skip if skip_bad else None,
            columns=columns,
            sort=sort,
        )
        yield (_counted(events, counter) if skip_bad else events), counter
    for line in (counter.summary(), skipped_notice(counter.count, counter.rows)):
        if line:
            click.echo(line, err=True)


def skipped_notice(skipped: int, rows: int) -> str | None:
    """When ``--skip-bad`` skipped most rows, say how few the output stands on."""
    if skipped == 0 or skipped * 2 <= rows:
        return None
    return _(
        "routectl: warning: --skip-bad skipped {skipped} of {rows} rows; "
        "the output comes from the other {left} only"
    ).format(skipped=skipped, rows=rows, left=rows - skipped)
