"""Click options shared by several commands, so each reads the same way everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

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
        type=click.Choice(["utf-8", "gb18030"], case_sensitive=False),
        default="utf-8",
        show_default=True,
        help="Log encoding; utf-8 accepts a BOM, gb18030 reads Chinese Excel exports.",
    )(function)


def skip_bad_option(function: F) -> F:
    return click.option(
        "--skip-bad",
        is_flag=True,
        help="Skip bad log rows instead of stopping; each is listed on stderr and counted.",
    )(function)


def excel_option(function: F) -> F:
    return click.option(
        "--excel",
        is_flag=True,
        help="CSV for spreadsheets: UTF-8 BOM, CRLF, and cells starting with = + - @ "
        "made inert (formula injection from buyer names or message text).",
    )(function)
