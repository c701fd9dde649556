"""``routectl report``: reply rate (R18-R21) and an explained split (R4, R22).

Pure core: events and the engine's outputs in, a :class:`Report` out; no file, clock or
Click. :func:`build_report` drives a :class:`ReportBuilder` from the ``(event, outputs)``
pairs of :func:`routectl.replay.run`, and :func:`assemble_report` turns the builder's
tally into a report; :mod:`.render` turns the report into a table, JSON or CSV;
:mod:`.window` resolves ``--since``/``--until`` against a given ``now``. The modules and
their dependency direction: docs/design/report.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from routectl.events import Event, Output
from routectl.model import ShopConfig
from routectl.report.assemble import assemble_report
from routectl.report.compute import ReportBuilder
from routectl.report.result import Report
from routectl.report.window import Window, resolve_window

__all__ = [
    "Report",
    "ReportBuilder",
    "Window",
    "assemble_report",
    "build_report",
    "resolve_window",
]


def build_report(
    config: ShopConfig,
    replayed: Iterable[tuple[Event | None, list[Output]]],
    window: Window | None = None,
    *,
    days: bool = True,
    breakdowns: bool = True,
) -> Report:
    """Aggregate ``(event, outputs)`` pairs; ``(None, outputs)`` is the engine's finish.

    ``days=False`` leaves the per-day rows out (empty ``days_rows``): cheaper, for a
    report that does not show them. ``breakdowns=False`` keeps only the summary and what
    ``routectl diff`` shows of the agents (no hour, day or group rows, no imbalances, no
    expected shares or sales per agent; see :class:`ReportBuilder`)."""
    builder = ReportBuilder(config, window or Window(), days=days, breakdowns=breakdowns)
    for event, outputs in replayed:
        if event is None:
            return assemble_report(builder.finish(outputs))
        builder.feed(event, outputs)
    return assemble_report(builder.finish(()))
