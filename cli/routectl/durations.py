"""Durations written as ``90s``, ``3m``, ``1h``, ``1h30m`` or ``2d``."""

from __future__ import annotations

import re

from routectl.i18n import _

_PART = re.compile(r"(\d+)([dhms])")
_WHOLE = re.compile(r"^(?:\d+[dhms])+$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text``; raise ValueError with a readable reason."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or not _WHOLE.match(cleaned):
        message = _("{text} is not a duration; write it like '90s', '3m' or '1h'")
        raise ValueError(message.format(text=repr(text)))
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _PART.findall(cleaned))


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of ``seconds`` (``180`` -> ``3m``, ``0`` -> ``0s``)."""
    remaining = round(seconds)
    if remaining == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def shortest_duration(seconds: float) -> str:
    """The shortest exact spelling: :func:`format_duration`'s, or one unit when that is
    shorter (``100`` -> ``100s``, not ``1m40s``). One day is ``24h``, as the platform
    and docs/config.md write it; days are used from two on (``2d``)."""
    whole = round(seconds)
    spellings = [format_duration(whole)]
    spellings += [
        f"{whole // size}{unit}" for unit, size in _UNIT_SECONDS.items() if whole % size == 0
    ]
    spellings = [text for text in spellings if not text.startswith("1d")] or spellings
    return min(spellings, key=len)


def humanize_seconds(seconds: float) -> str:
    """A rough human reading: ``2h``, ``45m``, ``3d 4h``."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        h, rest = divmod(s, 3600)
        return f"{h}h{rest // 60:02d}m" if rest >= 60 else f"{h}h"
    d, rest = divmod(s, 86400)
    return f"{d}d{rest // 3600}h" if rest >= 3600 else f"{d}d"


def readable_duration(seconds: float) -> str:
    """A duration for a page a person reads, two units at most, the second padded:
    ``42s``, ``2m07s``, ``1h05m``, ``2d03h`` (rounded to the smaller unit)."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    minutes = round(whole / 60)
    if minutes < 24 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    hours = round(whole / 3600)
    return f"{hours // 24}d{hours % 24:02d}h"
