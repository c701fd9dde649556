"""Words of the text report in English and Chinese (the platform's own terms).

``--lang zh|en`` picks one; without it, :func:`default_lang` reads the locale. Labels are
plain text for a shop manager; the rule ids and config keys behind a figure are kept in
``RULES`` and shown only with ``--verbose`` (JSON carries them by key name).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

from wcwidth import wcswidth

from routectl.durations import format_duration, humanize_seconds, readable_duration

LANGS = ("en", "zh")


def percent(fraction: float | None) -> str:
    """A rate as every text report shows it: ``70.9%``, or ``-`` when nothing counted."""
    return "-" if fraction is None else f"{fraction * 100:.1f}%"


def default_lang(environ: Mapping[str, str]) -> str:
    """``zh`` when the locale is Chinese, else ``en``.

    The locale is the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (POSIX order),
    so ``LANG=zh_CN.UTF-8`` gives Chinese.
    """
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


TEXT: dict[str, dict[str, str]] = {
    "en": {
        # sections
        "summary": "Summary",
        "agents": "Agents: the scorecard",
        "agents_monthly": "Agents: the monthly scorecard",
        "groups": "Groups (* = all routing agents, - = not routed by group)",
        "hours": (
            "Hours of day (load = inquiries; agents online = average available agents; "
            "hours with neither are left out)"
        ),
        "days": "Days",
        "imbalance": "Why the split is uneven",
        "balanced": "Every agent's share is within the margin of its expected share.",
        "figure": "figure",
        "value": "value",
        # header
        "header": "{shop}: report from {start} to {end}, {days} {day_word}{covered} ({tz})",
        "covered": " (the log covers {days} {day_word})",
        "day": "day",
        "days_word": "days",
        "log_start": "start of log ({moment})",
        "log_end": "end of log ({moment})",
        "terms": (
            "Questions count by their first message: within {hours} for the response and "
            "reply rates, within {avg_hours} for the average response time (each delay "
            "capped at {cap}); response threshold {threshold}; slow from {slow}; a payment "
            "converts an inquiry within {conversion}."
        ),
        # summary rows
        "messages": "messages",
        "inquiries_new": "inquiries (new conversations)",
        "questions_counted": "questions counted ({hours})",
        "answered_within": "answered within {threshold}",
        "response_rate": "{threshold} response rate",
        "answered": "answered at all",
        "reply_rate": "reply rate",
        "median_p90": "first response median / p90",
        "avg_response": "average response time ({avg_hours}, each capped at {cap})",
        "slow": "slow responses ({slow} or more, or never)",
        "late_never": "answered late / never",
        "outside_hours": "questions outside {hours} (not counted)",
        "bot_questions": "bot questions (not counted)",
        "bot_inquiries": "bot inquiries / messages",
        "buyers_line": "inquiring buyers / paid within {conversion} / conversion",
        "sales": "sales credited to agents",
        "silent": "silent orders (paid without asking), their sales",
        "uncredited": "orders after an inquiry no agent received (bot, pool)",
        "transfers": "transfers / questions they ended unanswered",
        "offline_messages": "offline messages",
        "pooled": "pooled inquiries, waited median / max",
        "pooled_never": "pooled and never assigned",
        "queued": "queued at the concurrency cap, waited median",
        "unassigned": "inquiries never assigned",
        "expired": "expired pool messages",
        "auto_replies": "auto-replies: greeting / offline",
        "lag_held": "held in the offline detection lag",
        "unanswered_10m": "assigned, unanswered after 10m",
        "attributed": "questions held, per log: receiver / replier / guess",
        "contradictions": "Where the log contradicts the config (the platform runs something else)",
        "implied": (
            "Weights the log implies (fitted from the log's own group picks and who was "
            "available at each; 90% range)"
        ),
        "c_implied": "implied",
        "c_range": "90% range",
        "c_picks": "picks",
        "x_unavailable_receiver": (
            "{count} new buyers received by a suspended or offline agent, not a recent "
            "contact (first: line {line}, {buyer} -> {agent})"
        ),
        "x_outside_group": (
            "{count} buyers received by an agent outside the group the config sends them "
            "to (first: line {line}, {buyer} -> {agent})"
        ),
        "x_non_routing_receiver": (
            "{count} routed buyers received by an agent with routing = false "
            "(first: line {line}, {buyer} -> {agent})"
        ),
        "x_dedicated_elsewhere": (
            "{count} dedicated buyers received by someone else while their agent was "
            "available (first: line {line}, {buyer} -> {agent})"
        ),
        "agreement": "replay agrees with the log's receivers",
        # columns
        "c_agent": "agent",
        "c_group": "group",
        "c_agents": "agents",
        "c_weight": "weight",
        "c_inquiries": "inquiries",
        "c_buyers": "buyers",
        "c_paid": "paid",
        "c_conversion": "conv.",
        "c_sales": "sales",
        "c_share": "share",
        "c_expected": "expected",
        "c_by_weight": "by weight",
        "c_online": "online",
        "c_suspended": "suspended",
        "c_mobile": "mobile",
        "c_inq_h": "inq/h",
        "c_hours_worked": "hours worked",
        "c_questions": "questions",
        "c_in_time": "in {threshold}",
        "c_avg": "avg",
        "c_replied": "replied",
        "c_slow": "slow",
        "c_median": "median",
        "c_queued": "queued",
        "c_hour": "hour",
        "c_day": "day",
        "c_messages": "messages",
        "c_load": "load",
        "c_agents_online": "agents online",
        "c_inq_agent_h": "inq/agent h",
        "c_offline_messages": "offline messages",
        "legend": (
            "in {threshold} = {threshold} response rate; avg = average response time "
            "({avg_hours}); replied = reply rate; slow = answered after {slow} or never; "
            "buyers = inquiring buyers; conv. = share of them who paid within {conversion}; "
            "expected = share by weight and who was online at each inquiry."
        ),
        "prefix_note": "agent = the sub-account name, after the main account's {prefix}",
        "wide_hint": "More columns (weight, suspended, mobile, hours worked...): --wide.",
        # imbalance
        "imb_head": "{agent}: {share} of inquiries ({inquiries} of {total}).",
        "imb_chain": (
            "Even split {equal} -> by weight {weight} (weight {p_weight}) -> by weight x "
            "online time {online} (online time {p_online}) -> expected {expected} (hours "
            "of day {p_hours}) -> actual {share} (caps and rules {p_rules})."
        ),
        "imb_main": "Main cause: {cause}: {detail}.",
        "points": "{points:+.1f} points",
        "cause_weight": "weight",
        "cause_online time": "online time",
        "cause_hours of day": "hours of day",
        "cause_caps and rules": "caps and rules",
        # the HTML page (report --format html): headings, cards, charts, columns
        "html_title": "{shop}: customer-service report",
        "h_charts": "Charts",
        "h_hours": "Hours of day",
        "h_no_rows": "(no rows)",
        "h_response_rate": "{threshold} response rate",
        "h_avg_response": "average response time",
        "h_conversion": "inquiry conversion",
        "h_slow": "slow responses",
        "h_median": "median first response",
        "h_inquiries": "inquiries",
        "h_share": "share of inquiries",
        "h_expected_share": "expected share",
        "h_by_online": "by online time",
        "h_observed": "per log",
        "h_observed_share": "share per log",
        "h_available": "available",
        "h_recent_contact": "recent contact",
        "h_dedicated": "dedicated",
        "h_direct": "addressed to it",
        "h_from_pool": "from the pool",
        "h_low": "90% low",
        "h_high": "90% high",
        "h_candidate_in": "picks it could get",
        "h_main_account": "(agent names without the main account's {prefix})",
        "chart_load": "Inquiries and agents online per hour",
        "chart_response": "{threshold} response rate per hour",
        "chart_share": "Each agent's share of inquiries vs expected share",
        "chart_plan": "Rota: agents needed for a {target} response rate vs agents online",
        "chart_needed": "agents needed",
        "chart_out_of_reach": "out of reach",
    },
    "zh": {
        "summary": "概览",
        "agents": "客服考核",
        "agents_monthly": "客服考核（月度考核表）",
        "groups": "分组（* = 全部参与分流的客服，- = 未按分组分流）",
        "hours": "分时段（负载 = 咨询数；在线客服 = 平均可接待人数；两者皆无的时段不列出）",
        "days": "按天",
        "imbalance": "分流不均的原因",
        "balanced": "每位客服的接待占比都在应得占比的容差之内。",
        "figure": "指标",
        "value": "数值",
        "header": "{shop}：{start} 至 {end}，共 {days} {day_word}{covered}（{tz}）",
        "covered": "（日志覆盖 {days} {day_word}）",
        "day": "天",
        "days_word": "天",
        "log_start": "日志开始（{moment}）",
        "log_end": "日志结束（{moment}）",
        "terms": (
            "问题按首条消息时间计：{hours} 内计入响应率和回复率，{avg_hours} 内计入平均"
            "响应时间（单次上限{cap}）；响应阈值{threshold}；{slow}及以上为慢响应；咨询后"
            "{conversion}内付款算询单转化。"
        ),
        "messages": "消息数",
        "inquiries_new": "咨询数（新会话）",
        "questions_counted": "计入的问题数（{hours}）",
        "answered_within": "{threshold}内回复",
        "response_rate": "{threshold}响应率（首问）",
        "answered": "有人工回复",
        "reply_rate": "回复率",
        "median_p90": "首次响应时间 中位数 / p90",
        "avg_response": "平均响应时间（人工平响，{avg_hours}，单次上限{cap}）",
        "slow": "慢响应（{slow}及以上或未回复）",
        "late_never": "超时回复 / 未回复",
        "outside_hours": "{hours}以外的问题（不计入）",
        "bot_questions": "机器人接待的问题（不计入）",
        "bot_inquiries": "机器人接待 咨询 / 消息",
        "buyers_line": "询单人数 / {conversion}内付款人数 / 询单转化率",
        "sales": "销售额（计入客服）",
        "silent": "静默下单（未咨询直接付款），金额",
        "uncredited": "机器人或留言池咨询后的付款（不计入客服）",
        "transfers": "转交 / 因转交而未回复的问题",
        "offline_messages": "离线消息",
        "pooled": "进入留言管理池的咨询，等待 中位数 / 最长",
        "pooled_never": "留言池中始终未分配",
        "queued": "达到接待上限而排队，等待中位数",
        "unassigned": "始终未分配的咨询",
        "expired": "留言池过期消息",
        "auto_replies": "自动回复：欢迎语 / 离线回复",
        "lag_held": "离线检测延迟内留在原客服",
        "unanswered_10m": "已分配、10分钟后仍未回复",
        "attributed": "问题归属：接待客服 / 回复客服 / 回放推断",
        "contradictions": "日志与配置矛盾之处（平台实际规则与配置不同）",
        "implied": "日志反推的权重（按日志中实际接待与当时可接待的客服拟合；90% 区间）",
        "c_implied": "反推权重",
        "c_range": "90%区间",
        "c_picks": "接待数",
        "x_unavailable_receiver": (
            "{count} 个新买家由挂起或离线的客服接待，且不是最近联系人（首例：第 {line} 行，"
            "{buyer} -> {agent}）"
        ),
        "x_outside_group": (
            "{count} 个买家由配置分流分组以外的客服接待（首例：第 {line} 行，{buyer} -> {agent}）"
        ),
        "x_non_routing_receiver": (
            "{count} 个分流买家由不参与分流的客服接待（首例：第 {line} 行，{buyer} -> {agent}）"
        ),
        "x_dedicated_elsewhere": (
            "{count} 个专属客服的买家在其专属客服可接待时由他人接待（首例：第 {line} 行，"
            "{buyer} -> {agent}）"
        ),
        "agreement": "分流与日志一致率（注明接待客服的咨询）",
        "c_agent": "客服",
        "c_group": "分组",
        "c_agents": "人数",
        "c_weight": "权重",
        "c_inquiries": "接待",
        "c_buyers": "询单",
        "c_paid": "付款",
        "c_conversion": "转化率",
        "c_sales": "销售额",
        "c_share": "占比",
        "c_expected": "应得",
        "c_by_weight": "按权重",
        "c_online": "在线",
        "c_suspended": "挂起",
        "c_mobile": "手机",
        "c_inq_h": "每小时",
        "c_hours_worked": "在线时段",
        "c_questions": "问题",
        "c_in_time": "{threshold}",
        "c_avg": "平响",
        "c_replied": "回复率",
        "c_slow": "慢响应",
        "c_median": "中位数",
        "c_queued": "排队",
        "c_hour": "时段",
        "c_day": "日期",
        "c_messages": "消息",
        "c_load": "负载",
        "c_agents_online": "在线客服",
        "c_inq_agent_h": "人均每小时",
        "c_offline_messages": "离线消息",
        "legend": (
            "接待 = 接待的咨询数；询单 = 询单人数；转化率 = 询单转化率（{conversion}内付款）；"
            "{threshold} = {threshold}响应率（首问）；平响 = 平均响应时间（人工平响，"
            "{avg_hours}）；回复率 = 旺旺回复率；慢响应 = {slow}及以上或未回复；在线 = "
            "在线时长（电脑）；应得 = 按权重和每次咨询时的在线情况应得的占比。"
        ),
        "prefix_note": "客服 = 子账号名（省略主账号前缀 {prefix}）",
        "wide_hint": "更多列（权重、挂起时长、手机在线、在线时段……）：--wide。",
        "imb_head": "{agent}：接待占比 {share}（共 {total} 个咨询中的 {inquiries} 个）。",
        "imb_chain": (
            "平均分配 {equal} → 按权重 {weight}（权重 {p_weight}）→ 按权重×在线时长 "
            "{online}（在线时长 {p_online}）→ 应得 {expected}（时段 {p_hours}）→ 实际 "
            "{share}（接待上限与规则 {p_rules}）。"
        ),
        "imb_main": "主因：{cause}。",
        "points": "{points:+.1f} 个百分点",
        "cause_weight": "权重",
        "cause_online time": "在线时长",
        "cause_hours of day": "时段",
        "cause_caps and rules": "接待上限与规则",
        "html_title": "{shop}：客服接待报告",
        "h_charts": "图表",
        "h_hours": "分时段",
        "h_no_rows": "（无数据）",
        "h_response_rate": "{threshold}响应率",
        "h_avg_response": "平均响应时间",
        "h_conversion": "询单转化率",
        "h_slow": "慢响应",
        "h_median": "首次响应中位数",
        "h_inquiries": "咨询数",
        "h_share": "接待占比",
        "h_expected_share": "预期占比",
        "h_by_online": "按在线时长",
        "h_observed": "日志接待",
        "h_observed_share": "日志占比",
        "h_available": "可接待时长",
        "h_recent_contact": "最近联系人",
        "h_dedicated": "专属客服",
        "h_direct": "指定接待",
        "h_from_pool": "留言池",
        "h_low": "90%下限",
        "h_high": "90%上限",
        "h_candidate_in": "可接待次数",
        "h_main_account": "（客服名省略主账号前缀 {prefix}）",
        "chart_load": "每小时咨询数与在线客服",
        "chart_response": "每小时{threshold}响应率",
        "chart_share": "各客服接待占比与预期占比",
        "chart_plan": "排班：达到{target}响应率需要客服与在线客服",
        "chart_needed": "需要客服",
        "chart_out_of_reach": "无法达标",
    },
}

RULES: dict[str, str] = {
    "questions_counted": "R19, [reply_rate] window",
    "answered_within": "R19, threshold",
    "response_rate": "R19",
    "reply_rate": "R20",
    "avg_response": "R23, avg_window, avg_cap",
    "slow": "R24, slow_after",
    "outside_hours": "R19",
    "bot_questions": "R21",
    "bot_inquiries": "R11",
    "buyers_line": "R25, [sales] conversion_window",
    "sales": "R25",
    "silent": "R25",
    "uncredited": "R25",
    "transfers": "R17b, R18",
    "offline_messages": "R14, R15",
    "pooled": "R14",
    "queued": "R13, max_concurrent",
    "expired": "R17, pool_retention_days",
    "lag_held": "R15, offline_delay",
    "imbalance": "R22",
    "agents": "R4, R18-R25",
    "agents_monthly": "R4, R18-R25",
}

_RULE_IDS = re.compile(r" ?\(R\d+[a-z]?\)")


def plain(text: str) -> str:
    """Drop rule ids and config keys from a sentence (they stay in ``--verbose``)."""
    return _RULE_IDS.sub("", text).replace("max_concurrent", "the concurrency cap")


def duration(seconds: float, lang: str) -> str:
    """``180`` -> ``3m`` / ``3分钟``; ``105`` -> ``1m45s`` / ``1分45秒``."""
    return _zh_units(format_duration(seconds)) if lang == "zh" else format_duration(seconds)


def span(seconds: float, lang: str) -> str:
    """A rough duration (online time): ``9h32m`` / ``9小时32分``."""
    if not seconds:
        return "0"
    text = humanize_seconds(seconds)
    return _zh_units(text) if lang == "zh" else text


def _zh_units(text: str) -> str:
    out = text.replace("d", "天").replace("h", "小时").replace("m", "分").replace("s", "秒")
    # "3分" alone reads as a score: minutes on their own are "3分钟"; "9小时32分" is fine.
    return out + "钟" if out.endswith("分") and "时" not in out and "天" not in out else out


def readable(seconds: float, lang: str) -> str:
    """A duration on the HTML page: ``2m07s`` / ``2分07秒``, ``1h05m`` / ``1小时05分``."""
    text = readable_duration(seconds)
    return _zh_units(text) if lang == "zh" else text


def seconds(value: int, lang: str) -> str:
    """Whole seconds as the platform says them: ``100s`` / ``100秒`` (R24's reminder)."""
    return f"{value}秒" if lang == "zh" else f"{value}s"


def split_terms(legend: str) -> list[str]:
    """A legend of ``term = meaning`` parts, one part per line (tables stay 100 wide)."""
    parts = re.split(r"(?<=[;；])\s*", legend.rstrip(".。"))
    return [part.rstrip(";；").strip() for part in parts if part.strip()]


def wrap(text: str, lang: str, width: int = 100) -> list[str]:
    """A sentence over lines of at most ``width`` columns (Chinese: at clause ends)."""
    if lang != "zh":
        return textwrap.wrap(text, width)
    lines: list[str] = []
    for clause in re.split(r"(?<=[；。])", text):
        if lines and wcswidth(lines[-1] + clause) <= width:
            lines[-1] += clause
        elif clause:
            lines.append(clause)
    return lines
