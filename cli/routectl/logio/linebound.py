"""Read a log's lines with a bound, so that no line and no row can fill the memory.

The csv module reads a whole physical line before its field limit applies, and a row
whose quoted fields hold line breaks goes on collecting cells for as long as the lines
continue it. So ``/dev/zero``, a 2 GiB file without a newline or one 30 MB line of
``ab,`` cells would be read whole. :class:`BoundedLines` sits between the text stream
and the csv module: it reads each line with ``readline(limit + 2)``, so at most
:data:`MAX_LINE_CHARS` characters of a line are ever held, and it counts the characters
of the row being read (reset by the reader after each row). A line or row past its
bound raises :class:`LineTooLong`; the rest of a long line is then passed over in
bounded pieces, and the next line is read normally (``--skip-bad``).

Limits count characters, as the csv field limit does: a character of Chinese text is
3 bytes of UTF-8, so the longest accepted line of Chinese text is about 6 MB on disk.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

from routectl.errors import RoutectlError, os_reason
from routectl.i18n import _
from routectl.safetext import printable

MAX_LINE_CHARS = 2_000_000
"""Longest physical line, its line break not counted."""
MAX_ROW_CHARS = 4_000_000
"""Longest row: the lines of one row together (a row spans lines only through quoted
line breaks)."""
MAX_CELLS = 100_000
"""Most cells in one data row (the reader checks it after the csv module)."""

_LINE_ENDS = ("\n", "\r")


class LineTooLong(csv.Error):
    """A line or row past its bound; a ``csv.Error`` so a header reader treats it as one.

    ``at_line`` is true when the culprit is the physical line read last (a long line),
    false when it is the row as a whole (reported where the row starts).
    """

    def __init__(self, reason: str, *, at_line: bool) -> None:
        super().__init__(reason)
        self.at_line = at_line


class BoundedLines:
    """An iterator of the lines of ``lines`` that refuses any past the bounds.

    ``lines`` is a text stream (read with ``readline(limit)``: the bound holds while
    reading) or any iterable of strings (checked after the fact; for tests and lists). A read
    error (EIO) is a :class:`RoutectlError`: ``SOURCE: cannot read: ...``, exit 1.
    ``dropped`` counts the physical lines refused and not handed on, so
    ``csv_reader.line_num + dropped`` is the line number in the file. The limits are
    read from the module constants when the object is made.
    """

    def __init__(self, lines: Iterable[str], source: str = "log") -> None:
        self.source = source
        self.line_limit = MAX_LINE_CHARS
        self.row_limit = MAX_ROW_CHARS
        self.row_chars = 0
        """Characters of the current row so far; the reader sets it to 0 for each row."""
        self.dropped = 0
        self._rest_of_line = False
        self._cut_after_cr = False
        self._size = self.line_limit + 2  # room for "\r\n" after a line at the limit
        readline = getattr(lines, "readline", None)
        self._streamed = callable(readline)
        self._readline: Callable[[int], str] = (
            readline if callable(readline) else _Listed(iter(lines)).readline
        )

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        try:
            return self._next_line()
        except OSError as exc:  # EIO from a failing disk: bad input (exit 1), one line
            raise RoutectlError(
                _("{path}: cannot read: {reason}").format(
                    path=printable(self.source), reason=os_reason(exc)
                )
            ) from None
        except UnicodeDecodeError:
            raise  # the reader reports it at its line
        except UnicodeError as exc:  # e.g. --encoding utf-16 on a file without a BOM
            raise RoutectlError(
                _("{path}: cannot read as this encoding ({reason}); try --encoding auto").format(
                    path=printable(self.source), reason=exc
                )
            ) from None

    def _next_line(self) -> str:
        if self._rest_of_line:
            self._pass_rest_of_line()
        line = self._readline(self._size)
        if self._cut_after_cr:
            # The last read stopped right after a "\r" at the size limit; a "\n" that
            # follows is the rest of that "\r\n", not a line of its own.
            self._cut_after_cr = False
            if line == "\n":
                line = self._readline(self._size)
        if not line:
            raise StopIteration
        size = len(line)
        if size > self.line_limit and len(line.rstrip("\r\n")) > self.line_limit:
            self.dropped += 1
            self.row_chars = 0
            self._after_cut(line)
            raise LineTooLong(
                _("line longer than {count} characters").format(count=self.line_limit),
                at_line=True,
            )
        self.row_chars += size
        if self.row_chars > self.row_limit:
            self.dropped += 1
            self.row_chars = 0
            raise LineTooLong(
                _(
                    "row longer than {count} characters (its quoted fields run on "
                    "over many lines: a quote that is never closed?)"
                ).format(count=self.row_limit),
                at_line=False,
            )
        return line

    def _after_cut(self, piece: str) -> None:
        """Note what a read that may have stopped inside a line leaves to do."""
        if len(piece) < self._size or not self._streamed:
            return
        if piece.endswith("\r"):
            self._cut_after_cr = True
        elif not piece.endswith("\n"):
            self._rest_of_line = True

    def _pass_rest_of_line(self) -> None:
        """Read and forget the rest of a long line, one bounded piece at a time."""
        self._rest_of_line = False
        while True:
            piece = self._readline(self._size)
            if len(piece) < self._size or piece.endswith(_LINE_ENDS):
                self._after_cut(piece)
                return


class _Listed:
    """``readline`` over an iterator of whole lines (the size is not applied)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines

    def readline(self, _size: int) -> str:
        return next(self.lines, "")
