"""The compiled (mypyc) and pure-Python builds give identical output.

The running interpreter's routectl is whichever build is installed (``.ci/run`` runs
this file in a compiled venv too); the pure build is the source tree itself (editable
installs are never compiled). Both replay and report the examples and a generated log
whose times carry offsets; their outputs must match byte for byte. In a pure venv the
two sides are the same build, so the test still pins that runs are repeatable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import routectl
from conftest import ROOT
from routectl import build

EXAMPLES = ROOT / "examples"
INSTALLED = "from routectl.cli import main; main()"
PURE = (
    f"import sys; sys.path.insert(0, {str(ROOT / 'cli')!r}); import routectl; "
    "assert routectl.build() == 'pure Python'; from routectl.cli import main; main()"
)
CASES = [
    ("tiny-day.csv", "tiny-shop.toml"),
    ("bot-day.csv", "bot-shop.toml"),
    ("shop-day.csv", "../shopconfig.example.toml"),
]
OUTPUTS = [["replay", "--format", "jsonl"], ["report", "--format", "json"],
           ["replay", "--format", "csv"]]  # fmt: skip


def routectl_output(program: str, *args: str) -> bytes:
    env = {**os.environ, "CI": "1"}
    env.pop("ROUTECTL_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_build_is_the_one_asked_for() -> None:
    expected = {"compiled": "compiled with mypyc", "pure": "pure Python"}
    wanted = os.environ.get("ROUTECTL_EXPECT_BUILD")
    if wanted is not None:  # set by .ci/run, so a failed compile cannot pass as pure
        assert build() == expected[wanted], routectl.__file__
    assert build() in expected.values()


@pytest.fixture(scope="module")
def generated_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parity")
    naive = folder / "naive.csv"
    config = str(ROOT / "shopconfig.example.toml")
    routectl_output(INSTALLED, "generate-log", "-c", config, "--rows", "20000", "-o", str(naive))
    # Every other minute with an offset, so both parser paths and their caches run.
    lines = naive.read_text(encoding="utf-8").splitlines(keepends=True)
    mixed = [lines[0]] + [
        line.replace(",", "+08:00,", 1) if line[15] in "02468" else line for line in lines[1:]
    ]
    path = folder / "mixed.csv"
    path.write_text("".join(mixed), encoding="utf-8")
    return path


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda args: "-".join(args))
@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0])
def test_compiled_and_pure_agree_on_the_examples(case: tuple[str, str], output: list[str]) -> None:
    log, config = case
    args = [output[0], str(EXAMPLES / log), "-c", str(EXAMPLES / config), *output[1:]]
    assert routectl_output(INSTALLED, *args) == routectl_output(PURE, *args)


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda args: "-".join(args))
def test_compiled_and_pure_agree_on_a_generated_log(generated_log: Path, output: list[str]) -> None:
    config = str(ROOT / "shopconfig.example.toml")
    args = [output[0], str(generated_log), "-c", config, *output[1:]]
    installed = routectl_output(INSTALLED, *args)
    assert installed == routectl_output(PURE, *args)
    assert len(installed) > 10_000
