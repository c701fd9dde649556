"""``routectl replay LOG``: who got each buyer message, by which rule, and when."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

import click

from routectl import replay as core
from routectl.config import load_config
from routectl.helptext import Command
from routectl.i18n import _, current_lang
from routectl.logio.source import open_events
from routectl.options import (
    columns_option,
    config_option,
    encoding_option,
    excel_option,
    format_option,
    output_option,
    resolve_excel,
    skip_bad_option,
    sort_option,
)
from routectl.output import ROW_FORMATS, open_output, write_rows
from routectl.reasons import translate_reason
from routectl.safetext import printable

T = TypeVar("T")
_READ_BY_PEOPLE = ("table", "csv")
"""Formats whose reasons and steps are translated (JSON keeps the engine's English)."""


@click.command("replay", cls=Command)
@click.argument("log")
@config_option
@output_option
@format_option(ROW_FORMATS, piped_default="csv")
@encoding_option
@skip_bad_option
@excel_option
@columns_option
@sort_option
@click.option(
    "--explain",
    "buyer",
    metavar="BUYER",
    help="Instead of rows, print BUYER's full decision trace (columns line,time,step).",
)
def replay(
    log: str,
    config_path: str,
    output_path: str,
    fmt: str,
    encoding: str | None,
    skip_bad: bool,
    excel: bool | None,
    column_map: dict[str, str],
    sort: bool,
    buyer: str | None,
) -> None:
    """Route every buyer message of LOG (- reads standard input).

    One row per message row, in log order, with the columns
    line,time,buyer,assignee,rule,assigned_at,reason,observed,agrees
    (observed: the log's received_by, the sub-account that really got the
    message; agrees: whether the replay chose the same one).

    \b
    In the routectl source repository (not installed by pip):
    Rules, in the order they apply:  docs/routing.md
    Log columns, events, bad rows:   docs/log-format.md
    """
    excel = resolve_excel(excel, fmt, output_path)
    config = load_config(config_path)
    zone = ZoneInfo(config.shop.timezone)
    source = "<stdin>" if log == "-" else log
    with open_events(
        log, config, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
    ) as (events, skipped):
        on_bad = skipped if skip_bad else None
        columns: Sequence[str]
        rows: Iterator[Sequence[object]]
        if buyer is None:
            columns = core.COLUMNS
            routed = core.replay(config, events, source=source, on_bad=on_bad)
            rows = core.to_rows(routed, zone, text_agrees=fmt in ("csv", "table"))
        else:
            columns = core.TRACE_COLUMNS
            steps = core.trace(config, events, buyer, source=source, on_bad=on_bad)
            rows = core.trace_rows(steps, zone)
        lang = current_lang()
        if lang != "en" and fmt in _READ_BY_PEOPLE:  # the engine speaks English
            rows = _translated(rows, 6 if buyer is None else 2, lang)
        rows = _primed(rows)
        with open_output(output_path, bom=excel and fmt == "csv", inputs=(log, config_path)) as out:
            count = write_rows(columns, rows, fmt, out, excel=excel)
    if buyer is not None and not count:
        click.echo(
            _(
                "routectl: note: --explain {buyer}: no row of {log} names this "
                "buyer (names are compared exactly, spaces around them trimmed)"
            ).format(buyer=printable(buyer), log=source),
            err=True,
        )


def _translated(
    rows: Iterator[Sequence[object]], column: int, lang: str
) -> Iterator[Sequence[object]]:
    """Rows with the engine's English text in ``column`` translated to ``lang``."""
    for row in rows:
        text = row[column]
        if isinstance(text, str):
            row = (*row[:column], translate_reason(text, lang), *row[column + 1 :])
        yield row


def _primed(rows: Iterator[T]) -> Iterator[T]:
    """Read up to the first row before any output: a log that fails at once prints nothing."""
    first = list(itertools.islice(rows, 1))
    return itertools.chain(first, rows)
