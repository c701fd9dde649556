"""``routectl report [LOG]``: reply rate (R18-R21) and an explained split (R4, R22)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from routectl.config import load_config
from routectl.headers import did_you_mean
from routectl.logsource import open_events
from routectl.notices import window_notice
from routectl.options import (
    columns_option,
    config_option,
    encoding_option,
    excel_option,
    output_option,
    resolve_excel,
    skip_bad_option,
    sort_option,
)
from routectl.output import open_output
from routectl.replay import run
from routectl.report import build_report, render, resolve_window
from routectl.report.html import html_renderer


def _split_by(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    names = [part.strip().lower() for item in value for part in item.split(",") if part.strip()]
    unknown = [name for name in names if name not in render.BREAKDOWNS]
    if unknown:
        choices = ", ".join(render.BREAKDOWNS)
        hint = did_you_mean(unknown[0], list(render.BREAKDOWNS), list_up_to=0)
        raise click.BadParameter(f"{', '.join(unknown)}: choose from {choices}{hint}")
    return tuple(dict.fromkeys(names))


_FORMAT_HELP = (
    "table for people, json for scripts, csv: one table, html: one self-contained page "
    "with charts (pip install 'routectl[html]')."
)
_SINCE_HELP = "Count from: 2026-11-02, 2026-11-02T08:00, today, yesterday, 7d, 24h (shop time)."
_BY_HELP = "Breakdowns: repeat or comma-separate [default: agent,group,hour; csv: agent]."


@click.command("report")
@click.argument("log", default="-")
@config_option
@output_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]), default="table",
    show_default=True, help=_FORMAT_HELP,
)  # fmt: skip
@click.option("--since", metavar="WHEN", help=_SINCE_HELP)
@click.option("--until", metavar="WHEN", help="Count up to (a day counts whole): same forms.")
@click.option(
    "--by", multiple=True, callback=_split_by, metavar="agent|group|hour|day", help=_BY_HELP
)
@encoding_option
@skip_bad_option
@excel_option
@columns_option
@sort_option
def report(
    log: str, config_path: str, output_path: str, fmt: str, since: str | None,
    until: str | None, by: tuple[str, ...], encoding: str, skip_bad: bool, excel: bool | None,
    column_map: dict[str, str], sort: bool,
) -> None:  # fmt: skip
    """Replay LOG (- or nothing: standard input) and report the reply rate and the split.

    Figures, how each is computed, and example output: docs/report.md in the routectl
    source repository.
    """
    if fmt == "csv" and len(by) > 1:
        raise click.BadParameter("csv writes one table; give one --by", param_hint="--by")
    excel = resolve_excel(excel, fmt, output_path)
    to_html = html_renderer() if fmt == "html" else None
    config = load_config(config_path)
    now = datetime.now(ZoneInfo(config.shop.timezone))  # the only clock read of a report
    try:
        window = resolve_window(since, until, now)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    source = "<stdin>" if log == "-" else log
    with open_events(
        log, config, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
    ) as (events, skipped):
        pairs = run(config, events, source=source, on_bad=skipped if skip_bad else None)
        result = build_report(config, pairs, window)
    notice = window_notice(
        result.since, result.until, result.first_event, result.last_event, result.timezone
    )
    if notice:
        click.echo(notice, err=True)
    with open_output(output_path, bom=excel, inputs=(log, config_path)) as out:
        if fmt == "csv":
            render.write_csv(result, by[0] if by else "agent", out, excel=excel)
        elif to_html is not None:
            out.write(to_html(result))
        else:
            to_text = render.to_json if fmt == "json" else render.to_table
            out.write(to_text(result, by or render.DEFAULT_BY))
