"""``routectl backtest LOG``: learn on the earlier days, predict the last ones (P11)."""

from __future__ import annotations

from collections.abc import Iterator

import click

from routectl.commands.simoptions import jobs_or_default, load_model, simulation_options
from routectl.config import load_config
from routectl.durations import parse_duration
from routectl.errors import RoutectlError, UsageProblem
from routectl.events import Event
from routectl.helptext import Command
from routectl.i18n import _
from routectl.logio.source import open_events
from routectl.options import config_option, encoding_option, output_option
from routectl.output import open_output, refuse_writing_onto_inputs
from routectl.sim import render
from routectl.sim.backtest import TooShort, backtest


def _holdout(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    try:
        seconds = float(parse_duration(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if seconds < 86400:
        raise click.BadParameter(_("the holdout is one day (1d) or more"))
    return seconds


@click.command("backtest", cls=Command)
@click.argument("log")
@config_option
@output_option
@click.option(
    "--holdout",
    default="7d",
    show_default=True,
    callback=_holdout,
    metavar="DAYS",
    help="Predict the log's last DAYS (whole local days), learn on the rest.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people; json for scripts.",
)
@simulation_options
@encoding_option
def backtest_command(
    log: str, config_path: str, output_path: str, holdout: float, fmt: str, runs: int,
    seed: int, jobs: int | None, model_path: str | None, encoding: str | None,
) -> None:  # fmt: skip
    """Learn the reply model on LOG's days before the holdout, simulate the holdout's
    arrivals and presence under the config, and print predicted against actual figures,
    overall and per day. `actual` is what `report --since/--until` gives for the holdout.

    LOG is a file (it is read twice: once to find its last day). More: docs/prediction.md
    """
    if log == "-":
        raise UsageProblem(_("backtest reads LOG twice: give a file, not standard input"))
    inputs = (log, config_path, *([] if model_path is None else [model_path]))
    refuse_writing_onto_inputs(output_path, inputs)  # before minutes of work
    config = load_config(config_path)
    model = load_model(model_path)
    span = _span(log, config, encoding)

    def events() -> Iterator[Event]:
        with open_events(log, config, encoding=encoding) as (found, _skipped):
            yield from found

    try:
        result = backtest(config, events, span, holdout_s=holdout, runs=runs, seed=seed,
                          jobs=jobs_or_default(jobs), model=model, source=log)  # fmt: skip
    except TooShort as exc:
        raise RoutectlError(f"{log}: {exc}") from None
    text = render.backtest_json(result) if fmt == "json" else render.backtest_table(result)
    with open_output(output_path, inputs=inputs) as out:
        out.write(text)


def _span(log: str, config: object, encoding: str | None) -> tuple[float, float]:
    first = last = None
    with open_events(log, config, encoding=encoding) as (events, _skipped):  # type: ignore[arg-type]
        for event in events:
            if first is None:
                first = event.time
            last = event.time
    if first is None or last is None:
        raise RoutectlError(_("{log}: the log has no events").format(log=log))
    return first, last
