"""``routectl generate-log``: write a realistic, seeded event log for a config.

A thin shell over :func:`routectl.sim.generate.generate_rows`: options in, CSV out through
:func:`routectl.output.open_output` (atomic for ``-o FILE``). Rows are written as they
are generated, so memory stays flat whatever ``--rows`` or ``--days`` is.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from datetime import datetime

import click

from routectl.config import load_config
from routectl.config.loader import source_name
from routectl.errors import UsageProblem, os_reason
from routectl.helptext import Command
from routectl.i18n import _
from routectl.model import ShopConfig
from routectl.options import config_option, output_option
from routectl.output import open_output, refuse_same_outputs
from routectl.sim.generate import (
    DEFAULT_START,
    HEADER,
    PastLastDate,
    Row,
    TooLarge,
    generate_rows,
    make_plan,
)
from routectl.sim.generate_progress import CHUNK_ROWS, rows_progress
from routectl.sim.generate_team import MAX_AGENTS, scale_team
from routectl.sim.generate_times import DEFAULT_TIME_FORMAT, TIME_FORMATS

MAX_ROWS = 10**12
"""Most ``--rows``: a log of some 50 TB; beyond it a number is a typo, not a plan."""
MAX_ROWS_PER_DAY = 10_000_000
"""Most rows a day (``--per-day``, or ``--rows`` over ``--days``): the default for the
largest team ``--agents`` makes (10,000 agents x 1,000 rows). A day's plan is held in
memory while it is written, so an unbounded figure allocated without end."""


@click.command("generate-log", cls=Command)
@config_option
@output_option
@click.option(
    "--rows",
    type=click.IntRange(min=0, max=MAX_ROWS),
    default=None,
    help="Exactly this many data rows (as many days as it takes).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=3660),
    default=None,
    help="Whole days of traffic, midnight to midnight [default: 1 when --rows is not "
    "given]. With --rows: spread the rows over about this many days.",
)
@click.option(
    "--per-day",
    "rows_per_day",
    type=click.IntRange(min=1, max=MAX_ROWS_PER_DAY),
    default=None,
    help="Rows per day [default: 1000 per routing agent, at most 100 per max_concurrent "
    "slot, at least 1000].",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Random seed: the same seed, config and options give the same log, byte for byte.",
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=DEFAULT_START.isoformat(),
    show_default=True,
    help="First day of the log (YYYY-MM-DD, shop local time); the log stays within "
    "1900-01-01..9998-12-31, the dates replay reads.",
)
@click.option(
    "--time-format",
    type=click.Choice(list(TIME_FORMATS)),
    default=DEFAULT_TIME_FORMAT,
    show_default=True,
    help="How times are written: "
    + "; ".join(f"{name}: {example}" for name, example in TIME_FORMATS.items())
    + ". Every format gives the same routing.",
)
@click.option(
    "--agents",
    type=click.IntRange(min=1, max=MAX_AGENTS),
    default=None,
    help="Scale the team to N agents (the config's own first, then copies of them "
    "named SHOP:客服001...). Replay the log with the config written by --write-config.",
)
@click.option(
    "--write-config",
    "config_out",
    type=click.Path(dir_okay=False, writable=True, allow_dash=False),
    default=None,
    help="Also write the config the log was generated for (with --agents: the scaled "
    "team), as TOML that 'routectl replay -c' reads.",
)
def generate_log(
    config_path: str,
    output_path: str,
    rows: int | None,
    days: int | None,
    rows_per_day: int | None,
    seed: int,
    start: datetime,
    time_format: str,
    agents: int | None,
    config_out: str | None,
) -> None:
    """Write a believable, seeded event log for the config.

    Agents work shifts with meal breaks, suspensions, offline spells and mobile logins;
    buyers arrive with peaks around 10-11 and 20-22, from a bounded population with
    repeat, VIP and dedicated buyers; messages hit the config's special routing rules.
    Every row goes through routectl's routing engine as it is written: replies come from
    the agent the engine gave the buyer to, after that agent's reply delay; the bot and
    agents transfer some buyers; some buyers pay (paid rows with an amount), a few with
    no inquiry. The log replays with no bad row, rows in time order; a progress bar
    shows on a terminal.

    \b
    Examples:
      routectl generate-log -c shopconfig.toml --days 7 -o week.csv
      routectl generate-log -c shopconfig.toml --rows 1000000 --seed 42 -o big.csv
      routectl generate-log -c shopconfig.toml --agents 40 --time-format offset \\
          --write-config team40.toml -o team40.csv
    """
    refuse_same_outputs([("--write-config", config_out or ""), ("-o", output_path)])
    if rows is not None and days is not None and rows_per_day is None:
        spread = -(-rows // days)
        if spread > MAX_ROWS_PER_DAY:
            raise UsageProblem(
                _(
                    "--rows {rows} over --days {days} is {spread} rows a day; at most "
                    "{most} (give more --days)"
                ).format(rows=rows, days=days, spread=spread, most=MAX_ROWS_PER_DAY)
            )
    config = load_config(config_path)
    if agents is not None and agents != len(config.agents):
        config = scale_team(config, agents)
        if config_out is None:
            click.echo(
                _(
                    "routectl: note: the log names {count} agents; replay it with the config "
                    "that --write-config writes"
                ).format(count=agents),
                err=True,
            )
    try:
        generated = generate_rows(
            config,
            seed=seed,
            start=start.date(),
            rows=rows,
            days=days,
            rows_per_day=rows_per_day,
            time_format=time_format,
        )
        if config_out is not None:
            _write_config(config, config_out, source_name(config_path), inputs=(config_path,))
        total = (
            rows
            if rows is not None
            else make_plan(config, days=days, rows_per_day=rows_per_day).rows_per_day * (days or 1)
        )
        _write_log(generated, output_path, total, inputs=(config_path,))
    except PastLastDate as exc:
        raise UsageProblem(f"--start {start.date().isoformat()}: {_(str(exc))}") from None
    except TooLarge as exc:
        raise UsageProblem(str(exc)) from None


def _write_log(
    generated: Iterator[Row], output_path: str, total: int, inputs: tuple[str, ...]
) -> None:
    """Write the header and rows, with a progress bar on a terminal's stderr."""
    try:
        with open_output(output_path, inputs=inputs) as out, rows_progress(total) as bar:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(HEADER)
            while chunk := list(itertools.islice(generated, CHUNK_ROWS)):
                writer.writerows(chunk)
                if bar is not None:
                    bar.update(0, len(chunk))
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = _("standard output") if output_path == "-" else output_path
        message = _("{path}: cannot write: {reason}")
        raise UsageProblem(message.format(path=where, reason=os_reason(exc))) from None


def _write_config(config: ShopConfig, path: str, source: str, inputs: tuple[str, ...]) -> None:
    from routectl.config.effective import effective_toml

    try:
        with open_output(path, inputs=inputs) as out:
            out.write(effective_toml(config, f"{source} (as generate-log used it)"))
    except OSError as exc:
        message = _("{path}: cannot write: {reason}")
        raise UsageProblem(message.format(path=path, reason=os_reason(exc))) from None
