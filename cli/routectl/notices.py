"""One-line warnings for runs that succeed but would otherwise look silently empty.

Pure: each function returns the line (or None) and the command prints it on stderr.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from routectl.i18n import _
from routectl.logio.timefmt import TimeFormatter


def window_notice(
    since: float | None,
    until: float | None,
    first_event: float | None,
    last_event: float | None,
    timezone: str,
) -> str | None:
    """When ``--since``/``--until`` select no part of the log, say so, with both spans."""
    if since is None and until is None:
        return None
    moment = TimeFormatter(ZoneInfo(timezone)).format
    window = f"{moment(since) or _('start')} .. {moment(until) or _('end')}"
    if first_event is None or last_event is None:
        message = _(
            "routectl: warning: the log has no events, so the window {window} counts nothing"
        )
        return message.format(window=window)
    before = until is not None and until <= first_event
    after = since is not None and since > last_event
    if not (before or after):
        return None
    span = f"{moment(first_event)} .. {moment(last_event)}"
    message = _("routectl: warning: the window {window} misses the log ({span}): it counts nothing")
    return message.format(window=window, span=span)
