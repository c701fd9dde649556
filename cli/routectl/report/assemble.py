"""Put a :class:`~.result.Report` together from a :class:`~.tally.Tally`: its heading
(shop, window, the config's reply-rate settings), the tables and the explanations."""

from __future__ import annotations

from routectl.report.explain import explain_imbalances
from routectl.report.result import AgentRow, Imbalance, Report
from routectl.report.tables import Tables
from routectl.report.tally import Tally


def assemble_report(tally: Tally) -> Report:
    """The report of a finished replay. Without ``tally.breakdowns`` it has no group,
    hour or day rows and no imbalances."""
    config = tally.config
    reply_rate = config.reply_rate
    tables = Tables(tally)
    agents = tables.agents()
    full = tally.breakdowns
    return Report(
        shop=config.shop.name,
        timezone=config.shop.timezone,
        since=tally.window.bounded_since,
        until=tally.window.bounded_until,
        first_event=tally.first_event,
        last_event=tally.last_event,
        days=tables.days_spanned,
        reply_hours=reply_rate.window_text,
        threshold_s=reply_rate.threshold_s,
        avg_hours=reply_rate.avg_window_text,
        avg_cap_s=reply_rate.avg_cap_s,
        slow_after_s=reply_rate.slow_after_s,
        conversion_window_s=config.sales.conversion_window_s,
        summary=tables.summary(),
        agents=agents,
        groups=tables.groups() if full else (),
        hours=tables.hours() if full else (),
        days_rows=tables.days() if full else (),
        implied_weights=tally.weight_evidence.fit(
            {agent.id: agent.weight for agent in config.agents}
        ),
        imbalances=_imbalances(tally, tables, agents) if full else (),
    )


def _imbalances(
    tally: Tally, tables: Tables, agents: tuple[AgentRow, ...]
) -> tuple[Imbalance, ...]:
    return explain_imbalances(tally.config, agents, tables.agent_context())
