"""``routectl diff BASE NEW [LOG]``: what a config change would have done to a log."""

from __future__ import annotations

import click

from routectl.commands.simoptions import jobs_or_default, load_model, simulation_options
from routectl.config import load_config
from routectl.config.loader import source_name
from routectl.diff import render as diffrender
from routectl.diff.core import compare, reading_config
from routectl.errors import RoutectlError, UsageProblem
from routectl.helptext import Command, choose_lang
from routectl.i18n import LANGS, _
from routectl.logio.source import open_events
from routectl.options import (
    columns_option,
    encoding_option,
    output_option,
    skip_bad_option,
    sort_option,
)
from routectl.output import open_output
from routectl.sim.study import predicting, with_prediction

_RENDER = {
    "table": diffrender.to_table,
    "json": diffrender.to_json,
    "markdown": diffrender.to_markdown,
}


@click.command("diff", cls=Command)
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
@click.option(
    "--predict", is_flag=True,
    help="Also simulate both configs with the reply model: predicted response figures "
    "with 90 % intervals (docs/prediction.md).",
)  # fmt: skip
@simulation_options
@click.option(
    "--lang", type=click.Choice(LANGS), is_eager=True, callback=choose_lang,
    help="Language of the table and Markdown (JSON never changes) [default: from the locale].",
)  # fmt: skip
def diff(
    base: str, new: str, log: str, output_path: str, fmt: str, limit: int,
    exit_code: bool, encoding: str | None, skip_bad: bool, column_map: dict[str, str], sort: bool,
    predict: bool, runs: int, seed: int, jobs: int | None, model_path: str | None,
    lang: str | None,
) -> int:  # fmt: skip
    """Replay LOG (- or nothing: standard input) through the BASE and NEW configs.

    Prints how many messages change assignee or rule, each agent's share before and
    after, the report's summary figures on both sides and the first changed messages.
    BASE or NEW may be - (standard input; not both, nor with LOG -). The new side
    assumes the log's reply times; with --predict both sides are also simulated
    (--runs times) with replies from the reply model learned from LOG, and the
    predicted 3-minute rate, reply rate, average response, slow responses and
    conversion are printed with 90 % intervals beside the log's own, and the log's
    own moved by the predicted change (log + change: read it first). In git:

    \b
      routectl diff <(git show origin/main:shopconfig.toml) shopconfig.toml last-month.csv
      routectl diff main.toml shopconfig.toml month.csv --predict --format markdown

    Exit 0; 1 with --exit-code when anything changed; 2 on a usage error, an invalid
    config or a bad log row. More: docs/cli.md#diff
    """
    if [base, new, log].count("-") > 1:
        raise UsageProblem(_("standard input (-) can be read once: give files for the others"))
    try:
        base_config, new_config = load_config(base), load_config(new)
        sources = diffrender.Sources(*(source_name(path) for path in (base, new, log)))
        reading = reading_config(base_config, new_config)
        saved_model = load_model(model_path) if predict else None
        with (
            predicting(base_config, predict) as study,
            open_events(
                log, reading, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
            ) as (events, skipped),
        ):
            on_bad = skipped if skip_bad else None
            result = compare(
                base_config, new_config, events, limit=limit, source=sources.log,
                on_bad=on_bad, observe=study.observe if study else None,
            )  # fmt: skip
            text = _RENDER[fmt](result, sources)
            if study is not None:
                prediction = study.predict(new_config, result.base, saved_model, runs, seed,
                                           jobs_or_default(jobs))  # fmt: skip
                text = with_prediction(text, fmt, prediction)
    except RoutectlError as exc:
        exc.exit_code = 2  # 1 is reserved for "changed" (--exit-code)
        raise
    with open_output(output_path, inputs=(base, new, log, *_given(model_path))) as out:
        out.write(text)
    return 1 if exit_code and result.changed else 0


def _given(path: str | None) -> tuple[str, ...]:
    return () if path is None else (path,)
