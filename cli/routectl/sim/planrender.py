"""``routectl plan`` output: a table for people (English or the platform's Chinese words),
JSON with the contract's keys, CSV with one row per hour."""

from __future__ import annotations

import csv
import io
from typing import Any

from routectl.i18n import N_, in_lang
from routectl.output import dumps_json, neutralise_formula, render_table
from routectl.safetext import printable
from routectl.sim.plan import HourPlan, PlanResult
from routectl.sim.predict import FIGURE_NAMES
from routectl.sim.rota import Rota

BEYOND = "†"
"""Marks a need beyond the loads the log shows (:attr:`HourPlan.beyond_log`)."""

WORDS: dict[str, str | tuple[str, ...]] = {
    "title": N_("Staffing plan"),
    "columns": (N_("hour"), N_("inquiries/day"), N_("agents online"), N_("predicted now"),
                N_("agents needed"), N_("predicted at need")),
    "out_of_reach": N_("out of reach"),
    "not_graded": N_("not graded"),
    "goal": N_("goal"),
    "rota": N_("Rota"),
    "rota_note": N_("hours out of reach keep today's staffing (rounded up) in the rota"),
    "beyond_note": N_(
        "† each agent would take more inquiries an hour than in any hour of the "
        "log: the model extrapolates how agents slow down there; check before acting"
    ),
    "rota_columns": (N_("shift"), N_("hours"), N_("agents")),
    "total": N_("shifts in all"),
    "solved": N_("solved by HiGHS in"),
    "order": N_("staffing order (removed last to first)"),
    "added": N_("added agents answer like"),
    "typical": N_("the shop's typical agent"),
    "none_added": N_("no agent added (--max-agents is at most the shop's own)"),
    "runs": N_("runs"),
    "seed": N_("seed"),
    "rounds": N_("search rounds"),
    "simulations": N_("simulations"),
}  # fmt: skip
"""The table's words in English: the message ids of their translations (:func:`words`)."""


def words(lang: str) -> dict[str, Any]:
    """:data:`WORDS` in ``lang``."""
    return {
        key: tuple(in_lang(lang, v) for v in value) if isinstance(value, tuple)
        else in_lang(lang, value)
        for key, value in WORDS.items()
    }  # fmt: skip


def _figure(value: float | None, figure: str) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if figure == "response_rate" else f"{value:.1f}s"


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def value_keys(figure: str) -> tuple[str, str]:
    """The JSON/CSV keys of the figure now and at the need (the contract's for the rate)."""
    if figure == "response_rate":
        return "predicted_rate", "predicted_rate_needed"
    return f"predicted_{figure}", f"predicted_{figure}_needed"


WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
WEEKDAY_HEAD = N_("weekday")

Rotas = tuple[tuple[int | None, Rota], ...]
"""A rota per planned part of the week (None: every day)."""


def _hour_json(row: HourPlan, figure: str) -> dict[str, Any]:
    now_key, needed_key = value_keys(figure)
    digits = 4 if figure == "response_rate" else 1
    document: dict[str, Any] = {} if row.weekday is None else {"weekday": _day(row.weekday)}
    document.update(
        {
            "hour": row.hour,
            "inquiries_per_day": round(row.inquiries_per_day, 2),
            "agents_online": round(row.agents_online, 2),
            now_key: _r(row.predicted_now, digits),
            "agents_needed": row.agents_needed,
            needed_key: _r(row.predicted_needed, digits),
            "reached": row.agents_needed is not None,
            "beyond_log": row.beyond_log,
        }
    )
    return document


def _day(weekday: int | None, lang: str = "en") -> str:
    return "" if weekday is None else in_lang(lang, WEEKDAYS[weekday])


def shift_name(start: int, hours: int) -> str:
    return f"{start:02d}:00-{(start + hours) % 24:02d}:00"


def rota_json(weekday: int | None, rota: Rota, lengths: tuple[int, ...]) -> dict[str, Any]:
    document: dict[str, Any] = {} if weekday is None else {"weekday": _day(weekday)}
    document.update(
        {
            "shift_hours": list(lengths),
            "total": rota.total,
            "shifts": [
                {
                    "start": s.start,
                    "hours": s.hours,
                    "agents": s.agents,
                    "shift": shift_name(s.start, s.hours),
                }
                for s in rota.shifts
            ],
            "covered": list(rota.covered),
        }
    )
    return document


