"""Find the TOML line of a key path; tomllib gives no positions.

:func:`key_lines` walks the text of a document that tomllib already accepted and notes
where each table header, key, inline-table key and array element starts. It
understands headers (``[a.b]``, ``[[agents]]``), dotted and quoted keys, inline tables,
arrays (also over several lines) and every string form, so a key inside a string is
never taken for a real one. Anything it does not expect stops the walk: a line is
then missing, never wrong.
"""

from __future__ import annotations

import bisect
import contextlib
import sys

from routectl.config.problems import KeyPath, Part

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\r\n")


class _Stop(Exception):
    """The text is not what the walker expects; keep what was found so far."""


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self.array_tables: dict[KeyPath, int] = {}

    # --- low level -----------------------------------------------------------------

    def line(self) -> int:
        return bisect.bisect_right(self.starts, self.pos)

    def at(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def char(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, token: str) -> None:
        if not self.at(token):
            raise _Stop
        self.pos += len(token)

    def note(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line())

    def skip_blank(self, *, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.pos += 1
            elif c == "#" and newlines:
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def skip_past(self, token: str) -> None:
        end = self.text.find(token, self.pos)
        if end < 0:
            raise _Stop
        self.pos = end + len(token)

    # --- keys ----------------------------------------------------------------------

    def key(self) -> list[str]:
        parts = [self.simple_key()]
        self.skip_blank(newlines=False)
        while self.char() == ".":
            self.pos += 1
            self.skip_blank(newlines=False)
            parts.append(self.simple_key())
            self.skip_blank(newlines=False)
        return parts

    def simple_key(self) -> str:
        start = self.pos
        c = self.char()
        if c == '"':
            self.basic_string()
            raw = self.text[start : self.pos]
            return str(tomllib.loads(f"k = {raw}")["k"])
        if c == "'":
            self.pos += 1
            self.skip_past("'")
            return self.text[start + 1 : self.pos - 1]
        while self.char() in _BARE and self.char():
            self.pos += 1
        if self.pos == start:
            raise _Stop
        return self.text[start : self.pos]

    # --- values --------------------------------------------------------------------

    def basic_string(self) -> None:
        self.pos += 1
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "\\":
                self.pos += 2
            elif c == '"':
                self.pos += 1
                return
            elif c == "\n":
                raise _Stop
            else:
                self.pos += 1
        raise _Stop

    def multiline_string(self, quote: str) -> None:
        self.pos += 3
        text = self.text
        while self.pos < len(text):
            if quote == '"' and text[self.pos] == "\\":
                self.pos += 2
            elif self.at(quote * 3):
                self.pos += 3
                # Up to two more quotes belong to the content: `""""` ends with one quote.
                for _ in range(2):
                    if self.char() == quote:
                        self.pos += 1
                return
            else:
                self.pos += 1
        raise _Stop

    def value(self, path: KeyPath) -> None:
        c = self.char()
        if self.at('"""') or self.at("'''"):
            self.multiline_string(c)
        elif c == '"':
            self.basic_string()
        elif c == "'":
            self.pos += 1
            self.skip_past("'")
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == start:
                raise _Stop

    def array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.char() == "]":
                self.pos += 1
                return
            self.note((*path, index))
            self.value((*path, index))
            index += 1
            self.skip_blank(newlines=True)
            if self.char() == ",":
                self.pos += 1
            elif self.char() != "]":
                raise _Stop

    def inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while True:
            self.skip_blank(newlines=True)
            if self.char() == "}":
                self.pos += 1
                return
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.char() == ",":
                self.pos += 1
            elif self.char() != "}":
                raise _Stop

    def key_value(self, table: KeyPath) -> None:
        path = table
        for part in self.key():
            path = (*path, part)
            self.note(path)
        self.expect("=")
        self.skip_blank(newlines=False)
        self.value(path)

    # --- document ------------------------------------------------------------------

    def header(self) -> KeyPath:
        is_array = self.at("[[")
        self.pos += 2 if is_array else 1
        self.skip_blank(newlines=False)
        keys = self.key()
        self.expect("]]" if is_array else "]")
        path: KeyPath = ()
        for depth, key in enumerate(keys):
            path = (*path, key)
            self.note(path)
            count = self.array_tables.get(path)
            if count is not None and (depth < len(keys) - 1 or not is_array):
                path = (*path, count - 1)
        if is_array:
            count = self.array_tables.get(path, 0) + 1
            self.array_tables[path] = count
            path = (*path, count - 1)
            self.lines[path] = self.line()
        return path

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.char() == "[":
                table = self.header()
            else:
                self.key_value(table)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Key path -> 1-based line where that key, header or array element starts."""
    walker = _Walker(text)
    with contextlib.suppress(_Stop, IndexError, tomllib.TOMLDecodeError, RecursionError):
        walker.document()
    return walker.lines


def find_line(lines: dict[KeyPath, int], parts: KeyPath) -> int | None:
    """The line of ``parts``, else of its nearest enclosing key that was found."""
    path: tuple[Part, ...] = parts
    while path:
        line = lines.get(path)
        if line is not None:
            return line
        path = path[:-1]
    return None
