"""``routectl plan LOG``: agents needed each hour for a target, by simulation (P12)."""

from __future__ import annotations

import sys
import time

import click

from routectl.commands.simoptions import jobs_or_default, load_model, simulation_options
from routectl.config import load_config
from routectl.durations import parse_duration
from routectl.errors import RoutectlError, UsageProblem
from routectl.helptext import Command, choose_lang
from routectl.i18n import _, current_lang
from routectl.logio.source import open_events
from routectl.options import (
    columns_option,
    config_option,
    encoding_option,
    output_option,
    skip_bad_option,
    sort_option,
)
from routectl.output import open_output, refuse_writing_onto_inputs
from routectl.progress import progress_enabled
from routectl.replay import run
from routectl.report import labels
from routectl.sim import planrender
from routectl.sim.calibrate import learned_model
from routectl.sim.inputs import Inputs
from routectl.sim.plan import PLAN_BY, PLAN_FIGURES, PlanResult, Progress, parse_goal, plan
from routectl.sim.planlog import observe
from routectl.sim.rota import NoSolver, load_solver, solve


def _shift_hours(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[int, ...]:
    hours = []
    for value in values:
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        if seconds % 3600 or not 3600 <= seconds <= 24 * 3600:
            raise click.BadParameter(
                _("{value}: a shift is whole hours, 1h to 24h").format(value=value)
            )
        hours.append(seconds // 3600)
    return tuple(sorted(set(hours)))


def _require_solver() -> None:
    """Before the simulations (minutes on a big log), not after them."""
    try:
        load_solver()
    except NoSolver as exc:
        raise UsageProblem(str(exc)) from None


def _rotas(result: PlanResult, lengths: tuple[int, ...]) -> tuple[planrender.Rotas, float]:
    """A rota per planned part of the week, and the solver's time for them all."""
    parts: dict[int | None, list[int]] = {}
    for row in result.hours:
        parts.setdefault(row.weekday, []).append(row.rota_need)
    started = time.perf_counter()
    rotas = tuple((weekday, solve(need, lengths)) for weekday, need in parts.items())
    return rotas, time.perf_counter() - started


def _progress() -> Progress | None:
    """A line on a terminal's standard error: simulations done so far."""
    if not progress_enabled():
        return None

    def show(done: int) -> None:
        sys.stderr.write(f"\r\x1b[Kroutectl plan: {done} simulations")
        sys.stderr.flush()

    return show


@click.command("plan", cls=Command)
@click.argument("log", default="-")
@config_option
@output_option
@click.option(
    "--target",
    default="85%",
    show_default=True,
    metavar="RATE|TIME",
    help="The goal: 85% for the rate; 60s for --figure avg_response_s.",
)
@click.option(
    "--figure",
    type=click.Choice(PLAN_FIGURES),
    default="response_rate",
    show_default=True,
    help="The figure the target is for.",
)
@click.option(
    "--max-agents",
    type=click.IntRange(1, 500),
    default=None,
    help="Most agents tried in an hour [default: 20, or twice the config's routing agents].",
)
@click.option(
    "--like",
    metavar="AGENT",
    help="Added agents answer like AGENT [default: the shop's typical agent].",
)
@click.option(
    "--shift",
    "shifts",
    multiple=True,
    callback=_shift_hours,
    metavar="HOURS",
    help="Shift length for a rota (8h; repeat for several): the fewest shifts covering the need.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people; json, csv for scripts.",
)
@click.option(
    "--lang",
    type=click.Choice(labels.LANGS),
    is_eager=True,
    callback=choose_lang,
    help="Table language [default: from the locale].",
)
@click.option(
    "--by",
    type=click.Choice(PLAN_BY),
    default="hour",
    show_default=True,
    help="hour: one plan for every day; weekday-hour: one per weekday, on its own buyers.",
)
@simulation_options
@encoding_option
@skip_bad_option
@columns_option
@sort_option
def plan_command(
    log: str, config_path: str, output_path: str, target: str, figure: str,
    max_agents: int | None, like: str | None, shifts: tuple[int, ...], fmt: str,
    lang: str | None, by: str, runs: int, seed: int, jobs: int | None, model_path: str | None,
    encoding: str, skip_bad: bool, column_map: dict[str, str], sort: bool,
) -> None:  # fmt: skip
    """For each hour of day: LOG's inquiries per day, the agents online then, the
    predicted figure now, and the least number of available agents reaching --target,
    by simulating LOG's arrivals under the config with the reply model learned from LOG.

    \b
    Examples:
      routectl plan month.csv --target 85%
      routectl plan month.csv --figure avg_response_s --target 60s --shift 8h --shift 6h
    More: docs/plan.md
    """
    goal = parse_goal(figure, target)
    refuse_writing_onto_inputs(output_path, (log, config_path))  # before minutes of work
    if shifts:
        _require_solver()
    config = load_config(config_path)
    saved = load_model(model_path)
    if like is not None and config.agent(like) is None:
        raise UsageProblem(_("--like {agent}: no such agent in the config").format(agent=like))
    routing = sum(1 for agent in config.agents if agent.routing)
    most = max_agents if max_agents is not None else max(20, 2 * routing)
    source = "<stdin>" if log == "-" else log
    with Inputs() as inputs:
        with open_events(
            log, config, encoding=encoding, skip_bad=skip_bad, columns=column_map, sort=sort
        ) as (events, skipped):
            pairs = run(config, events, source=source, on_bad=skipped if skip_bad else None)
            evidence, actual = observe(config, pairs, inputs)
        if inputs.arrivals == 0:
            raise RoutectlError(
                _("{log}: the log has no buyer message to plan for").format(log=source)
            )
        model = saved if saved is not None else learned_model(config, evidence, inputs.events, seed)
        progress = _progress()
        result = plan(config, model, inputs, actual, goal, max_agents=most, like=like,
                      runs=runs, seed=seed, jobs=jobs_or_default(jobs), by=by,
                      progress=progress)  # fmt: skip
        if progress is not None:
            sys.stderr.write("\r\x1b[K")
    rotas, solve_s = _rotas(result, shifts) if shifts else ((), None)
    if fmt == "json":
        text = planrender.plan_json(result, rotas, shifts)
    elif fmt == "csv":
        text = planrender.plan_csv(result)
    else:
        words = current_lang()
        text = planrender.plan_table(result, words, rotas, shifts, solve_s)
    if solve_s is not None and fmt != "table":
        message = _("routectl: rota solved by HiGHS in {ms} ms")
        click.echo(message.format(ms=f"{solve_s * 1000:.0f}"), err=True)
    with open_output(output_path, inputs=(log, config_path)) as out:
        out.write(text)
