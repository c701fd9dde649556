"""Read a config file, parse the TOML, build the model, lint it, place each problem."""

from __future__ import annotations

import re
import sys
from typing import Any, NamedTuple

from routectl.config.build import build_config
from routectl.config.lint import WARNINGS, lint
from routectl.config.problems import ConfigInvalid, Finding, Problem, format_path
from routectl.errors import UsageProblem, os_reason
from routectl.i18n import N_, _
from routectl.model import ShopConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "MAX_CONFIG_BYTES",
    "CheckedFile",
    "ConfigInvalid",
    "Problem",
    "check_config_file",
    "check_config_text",
    "load_config",
    "read_config_bytes",
]

STDIN_NAME = "<stdin>"
MAX_CONFIG_BYTES = 1024 * 1024
"""Largest accepted config (1 MiB; real ones are a few KiB). A larger file is an invalid
config (exit 1), found after reading at most one byte more than this: ``/dev/zero`` or a
huge file given by mistake never fills the memory (docs/robustness.md)."""
TOO_LARGE = N_("config is larger than 1 MiB")
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
MAX_KEY_PARTS = 64
"""Longest dotted key (``a.b.c`` is 3 parts) looked at. tomllib takes quadratic time on
long ones (50,000 parts: about a minute) while real configs use 3 at most."""
_LONG_DOTTED_KEY = re.compile(
    r"""(?:^|[\[{,])[ \t]*(?:(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[ \t]*)"""
    + f"{{{MAX_KEY_PARTS}}}",
    re.MULTILINE,
)
NESTED_TOO_DEEPLY = N_("not valid TOML: nested too deeply")


class CheckedFile(NamedTuple):
    """The outcome of checking one config: the model (None when invalid) and problems."""

    source: str
    config: ShopConfig | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def source_name(path: str) -> str:
    return STDIN_NAME if path == "-" else path


def read_config_bytes(path: str) -> bytes:
    """The bytes of ``path`` (``-`` = stdin); UsageProblem (exit 2) when unreadable.

    Reads at most ``MAX_CONFIG_BYTES + 1`` bytes: more than the cap is all it takes to
    know the config is too large (:func:`decode_config` says so).
    """
    limit = MAX_CONFIG_BYTES + 1
    if path == "-":
        stream: Any = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return sys.stdin.read(limit).encode()[:limit]
        return bytes(stream.read(limit))
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except FileNotFoundError:
        raise UsageProblem(
            _("{path}: no such file (create one with 'routectl init')").format(path=path)
        ) from None
    except IsADirectoryError:
        raise UsageProblem(_("{path}: is a folder, not a config file").format(path=path)) from None
    except OSError as exc:
        raise UsageProblem(
            _("{path}: cannot read: {reason}").format(path=path, reason=os_reason(exc))
        ) from None


def decode_config(data: bytes, source: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is allowed), or None and why not: TOML files are UTF-8."""
    if len(data) > MAX_CONFIG_BYTES:
        return None, [Problem("error", source, "", _(TOO_LARGE))]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = _("UTF-16 text (Windows 'Unicode'); save the file as UTF-8")
        return None, [Problem("error", source, "", message)]
    if b"\0" in data:
        return None, [Problem("error", source, "", _("binary data, not a TOML text file"))]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        message = _("not UTF-8 text (byte {byte}); save the file as UTF-8").format(
            byte=f"0x{byte:02x}"
        )
        return None, [Problem("error", source, "", message, line=line)]


def check_config_text(text: str, source: str) -> tuple[ShopConfig | None, list[Problem]]:
    """Check a config's text: every error, or the config and its warnings. Never raises."""
    text = text.removeprefix("\ufeff")
    long_key = _LONG_DOTTED_KEY.search(text)
    if long_key is not None:
        line = text.count("\n", 0, long_key.start()) + 1
        return None, [Problem("error", source, "", _(NESTED_TOO_DEEPLY), line=line)]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(exc, text, source)]
    except RecursionError:
        return None, [Problem("error", source, "", _(NESTED_TOO_DEEPLY))]
    config, findings = build_config(document)
    if config is not None:
        findings = lint(config)
    return config, _place(findings, text, source)


