"""Click options shared by several commands, so each reads the same way everywhere."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from routectl.i18n import _
from routectl.logio.encodings import ENCODINGS

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_CONFIG = "shopconfig.toml"


def config_option(function: F) -> F:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, allow_dash=True),
        envvar="ROUTECTL_CONFIG",
        default=DEFAULT_CONFIG,
        show_default=True,
        show_envvar=True,
        help="Shop config (TOML).",
    )(function)


def output_option(function: F) -> F:
    return click.option(
        "-o",
        "--output",
        "output_path",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True),
        default="-",
        show_default=True,
        help="Write here instead of standard output; the file appears only on success.",
    )(function)


def format_option(choices: Sequence[str], *, piped_default: str) -> Callable[[F], F]:
    """``--format``: ``table`` on a terminal, ``piped_default`` otherwise (contract)."""

    def pick_default(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        if value is not None:
            return value
        output_path = ctx.params.get("output_path", "-")
        on_terminal = output_path == "-" and sys.stdout.isatty()
        return "table" if on_terminal and "table" in choices else piped_default

    def decorate(function: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=None,
            callback=pick_default,
            help=f"Output format [default: table on a terminal, else {piped_default}].",
        )(function)

    return decorate


def encoding_option(function: F) -> F:
    return click.option(
        "--encoding",
        type=click.Choice(list(ENCODINGS), case_sensitive=False),
        default=None,
        help="Log encoding [default: detected in a file (a BOM, then UTF-16, UTF-8 or "
        "GB18030 by the bytes); utf-8 on standard input]. utf-8 accepts a BOM; gb18030 "
        "(also gbk, cp936) reads Chinese Excel and Qianniu exports; auto detects on "
        "standard input too, from its first 64 KiB.",
    )(function)


def _column_mapping(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> dict[str, str]:
    if not value:
        return {}
    from routectl.logio.headers import parse_column_mapping  # only when --column is given

    mapping: dict[str, str] = {}
    for item in value:
        try:
            mapping.update(parse_column_mapping(item))
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return mapping


def columns_option(function: F) -> F:
    return click.option(
        "--columns",
        "column_map",
        multiple=True,
        callback=_column_mapping,
        metavar="COLUMN=HEADING,...",
        help="Read a column from another heading, e.g. --columns time=发送时间,buyer=买家昵称 "
        "(Chinese headings such as 时间, 买家, 客服 are known without this).",
    )(function)


def sort_option(function: F) -> F:
    return click.option(
        "--sort",
        is_flag=True,
        help="Sort the log by time first (equal times keep file order), in bounded memory "
        "with temporary files in $TMPDIR; without it an unsorted log is a bad row.",
    )(function)


def skip_bad_option(function: F) -> F:
    return click.option(
        "--skip-bad",
        is_flag=True,
        help="Skip bad log rows instead of stopping; each is listed on stderr and counted.",
    )(function)


def excel_option(function: F) -> F:
    return click.option(
        "--excel/--no-excel",
        default=None,
        help="CSV for spreadsheets: UTF-8 BOM, CRLF, and cells starting with = + - @ "
        "made inert (formula injection from buyer names or message text). "
        "[default: on for CSV written to a file with -o, off on standard output]",
    )(function)


def resolve_excel(excel: bool | None, fmt: str, output_path: str) -> bool:
    """Whether CSV output is Excel-safe; ``--excel`` with another format is a usage error."""
    if excel and fmt != "csv":
        raise click.UsageError(
            _("--excel applies to CSV only (this run writes {format}); add --format csv").format(
                format=fmt
            )
        )
    if excel is None:
        return fmt == "csv" and _is_file_target(output_path)
    return excel and fmt == "csv"


def _is_file_target(path: str) -> bool:
    """``-o`` names a regular file, or one to be made (not stdout, a pipe or a device)."""
    if path == "-":
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True
