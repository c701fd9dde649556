"""``routectl plan`` output: a table for people (English or the platform's Chinese words),
JSON with the contract's keys, CSV with one row per hour."""

from __future__ import annotations

import csv
import io
from typing import Any

from routectl.output import dumps_json, neutralise_formula, render_table
from routectl.safetext import printable
from routectl.sim.plan import HourPlan, PlanResult
from routectl.sim.rota import Rota

BEYOND = "†"
"""Marks a need beyond the loads the log shows (:attr:`HourPlan.beyond_log`)."""

WORDS = {
    "en": {
        "title": "Staffing plan",
        "columns": ("hour", "inquiries/day", "agents online", "predicted now",
                    "agents needed", "predicted at need"),
        "out_of_reach": "out of reach",
        "not_graded": "not graded",
        "goal": "goal",
        "rota": "Rota",
        "rota_note": "hours out of reach keep today's staffing (rounded up) in the rota",
        "beyond_note": (
            f"{BEYOND} each agent would take more inquiries an hour than in any hour of the "
            "log: the model extrapolates how agents slow down there; check before acting"
        ),
        "rota_columns": ("shift", "hours", "agents"),
        "total": "shifts in all",
        "solved": "solved by HiGHS in",
        "order": "staffing order (removed last to first)",
        "added": "added agents answer like",
        "typical": "the shop's typical agent",
        "none_added": "no agent added (--max-agents is at most the shop's own)",
        "runs": "runs",
        "seed": "seed",
        "rounds": "search rounds",
        "simulations": "simulations",
    },
    "zh": {
        "title": "排班",
        "columns": ("时段", "日均咨询", "在线客服", "当前预测", "需要客服", "达标预测"),
        "out_of_reach": "无法达标",
        "not_graded": "不考核",
        "goal": "目标",
        "rota": "排班表",
        "rota_note": "无法达标的时段在排班表中沿用当前在线客服数（向上取整）",
        "beyond_note": (
            f"{BEYOND} 每位客服每小时接待的咨询将多于日志中任何时段：客服在该负荷下变慢多少"
            "是模型外推的，请先核实"
        ),
        "rota_columns": ("班次", "时长", "客服"),
        "total": "班次合计",
        "solved": "HiGHS 求解用时",
        "order": "排班顺序（减员从后往前）",
        "added": "新增客服按此回复",
        "typical": "店铺典型客服",
        "none_added": "未新增客服（--max-agents 不超过店铺现有客服数）",
        "runs": "模拟次数",
        "seed": "种子",
        "rounds": "搜索轮数",
        "simulations": "模拟总数",
    },
}  # fmt: skip

FIGURE_WORDS = {
    "en": {"response_rate": "3-minute response rate", "avg_response_s": "average response"},
    "zh": {"response_rate": "3分钟响应率", "avg_response_s": "平均响应时间"},
}


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


WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
WEEKDAY_HEAD = {"en": "weekday", "zh": "星期"}

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
    return "" if weekday is None else WEEKDAYS[lang][weekday]


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


def _needed(row: HourPlan, result: PlanResult, words: dict[str, Any]) -> str:
    if row.agents_needed is None:
        return f">{result.max_agents} ({words['out_of_reach']})"
    if row.predicted_needed is None:
        return f"{row.agents_needed} ({words['not_graded']})"
    return f"{row.agents_needed} {BEYOND}" if row.beyond_log else str(row.agents_needed)


def _hour_rows(result: PlanResult, lang: str) -> tuple[list[str], list[list[str]]]:
    words = WORDS[lang]
    figure = result.goal.figure
    columns = list(words["columns"])
    rows = [
        [f"{row.hour:02d}:00", f"{row.inquiries_per_day:.1f}", f"{row.agents_online:.1f}",
         _figure(row.predicted_now, figure), _needed(row, result, words),
         _figure(row.predicted_needed, figure)]
        for row in result.hours
    ]  # fmt: skip
    if result.by != "hour":
        columns.insert(0, WEEKDAY_HEAD[lang])
        for cells, row in zip(rows, result.hours):
            cells.insert(0, _day(row.weekday, lang))
    return columns, rows


def _rota_lines(
    rotas: Rotas, lengths: tuple[int, ...], lang: str, solve_s: float | None
) -> list[str]:
    words = WORDS[lang]
    lines = []
    for weekday, found in rotas:
        day = "" if weekday is None else f"{_day(weekday, lang)} "
        rows = [[shift_name(s.start, s.hours), str(s.hours), str(s.agents)] for s in found.shifts]
        lines += ["", f"{day}{words['rota']} ({'/'.join(f'{h}h' for h in lengths)})",
                  render_table(list(words["rota_columns"]), rows),
                  f"{words['total']}: {found.total}"]  # fmt: skip
    if rotas and solve_s is not None:
        lines.append(f"{words['solved']} {solve_s * 1000:.0f} ms")
    return lines


def _notes(result: PlanResult, rotas: Rotas, lang: str) -> list[str]:
    notes = []
    if any(row.beyond_log for row in result.hours):
        notes.append(str(WORDS[lang]["beyond_note"]))
    if rotas and any(row.agents_needed is None for row in result.hours):
        notes.append(str(WORDS[lang]["rota_note"]))
    return notes


def plan_table(
    result: PlanResult, lang: str = "en", rotas: Rotas = (), lengths: tuple[int, ...] = (),
    solve_s: float | None = None,
) -> str:  # fmt: skip
    words = WORDS[lang]
    goal = result.goal
    target = _figure(goal.target, goal.figure)
    head = f"{words['title']}: {words['goal']} {FIGURE_WORDS[lang][goal.figure]} {target}"
    columns, rows = _hour_rows(result, lang)
    team = result.team
    like = words["typical"] if team.like is None else printable(team.like)
    lines = [
        printable(head),
        "",
        render_table(columns, rows),
        "",
        f"{words['order']}: {printable(', '.join(team.order))}",
        f"{words['added']}: {like}" if team.added else str(words["none_added"]),
        f"{words['runs']} {result.runs}, {words['seed']} {result.seed}, "
        f"{words['rounds']} {result.rounds}, {words['simulations']} {result.simulations}",
        *_rota_lines(rotas, lengths, lang, solve_s),
        *_notes(result, rotas, lang),
    ]
    return "\n".join(lines) + "\n"