def plan_json(result: PlanResult, rotas: Rotas = (), lengths: tuple[int, ...] = ()) -> str:
    goal = result.goal
    document: dict[str, Any] = {
        "target": goal.target,
        "figure": goal.figure,
        "runs": result.runs,
        "seed": result.seed,
        "by": result.by,
        "max_agents": result.max_agents,
        "like": result.team.like,
        "staffing_order": list(result.team.order),
        "added_agents": list(result.team.added),
        "search_rounds": result.rounds,
        "simulations": result.simulations,
        "hours": [_hour_json(row, goal.figure) for row in result.hours],
    }
    if rotas and result.by == "hour":
        document["rota"] = rota_json(None, rotas[0][1], lengths)
    elif rotas:
        document["rotas"] = [rota_json(weekday, rota, lengths) for weekday, rota in rotas]
    return dumps_json(document)


def plan_csv(result: PlanResult) -> str:
    now_key, needed_key = value_keys(result.goal.figure)
    columns = ["hour", "inquiries_per_day", "agents_online", now_key, "agents_needed",
               needed_key, "reached", "beyond_log"]  # fmt: skip
    if result.by != "hour":
        columns.insert(0, "weekday")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in result.hours:
        values = _hour_json(row, result.goal.figure).values()
        writer.writerow([neutralise_formula(v) if isinstance(v, str) else _cell(v) for v in values])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _needed(row: HourPlan, result: PlanResult, said: dict[str, Any]) -> str:
    if row.agents_needed is None:
        return f">{result.max_agents} ({said['out_of_reach']})"
    if row.predicted_needed is None:
        return f"{row.agents_needed} ({said['not_graded']})"
    return f"{row.agents_needed} {BEYOND}" if row.beyond_log else str(row.agents_needed)


def _hour_rows(result: PlanResult, lang: str) -> tuple[list[str], list[list[str]]]:
    found = words(lang)
    figure = result.goal.figure
    columns = list(found["columns"])
    rows = [
        [f"{row.hour:02d}:00", f"{row.inquiries_per_day:.1f}", f"{row.agents_online:.1f}",
         _figure(row.predicted_now, figure), _needed(row, result, found),
         _figure(row.predicted_needed, figure)]
        for row in result.hours
    ]  # fmt: skip
    if result.by != "hour":
        columns.insert(0, in_lang(lang, WEEKDAY_HEAD))
        for cells, row in zip(rows, result.hours):
            cells.insert(0, _day(row.weekday, lang))
    return columns, rows


def _rota_lines(
    rotas: Rotas, lengths: tuple[int, ...], lang: str, solve_s: float | None
) -> list[str]:
    said = words(lang)
    lines = []
    for weekday, found in rotas:
        day = "" if weekday is None else f"{_day(weekday, lang)} "
        rows = [[shift_name(s.start, s.hours), str(s.hours), str(s.agents)] for s in found.shifts]
        lines += ["", f"{day}{said['rota']} ({'/'.join(f'{h}h' for h in lengths)})",
                  render_table(list(said["rota_columns"]), rows),
                  f"{said['total']}: {found.total}"]  # fmt: skip
    if rotas and solve_s is not None:
        lines.append(f"{said['solved']} {solve_s * 1000:.0f} ms")
    return lines


def _notes(result: PlanResult, rotas: Rotas, lang: str) -> list[str]:
    notes = []
    if any(row.beyond_log for row in result.hours):
        notes.append(in_lang(lang, str(WORDS["beyond_note"])))
    if rotas and any(row.agents_needed is None for row in result.hours):
        notes.append(in_lang(lang, str(WORDS["rota_note"])))
    return notes


def plan_table(
    result: PlanResult, lang: str = "en", rotas: Rotas = (), lengths: tuple[int, ...] = (),
    solve_s: float | None = None,
) -> str:  # fmt: skip
    said = words(lang)
    goal = result.goal
    target = _figure(goal.target, goal.figure)
    figure = in_lang(lang, FIGURE_NAMES[goal.figure])
    head = f"{said['title']}: {said['goal']} {figure} {target}"
    columns, rows = _hour_rows(result, lang)
    team = result.team
    like = said["typical"] if team.like is None else printable(team.like)
    lines = [
        printable(head),
        "",
        render_table(columns, rows),
        "",
        f"{said['order']}: {printable(', '.join(team.order))}",
        f"{said['added']}: {like}" if team.added else str(said["none_added"]),
        f"{said['runs']} {result.runs}, {said['seed']} {result.seed}, "
        f"{said['rounds']} {result.rounds}, {said['simulations']} {result.simulations}",
        *_rota_lines(rotas, lengths, lang, solve_s),
        *_notes(result, rotas, lang),
    ]
    return "\n".join(lines) + "\n"
