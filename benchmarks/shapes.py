"""Time forms ``generate-log --time-format`` does not write, for byte-identity checks.

``reshape_times`` copies a generated (naive, Asia/Shanghai) log with every time written
in another form: ``+08:00``, ``+0800``, ``Z``, ``YYYY/MM/DD``, or with a ``.250``
fraction. docs/performance.md uses it to show that replay output did not change when
the parser's caches did. Standard library only::

    python benchmarks/shapes.py naive.csv compact.csv compact
"""

from __future__ import annotations

import csv
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

TIME_FORMATS = ("naive", "offset", "compact", "utc", "slash", "fraction")
_SHANGHAI = timezone(timedelta(hours=8))


def reshape(text: str, form: str) -> str:
    """One naive Asia/Shanghai log time in ``form``."""
    if form == "naive":
        return text
    if form == "offset":
        return text + "+08:00"
    if form == "compact":
        return text + "+0800"
    if form == "slash":
        return text.replace("-", "/").replace("T", " ")
    if form == "fraction":
        return text + ".250+08:00"
    if form == "utc":
        moment = datetime.fromisoformat(text).replace(tzinfo=_SHANGHAI)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    raise ValueError(f"unknown time form {form!r}; expected one of {', '.join(TIME_FORMATS)}")


def reshape_times(source: Path, target: Path, form: str) -> Path:
    """Copy a log, every time written in ``form`` (same instant, except ``fraction``)."""
    with (
        source.open(encoding="utf-8", newline="") as lines,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        rows = csv.reader(lines)
        writer = csv.writer(out, lineterminator="\n")
        header = next(rows)
        at = header.index("time")
        writer.writerow(header)
        for row in rows:
            row[at] = reshape(row[at], form)
            writer.writerow(row)
    return target


if __name__ == "__main__":
    reshape_times(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
