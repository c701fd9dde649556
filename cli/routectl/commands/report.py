"""``routectl report [LOG]``: reply rate (R18-R21) and an explained split (R4, R22)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from routectl.config import load_config
from routectl.helptext import Command, choose_lang
from routectl.i18n import _, current_lang
from routectl.logio.headers import did_you_mean
from routectl.logio.source import open_events
from routectl.model import ShopConfig
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
from routectl.report import Window, build_report, labels, render, resolve_window
from routectl.report.html import page as html_page
from routectl.report.window import as_of_window


def _split_by(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    names = [part.strip().lower() for item in value for part in item.split(",") if part.strip()]
    unknown = [name for name in names if name not in render.BREAKDOWNS]
    if unknown:
        choices = ", ".join(render.BREAKDOWNS)
        hint = did_you_mean(unknown[0], list(render.BREAKDOWNS), list_up_to=0)
        message = _("{names}: choose from {choices}").format(
            names=", ".join(unknown), choices=choices
        )
        raise click.BadParameter(message + hint)
    return tuple(dict.fromkeys(names))


_FORMAT_HELP = (
    "table for people, json for scripts, csv: one table, html: one self-contained page "
    "with charts, in the --lang language."
)
_SINCE_HELP = "Count from: 2026-11-02, 2026-11-02T08:00, today, yesterday, 7d, 24h (shop time)."
_BY_HELP = "Breakdowns: repeat or comma-separate [default: agent,group,hour; csv: agent]."
_AS_OF_HELP = "The platform's 30 days before DATE (DATE-30..DATE-1): 2026-12-01, today."
_PLAN_HELP = (
    "With --format html: a chart of the agents needed each hour for this 3-minute response "
    "rate (85%), by simulation over the whole log (routectl plan's defaults)."
)
_LANG_HELP = (
    "Table language [default: zh when the locale (LC_ALL, LC_MESSAGES, LANG) is Chinese, else en]."
)


def _planning(config: ShopConfig, target: str | None) -> AbstractContextManager[Any]:
    """``routectl plan`` in the report's pass (imported only when asked for)."""
    if target is None:
        return nullcontext(None)
    from routectl.sim.plan import parse_goal
    from routectl.sim.planchart import planning

    return planning(config, parse_goal("response_rate", target))


def _window(since: str | None, until: str | None, as_of: str | None, now: datetime) -> Window:
    if as_of is not None and (since is not None or until is not None):
        raise click.UsageError(_("--as-of sets the whole window; leave out --since/--until"))
    try:
        return as_of_window(as_of, now) if as_of else resolve_window(since, until, now)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("report", cls=Command)
@click.argument("log", default="-")
@config_option
@output_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]), default="table",
    show_default=True, help=_FORMAT_HELP,
)  # fmt: skip
@click.option("--since", metavar="WHEN", help=_SINCE_HELP)
@click.option("--until", metavar="WHEN", help="Count up to (a day counts whole): same forms.")
@click.option("--as-of", "as_of", metavar="DATE", help=_AS_OF_HELP)
@click.option(
    "--by", multiple=True, callback=_split_by, metavar="agent|group|hour|day", help=_BY_HELP
)
@encoding_option
@skip_bad_option
@excel_option
@columns_option
@sort_option
@click.option(
    "--lang", type=click.Choice(labels.LANGS), is_eager=True, callback=choose_lang, help=_LANG_HELP
)
@click.option(
    "--headers", type=click.Choice(labels.HEADERS), default="keys", show_default=True,
    help="With --format csv: keys (the JSON keys, for scripts) or zh (Chinese headings, "
    "rates as percentages, for people).",
)  # fmt: skip
@click.option("--wide", is_flag=True, help="All scorecard columns (wider than 100 characters).")
@click.option("--verbose", is_flag=True, help="Rule ids and config keys next to the figures.")
@click.option("--plan-target", metavar="RATE", help=_PLAN_HELP)
def report(
    log: str, config_path: str, output_path: str, fmt: str, since: str | None,
    until: str | None, as_of: str | None, by: tuple[str, ...], encoding: str | None, skip_bad: bool,
    excel: bool | None, column_map: dict[str, str], sort: bool, lang: str | None,
    headers: str, wide: bool, verbose: bool, plan_target: str | None,
) -> None:  # fmt: skip
    """Replay LOG (- or nothing: standard input) and report the platform's figures and
    the agents' scorecard.

    3-minute response rate, reply rate, average response time (R23), slow responses
    (R24), inquiry conversion and sales (R25) per shop, agent and group, and why the
    split of buyers is uneven. Figures, how each is computed, and example output:
    docs/report.md in the routectl source repository.

    \b
    Examples:
      routectl report day.csv -c shopconfig.toml
      routectl report month.csv --as-of 2026-12-01 --by agent,group --lang zh
      routectl report week.csv --since 7d --format json -o report.json
    """
    if fmt == "csv" and len(by) > 1:
        raise click.BadParameter(_("csv writes one table; give one --by"), param_hint="--by")
    if headers != "keys" and fmt != "csv":
        raise click.BadParameter(
            _("names CSV columns: use it with --format csv"), param_hint="--headers"
        )
    excel = resolve_excel(excel, fmt, output_path)
    if plan_target is not None and fmt != "html":
        raise click.BadParameter(
            _("draws a chart: use it with --format html"), param_hint="--plan-target"
        )
    config = load_config(config_path)
    now = datetime.now(ZoneInfo(config.shop.timezone))  # the only clock read of a report
    window = _window(since, until, as_of, now)
    style = render.TableStyle(current_lang(), wide, verbose)
    source = "<stdin>" if log == "-" else log
    with (
        _planning(config, plan_target) as planner,
        open_events(
            log, config, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
        ) as (events, skipped),
    ):
        # The plan's learner reads each row's own Routed: no batched rows then.
        pairs = run(config, events, source=source, on_bad=skipped if skip_bad else None,
                    batches=planner is None)  # fmt: skip
        pairs = planner.watch(pairs) if planner is not None else pairs
        result = build_report(config, pairs, window, days="day" in by or fmt == "html")
        plan = planner.document() if planner is not None else None
    notice = window_notice(
        result.since, result.until, result.first_event, result.last_event, result.timezone
    )
    if notice:
        click.echo(notice, err=True)
    with open_output(output_path, bom=excel, inputs=(log, config_path)) as out:
        if fmt == "csv":
            render.write_csv(result, by[0] if by else "agent", out, excel=excel, headers=headers)
        elif fmt == "html":
            out.write(html_page(result, style.lang, plan))
        elif fmt == "json":
            out.write(render.to_json(result, by or render.DEFAULT_BY))
        else:
            out.write(render.to_table(result, by or render.DEFAULT_BY, style))
