"""``routectl generate-log``: write a realistic, seeded event log for a config.

A thin shell over :func:`routectl.generate.generate_rows`: options in, CSV out through
:func:`routectl.output.open_output` (atomic for ``-o FILE``). Rows are written as they
are generated, so memory stays flat whatever ``--rows`` or ``--days`` is.
"""

from __future__ import annotations

import csv
from datetime import datetime

import click

from routectl.config import load_config
from routectl.errors import UsageProblem
from routectl.generate import DEFAULT_START, HEADER, PastLastDate, generate_rows
from routectl.options import config_option, output_option
from routectl.output import open_output


@click.command("generate-log")
@config_option
@output_option
@click.option(
    "--rows",
    type=click.IntRange(min=0),
    default=None,
    help="Exactly this many data rows (as many days as it takes).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=3660),
    default=None,
    help="Whole days of traffic [default: 1 when --rows is not given]. With --rows: "
    "spread the rows over about this many days.",
)
@click.option(
    "--per-day",
    "rows_per_day",
    type=click.IntRange(min=1),
    default=None,
    help="Rows per day [default: 250 per max_concurrent slot of the routing agents].",
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
    help="First day of the log (YYYY-MM-DD, shop local time).",
)
def generate_log(
    config_path: str,
    output_path: str,
    rows: int | None,
    days: int | None,
    rows_per_day: int | None,
    seed: int,
    start: datetime,
) -> None:
    """Write a realistic, seeded event log for the config.

    Agents work shifts with meal breaks, suspensions, offline spells and mobile logins;
    buyers arrive with peaks around 10-11 and 20-22, from a bounded population with
    repeat, VIP and dedicated buyers; messages hit the config's special routing rules;
    replies come mostly within 3 minutes, some later, some never. The log is valid for
    'routectl replay' and 'routectl report', rows in time order.

    \b
    Examples:
      routectl generate-log -c shopconfig.toml --days 7 -o week.csv
      routectl generate-log -c shopconfig.toml --rows 1000000 --seed 42 -o big.csv
    """
    config = load_config(config_path)
    generated = generate_rows(
        config,
        seed=seed,
        start=start.date(),
        rows=rows,
        days=days,
        rows_per_day=rows_per_day,
    )
    try:
        with open_output(output_path, inputs=(config_path,)) as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(generated)
    except PastLastDate as exc:
        raise UsageProblem(f"--start {start.date().isoformat()}: {exc}") from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = "standard output" if output_path == "-" else output_path
        raise UsageProblem(f"{where}: cannot write: {exc.strerror or exc}") from None
