"""Errors that reach a person: each carries the exit code the contract gives it."""

from __future__ import annotations


class RoutectlError(Exception):
    """A problem the user can fix; printed as ``routectl: error: MESSAGE``."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageProblem(RoutectlError):
    """Bad invocation or an unreadable file (exit 2)."""

    exit_code = 2


class BadLogRow(RoutectlError):
    """A log row that cannot be used; ``str()`` is ``FILE:LINE: reason``."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason
