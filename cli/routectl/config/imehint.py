"""A hint for TOML typed with a Chinese input method, given when the TOML does not parse.

A Chinese input method writes “smart quotes” and full-width punctuation (，、＝［］｛｝) where
TOML wants ASCII, and the parser's own message (``invalid value``, ``unclosed array``)
does not say why. Only punctuation outside strings counts: ``"旗舰店，小美"`` is a fine
value. Pure: text in, the place and the hint out.
"""

from __future__ import annotations

from typing import NamedTuple

from routectl.i18n import N_, _

_DOUBLE = "“”„‟＂"
_SINGLE = "‘’‚‛＇"
_ASCII_FOR = {
    **{quote: '"' for quote in _DOUBLE},
    **{quote: "'" for quote in _SINGLE},
    "，": ",", "、": ",", "＝": "=", "［": "[", "］": "]", "｛": "{", "｝": "}",
    "＃": "#", "．": ".", "\u3000": " ",
}  # fmt: skip
_SUGGESTION = {'"': '"…"', "'": "'…'", " ": N_("a space")}
_LONGEST_SHOWN = 100
"""Longest corrected line quoted in the hint."""


class ImeHint(NamedTuple):
    line: int
    column: int
    """1-based, of the first misplaced character."""
    message: str


def ime_hint(text: str, error_line: int | None) -> ImeHint | None:
    """The hint for the nearest line at or before ``error_line`` (None: the end) that
    holds input-method punctuation outside a string, or None when there is none."""
    lines = text.splitlines()
    last = len(lines) if error_line is None else min(error_line, len(lines))
    for number in range(last, 0, -1):
        line = lines[number - 1]
        found = _misplaced(line)
        if found:
            return ImeHint(number, found[0] + 1, _wording(line, found))
    return None


def _wording(line: str, found: list[int]) -> str:
    chars = list(dict.fromkeys(line[at] for at in found))
    ascii_forms = list(dict.fromkeys(_ASCII_FOR[char] for char in chars))
    suggestions = _(" and ").join(_(_SUGGESTION.get(form, f'"{form}"')) for form in ascii_forms)
    fixed = "".join(_ASCII_FOR[char] if at in found else char for at, char in enumerate(line))
    corrected = fixed.strip()
    shown = _(" ({line})").format(line=corrected) if len(corrected) <= _LONGEST_SHOWN else ""
    what = " ".join(_("full-width space") if char == "\u3000" else char for char in chars)
    return _(
        "{chars} at column {column} (typed with a Chinese input method): "
        "did you mean {suggestions}?{fixed}"
    ).format(chars=what, column=found[0] + 1, suggestions=suggestions, fixed=shown)


def _misplaced(line: str) -> list[int]:
    """Positions of input-method punctuation outside TOML strings on one line.

    A smart quote outside a string opens one (its text is left alone) that the next
    quote of its kind, smart or ASCII, closes. A smart quote inside an ASCII string
    that never closes on the line is the culprit too (``"我的店铺”``).
    """
    found: list[int] = []
    inside: list[int] = []  # smart quotes inside the ASCII string open now
    quote = ""  # the open string's kind: '"', "'", or a smart one's ASCII form + "s"
    at = 0
    while at < len(line):
        char = line[at]
        if not quote:
            if char == "#":
                break
            if char in "\"'":
                quote, inside = char, []
            elif char in _ASCII_FOR:
                found.append(at)
                if char in _DOUBLE or char in _SINGLE:
                    quote = _ASCII_FOR[char] + "s"
        elif quote == '"':
            if char == "\\":
                at += 1
            elif char == '"':
                quote = ""
            elif char in _DOUBLE:
                inside.append(at)
        elif quote == "'":
            if char == "'":
                quote = ""
            elif char in _SINGLE:
                inside.append(at)
        elif _ASCII_FOR.get(char, char) == quote[0]:  # a smart-quoted string closes
            if char != quote[0]:
                found.append(at)
            quote = ""
        at += 1
    if quote in ('"', "'"):
        found.extend(inside)
    return sorted(found)
