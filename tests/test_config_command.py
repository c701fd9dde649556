"""`routectl config`: the effective config, every default filled in, round-tripping."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner

from conftest import minimal_document
from routectl.cli import cli
from routectl.config import load_config
from routectl.config.starter import starter_text

ROOT = Path(__file__).resolve().parent.parent

FULL_DEFAULTS = """\
[shop]
name = "test shop"
timezone = "Asia/Shanghai"

[routing]
mobile_reception = false
offline_routing = false
offline_delay = "3m"
session_timeout = "15m"
fallback = "shop"

[offline]
policy = "first_available"
pool_retention_days = 30

[auto_reply]

[bot]
enabled = false
priority_reception = false

[reply_rate]
window = "08:00-24:00"
threshold = "3m"
"""


def test_defaults_are_all_written(runner: CliRunner, write_config: Callable[..., Path]) -> None:
    path = write_config({"shop": {"name": "test shop"}})
    result = runner.invoke(cli, ["config", str(path)])
    assert result.exit_code == 0
    body = result.stdout.split("\n\n", 1)[1]
    assert body.startswith(FULL_DEFAULTS)
    assert body.endswith(
        "\n[crowds]\n\n[dedicated]\npriority_reception = false\n\n[dedicated.buyers]\n"
    )
    assert "groups" not in body


def _roundtrip_cases() -> list[object]:
    rich = minimal_document(
        routing={"offline_delay": "90s", "session_timeout": "1h30m", "fallback": "offline"},
        offline={"policy": "group:presale", "pool_retention_days": 7},
        auto_reply={"greeting": "hi", "offline": 'away "soon"\n'},
        bot={"enabled": True, "priority_reception": True},
        reply_rate={"window": "09:30-21:00", "threshold": "2m"},
        rules=[{"kind": "crowd", "match": ["老客户"], "group": "presale"}],
        crowds={"老客户": ["b 1", "b.2"]},
        dedicated={"priority_reception": True, "buyers": {"b 1": "shop:a", "中文": "shop:b"}},
    )
    return [
        pytest.param((ROOT / "shopconfig.example.toml").read_text("utf-8"), id="example"),
        pytest.param(starter_text(), id="starter"),
        pytest.param(tomli_w.dumps(minimal_document()), id="minimal"),
        pytest.param(tomli_w.dumps(rich), id="rich"),
    ]


@pytest.mark.parametrize("text", _roundtrip_cases())
def test_output_round_trips(runner: CliRunner, tmp_path: Path, text: str) -> None:
    original = tmp_path / "in.toml"
    original.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["config", str(original)])
    assert result.exit_code == 0, result.output
    effective = tmp_path / "out.toml"
    effective.write_text(result.stdout, encoding="utf-8")
    assert load_config(str(effective)) == load_config(str(original))
    again = runner.invoke(cli, ["config", str(effective)])
    assert again.stdout.split("\n", 1)[1] == result.stdout.split("\n", 1)[1]


def test_json_format_and_output_file(runner: CliRunner, write_config: Callable[..., Path]) -> None:
    path = write_config(minimal_document())
    out = path.parent / "effective.json"
    result = runner.invoke(cli, ["config", str(path), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    document = json.loads(out.read_text("utf-8"))
    assert document["routing"]["offline_delay"] == "3m"
    assert document["agents"][1] == {
        "id": "shop:b", "groups": ["presale"], "weight": 100, "routing": True,
        "mobile": False, "max_concurrent": 20,
    }  # fmt: skip


def test_invalid_config_is_exit_1_with_every_error(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    document = minimal_document()
    document["agents"][0]["weight"] = 0
    document["agents"][1]["groups"] = ["nope"]
    path = write_config(document)
    result = runner.invoke(cli, ["config", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"routectl: error: invalid config {path} (2 errors):\n"
        f"  {path}:17: agents[0].weight: must be an integer from 1 to 1000, got 0\n"
        f"  {path}:22: agents[1].groups[0]: unknown group 'nope'; groups are 'presale'\n"
    )


def test_missing_config_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["config", str(tmp_path / "gone.toml")])
    assert result.exit_code == 2
    assert "no such file (create one with 'routectl init')" in result.stderr
