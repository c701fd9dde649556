"""``routectl model LOG``: the reply model learned from a log (P4-P7)."""

from __future__ import annotations

import click

from routectl.config import load_config
from routectl.helptext import Command
from routectl.logio.source import open_events
from routectl.options import (
    columns_option,
    config_option,
    encoding_option,
    output_option,
    skip_bad_option,
    sort_option,
)
from routectl.output import open_output
from routectl.replay import run
from routectl.sim import render
from routectl.sim.calibrate import learn_model


@click.command("model", cls=Command)
@click.argument("log", default="-")
@config_option
@output_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default=None,
    help="table for people; json for scripts and --model [default: json with -o FILE.json, "
    "else table].",
)  # fmt: skip
@encoding_option
@skip_bad_option
@columns_option
@sort_option
def model(
    log: str, config_path: str, output_path: str, fmt: str | None, encoding: str | None,
    skip_bad: bool, column_map: dict[str, str], sort: bool,
) -> None:  # fmt: skip
    """Learn how each agent of LOG answers and how its buyers behave.

    Per agent: first-reply delay as a distribution, by load (conversations held when the
    question starts) and hour of day; questions never answered, by load; how much of the
    model is the agent's own (thin agents borrow from their group and the shop). Per
    shop: follow-ups while waiting, the next question after an answer, closes, bot
    hand-overs, and conversion by first-response time (a correlation). Questions go to
    the log's holder: received_by, else the replier, else the replay.

    \b
    Examples:
      routectl model month.csv
      routectl model month.csv -o model.json      # then: diff --predict --model model.json
    More: docs/prediction.md
    """
    config = load_config(config_path)
    fmt = fmt or ("json" if output_path.endswith(".json") else "table")
    source = "<stdin>" if log == "-" else log
    with open_events(
        log, config, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
    ) as (events, skipped):
        pairs = run(config, events, source=source, on_bad=skipped if skip_bad else None)
        fitted = learn_model(config, pairs)
    text = render.model_json(fitted) if fmt == "json" else render.model_table(fitted)
    with open_output(output_path, inputs=(log, config_path)) as out:
        out.write(text)
