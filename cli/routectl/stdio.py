"""Standard input and output when they fail: closed (``>&-``), full (``> /dev/full``).

Kept apart from :mod:`routectl.output` so that ``validate`` and ``init`` use it without
that module's imports (start-up time).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import Any

from routectl.errors import UsageProblem, os_reason
from routectl.i18n import _


@contextlib.contextmanager
def stdout_errors() -> Iterator[None]:
    """A write error on standard output (``> /dev/full``) is one line and exit 2."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        silence_stdout()
        raise UsageProblem(
            _("standard output: cannot write: {reason}").format(reason=os_reason(exc))
        ) from None


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output; a write error is a UsageProblem (exit 2)."""
    with stdout_errors():
        sys.stdout.write(text)
        sys.stdout.flush()


def silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so the interpreter's last flush is quiet.

    After a write error (or the reader of a pipe going away) the unwritten rest of the
    buffer would otherwise fail again at exit, with a second message and status 120.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, UsageProblem):
        pass


class ClosedStream(io.TextIOBase):
    """Stands in for standard input or output when its descriptor is closed (``>&-``).

    Python then sets ``sys.stdout``/``sys.stdin`` to None; this makes using it a
    one-line UsageProblem instead of an AttributeError.
    """

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem

    @property
    def buffer(self) -> Any:
        raise UsageProblem(self.problem)

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise UsageProblem(self.problem)

    def read(self, size: int | None = -1) -> str:
        raise UsageProblem(self.problem)

    def write(self, text: str) -> int:
        raise UsageProblem(self.problem)

    def flush(self) -> None:
        pass


def guard_closed_streams() -> None:
    """Replace a closed standard input or output by a :class:`ClosedStream`."""
    if sys.stdin is None:
        sys.stdin = ClosedStream(_("standard input: cannot read: it is closed"))
    if sys.stdout is None:
        sys.stdout = ClosedStream(_("standard output: cannot write: it is closed"))
