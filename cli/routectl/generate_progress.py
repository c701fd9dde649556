"""The progress bar of ``generate-log``: rows written of rows planned, on stderr.

Reuses :class:`routectl.progress.ProgressBar` (same look, redraw rate and terminal / CI
rules as ``replay``'s bar), counting rows instead of bytes.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from routectl.progress import BAR_WIDTH, ProgressBar, _active, progress_enabled

CHUNK_ROWS = 10_000
"""Rows written between two updates of the bar."""


class RowsBar(ProgressBar):
    """``generate-log  [#####-----]  42%  420k/1.0M rows  310k rows/s  ETA 0:02``."""

    def render(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.rows / elapsed
        parts = [self.label]
        if self.total is not None:
            done = min(self.rows / self.total, 1.0)
            filled = int(done * BAR_WIDTH)
            parts.append(f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done * 100:3.0f}%")
            parts.append(f"{_count(self.rows)}/{_count(self.total)} rows")
        else:
            parts.append(f"{_count(self.rows)} rows")
        parts.append(f"{_count(rate)} rows/s")
        if self.total is not None and self.rows and rate:
            left = max(self.total - self.rows, 0) / rate
            parts.append(f"ETA {int(left) // 60}:{int(left) % 60:02d}")
        return "  ".join(parts)


def _count(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}"


@contextlib.contextmanager
def rows_progress(
    total: int | None,
    *,
    out: TextIO | None = None,
    enabled: bool | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[RowsBar | None]:
    """A bar on ``out`` (stderr) when enabled (a terminal, no ``CI``), else None.

    Cleared on the way out, also on errors.
    """
    target = sys.stderr if out is None else out
    if enabled is None:
        enabled = progress_enabled(target)
    if not enabled:
        yield None
        return
    bar = RowsBar(target, "generate-log", total, clock=clock)
    _active.append(bar)
    try:
        yield bar
    finally:
        _active.remove(bar)
        bar.clear()
