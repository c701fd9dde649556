"""Model, prediction and back-test output: tables for people, JSON for scripts,
Markdown for pull-request comments. Fractions 0..1 and seconds in JSON; percentages
and seconds with units in text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from routectl.i18n import N_, _
from routectl.output import dumps_json, render_table
from routectl.safetext import printable
from routectl.sim.backtest import Backtest
from routectl.sim.learn import DELAY_LEVELS
from routectl.sim.model import CONVERSION_NOTE, AgentModel, ReplyModel, to_json
from routectl.sim.predict import (
    FIGURE_NAMES,
    FIGURES,
    RATES,
    Interval,
    interval_json,
    intervals_json,
)
from routectl.sim.whatif import Prediction


def label(name: str) -> str:
    """A figure's name in the current language."""
    return _(FIGURE_NAMES[name])


def _value(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    if name in RATES:
        return f"{value * 100:.1f}%"
    if name == "avg_response_s":
        return _("{seconds:.1f}s").format(seconds=value)
    return f"{value:.0f}"


def _change(name: str, value: float) -> str:
    if name in RATES:
        return _("{points:+.1f} pt").format(points=value * 100)
    if name == "avg_response_s":
        return _("{seconds:+.1f}s").format(seconds=value)
    return f"{value:+.0f}"


def _range(name: str, found: Interval | None, signed: bool = False) -> str:
    if found is None:
        return "-"
    show = _change if signed else _value
    return f"{show(name, found.mean)} ({show(name, found.low)} .. {show(name, found.high)})"


# --- model -------------------------------------------------------------------------


def model_sentence(model: AgentModel) -> str:
    """``小美: median 45 s alone, +18 % per extra conversation, ...``"""
    parts = [_("median {seconds:.0f} s alone").format(seconds=model.median_s())]
    parts.append(
        _("{percent:+.0f} % per extra conversation").format(
            percent=model.per_extra_conversation() * 100
        )
    )
    slowest = model.slowest_hours()
    if slowest is not None:
        parts.append(
            _("slowest {start:02d}:00-{end:02d}:00").format(start=slowest[0], end=slowest[1])
        )
    parts.append(_("{percent:.0f} % never answered").format(percent=model.never_share() * 100))
    if model.own_share < 0.995:
        parts.append(
            _("{percent:.0f} % its own (rest: {source})").format(
                percent=model.own_share * 100, source=model.borrowed_from
            )
        )
    return f"{model.agent}: " + _(", ").join(parts)


MODEL_COLUMNS = (N_("agent"), N_("questions"), N_("own"), N_("median"), N_("median alone"),
                 N_("per extra conv."), N_("slowest"), N_("never answered"))  # fmt: skip


DELAY_WORDS = {
    "<30s": N_("<30s"), "30-60s": N_("30-60s"), "1-3m": N_("1-3m"), "3-10m": N_("3-10m"),
    ">=10m": N_(">=10m"), "never": N_("never"),
}  # fmt: skip
"""The first-response levels (JSON keys) as the table shows them."""


def model_table(model: ReplyModel) -> str:
    columns = [_(c) for c in MODEL_COLUMNS]
    rows = []
    for name in sorted(model.agents):
        agent = model.agents[name]
        slowest = agent.slowest_hours()
        rows.append((
            name, agent.questions, f"{agent.own_share * 100:.0f}%",
            _("{seconds:.0f}s").format(seconds=agent.median_reply_s),
            _("{seconds:.0f}s").format(seconds=agent.median_s()),
            f"{agent.per_extra_conversation() * 100:+.0f}%",
            "-" if slowest is None
            else _("{start:02d}-{end:02d}h").format(start=slowest[0], end=slowest[1]),
            f"{agent.never_share() * 100:.1f}%",
        ))  # fmt: skip
    buyers, conversion = model.buyers, model.conversion
    lines = [
        _(
            "Reply model of {shop} (questions by the log's holder: "
            "received_by, else the replier, else the replay)"
        ).format(shop=printable(model.shop)),
        "",
        render_table(columns, rows),
        "",
        *(printable(model_sentence(model.agents[name])) for name in sorted(model.agents)),
        "",
        _(
            "Buyers: {follow:.0f} % write again while waiting (median gap {follow_gap:.0f} s); "
            "after an answer within 30 s {again_fast:.0f} % ask again, after 10 min or more "
            "{again_slow:.0f} % (median gap {next_gap:.0f} s); {close:.0f} % of visits end "
            "with a close; the bot hands {bot:.0f} % of its buyers to a human."
        ).format(
            follow=buyers.follow_up * 100,
            follow_gap=buyers.follow_gap.median(),
            again_fast=buyers.ask_again[0] * 100,
            again_slow=buyers.ask_again[4] * 100,
            next_gap=buyers.next_gap.median(),
            close=buyers.close * 100,
            bot=buyers.bot_transfer * 100,
        ),
        "",
        _("Conversion by first response ({note}):").format(note=_(CONVERSION_NOTE)),
        render_table(
            (_("first response"), _("visits"), _("paid")),
            [
                (_(DELAY_WORDS[level]), visits, f"{rate * 100:.1f}%")
                for level, visits, rate in zip(
                    DELAY_LEVELS, conversion.visits, conversion.rate, strict=True
                )
            ],
        ),
    ]
    return "\n".join(lines) + "\n"


def model_json(model: ReplyModel) -> str:
    return dumps_json(to_json(model))


# --- diff --predict ----------------------------------------------------------------


def prediction_json(prediction: Prediction) -> dict[str, Any]:
    zone = ZoneInfo(prediction.timezone)
    return {
        "runs": prediction.runs,
        "seed": prediction.seed,
        "actual": {name: prediction.actual[name] for name in FIGURES},
        "base": intervals_json(prediction.base),
        "new": intervals_json(prediction.new),
        "change": intervals_json(prediction.change),
        "expected": intervals_json(prediction.expected),
        "agents": [
            {"agent": agent, "base": intervals_json(base), "new": intervals_json(new)}
            for agent, base, new in prediction.agents
        ],
        "notes": list(prediction.notes),
        "weeks": [
            {"since": _moment(week.since, zone), "until": _moment(week.until, zone)}
            for week in prediction.weeks
        ],
    }


def with_prediction_json(diff_json: str, prediction: Prediction) -> str:
    document = json.loads(diff_json)
    document["predicted"] = prediction_json(prediction)
    return dumps_json(document)


def _prediction_rows(prediction: Prediction) -> list[list[str]]:
    rows = []
    for name in FIGURES:
        rows.append([
            label(name), _value(name, prediction.actual[name]),
            _range(name, prediction.base[name]), _range(name, prediction.new[name]),
            _range(name, prediction.change[name], signed=True),
            _range(name, prediction.expected[name]),
        ])  # fmt: skip
    return rows


def _columns(prediction: Prediction) -> tuple[str, ...]:
    logged = _("log (same weeks)") if prediction.weeks else _("log (actual)")
    return (_("figure"), logged, _("predicted base"), _("predicted new"), _("change"),
            _("log + change"))  # fmt: skip


def period(prediction: Prediction) -> str:
    """What each run simulated, in one sentence."""
    if not prediction.weeks:
        return _("Each run simulates the whole log.")
    zone = ZoneInfo(prediction.timezone)
    first = min(week.since for week in prediction.weeks)
    last = max(week.until for week in prediction.weeks)
    count = len({week.since for week in prediction.weeks})
    return _(
        "Each run simulates one whole week of the log ({count} weeks between {first} and "
        "{last}): figures are per week, beside the log's own figures for the same weeks."
    ).format(
        count=count,
        first=datetime.fromtimestamp(first, zone).date(),
        last=datetime.fromtimestamp(last, zone).date(),
    )


PREDICT_NOTE = N_(
    "Predicted by simulating the log's arrivals and agent presence under each config, "
    "replies drawn from the reply model learned from the log; ranges are 90 % intervals. "
    "Conversion follows first-response time as a correlation, not a proven cause."
)
EXPECTED_NOTE = N_(
    "log + change: the log's own figure moved by the predicted change (its range is the "
    "change's), what the log would have shown under the new config. Read it first: a bias "
    "the model has on both sides cancels in it."
)


def _agent_rows(prediction: Prediction) -> list[list[str]]:
    rows = []
    for agent, base, new in prediction.agents:
        rows.append([
            agent, _range("inquiries", base.get("inquiries")),
            _range("inquiries", new.get("inquiries")),
            _range("response_rate", base.get("response_rate")),
            _range("response_rate", new.get("response_rate")),
        ])  # fmt: skip
    return rows


AGENT_COLUMNS = (N_("agent"), N_("inquiries base"), N_("inquiries new"),
                 N_("3-min rate base"), N_("3-min rate new"))  # fmt: skip


def _agent_columns() -> list[str]:
    return [_(column) for column in AGENT_COLUMNS]


def _note(note: str) -> str:
    return _("Note: {note}").format(note=printable(note))


def prediction_table(prediction: Prediction) -> str:
    head = _("Predicted ({runs} runs, seed {seed}).").format(
        runs=prediction.runs, seed=prediction.seed
    )
    parts = [
        f"{head} {period(prediction)}",
        render_table(_columns(prediction), _prediction_rows(prediction)),
        "",
        render_table(_agent_columns(), _agent_rows(prediction)),
        "",
        _(PREDICT_NOTE),
        _(EXPECTED_NOTE),
        *(_note(note) for note in prediction.notes),
    ]
    return "\n".join(parts) + "\n"


def _md(values: Sequence[str]) -> str:
    cells = (
        printable(v).replace("|", "\\|").replace("`", "'").replace("<", "&lt;") for v in values
    )
    return "| " + " | ".join(cells) + " |"


def prediction_markdown(prediction: Prediction) -> str:
    lines = [
        "#### "
        + _("Predicted response figures ({runs} runs, seed {seed})").format(
            runs=prediction.runs, seed=prediction.seed
        ),
        "",
        period(prediction),
        "",
        _md(_columns(prediction)),
        "|" + "---|" * len(_columns(prediction)),
        *(_md(row) for row in _prediction_rows(prediction)),
        "",
        f"<details><summary>{_('Per agent')}</summary>",
        "",
        _md(_agent_columns()),
        "|" + "---|" * len(AGENT_COLUMNS),
        *(_md(row) for row in _agent_rows(prediction)),
        "",
        "</details>",
        "",
        f"> {_(PREDICT_NOTE)}",
        ">",
        f"> {_(EXPECTED_NOTE)}",
        *(f">\n> **{_('Note:')}** {_md([note])[2:-2]}" for note in prediction.notes),
    ]
    return "\n".join(lines) + "\n"


# --- backtest ------------------------------------------------------------------------


def _moment(seconds: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(seconds, zone).isoformat()


def _error(name: str, actual: float | None, found: Interval | None) -> float | None:
    if actual is None or found is None:
        return None
    return found.mean - actual


def _inside(actual: float | None, found: Interval | None) -> bool | None:
    if actual is None or found is None:
        return None
    return found.low <= actual <= found.high


def backtest_json(result: Backtest) -> str:
    zone = ZoneInfo(result.actual.timezone)
    figures: dict[str, Any] = {}
    for name, (actual, found) in result.figures.items():
        entry: dict[str, Any] = {"actual": actual}
        entry.update(interval_json(found, name) or dict.fromkeys(("mean", "low", "high")))
        error = _error(name, actual, found)
        entry["error"] = None if error is None else round(error, 4)
        entry["inside"] = _inside(actual, found)
        figures[name] = entry
    document = {
        "train": {"since": _moment(result.train_since, zone),
                  "until": _moment(result.train_until, zone)},
        "holdout": {"since": _moment(result.since, zone), "until": _moment(result.until, zone)},
        "runs": result.runs,
        "seed": result.seed,
        "figures": figures,
        "days": [
            {"day": day, **{name: {"actual": actual, **(interval_json(found, name) or {})}
                            for name, (actual, found) in values.items()}}
            for day, values in result.days
        ],
    }  # fmt: skip
    return dumps_json(document)


BACKTEST_COLUMNS = (N_("figure"), N_("actual"), N_("predicted (90 % interval)"), N_("error"),
                    N_("inside"))  # fmt: skip
BACKTEST_DAY_COLUMNS = (N_("day"), N_("3-min rate"), N_("predicted"), N_("avg response"),
                        N_("predicted"))  # fmt: skip


def backtest_table(result: Backtest) -> str:
    zone = ZoneInfo(result.actual.timezone)
    rows = []
    for name, (actual, found) in result.figures.items():
        error = _error(name, actual, found)
        inside = _inside(actual, found)
        rows.append([
            label(name), _value(name, actual), _range(name, found),
            "-" if error is None else _change(name, error),
            "-" if inside is None else (_("yes") if inside else _("NO")),
        ])  # fmt: skip
    day_rows = []
    for day, values in result.days:
        rate_actual, rate = values["response_rate"]
        avg_actual, avg = values["avg_response_s"]
        day_rows.append([
            day, _value("response_rate", rate_actual), _range("response_rate", rate),
            _value("avg_response_s", avg_actual), _range("avg_response_s", avg),
        ])  # fmt: skip
    parts = [
        _(
            "Back-test: learned on {train_since} .. {train_until}, predicted {since} .. "
            "{until} ({runs} runs, seed {seed})"
        ).format(
            train_since=_moment(result.train_since, zone),
            train_until=_moment(result.train_until, zone),
            since=_moment(result.since, zone),
            until=_moment(result.until, zone),
            runs=result.runs,
            seed=result.seed,
        ),
        render_table([_(c) for c in BACKTEST_COLUMNS], rows),
        "",
        render_table([_(c) for c in BACKTEST_DAY_COLUMNS], day_rows),
    ]
    return "\n".join(parts) + "\n"
