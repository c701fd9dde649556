"""Golden files: the full table and JSON report of the shipped example day.

Regenerate after an intended change, then review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, ROOT
from routectl.cli import cli

EXAMPLE_LOG = ROOT / "examples" / "shop-day.csv"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CASES = {
    "report-shop-day.txt": ["--format", "table", "--lang", "en"],
    "report-shop-day.json": ["--format", "json"],
    "report-shop-day-by-day.txt": ["--format", "table", "--by", "agent,day", "--lang", "en"],
    "report-shop-day-agents.csv": ["--format", "csv"],
    "report-shop-day-zh.txt": ["--format", "table", "--lang", "zh"],
    "report-shop-day-wide-verbose.txt": ["--lang", "en", "--wide", "--verbose", "--by", "agent"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_of_the_example_day_matches_its_golden_file(runner: CliRunner, name: str) -> None:
    if not EXAMPLE_LOG.exists():
        pytest.skip("examples/shop-day.csv is not there yet")
    args = ["report", str(EXAMPLE_LOG), "-c", str(EXAMPLE_CONFIG), *CASES[name]]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert result.stdout == expected, f"differs from {golden}; see this module's docstring"
