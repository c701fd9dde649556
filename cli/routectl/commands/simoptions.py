"""Options shared by the commands that simulate: ``--runs``, ``--seed``, ``--jobs``,
``--model``; and reading a saved model."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from routectl.errors import UsageProblem, os_reason
from routectl.i18n import _
from routectl.sim.model import BadModel, ReplyModel, from_json
from routectl.sim.predict import DEFAULT_RUNS, default_jobs

F = TypeVar("F", bound=Callable[..., Any])


def simulation_options(function: F) -> F:
    function = click.option(
        "--model", "model_path", metavar="FILE",
        help="A reply model saved by `routectl model -o FILE` [default: learned from LOG].",
    )(function)  # fmt: skip
    function = click.option(
        "--jobs", type=click.IntRange(min=1), default=None,
        help="Processes for the runs [default: all cores].",
    )(function)  # fmt: skip
    function = click.option(
        "--seed", type=int, default=1, show_default=True,
        help="Same seed, same output, byte for byte.",
    )(function)  # fmt: skip
    return click.option(
        "--runs", type=click.IntRange(min=1, max=1000), default=DEFAULT_RUNS, show_default=True,
        help="Simulations per config; more runs, tighter intervals.",
    )(function)  # fmt: skip


def jobs_or_default(jobs: int | None) -> int:
    return jobs if jobs is not None else default_jobs()


def load_model(path: str | None) -> ReplyModel | None:
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
        return from_json(data)
    except OSError as exc:
        raise UsageProblem(
            _("--model {path}: {reason}").format(path=path, reason=os_reason(exc))
        ) from None
    except (ValueError, BadModel) as exc:
        raise UsageProblem(_("--model {path}: {reason}").format(path=path, reason=exc)) from None
