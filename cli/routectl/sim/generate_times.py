"""How ``generate-log`` writes its times: the ``--time-format`` choices.

The generator works in local wall-clock text without an offset
(``2026-10-01T08:00:05``, which is also the ``naive`` format); :class:`TimeWriter`
turns that into the chosen format. The instant is always the one the log reader gives
the naive text (local time in the shop zone, the first occurrence in a repeated hour),
so every format of the same log replays to the same routing, byte for byte.

Each conversion is cached per minute, so writing offsets costs a dictionary-free string
concatenation per row after the first row of a minute.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from routectl.logio.timefmt import TimeParser

TIME_FORMATS: dict[str, str] = {
    "naive": "2026-10-01T08:00:00 (shop local time, no offset)",
    "offset": "2026-10-01T08:00:00+08:00 (shop local time with its UTC offset)",
    "utc": "2026-10-01T00:00:00Z (UTC)",
    "slash": "2026/10/01 08:00:00 (shop local time, Excel style)",
}
"""``--time-format`` choices and what each writes."""

DEFAULT_TIME_FORMAT = "naive"


class TimeWriter:
    """Rewrite naive local times (``YYYY-MM-DDTHH:MM:SS``) in one of :data:`TIME_FORMATS`.

    :meth:`posix` gives the instant of a naive time exactly as the log reader computes it.
    """

    def __init__(self, zone: ZoneInfo, time_format: str = DEFAULT_TIME_FORMAT) -> None:
        if time_format not in TIME_FORMATS:
            raise ValueError(f"unknown time format {time_format!r}")
        self.zone = zone
        self.time_format = time_format
        # The generator asks for instants out of log order (replies it schedules ahead).
        self._parser = TimeParser(zone, in_log_order=False)
        self._key = ""
        self._prefix = ""
        self._suffix = ""
        self._whole_minute = True

    def posix(self, naive: str) -> float:
        """POSIX seconds of a naive local time, as ``routectl replay`` reads it."""
        return self._parser.parse(naive)

    def write(self, naive: str) -> str:
        """``naive`` in this writer's format."""
        if self.time_format == "naive":
            return naive
        if naive[:16] != self._key:
            self._new_minute(naive[:16])
        if not self._whole_minute:
            return self._slow(naive)
        return self._prefix + naive[17:19] + self._suffix

    def _new_minute(self, key: str) -> None:
        self._key = key
        minute_posix = int(self._parser.parse(key + ":00"))
        local = datetime.fromisoformat(key + ":00")
        offset = int(local.replace(tzinfo=timezone.utc).timestamp()) - minute_posix
        # Local mean times (before ~1900) have offsets with seconds: written row by row.
        self._whole_minute = offset % 60 == 0
        if self.time_format == "offset":
            self._prefix = key + ":"
            self._suffix = _offset_text(offset)
        elif self.time_format == "utc":
            utc = datetime.fromtimestamp(minute_posix, timezone.utc)
            self._prefix = utc.strftime("%Y-%m-%dT%H:%M:")
            self._suffix = "Z"
        else:  # slash
            self._prefix = f"{key[:4]}/{key[5:7]}/{key[8:10]} {key[11:16]}:"
            self._suffix = ""

    def _slow(self, naive: str) -> str:
        if self.time_format == "slash":
            return self._prefix + naive[17:19]
        moment = self.posix(naive)
        if self.time_format == "utc":
            return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        # An offset with seconds cannot be written: write the instant in UTC instead.
        return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _offset_text(offset: int) -> str:
    sign = "-" if offset < 0 else "+"
    minutes = abs(offset) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
