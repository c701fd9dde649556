"""Make untrusted text safe to show to a person: one helper for every human-facing output.

Buyer names, shop names, config strings, log headers and file names come from exports,
other people and pull requests. Printed raw, an ESC sequence clears the terminal or
sets its title, a bidi override (U+202E) makes text read backwards, and a line break
starts a new line that a CI runner may execute as a workflow command
(``::error file=...``). :func:`printable` writes every such character as a visible
escape (``\\x1b``, ``\\n``, ``\\u202e``) so that a value always stays on its own line
and shows what it holds. Machine formats (CSV, JSON, JSON Lines) keep values exact and
do not use it.

A backslash is left as it is (Windows paths stay readable), so the escaping is not
reversible; it is for reading, not for parsing.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0 and C1 controls (ESC, CSI, line breaks, tab), DEL
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029"  # line and paragraph separators
    "]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, bidi and line-break characters written as escapes."""
    if text.isprintable():  # the common case, checked in C
        return text
    return _UNSAFE.sub(_escape, text)
