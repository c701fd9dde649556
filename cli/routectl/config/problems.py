"""Problems found in a config, and the small helpers that word them for people."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from routectl.errors import RoutectlError
from routectl.i18n import N_, _, ngettext
from routectl.safetext import printable

Part = str | int
KeyPath = tuple[Part, ...]
Severity = Literal["error", "warning"]
SEVERITY_WORDS: dict[str, str] = {"error": N_("error"), "warning": N_("warning")}
"""How each severity reads in ``FILE:LINE: error: ...`` (JSON keeps the key itself)."""

_BARE_KEY = re.compile(r"[^\s.\[\]\"'=#]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Finding(NamedTuple):
    """A problem before it knows its file and line (what the checks produce)."""

    severity: Severity
    parts: KeyPath
    message: str
    code: str | None = None


@dataclass(frozen=True)
class Problem:
    """One error or warning: ``FILE:LINE: error: agents[2].weight: must be ...``.

    ``path`` is the key path (``agents[2].weight``; indexes count from 0), ``line`` the
    TOML line where the key is found (None when it cannot be found), ``code`` the
    warning code (``W004``) and ``name`` its short name (``unserved-entry``).
    """

    severity: Severity
    source: str
    path: str
    message: str
    line: int | None = None
    code: str | None = None
    name: str | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        source = printable(self.source)
        return f"{source}:{self.line}" if self.line else source

    @property
    def text(self) -> str:
        """The message with its key path and warning code, without file and severity.

        For people: config strings in it (agent ids, group names) have their control,
        bidi and line-break characters escaped, so a value cannot start a line of its
        own (``::error ...`` in a CI log). :meth:`as_dict` keeps them exact.
        """
        key = f"{self.path}: " if self.path else ""
        tag = f" [{self.code} {self.name}]" if self.code else ""
        return printable(f"{key}{self.message}{tag}")

    def __str__(self) -> str:
        return f"{self.where}: {_(SEVERITY_WORDS[self.severity])}: {self.text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "name": self.name,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class ConfigInvalid(RoutectlError):
    """The config has errors (exit 1); ``problems`` holds every error and warning."""

    def __init__(self, problems: list[Problem], source: str = "config") -> None:
        errors = [p for p in problems if p.severity == "error"]
        count = ngettext("{count} error", "{count} errors", len(errors)).format(count=len(errors))
        lines = [
            _("invalid config {source} ({count}):").format(source=printable(source), count=count)
        ]
        lines += [f"  {p.where}: {p.text}" for p in errors]
        super().__init__("\n".join(lines))
        self.problems = problems

    def display(self) -> str:
        # One line per error by design; each value in them is escaped already.
        return self.message


def format_path(parts: KeyPath) -> str:
    """``("agents", 2, "weight")`` -> ``agents[2].weight``; odd keys are quoted."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else toml_string(part)
        out += f".{key}" if out else key
    return out


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (also valid JSON), quotes and controls escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def toml_repr(value: Any) -> str:
    """How a value reads in TOML, for ``got ...`` (short for arrays and tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        if not value:
            return "[]"
        if len(value) <= 4 and not any(isinstance(v, dict | list) for v in value):
            return "[" + ", ".join(toml_repr(v) for v in value) + "]"
        return _("an array")
    return _("a date/time ({value})").format(value=value)


def quoted_list(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'weight'?`` for a close spelling (``'小丽' or '小美'`` when two are
    as close: :mod:`routectl.similar`), else ``""``."""
    from routectl.similar import close_names, one_of  # only on the error path

    close = close_names(word, [c for c in choices if c != word])
    return _("; did you mean {names}?").format(names=one_of(close)) if close else ""
