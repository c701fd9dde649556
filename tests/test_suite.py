"""`routectl test`: routing test suites that pass, fail (expected vs actual), are malformed;
JUnit XML shape; --run; the shipped tests/routing suites."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_CONFIG, ROOT
from routectl.cli import cli

PASSING = f'''
config = "{EXAMPLE_CONFIG.as_posix()}"
date = "2026-11-02"

[[tests]]
name = "refund goes to aftersale"
log = """
time,event,buyer,agent,status,entry,intent
09:00,status,,旗舰店:小美,online,,
09:00,status,,旗舰店:阿强,online,,
09:04,message,r1,,,shop_home,退款
09:05:30,message,r1,,,,
"""
expect = [
  {{ buyer = "r1", assignee = "旗舰店:阿强" }},
  {{ buyer = "r1", nth = 1, rule = "special:intent", assigned_at = "09:04" }},
  {{ buyer = "r1", nth = 2, rule = "conversation", assigned_at = "09:05:30" }},
]

[[tests]]
name = "report figures"
log = """
time,event,buyer,agent,status,entry
09:00,status,,旗舰店:小美,online,
09:01,message,u1,,,shop_home
09:02,reply,u1,旗舰店:小美,,
"""
expect_report = {{ questions_counted = 1, response_rate = 1.0 }}
'''

FAILING = PASSING.replace('assignee = "旗舰店:阿强"', 'assignee = "旗舰店:小美"').replace(
    "questions_counted = 1,", "questions_counted = 2,"
)


def write(tmp_path: Path, text: str, name: str = "suite.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_test(runner: CliRunner, *args: Any) -> Any:
    return runner.invoke(cli, ["test", *(str(a) for a in args)])


def test_a_passing_suite_prints_one_line_per_test_and_exits_0(
    runner: CliRunner, tmp_path: Path
) -> None:
    suite = write(tmp_path, PASSING)
    result = run_test(runner, suite)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"PASS  {suite}:5  refund goes to aftersale"
    assert lines[1] == f"PASS  {suite}:20  report figures"
    assert lines[-1] == "2 tests: 2 passed, 0 failed"


def test_a_failing_test_shows_expected_against_actual_with_the_reason(
    runner: CliRunner, tmp_path: Path
) -> None:
    suite = write(tmp_path, FAILING)
    result = run_test(runner, suite)
    assert result.exit_code == 1
    out = result.stdout
    assert f"FAIL  {suite}:5  refund goes to aftersale" in out
    # both message rows of r1 are checked; each points at its row in the suite file
    assert (
        f"buyer 'r1', message 1 ({suite}:11): assignee expected '旗舰店:小美', got '旗舰店:阿强'"
        in out
    )
    assert f"buyer 'r1', message 2 ({suite}:12): assignee expected" in out
    assert "reason: intent rule matches '退款' → group aftersale" in out
    assert "report questions_counted expected 2, got 1" in out
    assert out.splitlines()[-1] == "2 tests: 0 passed, 2 failed"


def test_run_picks_tests_by_regex(runner: CliRunner, tmp_path: Path) -> None:
    suite = write(tmp_path, FAILING)
    result = run_test(runner, suite, "--run", "^report")
    assert result.exit_code == 1
    assert "refund" not in result.stdout and "1 test: 0 passed, 1 failed" in result.stdout
    nothing = run_test(runner, suite, "--run", "no such test")
    assert nothing.exit_code == 2 and "no test name matches" in nothing.stderr
    bad = run_test(runner, suite, "--run", "(")
    assert bad.exit_code == 2 and "not a regular expression" in bad.stderr


def test_junit_xml_has_testsuite_testcase_and_failure(runner: CliRunner, tmp_path: Path) -> None:
    suite = write(tmp_path, FAILING)
    passing = write(tmp_path, PASSING, "passing.toml")
    junit = tmp_path / "junit.xml"
    result = run_test(runner, suite, passing, "--junit", junit)
    assert result.exit_code == 1
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(suite), str(passing)]
    assert [(s.get("tests"), s.get("failures")) for s in suites] == [("2", "2"), ("2", "0")]
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == ["refund goes to aftersale", "report figures"]
    failure = cases[0].find("failure")
    assert failure is not None and "expected '旗舰店:小美'" in (failure.get("message") or "")
    assert "reason:" in (failure.text or "")
    assert all(c.find("failure") is None for c in suites[1].findall("testcase"))


BAD_SUITES = [
    ("nmae = 1\n", 1, "nmae: unknown key"),
    ('config = "x.toml"\ndate = "2026-11-02"\n', 1, "a suite needs [[tests]]"),
    ("[[tests\n", 1, "not valid TOML"),
    (PASSING.replace('nth = 2, rule', 'nht = 2, rule'), 17, "unknown key; did you mean 'nth'?"),
    (PASSING.replace('date = "2026-11-02"', 'date = "02.11.2026"'), 3, "date must be a day"),
    (PASSING.replace(EXAMPLE_CONFIG.as_posix(), "missing.toml"), 2, "no such file"),
    (PASSING.replace("09:04,message", "09:04,mesage"), 11, "log line 4"),
    (PASSING.replace("09:05:30,message", "08:05:30,message"), 12, "time goes backwards"),
    (PASSING.replace("nth = 1,", "nth = 0,"), 16, "nth must be a message number"),
    (PASSING.replace('assigned_at = "09:04"', 'assigned_at = "9 o\'clock"'), 16, "assigned_at"),
    (PASSING.replace("questions_counted = 1", "questions_countd = 1"), 28,
     "did you mean 'questions_counted'?"),
    (PASSING.replace('{ buyer = "r1", assignee = "旗舰店:阿强" }', '{ buyer = "r1" }'), 15,
     "must name what it checks"),
]  # fmt: skip


@pytest.mark.parametrize("text,line,message", BAD_SUITES)
def test_a_malformed_suite_is_file_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, text: str, line: int, message: str
) -> None:
    suite = write(tmp_path, text)
    result = run_test(runner, suite)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"routectl: error: {suite}:{line}: "), result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [None, b"", b"\xff\xfe[\x00", b"tests = 3\n"])
def test_missing_empty_or_unreadable_suite_files_are_one_error(
    runner: CliRunner, tmp_path: Path, content: bytes | None
) -> None:
    suite = tmp_path / "suite.toml"
    if content is not None:
        suite.write_bytes(content)
    result = run_test(runner, suite)
    assert result.exit_code == 2
    assert result.stderr.startswith("routectl: error: ") and result.stderr.count("\n") == 1


def test_no_argument_runs_tests_routing_and_says_when_there_is_none(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    empty = run_test(runner)
    assert empty.exit_code == 2 and "tests/routing/*.toml matches nothing" in empty.stderr
    (tmp_path / "tests" / "routing").mkdir(parents=True)
    write(tmp_path / "tests" / "routing", PASSING, "a.toml")
    result = run_test(runner)
    assert result.exit_code == 0
    assert result.stdout.startswith("PASS  tests/routing/a.toml:5")


def test_the_shipped_example_shop_suites_pass(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = run_test(runner)
    assert result.exit_code == 0, result.output
    assert "tests/routing/example-shop.toml" in result.stdout
    assert " 0 failed" in result.stdout.splitlines()[-1]


def test_a_suite_saved_by_windows_notepad_crlf_and_bom_runs_the_same(
    runner: CliRunner, tmp_path: Path
) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_bytes(b"\xef\xbb\xbf" + PASSING.replace("\n", "\r\n").encode("utf-8"))
    result = run_test(runner, suite)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"PASS  {suite}:5  refund goes to aftersale"
