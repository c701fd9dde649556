"""The one output path: rows of values -> table, csv, jsonl or json, written safely.

Every command that prints rows feeds a column list and a row iterator into
:func:`write_rows`; ``-o FILE`` goes through :func:`open_output`, which writes to a
temporary file beside the target and renames it only when the run succeeded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

ROW_FORMATS = ("table", "csv", "jsonl", "json")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@contextlib.contextmanager
def open_output(path: str, *, bom: bool = False) -> Iterator[TextIO]:
    """Yield a text stream for ``path`` (``-`` is standard output); atomic for files."""
    if path == "-":
        if bom:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        sys.stdout.flush()
        return
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    fd, temp_path = tempfile.mkstemp(prefix=".routectl-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            if bom:
                stream.write("\ufeff")
            yield stream
        os.replace(temp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_path)
        raise


def neutralise_formula(value: str) -> str:
    """Stop a spreadsheet from running a cell that starts like a formula."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    out: TextIO,
    *,
    excel: bool = False,
) -> int:
    """Write ``rows`` in ``fmt``; return how many rows were written."""
    if fmt == "csv":
        return _write_csv(columns, rows, out, excel=excel)
    if fmt == "jsonl":
        return _write_jsonl(columns, rows, out)
    if fmt == "json":
        return _write_json(columns, rows, out)
    if fmt == "table":
        return _write_table(columns, rows, out)
    raise ValueError(f"unknown format {fmt!r}")


def _csv_cell(value: Any) -> Any:
    return "" if value is None else value


def _write_csv(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, *, excel: bool
) -> int:
    writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    writer.writerow(columns)
    count = 0
    if excel:
        for row in rows:
            writer.writerow(
                [neutralise_formula(v) if isinstance(v, str) else _csv_cell(v) for v in row]
            )
            count += 1
        return count
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _write_jsonl(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    count = 0
    dumps = json.dumps
    for row in rows:
        out.write(dumps(dict(zip(columns, row)), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _write_json(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n " if count else "\n ")
        out.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def render_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An aligned plain-text table; CJK characters count as two columns (wcwidth)."""
    import tabulate  # imported here: start-up time matters for the commands without tables

    tabulate.WIDE_CHARS_MODE = True
    cells = [["" if v is None else v for v in row] for row in rows]
    return tabulate.tabulate(cells, headers=list(columns), tablefmt="simple", disable_numparse=True)


def _write_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    materialised = list(rows)
    if materialised:
        out.write(render_table(columns, materialised))
        out.write("\n")
    else:
        out.write("(no rows)\n")
    return len(materialised)


def dumps_json(document: Any) -> str:
    """Pretty, stable JSON for whole documents (reports, validation results)."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def to_text(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """Render to a string (tests and small outputs)."""
    buffer = io.StringIO()
    write_rows(columns, rows, fmt, buffer)
    return buffer.getvalue()
