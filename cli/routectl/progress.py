"""A progress bar on standard error while a long log is read (``replay``, ``report``).

The bar counts bytes where they enter the text layer: the opened log's binary stream is
re-wrapped as ``TextIOWrapper -> BufferedReader -> _CountingRaw -> original buffer``, so
the accounting runs once per 64 KiB chunk, never per row, and the clock is looked at
once per chunk too. The bar is redrawn at most every :data:`REDRAW_S` seconds and shows
bytes read (and the percentage when the size is known), rows/s (newlines counted per
chunk, so a quoted field spanning lines counts twice: it is a rate, not a row number)
and an ETA. It is cleared when the reading ends.

Nothing is shown when standard error is not a terminal or ``CI`` is set
(:func:`progress_enabled`); the stream is then returned untouched, so a disabled bar
costs nothing.

Wiring (``routectl.logio.source.open_events``; the only change needed there)::

    from routectl.progress import track_progress

    with open_log_text(path, encoding) as text, track_progress(text, label=source) as text:
        events = read_events(text, source, ...)
        yield events, counter

Anything else written to standard error while the bar is up (``--skip-bad`` messages)
should call :func:`clear_progress` first, so the message does not land on top of the bar;
the bar is redrawn at its next update.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, BinaryIO, TextIO, TypeVar

from routectl.i18n import _
from routectl.safetext import printable

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

REDRAW_S = 0.2
"""Least time between two redraws (at most 5 per second)."""
CHUNK = 64 * 1024
"""Bytes read from the log at a time once the bar is on."""
BAR_WIDTH = 24

_active: list[ProgressBar] = []
Bar = TypeVar("Bar", bound="ProgressBar")


def progress_enabled(
    stream: TextIO | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether to draw a bar on ``stream`` (default standard error).

    Only on a terminal, and never when ``CI`` is set to anything non-empty.
    """
    env = os.environ if environ is None else environ
    if env.get("CI"):
        return False
    target = sys.stderr if stream is None else stream
    try:
        return bool(target.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def clear_progress() -> None:
    """Erase the bar being shown (if any) before printing something else on stderr."""
    for bar in _active:
        bar.clear()


class ProgressBar:
    """Renders ``label  [#####-----]  42%  12.0/28.6 MB  310k rows/s  ETA 0:05``.

    Progress is counted in bytes read; a subclass counts something else by overriding
    :meth:`done_units`, :meth:`amount` and :attr:`unit_name`.
    """

    unit_name = "MB"

    def __init__(
        self,
        out: TextIO,
        label: str,
        total: int | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = REDRAW_S,
    ) -> None:
        self.out = out
        label = printable(label)
        self.label = label if len(label) <= 30 else "…" + label[-29:]
        self.total = total if total and total > 0 else None
        self.clock = clock
        self.interval = interval
        self.started = clock()
        self.next_draw = self.started + interval
        self.bytes = 0
        self.rows = 0
        self.shown = False

    def update(self, size: int, rows: int) -> None:
        """Count a chunk; redraw when the last redraw is old enough."""
        self.bytes += size
        self.rows += rows
        now = self.clock()
        if now >= self.next_draw:
            self.next_draw = now + self.interval
            self.draw(now)

    def done_units(self) -> int:
        """How far along, in the units of ``total`` (bytes read here)."""
        return self.bytes

    def amount(self, units: float) -> str:
        """``units`` as the bar shows them (megabytes here)."""
        return _megabytes(int(units))

    def render(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.rows / elapsed
        units = self.done_units()
        parts = [self.label]
        if self.total is not None:
            done = min(units / self.total, 1.0)
            filled = int(done * BAR_WIDTH)
            parts.append(f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done * 100:3.0f}%")
            parts.append(f"{self.amount(units)}/{self.amount(self.total)} {_(self.unit_name)}")
        else:
            parts.append(f"{self.amount(units)} {_(self.unit_name)}")
        parts.append(_("{count} rows/s").format(count=count_text(rate)))
        if self.total is not None and units:
            left = elapsed * (self.total - min(units, self.total)) / units
            parts.append(f"ETA {int(left) // 60}:{int(left) % 60:02d}")
        return "  ".join(parts)

    def draw(self, now: float) -> None:
        self.out.write("\r" + self.render(now) + "\x1b[K")
        self.out.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.shown = False


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def count_text(value: float) -> str:
    """A count as a bar shows it: ``950``, ``42k``, ``1.2M``."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}"


class _CountingRaw(io.RawIOBase):
    """A raw stream over another binary stream that reports every chunk to a bar.

    Closing it does not close the stream underneath: that one belongs to the caller.
    """

    def __init__(self, inner: BinaryIO, bar: ProgressBar) -> None:
        super().__init__()
        self.inner = inner
        # read1 returns what is there (a pipe fed slowly is not held up), read waits.
        self.read_some: Callable[[int], bytes] = getattr(inner, "read1", inner.read)
        self.bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read_some(len(view))
        size = len(data)
        if size:
            view[:size] = data
            self.bar.update(size, data.count(b"\n"))
        return size


def _stream_size(stream: BinaryIO) -> int | None:
    """Bytes left to read in ``stream`` when it is a regular file, else None."""
    try:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        return max(info.st_size - stream.tell(), 0)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None


def wrap_text(text: TextIO, bar: ProgressBar) -> TextIO:
    """A text stream reading what ``text`` would read, reporting to ``bar``.

    ``text`` must be a fresh :class:`io.TextIOWrapper` (nothing read from it yet); the
    new stream keeps its encoding and error handling and reads with ``newline=""``.
    """
    if not isinstance(text, io.TextIOWrapper):
        raise TypeError("progress needs a TextIOWrapper over a binary stream")
    raw = _CountingRaw(text.buffer, bar)
    buffered = io.BufferedReader(raw, buffer_size=CHUNK)
    return io.TextIOWrapper(buffered, encoding=text.encoding, errors=text.errors, newline="")


@contextlib.contextmanager
def track_progress(
    text: TextIO,
    *,
    label: str,
    out: TextIO | None = None,
    enabled: bool | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[TextIO]:
    """Yield ``text``, wrapped with a progress bar on ``out`` (stderr) when enabled.

    ``enabled`` defaults to :func:`progress_enabled` for ``out``. Streams that cannot be
    wrapped (not a ``TextIOWrapper``, e.g. ``io.StringIO``) are yielded unchanged. The
    bar is cleared on the way out, also on errors.
    """
    target = sys.stderr if out is None else out
    if enabled is None:
        enabled = progress_enabled(target)
    if not enabled or not isinstance(text, io.TextIOWrapper):
        yield text
        return
    buffer = text.buffer
    bar = ProgressBar(target, label, _stream_size(buffer), clock=clock)
    wrapped = wrap_text(text, bar)
    assert isinstance(wrapped, io.TextIOWrapper)
    with shown(bar):
        try:
            yield wrapped
        finally:
            with contextlib.suppress(ValueError, OSError):
                wrapped.detach()


@contextlib.contextmanager
def shown(bar: Bar) -> Iterator[Bar]:
    """Show ``bar`` while the block runs (:func:`clear_progress` can erase it meanwhile);
    cleared on the way out, also on errors."""
    _active.append(bar)
    try:
        yield bar
    finally:
        _active.remove(bar)
        bar.clear()
