"""Golden files: the worked example of docs/routing.md, replayed byte for byte.

After an intended change, rewrite them with ``ROUTECTL_UPDATE_GOLDEN=1 pytest
tests/test_replay_golden.py`` and review the diff like code.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli

GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = ROOT / "examples"
CASES = {
    "replay-tiny.csv": ["--format", "csv"],
    "replay-tiny.jsonl": ["--format", "jsonl"],
    "replay-tiny-explain-u7.csv": ["--format", "csv", "--explain", "u7"],
    "replay-tiny-explain-u8.csv": ["--format", "csv", "--explain", "u8"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_worked_example_matches_golden(runner: CliRunner, name: str) -> None:
    args = ["replay", str(EXAMPLES / "tiny-day.csv"), "-c", str(EXAMPLES / "tiny-shop.toml")]
    result = runner.invoke(cli, [*args, *CASES[name]])
    assert (result.exit_code, result.stderr) == (0, "")
    path = GOLDEN / name
    if os.environ.get("ROUTECTL_UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


def test_docs_show_the_golden_trace() -> None:
    docs = (ROOT / "docs" / "routing.md").read_text(encoding="utf-8")
    block = docs.split("--explain u7 --format csv\n", 1)[1].split("```", 1)[0]
    assert block == (GOLDEN / "replay-tiny-explain-u7.csv").read_text(encoding="utf-8")
