"""One-line warnings for runs that succeed but would otherwise look silently empty.

Pure: each function returns the line (or None) and the command prints it on stderr.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from routectl.i18n import N_, _, current_lang, in_lang
from routectl.timefmt import TimeFormatter

_NO_EVENTS = N_("routectl: warning: the log has no events, so the window {window} counts nothing")
_MISSES = N_("routectl: warning: the window {window} misses the log ({span}): it counts nothing")


def window_notice(
    since: float | None,
    until: float | None,
    first_event: float | None,
    last_event: float | None,
    timezone: str,
    lang: str | None = None,
) -> str | None:
    """When ``--since``/``--until`` select no part of the log, say so, with both spans."""
    if since is None and until is None:
        return None
    moment = TimeFormatter(ZoneInfo(timezone)).format
    lang = lang or current_lang()
    start, end = in_lang(lang, N_("start")), in_lang(lang, N_("end"))
    window = f"{moment(since) or start} .. {moment(until) or end}"
    if first_event is None or last_event is None:
        return in_lang(lang, _NO_EVENTS).format(window=window)
    before = until is not None and until <= first_event
    after = since is not None and since > last_event
    if not (before or after):
        return None
    span = f"{moment(first_event)} .. {moment(last_event)}"
    return in_lang(lang, _MISSES).format(window=window, span=span)


def skipped_notice(skipped: int, rows: int) -> str | None:
    """When ``--skip-bad`` skipped most rows, say how few the output stands on."""
    if skipped == 0 or skipped * 2 <= rows:
        return None
    return _(
        "routectl: warning: --skip-bad skipped {skipped} of {rows} rows; the output comes "
        "from the other {kept} only"
    ).format(skipped=skipped, rows=rows, kept=rows - skipped)
