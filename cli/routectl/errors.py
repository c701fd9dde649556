"""Errors that reach a person: each carries the exit code the contract gives it."""

from __future__ import annotations

import signal

from routectl.i18n import N_, _
from routectl.safetext import printable

_OS_WORDS = (
    N_("No such file or directory"),
    N_("Permission denied"),
    N_("No space left on device"),
    N_("Is a directory"),
    N_("Not a directory"),
    N_("Input/output error"),
    N_("Read-only file system"),
    N_("File name too long"),
    N_("Too many levels of symbolic links"),
    N_("Disk quota exceeded"),
    N_("Bad file descriptor"),
    N_("File exists"),
)
"""The operating system's words for the errors a person can meet (glibc's wording)."""


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in the current language when the system's words are known."""
    reason = exc.strerror or str(exc)
    return _(reason) if reason in _OS_WORDS else reason


def error_line(message: str) -> str:
    """``routectl: error: MESSAGE`` in the current language (``message`` escaped already)."""
    return _("routectl: error: {message}").format(message=message)


class RoutectlError(Exception):
    """A problem the user can fix; printed as ``routectl: error: MESSAGE``."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def display(self) -> str:
        """The message as printed: control, bidi and line-break characters escaped."""
        return printable(self.message)


class UsageProblem(RoutectlError):
    """Bad invocation or an unreadable file (exit 2)."""

    exit_code = 2


class BadLogRow(RoutectlError):
    """A log row that cannot be used; ``str()`` is ``FILE:LINE: reason``."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        # Escaped here: ``str()`` of a bad row is printed as it is (``--skip-bad``).
        super().__init__(f"{printable(source)}:{line}: {printable(reason)}")
        self.source = source
        self.line = line
        self.reason = reason


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind (removing temporary files) and exit 128 + signum.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` stops it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name
