"""Model, prediction and back-test output: tables for people, JSON for scripts,
Markdown for pull-request comments. Fractions 0..1 and seconds in JSON; percentages
and seconds with units in text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from routectl.output import dumps_json, render_table
from routectl.safetext import printable
from routectl.sim.backtest import Backtest
from routectl.sim.learn import DELAY_LEVELS
from routectl.sim.model import CONVERSION_NOTE, AgentModel, ReplyModel, to_json
from routectl.sim.predict import FIGURES, RATES, Interval, interval_json, intervals_json
from routectl.sim.whatif import Prediction

LABELS = {
    "en": {
        "response_rate": "3-minute response rate", "reply_rate": "reply rate",
        "avg_response_s": "average response", "slow_questions": "slow responses",
        "conversion_rate": "inquiry conversion", "inquiries": "inquiries",
    },
    "zh": {
        "response_rate": "3分钟响应率", "reply_rate": "回复率", "avg_response_s": "平均响应时间",
        "slow_questions": "慢响应", "conversion_rate": "询单转化率", "inquiries": "接待人数",
    },
}  # fmt: skip


def _value(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    if name in RATES:
        return f"{value * 100:.1f}%"
    if name == "avg_response_s":
        return f"{value:.1f}s"
    return f"{value:.0f}"


def _change(name: str, value: float) -> str:
    if name in RATES:
        return f"{value * 100:+.1f} pt"
    if name == "avg_response_s":
        return f"{value:+.1f}s"
    return f"{value:+.0f}"


def _range(name: str, found: Interval | None, signed: bool = False) -> str:
    if found is None:
        return "-"
    show = _change if signed else _value
    return f"{show(name, found.mean)} ({show(name, found.low)} .. {show(name, found.high)})"


# --- model -------------------------------------------------------------------------


def model_sentence(model: AgentModel) -> str:
    """``小美: median 45 s alone, +18 % per extra conversation, ...``"""
    parts = [f"median {model.median_s():.0f} s alone"]
    parts.append(f"{model.per_extra_conversation() * 100:+.0f} % per extra conversation")
    slowest = model.slowest_hours()
    if slowest is not None:
        parts.append(f"slowest {slowest[0]:02d}:00-{slowest[1]:02d}:00")
    parts.append(f"{model.never_share() * 100:.0f} % never answered")
    if model.own_share < 0.995:
        parts.append(f"{model.own_share * 100:.0f} % its own (rest: {model.borrowed_from})")
    return f"{model.agent}: " + ", ".join(parts)


def model_table(model: ReplyModel) -> str:
    columns = ("agent", "questions", "own", "median", "median alone", "per extra conv.",
               "slowest", "never answered")  # fmt: skip
    rows = []
    for name in sorted(model.agents):
        agent = model.agents[name]
        slowest = agent.slowest_hours()
        rows.append((
            name, agent.questions, f"{agent.own_share * 100:.0f}%",
            f"{agent.median_reply_s:.0f}s", f"{agent.median_s():.0f}s",
            f"{agent.per_extra_conversation() * 100:+.0f}%",
            "-" if slowest is None else f"{slowest[0]:02d}-{slowest[1]:02d}h",
            f"{agent.never_share() * 100:.1f}%",
        ))  # fmt: skip
    buyers, conversion = model.buyers, model.conversion
    lines = [
        f"Reply model of {printable(model.shop)} (questions by the log's holder: "
        "received_by, else the replier, else the replay)",
        "",
        render_table(columns, rows),
        "",
        *(printable(model_sentence(model.agents[name])) for name in sorted(model.agents)),
        "",
        "Buyers: "
        f"{buyers.follow_up * 100:.0f} % write again while waiting "
        f"(median gap {buyers.follow_gap.median():.0f} s); after an answer within 30 s "
        f"{buyers.ask_again[0] * 100:.0f} % ask again, after 10 min or more "
        f"{buyers.ask_again[4] * 100:.0f} % (median gap {buyers.next_gap.median():.0f} s); "
        f"{buyers.close * 100:.0f} % of visits end with a close; the bot hands "
        f"{buyers.bot_transfer * 100:.0f} % of its buyers to a human.",
        "",
        "Conversion by first response (" + CONVERSION_NOTE + "):",
        render_table(
            ("first response", "visits", "paid"),
            [
                (level, visits, f"{rate * 100:.1f}%")
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


def _prediction_rows(prediction: Prediction, lang: str = "en") -> list[list[str]]:
    labels = LABELS[lang]
    rows = []
    for name in FIGURES:
        rows.append([
            labels[name], _value(name, prediction.actual[name]),
            _range(name, prediction.base[name]), _range(name, prediction.new[name]),
            _range(name, prediction.change[name], signed=True),
        ])  # fmt: skip
    return rows


def _columns(prediction: Prediction) -> tuple[str, ...]:
    logged = "log (same weeks)" if prediction.weeks else "log (actual)"
    return ("figure", logged, "predicted base", "predicted new", "change")


def period(prediction: Prediction) -> str:
    """What each run simulated, in one sentence."""
    if not prediction.weeks:
        return "Each run simulates the whole log."
    zone = ZoneInfo(prediction.timezone)
    first = min(week.since for week in prediction.weeks)
    last = max(week.until for week in prediction.weeks)
    count = len({week.since for week in prediction.weeks})
    return (
        f"Each run simulates one whole week of the log ({count} weeks between "
        f"{datetime.fromtimestamp(first, zone).date()} and "
        f"{datetime.fromtimestamp(last, zone).date()}): figures are per week, beside the "
        "log's own figures for the same weeks."
    )


PREDICT_NOTE = (
    "Predicted by simulating the log's arrivals and agent presence under each config, "
    "replies drawn from the reply model learned from the log; ranges are 90 % intervals. "
    "Conversion follows first-response time as a correlation, not a proven cause."
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


AGENT_COLUMNS = ("agent", "inquiries base", "inquiries new", "3-min rate base", "3-min rate new")


def prediction_table(prediction: Prediction) -> str:
    parts = [
        f"Predicted ({prediction.runs} runs, seed {prediction.seed}). {period(prediction)}",
        render_table(_columns(prediction), _prediction_rows(prediction)),
        "",
        render_table(AGENT_COLUMNS, _agent_rows(prediction)),
        "",
        PREDICT_NOTE,
        *(f"Note: {printable(note)}" for note in prediction.notes),
    ]
    return "\n".join(parts) + "\n"


def _md(values: Sequence[str]) -> str:
    cells = (
        printable(v).replace("|", "\\|").replace("`", "'").replace("<", "&lt;") for v in values
    )
    return "| " + " | ".join(cells) + " |"


def prediction_markdown(prediction: Prediction) -> str:
    lines = [
        f"#### Predicted response figures ({prediction.runs} runs, seed {prediction.seed})",
        "",
        period(prediction),
        "",
        _md(_columns(prediction)),
        "|" + "---|" * len(_columns(prediction)),
        *(_md(row) for row in _prediction_rows(prediction)),
        "",
        "<details><summary>Per agent</summary>",
        "",
        _md(AGENT_COLUMNS),
        "|" + "---|" * len(AGENT_COLUMNS),
        *(_md(row) for row in _agent_rows(prediction)),
        "",
        "</details>",
        "",
        f"> {PREDICT_NOTE}",
        *(f">\n> **Note:** {_md([note])[2:-2]}" for note in prediction.notes),
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


def backtest_table(result: Backtest) -> str:
    zone = ZoneInfo(result.actual.timezone)
    rows = []
    for name, (actual, found) in result.figures.items():
        error = _error(name, actual, found)
        inside = _inside(actual, found)
        rows.append([
            LABELS["en"][name], _value(name, actual), _range(name, found),
            "-" if error is None else _change(name, error),
            "-" if inside is None else ("yes" if inside else "NO"),
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
        f"Back-test: learned on {_moment(result.train_since, zone)} .. "
        f"{_moment(result.train_until, zone)}, predicted {_moment(result.since, zone)} .. "
        f"{_moment(result.until, zone)} ({result.runs} runs, seed {result.seed})",
        render_table(("figure", "actual", "predicted (90 % interval)", "error", "inside"), rows),
        "",
        render_table(("day", "3-min rate", "predicted", "avg response", "predicted"), day_rows),
    ]
    return "\n".join(parts) + "\n"
