"""The shell side of reading a log: open the file or stdin, report skipped rows.

Commands call :func:`open_events`; the engine never sees a file.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO
from zoneinfo import ZoneInfo

import click

from routectl.errors import BadLogRow, UsageProblem
from routectl.events import Event
from routectl.logreader import UNDECODABLE_ERRORS, read_events
from routectl.model import ShopConfig
from routectl.progress import clear_progress, track_progress


@dataclass
class SkipCounter:
    """Counts and lists skipped rows on stderr (``--skip-bad``)."""

    count: int = 0

    def __call__(self, error: BadLogRow) -> None:
        self.count += 1
        clear_progress()
        click.echo(f"routectl: skipped: {error}", err=True)

    def summary(self) -> str | None:
        if not self.count:
            return None
        rows = "row" if self.count == 1 else "rows"
        return f"routectl: skipped {self.count} bad {rows} (--skip-bad)"


@contextlib.contextmanager
def open_log_text(path: str, encoding: str) -> Iterator[TextIO]:
    """Open a log (``-`` = stdin) as text with universal newlines left to the csv module."""
    codec = "utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding
    if path == "-":
        stdin = io.TextIOWrapper(
            sys.stdin.buffer, encoding=codec, errors=UNDECODABLE_ERRORS, newline=""
        )
        try:
            yield stdin
        finally:
            with contextlib.suppress(ValueError, OSError):
                stdin.detach()  # leave sys.stdin open for whoever comes after
        return
    try:
        handle = open(path, encoding=codec, errors=UNDECODABLE_ERRORS, newline="")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"{path}: is a folder, not a log file") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        yield handle


@contextlib.contextmanager
def open_events(
    path: str, config: ShopConfig, *, encoding: str = "utf-8", skip_bad: bool = False
) -> Iterator[tuple[Iterator[Event], SkipCounter]]:
    """Yield ``(events, skipped)`` for a log; print the skip summary when done."""
    counter = SkipCounter()
    source = "<stdin>" if path == "-" else path
    with open_log_text(path, encoding) as raw_text, track_progress(raw_text, label=source) as text:
        events = read_events(
            text,
            source,
            ZoneInfo(config.shop.timezone),
            known_agents=frozenset(agent.id for agent in config.agents),
            on_bad=counter if skip_bad else None,
        )
        yield events, counter
    summary = counter.summary()
    if summary:
        click.echo(summary, err=True)
