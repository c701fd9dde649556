"""The one output path: rows of values -> table, csv, jsonl or json, written safely.

Every command that prints rows feeds a column list and a row iterator into
:func:`write_rows`; ``-o FILE`` goes through :func:`open_output`, which writes to a
temporary file beside the target and renames it only when the run succeeded.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import itertools
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from routectl.errors import UsageProblem, os_reason
from routectl.i18n import _
from routectl.safetext import printable
from routectl.stdio import stdout_errors

ROW_FORMATS = ("table", "csv", "jsonl", "json")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@contextlib.contextmanager
def open_output(
    path: str, *, bom: bool = False, inputs: Sequence[str] = (), exclusive: bool = False
) -> Iterator[TextIO]:
    """Yield a text stream for ``path`` (``-`` is standard output).

    A regular file is written atomically: a temporary file beside it is renamed over it
    only when the run succeeded. Anything else that exists (``/dev/null``, a FIFO, a
    terminal) is written in place: renaming over it would replace the device itself.
    ``inputs`` are the files the run reads (``-`` = standard input): writing onto one of
    them is refused before anything is touched. ``exclusive``: never replace an existing
    file (``FileExistsError`` when one appears). A failed write (full disk, ``/dev/full``)
    is a :class:`UsageProblem`, exit 2, and leaves no file behind.
    """
    if not path:
        raise UsageProblem(
            _("the output file name is empty: give a file name, or - for standard output")
        )
    if path == "-":
        refuse_writing_onto_inputs(path, inputs)  # `>> log.csv` would read its own rows
        with stdout_errors():
            if bom:
                sys.stdout.write("\ufeff")
            yield sys.stdout
            sys.stdout.flush()
        return
    refuse_writing_onto_inputs(path, inputs)
    target = os.path.realpath(path)  # through symlinks: replace the file, not the link
    if _is_special_file(target):
        with _open_for_writing(
            path, lambda: open(target, "w", encoding="utf-8", newline="")
        ) as out:
            if bom:
                out.write("\ufeff")
            yield out
        return
    fd, temp_path = _make_temp_beside(path, target)
    # The folder is held open and the temporary file named relative to it: a folder
    # renamed (or moved) mid-run still gets the file, and no temporary file is left
    # behind at a path that no longer exists.
    folder = _open_folder(os.path.dirname(target))
    beside = _Beside(folder, temp_path, target)
    try:  # also on Ctrl-C, SIGTERM, SIGHUP (cli.main turns them into exceptions)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
                if bom:
                    stream.write("\ufeff")
                yield stream
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        if exclusive:
            _link(path, beside)
        else:
            _replace(path, beside)
    finally:
        with contextlib.suppress(OSError):
            beside.unlink()  # gone already when it was renamed into place
        if folder is not None:
            os.close(folder)


def refuse_writing_onto_inputs(path: str, inputs: Sequence[str]) -> None:
    """UsageProblem (exit 2) when ``path`` is the same file as one of ``inputs``.

    Compared by device and inode after following links, so a symlink, a hard link or a
    relative spelling of an input is caught; ``-`` stands for standard input.
    """
    try:
        output = os.fstat(sys.stdout.fileno()) if path == "-" else os.stat(path)
    except (OSError, ValueError, AttributeError, UsageProblem, io.UnsupportedOperation):
        return  # does not exist yet (or is no file at all): it cannot be an input
    if not stat.S_ISREG(output.st_mode):
        return  # /dev/null, a FIFO: writing there destroys nothing
    for source in inputs:
        try:
            found = os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
        except (OSError, ValueError, AttributeError):
            continue
        if (found.st_dev, found.st_ino) == (output.st_dev, output.st_ino):
            name = _("standard input") if source == "-" else source
            where, instead = (
                (_("standard output"), _("send the output elsewhere"))
                if path == "-"
                else (path, _("choose another -o file"))
            )
            raise UsageProblem(
                _(
                    "{path}: is the same file as the input {input}; "
                    "writing there would destroy it: {instead}"
                ).format(path=printable(where), input=printable(name), instead=instead)
            )


def refuse_same_outputs(paths: Sequence[tuple[str, str]]) -> None:
    """UsageProblem (exit 2) when two outputs of one run name the same file.

    ``paths`` are (option, path) pairs; ``-`` (standard output) and unset paths are
    skipped. Compared after following links, and by device and inode when both exist,
    so the later output cannot silently replace the earlier one.
    """
    seen: list[tuple[str, str]] = []
    for option, path in paths:
        if not path or path == "-":
            continue
        for other_option, other in seen:
            if _same_path(path, other):
                raise UsageProblem(
                    _(
                        "{path}: {first} and {second} name the same file; "
                        "one would overwrite the other: choose two files"
                    ).format(path=printable(path), first=other_option, second=option)
                )
        seen.append((option, path))


def _same_path(one: str, two: str) -> bool:
    if os.path.realpath(one) == os.path.realpath(two):
        return True
    try:
        return os.path.samefile(one, two)
    except (OSError, ValueError):
        return False


def _mode_for(target: str) -> int:
    """The mode the output file should have: the old file's, else 0666 less the umask.

    mkstemp creates 0600 files; without this every ``-o`` file would ignore the umask.
    """
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _is_special_file(target: str) -> bool:
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False  # does not exist yet (or cannot be looked at): the temp-file path


def _cannot_write(path: str, exc: OSError) -> UsageProblem:
    message = _("{path}: cannot write: {reason}")
    return UsageProblem(message.format(path=printable(path), reason=os_reason(exc)))


@contextlib.contextmanager
def _open_for_writing(path: str, opener: Callable[[], TextIO]) -> Iterator[TextIO]:
    try:
        stream = opener()
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with stream:
            yield stream
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _make_temp_beside(path: str, target: str) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=".routectl-", suffix=".tmp", dir=os.path.dirname(target))
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _open_folder(folder: str) -> int | None:
    """A descriptor of ``folder`` for the ``*at`` calls, or None where they are missing."""
    # os.replace is os.rename's twin (the set lists rename only) but for Windows.
    if os.rename not in os.supports_dir_fd or not hasattr(os, "O_DIRECTORY"):
        return None
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None


class _Beside:
    """The temporary file and its target, named relative to their held-open folder
    (``folder``; None: by their paths)."""

    __slots__ = ("folder", "target", "target_path", "temp", "temp_path")

    def __init__(self, folder: int | None, temp_path: str, target: str) -> None:
        self.folder = folder
        self.temp_path = temp_path
        self.target_path = target
        self.temp = os.path.basename(temp_path) if folder is not None else temp_path
        self.target = os.path.basename(target) if folder is not None else target

    def mode(self) -> int:
        if self.folder is None:
            return _mode_for(self.target_path)
        try:
            return stat.S_IMODE(os.stat(self.target, dir_fd=self.folder).st_mode)
        except OSError:
            return _mode_for("")

    def chmod(self) -> None:
        os.chmod(self.temp, self.mode(), dir_fd=self.folder)

    def replace(self) -> None:
        os.replace(self.temp, self.target, src_dir_fd=self.folder, dst_dir_fd=self.folder)

    def link(self) -> None:
        os.link(self.temp, self.target, src_dir_fd=self.folder, dst_dir_fd=self.folder)

    def exists(self) -> bool:
        try:
            os.stat(self.target, follow_symlinks=False, dir_fd=self.folder)
        except FileNotFoundError:
            return False
        return True

    def unlink(self) -> None:
        os.unlink(self.temp, dir_fd=self.folder)


def _replace(path: str, beside: _Beside) -> None:
    try:
        beside.chmod()
        beside.replace()
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _link(path: str, beside: _Beside) -> None:
    """Put the finished file in place only if nothing is there (``init`` without --force)."""
    try:
        beside.chmod()
        beside.link()
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
            raise _cannot_write(path, exc) from None
        # No hard links here (FAT, some network drives): check, then rename.
        if beside.exists():
            raise FileExistsError(beside.target_path) from None
        _replace(path, beside)


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
    # The csv module quotes a field holding a character of the line terminator: with
    # "\n" alone, a bare CR went out unquoted and a reader saw two rows. Records are
    # therefore always made with "\r\n" (CR and LF both quoted) and, for plain CSV, the
    # terminator is changed to "\n" as each record is written.
    writer = csv.writer(out if excel else _LineFeedRecords(out), lineterminator="\r\n")
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


class _LineFeedRecords:
    """A file for :func:`csv.writer` that ends each record with "\n" instead of "\r\n"
    (the writer writes one whole record per call)."""

    __slots__ = ("_write",)

    def __init__(self, out: TextIO) -> None:
        self._write = out.write

    def write(self, record: str) -> int:
        return self._write(record[:-2] + "\n")


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


def render_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, min_padding: int | None = None
) -> str:
    """An aligned plain-text table; CJK characters count as two columns (wcwidth).

    Cells are escaped (:func:`routectl.safetext.printable`): a value never spans lines
    or talks to the terminal. ``min_padding``: tabulate's padding beyond the widest cell
    (None: tabulate's default).
    """
    import tabulate  # imported here: start-up time matters for the commands without tables

    cells = [[_table_cell(v) for v in row] for row in rows]
    # tabulate takes these two only as module settings: set for this call, then restored,
    # so no other caller of tabulate sees them changed.
    saved = tabulate.WIDE_CHARS_MODE, tabulate.MIN_PADDING
    tabulate.WIDE_CHARS_MODE = True
    if min_padding is not None:
        tabulate.MIN_PADDING = min_padding
    try:
        return tabulate.tabulate(
            cells, headers=[printable(c) for c in columns], tablefmt="simple", disable_numparse=True
        )
    finally:
        tabulate.WIDE_CHARS_MODE, tabulate.MIN_PADDING = saved


TABLE_SAMPLE_ROWS = 1000
"""``--format table`` streams: column widths come from the first rows, this many."""


def _table_cell(value: Any) -> str:
    return "" if value is None else printable(str(value)).strip()


def _write_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """The table of :func:`render_table`, written row by row in constant memory.

    Widths are measured on the first :data:`TABLE_SAMPLE_ROWS` rows (the same table as
    :func:`render_table` when there are no more); a wider cell further down widens its
    own row only, nothing is cut.
    """
    from wcwidth import wcswidth  # tabulate's own measure of wide characters

    iterator = iter(rows)
    sample = [
        [_table_cell(v) for v in row] for row in itertools.islice(iterator, TABLE_SAMPLE_ROWS)
    ]
    if not sample:
        out.write("(no rows)\n")
        return 0
    header = [printable(c) for c in columns]
    widths = [wcswidth(h) + 2 for h in header]  # tabulate's minimum: the header + 2
    for cells in sample:
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], wcswidth(cell))

    def line(cells: Sequence[str]) -> str:
        padded = [cell + " " * (width - wcswidth(cell)) for cell, width in zip(cells, widths)]
        return "  ".join(padded).rstrip() + "\n"

    out.write(line(header))
    out.write("  ".join("-" * width for width in widths) + "\n")
    for cells in sample:
        out.write(line(cells))
    count = len(sample)
    for row in iterator:
        out.write(line([_table_cell(v) for v in row]))
        count += 1
    return count


def dumps_json(document: Any) -> str:
    """Pretty, stable JSON for whole documents (reports, validation results)."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def to_text(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """Render to a string (tests and small outputs)."""
    buffer = io.StringIO()
    write_rows(columns, rows, fmt, buffer)
    return buffer.getvalue()
