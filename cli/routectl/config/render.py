"""What ``routectl validate`` prints: text, JSON, or GitHub Actions annotations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from routectl.config.loader import STDIN_NAME, CheckedFile
from routectl.config.problems import Problem
from routectl.i18n import N_, _, ngettext
from routectl.model import ShopConfig
from routectl.safetext import printable

FORMATS = ("text", "json", "github")


class Outcome(NamedTuple):
    """One file given to ``validate``: checked, or unreadable (``error`` says why)."""

    source: str
    checked: CheckedFile | None = None
    error: str | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.checked.problems if self.checked else []

    def number_of(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    def status(self, strict: bool) -> str:
        if self.checked is None:
            return "unreadable"
        if self.checked.config is None or (strict and self.number_of("warning")):
            return "invalid"
        return "ok"

    def exit_code(self, strict: bool) -> int:
        return {"ok": 0, "invalid": 1, "unreadable": 2}[self.status(strict)]


def exit_code(outcomes: Sequence[Outcome], strict: bool) -> int:
    """The worst file wins: 2 (unreadable) > 1 (invalid) > 0."""
    return max((o.exit_code(strict) for o in outcomes), default=0)


def plural(count: int, noun: str) -> str:
    """``1 error``, ``2 errors`` in the current language (the nouns below)."""
    singular, many = _NOUNS[noun]
    return ngettext(singular, many, count).format(count=count)


_NOUNS = {
    "group": (N_("{count} group"), N_("{count} groups")),
    "agent": (N_("{count} agent"), N_("{count} agents")),
    "rule": (N_("{count} rule"), N_("{count} rules")),
    "dedicated buyer": (N_("{count} dedicated buyer"), N_("{count} dedicated buyers")),
    "error": (N_("{count} error"), N_("{count} errors")),
    "warning": (N_("{count} warning"), N_("{count} warnings")),
    "file": (N_("{count} file"), N_("{count} files")),
}


def inventory(config: ShopConfig) -> str:
    """``3 groups, 8 agents, 4 rules, 2 dedicated buyers``."""
    return _(", ").join(
        [
            plural(len(config.groups), "group"),
            plural(len(config.agents), "agent"),
            plural(len(config.rules), "rule"),
            plural(len(config.dedicated.buyers), "dedicated buyer"),
        ]
    )


def status_line(outcome: Outcome, strict: bool) -> str | None:
    checked = outcome.checked
    if checked is None:
        return None
    source = printable(outcome.source)
    if checked.config is None:
        errors = plural(outcome.number_of("error"), "error")
        return _("{source}: invalid: {errors}").format(source=source, errors=errors)
    warnings = outcome.number_of("warning")
    if strict and warnings:
        message = _("{source}: invalid with --strict: {warnings}")
        return message.format(source=source, warnings=plural(warnings, "warning"))
    return _("{source}: ok: {inventory}").format(source=source, inventory=inventory(checked.config))


def summary(outcomes: Sequence[Outcome], strict: bool) -> dict[str, int]:
    statuses = [o.status(strict) for o in outcomes]
    return {
        "files": len(outcomes),
        "invalid": statuses.count("invalid"),
        "unreadable": statuses.count("unreadable"),
        "errors": sum(o.number_of("error") for o in outcomes),
        "warnings": sum(o.number_of("warning") for o in outcomes),
    }


def summary_line(outcomes: Sequence[Outcome], strict: bool) -> str:
    """``2 files, 1 invalid, 3 errors, 1 warning`` (unreadable files only when any)."""
    counts = summary(outcomes, strict)
    parts = [
        plural(counts["files"], "file"),
        _("{count} invalid").format(count=counts["invalid"]),
    ]
    if counts["unreadable"]:
        parts.append(_("{count} unreadable").format(count=counts["unreadable"]))
    parts += [plural(counts["errors"], "error"), plural(counts["warnings"], "warning")]
    return _(", ").join(parts)


def render_text(outcomes: Sequence[Outcome], strict: bool) -> str:
    lines: list[str] = []
    for outcome in outcomes:
        lines += [str(p) for p in outcome.problems]
        status = status_line(outcome, strict)
        if status:
            lines.append(status)
    lines.append(summary_line(outcomes, strict))
    return "\n".join(lines) + "\n"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation(problem: Problem) -> str:
    """``::error file=F,line=L,title=T::message`` (GitHub Actions workflow command)."""
    props = []
    if problem.source != STDIN_NAME:
        props.append(f"file={_escape(printable(problem.source), prop=True)}")
    if problem.line:
        props.append(f"line={problem.line}")
    if problem.column:
        props.append(f"col={problem.column}")
    title = f"{problem.code} {problem.name}" if problem.code else _("invalid shop config")
    props.append(f"title={_escape(title, prop=True)}")
    return f"::{problem.severity} {','.join(props)}::{_escape(problem.text)}"


def render_github(outcomes: Sequence[Outcome], strict: bool) -> str:
    lines: list[str] = []
    for outcome in outcomes:
        lines += [annotation(p) for p in outcome.problems]
        if outcome.error:
            title = _escape(_("unreadable config"), prop=True)
            lines.append(f"::error title={title}::{_escape(printable(outcome.error))}")
        status = status_line(outcome, strict)
        if status:
            lines.append(status)
    lines.append(summary_line(outcomes, strict))
    return "\n".join(lines) + "\n"


VALIDATE_SCHEMA_VERSION = 1
"""``validate --format json`` document version: bumped when a key changes meaning or goes."""


def as_json(outcomes: Sequence[Outcome], strict: bool) -> dict[str, Any]:
    files = []
    for outcome in outcomes:
        config = outcome.checked.config if outcome.checked else None
        files.append(
            {
                "file": outcome.source,
                "status": outcome.status(strict),
                "error": outcome.error,
                "inventory": _inventory_counts(config) if config else None,
                "problems": [p.as_dict() for p in outcome.problems],
            }
        )
    return {
        "schema_version": VALIDATE_SCHEMA_VERSION,
        "files": files,
        "summary": summary(outcomes, strict),
        "strict": strict,
        "exit_code": exit_code(outcomes, strict),
    }


def _inventory_counts(config: ShopConfig) -> dict[str, int]:
    return {
        "groups": len(config.groups),
        "agents": len(config.agents),
        "rules": len(config.rules),
        "dedicated_buyers": len(config.dedicated.buyers),
    }


def render(outcomes: Sequence[Outcome], fmt: str, strict: bool) -> str:
    if fmt == "json":
        from routectl.output import dumps_json

        return dumps_json(as_json(outcomes, strict))
    if fmt == "github":
        return render_github(outcomes, strict)
    return render_text(outcomes, strict)
