"""``--help`` and usage errors in the user's language, translated when they are printed.

Click fixes help strings when a command is defined (at import), before ``--lang`` or the
locale is known, so nothing here translates early: :class:`Command` and :class:`Group`
pass the command's help, short help, epilog and every option's help through
:func:`routectl.i18n._` while the help page is written. Click's own words ("Usage:",
"Options:", "No such option", ...) come from stdlib gettext's global domain;
:func:`use_catalogue_for_click` points Click's modules at our catalogue instead, once,
from the group's ``main()`` (never at import, never through gettext's global state).

For Chinese, :class:`Formatter` wraps by display width (a Chinese character is two
columns) and may break between any two Chinese characters, as Click's wrapping cannot.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterable, Iterator

import click

from routectl.i18n import _, current_lang, ngettext, set_lang

# Click modules that translate through a module-level ``_`` / ``ngettext``.
_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)
_NO_LINE_START = set("，。、；：！？）》」』】］,.;:!?)]%")
_NO_LINE_END = set("（《「『【［([")


def _click_gettext(message: str) -> str:
    return _(message)


def _click_ngettext(singular: str, plural: str, count: int) -> str:
    return ngettext(singular, plural, count)


def use_catalogue_for_click() -> None:
    """Make Click look its words up in routectl's catalogue (in the current language)."""
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a Click without that module
            continue
        if hasattr(module, "_"):
            setattr(module, "_", _click_gettext)  # noqa: B010
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", _click_ngettext)  # noqa: B010


def tidy(message: str) -> str:
    """Click joins sentences with a space; in Chinese, none after full-width punctuation."""
    if current_lang() == "en":
        return message
    message = re.sub(r"([，。；：！？）])\s+", r"\1", message)
    return re.sub(r"(?<=[\u4e00-\u9fff'）])\.$", "。", message)  # Click's own full stop


def choose_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Callback of an eager ``--lang``: the language from now on (``--lang zh --help``)."""
    if value:
        set_lang(value)
    return value


def translated(text: str | None) -> str | None:
    """Click's help ``text`` (cleaned as Click cleans it) in the current language."""
    if not text:
        return text
    return _(inspect.cleandoc(text))


def _width(text: str) -> int:
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_wide(ch: str) -> bool:
    from unicodedata import east_asian_width

    return east_asian_width(ch) in "WF"


def _tokens(paragraph: str) -> Iterator[tuple[str, bool]]:
    """Pieces a line may break between: runs of narrow characters (an English word, a
    path, an option) and single wide characters; ``(piece, after_a_space)``."""
    word = ""
    space = False
    for ch in paragraph:
        if ch == " ":
            if word:
                yield word, space
                word = ""
            space = True
        elif _is_wide(ch):
            if word:
                yield word, space
                word, space = "", False
            yield ch, space
            space = False
        else:
            word += ch
    if word:
        yield word, space


def _join_lines(lines: Iterable[str]) -> str:
    """One paragraph's lines as one line; no space between two Chinese characters."""
    out = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if out and not (_is_wide(out[-1]) and _is_wide(line[0])):
            out += " "
        out += line
    return out


def wrap_wide(paragraph: str, width: int) -> list[str]:
    """``paragraph`` in lines of at most ``width`` columns (a longer word stays whole).

    Chinese line-breaking rules: no line starts with closing punctuation (the character
    before it moves down with it) and none ends with an opening bracket."""
    lines: list[list[tuple[str, bool]]] = []
    line: list[tuple[str, bool]] = []
    for piece, space in _tokens(paragraph):
        if not line or _width(_text([*line, (piece, space)])) <= width:
            line.append((piece, space))
            continue
        carried: list[tuple[str, bool]] = []
        if piece[0] in _NO_LINE_START:  # move down a word that can start the line
            while len(line) > 1 and (not carried or carried[0][0][0] in _NO_LINE_START):
                carried.insert(0, line.pop())
        while len(line) > 1 and line[-1][0][-1] in _NO_LINE_END:
            carried.insert(0, line.pop())
        lines.append(line)
        line = [*carried, (piece, space)]
    if line:
        lines.append(line)
    return [_text(tokens) for tokens in lines]


def _text(tokens: list[tuple[str, bool]]) -> str:
    """The pieces of one line joined (a space where the paragraph had one)."""
    return "".join(
        (" " if space and at else "") + piece for at, (piece, space) in enumerate(tokens)
    )


def wrap_help(text: str, width: int, indent: str = "") -> str:
    """Click's paragraph rules (blank line between paragraphs, ``\\b`` keeps a block as
    written) with :func:`wrap_wide` inside each paragraph."""
    out: list[str] = []
    for block in text.expandtabs().split("\n\n"):
        lines = block.split("\n")
        if lines and lines[0].strip() == "\b":
            out.append("\n".join(indent + line for line in lines[1:]))
            continue
        base = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
        pad = indent + " " * base
        wrapped = wrap_wide(_join_lines(lines), max(width - _width(pad), 10))
        out.append("\n".join(pad + line for line in wrapped))
    return "\n\n".join(out)


class Formatter(click.HelpFormatter):
    """Click's formatter; Chinese text wrapped by display width, headings with ``：``."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None and current_lang() != "en":
            prefix = _("Usage:")  # no space after the full-width colon
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if current_lang() == "en":
            super().write_heading(heading)
            return
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        if current_lang() == "en":
            super().write_text(text)
            return
        self.write(wrap_help(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        if current_lang() == "en":
            super().write_dl(rows, col_max, col_spacing)
            return
        rows = list(rows)
        first_col = min(max((_width(first) for first, _s in rows), default=0), col_max)
        first_col += col_spacing
        margin = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if _width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(first)))
            else:
                self.write("\n" + margin)
            lines = wrap_help(second, max(self.width - first_col - 2, 10)).splitlines()
            self.write("\n".join([lines[0], *(margin + line for line in lines[1:])]) + "\n")


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    """A command whose help is translated when it is printed."""

    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return (translated(self.short_help) or "").strip()
        return super().get_short_help_str(limit)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        help_text = self.help
        self.help = translated(help_text)
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = help_text

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        epilog = self.epilog
        self.epilog = translated(epilog)
        try:
            super().format_epilog(ctx, formatter)
        finally:
            self.epilog = epilog

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):
            record = _with_translated_help(param).get_help_record(ctx)
            if record is not None and not isinstance(param, click.Argument):
                rows.append(record)
        if rows:
            with formatter.section(_("Options")):
                formatter.write_dl(rows)


def _with_translated_help(param: click.Parameter) -> click.Parameter:
    help_text = getattr(param, "help", None)
    if current_lang() == "en" or not isinstance(help_text, str) or not help_text:
        return param
    import copy

    clone = copy.copy(param)
    clone.help = _(help_text)
    return clone


class Group(Command, click.Group):
    """A group whose help (and its sub-commands' summaries) is translated when printed."""

    command_class = Command

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)
