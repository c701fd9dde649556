"""``routectl diff BASE NEW [LOG]``: what a config change would have done to a log."""

from __future__ import annotations

import click

from routectl import diffrender
from routectl.config import load_config
from routectl.config.loader import source_name
from routectl.diff import compare, reading_config
from routectl.errors import RoutectlError, UsageProblem
from routectl.logsource import open_events
from routectl.options import (
    columns_option,
    encoding_option,
    output_option,
    skip_bad_option,
    sort_option,
)
from routectl.output import open_output

_RENDER = {
    "table": diffrender.to_table,
    "json": diffrender.to_json,
    "markdown": diffrender.to_markdown,
}


@click.command("diff")
@click.argument("base", metavar="BASE")
@click.argument("new", metavar="NEW")
@click.argument("log", default="-", metavar="[LOG]")
@output_option
@click.option(
    "--format", "fmt", type=click.Choice(diffrender.FORMATS), default="table",
    show_default=True, help="table; json for scripts; markdown for PR comments and CI summaries.",
)  # fmt: skip
@click.option(
    "--limit", type=click.IntRange(min=0), default=20, show_default=True,
    help="Show the first N changed messages with both decisions and reasons.",
)  # fmt: skip
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed (like git diff).")
@encoding_option
@skip_bad_option
@columns_option
@sort_option
def diff(
    base: str, new: str, log: str, output_path: str, fmt: str, limit: int,
    exit_code: bool, encoding: str, skip_bad: bool, column_map: dict[str, str], sort: bool,
) -> int:  # fmt: skip
    """Replay LOG (- or nothing: standard input) through the BASE and NEW configs.

    Prints how many messages change assignee or rule, each agent's share before and
    after, the report's summary figures on both sides and the first changed messages.
    BASE or NEW may be - (standard input; not both, nor with LOG -). The new side
    assumes the log's reply times. In git:

    \b
      routectl diff <(git show origin/main:shopconfig.toml) shopconfig.toml last-month.csv

    Exit 0; 1 with --exit-code when anything changed; 2 on a usage error, an invalid
    config or a bad log row. More: docs/cli.md#diff
    """
    if [base, new, log].count("-") > 1:
        raise UsageProblem("standard input (-) can be read once: give files for the others")
    try:
        base_config, new_config = load_config(base), load_config(new)
        sources = diffrender.Sources(*(source_name(path) for path in (base, new, log)))
        reading = reading_config(base_config, new_config)
        with open_events(
            log, reading, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
        ) as (events, skipped):
            on_bad = skipped if skip_bad else None
            result = compare(
                base_config, new_config, events, limit=limit, source=sources.log, on_bad=on_bad
            )
    except RoutectlError as exc:
        exc.exit_code = 2  # 1 is reserved for "changed" (--exit-code)
        raise
    with open_output(output_path, inputs=(base, new, log)) as out:
        out.write(_RENDER[fmt](result, sources))
    return 1 if exit_code and result.changed else 0
