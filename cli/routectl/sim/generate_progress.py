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

from routectl.i18n import N_
from routectl.progress import ProgressBar, count_text, progress_enabled, shown

CHUNK_ROWS = 10_000
"""Rows written between two updates of the bar."""


class RowsBar(ProgressBar):
    """``generate-log  [#####-----]  42%  420k/1.0M rows  310k rows/s  ETA 0:02``."""

    unit_name = N_("rows")

    def done_units(self) -> int:
        return self.rows

    def amount(self, units: float) -> str:
        return count_text(units)


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
    with shown(RowsBar(target, "generate-log", total, clock=clock)) as bar:
        yield bar
