"""Invariants of `routectl diff` on generated logs (hypothesis): a config against itself
changes nothing, and the counts always add up, whatever the weights."""

from __future__ import annotations

import dataclasses

from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import EXAMPLE_CONFIG
from routectl.config import load_config
from routectl.diff.core import compare
from routectl.model import ShopConfig
from routectl.replay import replay
from routectl.sim.generate import generate_events

CONFIG = load_config(str(EXAMPLE_CONFIG))


def events(config: ShopConfig, seed: int, rows: int) -> list[object]:
    return list(generate_events(config, seed=seed, rows=rows))


@given(seed=st.integers(0, 10_000), rows=st.integers(0, 400))
def test_a_config_against_itself_changes_nothing_on_any_log(seed: int, rows: int) -> None:
    log = events(CONFIG, seed, rows)
    result = compare(CONFIG, CONFIG, log)  # type: ignore[arg-type]
    assert result.changed_messages == 0 and not result.changed
    assert result.moves == () and result.changes == ()
    assert result.messages == result.base.summary.messages
    assert result.base == result.new


@given(
    seed=st.integers(0, 10_000),
    weights=st.lists(
        st.integers(1, 1000), min_size=len(CONFIG.agents), max_size=len(CONFIG.agents)
    ),
    limit=st.integers(0, 30),
)
def test_changed_counts_add_up_and_changes_come_in_log_order(
    seed: int, weights: list[int], limit: int
) -> None:
    agents = tuple(a._replace(weight=w) for a, w in zip(CONFIG.agents, weights))
    new = dataclasses.replace(CONFIG, agents=agents)
    result = compare(CONFIG, new, events(CONFIG, seed, 300), limit=limit)  # type: ignore[arg-type]
    assert result.changed_messages == result.changed_assignee + result.changed_rule_only
    assert sum(move.messages for move in result.moves) == result.changed_assignee
    assert result.messages == result.base.summary.messages == result.new.summary.messages
    lines = [change.line for change in result.changes]
    assert lines == sorted(lines) and len(lines) == min(limit, result.changed_messages)
    base_inquiries = sum(a.inquiries_base for a in result.agents)
    assert base_inquiries == sum(row.inquiries for row in result.base.agents)


@given(
    seed=st.integers(0, 10_000),
    weights=st.lists(
        st.integers(1, 1000), min_size=len(CONFIG.agents), max_size=len(CONFIG.agents)
    ),
)
def test_pairing_agrees_with_two_separate_replays_row_by_row(seed: int, weights: list[int]) -> None:
    agents = tuple(a._replace(weight=w) for a, w in zip(CONFIG.agents, weights))
    new = dataclasses.replace(CONFIG, agents=agents)
    log = events(CONFIG, seed, 300)
    result = compare(CONFIG, new, log, limit=1000)  # type: ignore[arg-type]
    refused: list[object] = []
    base_rows = list(replay(CONFIG, log, on_bad=refused.append))  # type: ignore[arg-type]
    new_rows = list(replay(new, log, on_bad=refused.append))  # type: ignore[arg-type]
    assume(not refused)  # a row one side cannot use is paired with "-" (tested in test_diff)
    assert [row.line for row in base_rows] == [row.line for row in new_rows]
    changed = [
        (old.line, old.assignee, old.rule, fresh.assignee, fresh.rule)
        for old, fresh in zip(base_rows, new_rows)
        if (old.assignee, old.rule) != (fresh.assignee, fresh.rule)
    ]
    assert result.messages == len(base_rows)
    assert [
        (c.line, c.base.assignee, c.base.rule, c.new.assignee, c.new.rule) for c in result.changes
    ] == changed