def check_config_file(path: str) -> CheckedFile:
    """Read and check ``path`` (``-`` = stdin); UsageProblem when it cannot be read."""
    source = source_name(path)
    text, problems = decode_config(read_config_bytes(path), source)
    if text is None:
        return CheckedFile(source, None, problems)
    config, problems = check_config_text(text, source)
    return CheckedFile(source, config, problems)


def load_config(path: str) -> ShopConfig:
    """The config at ``path``; ConfigInvalid (exit 1) or UsageProblem (exit 2) if not."""
    checked = check_config_file(path)
    if checked.config is None:
        raise ConfigInvalid(checked.problems, checked.source)
    return checked.config


def _syntax_problem(exc: Exception, text: str, source: str) -> Problem:
    message = str(exc)
    line = column = None
    where = ""
    at = _AT.search(message)
    end = _AT_END.search(message)
    if at:
        line, column = int(at.group(1)), int(at.group(2))
        message, where = message[: at.start()], _(" (column {column})").format(column=column)
    elif end:
        line = text.count("\n") + 1
        message, where = message[: end.start()], _(" (at the end of the file)")
    message = parser_words(message[:1].lower() + message[1:]) + where
    from routectl.config.imehint import ime_hint  # only on the error path

    hint = ime_hint(text, line)
    if hint is not None:  # the parser's "invalid value" does not say why
        return Problem(
            "error", source, "", _("not valid TOML: {reason}").format(reason=hint.message),
            line=hint.line,
            column=hint.column,
        )  # fmt: skip
    text = _("not valid TOML: {reason}").format(reason=message)
    return Problem("error", source, "", text, line=line, column=column)


_PARSER_WORDS = (
    N_("invalid statement"),
    N_("invalid value"),
    N_("expected '=' after a key in a key/value pair"),
    N_("expected ']' at the end of a table declaration"),
    N_("expected ']]' at the end of an array declaration"),
    N_("expected newline or end of document after a statement"),
    N_("invalid date or datetime"),
    N_("invalid hex value"),
    N_("invalid initial character for a key part"),
    N_("unclosed array"),
    N_("unclosed inline table"),
    N_("unescaped '\\' in a string"),
    N_("unterminated string"),
    N_("cannot overwrite a value"),
    N_("escaped character is not a Unicode scalar value"),
)
"""The TOML parser's own fixed explanations (tomllib, tomli), first letter lowered."""
_PARSER_PATTERNS = (
    (re.compile(r"cannot declare (.+) twice"), N_("cannot declare {key} twice")),
    (
        re.compile(r"cannot mutate immutable namespace (.+)"),
        N_("cannot mutate immutable namespace {key}"),
    ),
    (re.compile(r"cannot redefine namespace (.+)"), N_("cannot redefine namespace {key}")),
    (re.compile(r"duplicate inline table key (.+)"), N_("duplicate inline table key {key}")),
    (re.compile(r"found invalid character (.+)"), N_("found invalid character {key}")),
    (re.compile(r"illegal character (.+)"), N_("illegal character {key}")),
    (re.compile(r"expected (.+)"), N_("expected {key}")),
)


def parser_words(message: str) -> str:
    """The TOML parser's explanation in the current language, when it is a known one."""
    if message in _PARSER_WORDS:
        return _(message)
    for pattern, words in _PARSER_PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return _(words).format(key=match.group(1))
    return message


def _place(findings: list[Finding], text: str, source: str) -> list[Problem]:
    if not findings:
        return []
    from routectl.config.locate import find_line, key_lines

    lines = key_lines(text)
    problems = [
        Problem(
            f.severity,
            source,
            format_path(f.parts),
            f.message,
            line=find_line(lines, f.parts),
            code=f.code,
            name=WARNINGS.get(f.code) if f.code else None,
        )
        for f in findings
    ]
    return sorted(problems, key=lambda p: p.line or 0)
