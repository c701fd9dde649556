"""Config size: lookups are indexed once, so every command is linear in the config.

No timing here (speed lives in benchmarks/ and docs/robustness.md has the figures); these
tests pin that the index answers exactly what the linear scans answered.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from routectl.cli import cli
from routectl.model import Agent, Group, Shop, ShopConfig
from routectl.report.tables import Tables


def _config() -> ShopConfig:
    return ShopConfig(
        Shop("s"),
        groups=(Group("pre"), Group("after"), Group("pre")),
        agents=(
            Agent("a", ("pre", "pre")),
            Agent("b", ("after", "pre")),
            Agent("c"),
            Agent("a", ("after",), weight=5),
        ),
    )


def _linear_agents_in(config: ShopConfig, name: str) -> tuple[Agent, ...]:
    return tuple(a for a in config.agents if name in a.groups)


def test_indexed_lookups_answer_like_the_linear_scans() -> None:
    config = _config()
    for name in ("pre", "after", "nowhere", ""):
        assert config.agents_in(name) == _linear_agents_in(config, name)
    assert config.agent("a") is config.agents[0]  # the first of a doubled id
    assert config.agent("c") is config.agents[2]
    assert config.agent("z") is None
    assert config.group("pre") is config.groups[0]
    assert config.group("x") is None


def test_the_index_is_not_part_of_equality_or_hash() -> None:
    first, second = _config(), _config()
    first.agent("a")  # builds the index of one of them only
    assert first == second and hash(first.shop) == hash(second.shop)
    assert "_index" not in repr(first)


def test_report_with_2000_agents_in_one_group_and_a_3_row_log(tmp_path: Path) -> None:
    # 91 s before the index and the per-team figures (report/tables.py); now well
    # under a second (docs/robustness.md). Here: that it completes with the right rows.
    agents = "".join(f'[[agents]]\nid = "a{n}"\ngroups = ["g"]\n' for n in range(2000))
    config = f'[shop]\nname = "big"\n[[groups]]\nname = "g"\nentries = ["shop_home"]\n{agents}'
    log = (
        "time,event,buyer,agent,status,entry\n"
        "2026-11-02T08:00:00,status,,a7,online,\n"
        "2026-11-02T08:00:01,message,b1,,,shop_home\n"
        "2026-11-02T08:00:02,message,b2,,,shop_home\n"
    )
    path = tmp_path / "big.toml"
    path.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "-", "-c", str(path), "--format", "csv"], input=log)
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert len(rows) == 2001 and rows[8].startswith("a7,g,100,2,1.0,")


def test_team_figures_are_computed_once_per_team_not_once_per_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An operation count instead of a timing: with n agents in one group the report
    # used to sum over the whole team for every member (n * n calls of _bypass).
    calls = Counter[str]()
    original = Tables._bypass

    def counted(self: Tables, agent_id: str) -> int:
        calls["bypass"] += 1
        return original(self, agent_id)

    monkeypatch.setattr(Tables, "_bypass", counted)
    agents = "".join(f'[[agents]]\nid = "a{n}"\ngroups = ["g"]\n' for n in range(300))
    path = tmp_path / "big.toml"
    path.write_text(f'[shop]\nname = "big"\n[[groups]]\nname = "g"\n{agents}', encoding="utf-8")
    log = "time,event,buyer\n2026-11-02T08:00:01,message,b1\n"
    result = CliRunner().invoke(
        cli, ["report", "-", "-c", str(path), "--format", "json"], input=log
    )
    assert result.exit_code == 0, result.stderr
    assert calls["bypass"] <= 2 * 300  # once per agent and once per team member
