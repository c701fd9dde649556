"""`routectl validate`: many files, stdin, formats, exit codes, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from routectl.cli import cli
from routectl.config import check_config_text
from test_config_errors import clean_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "shopconfig.example.toml"
OK_LINE = "shopconfig.toml: ok: 2 groups, 3 agents, 0 rules, 0 dedicated buyers"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ROUTECTL_CONFIG", raising=False)
    return tmp_path


def write(path: Path, document: dict[str, object] | None = None) -> Path:
    import tomli_w

    path.write_text(tomli_w.dumps(document or clean_document()), encoding="utf-8")
    return path


def test_default_config_is_shopconfig_toml(runner: CliRunner, in_tmp: Path) -> None:
    write(in_tmp / "shopconfig.toml")
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0
    assert result.stdout == f"{OK_LINE}\n1 file, 0 invalid, 0 errors, 0 warnings\n"


def test_config_option_and_environment(
    runner: CliRunner, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(in_tmp / "a.toml")
    assert runner.invoke(cli, ["validate", "-c", "a.toml"]).stdout.startswith("a.toml: ok:")
    monkeypatch.setenv("ROUTECTL_CONFIG", "a.toml")
    assert runner.invoke(cli, ["validate"]).stdout.startswith("a.toml: ok:")


def test_missing_default_config_is_exit_2(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert result.stderr == (
        "routectl: error: shopconfig.toml: no such file (create one with 'routectl init')\n"
    )
    assert result.stdout == "1 file, 0 invalid, 1 unreadable, 0 errors, 0 warnings\n"


def test_many_files_worst_code_wins_and_all_are_checked(runner: CliRunner, in_tmp: Path) -> None:
    write(in_tmp / "shopconfig.toml")
    bad = clean_document()
    bad["agents"][2]["weight"] = 0  # type: ignore[index]
    write(in_tmp / "bad.toml", bad)
    result = runner.invoke(cli, ["validate", "shopconfig.toml", "bad.toml"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        OK_LINE,
        "bad.toml:37: error: agents[2].weight: must be an integer from 1 to 1000, got 0",
        "bad.toml: invalid: 1 error",
        "2 files, 1 invalid, 1 error, 0 warnings",
    ]
    result = runner.invoke(cli, ["validate", "missing.toml", "bad.toml", "shopconfig.toml"])
    assert result.exit_code == 2
    assert "bad.toml: invalid: 1 error" in result.stdout
    assert OK_LINE in result.stdout
    assert result.stdout.endswith("3 files, 1 invalid, 1 unreadable, 1 error, 0 warnings\n")


@pytest.mark.parametrize(
    ("setup", "code", "stdout_line", "stderr"),
    [
        pytest.param(
            lambda p: p.mkdir(), 2, None,
            "routectl: error: x.toml: is a folder, not a config file\n",
            id="folder",
        ),
        pytest.param(
            lambda p: p.write_text(""), 1,
            "x.toml: error: shop.name: missing; every config needs a shop name: "
            'name = "..." under [shop]',
            "", id="empty",
        ),
        pytest.param(
            lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"), 1,
            "x.toml: error: binary data, not a TOML text file", "", id="binary",
        ),
        pytest.param(
            lambda p: p.write_bytes(b'[shop]\nname = "\xb5\xea"\n'), 1,
            "x.toml:2: error: not UTF-8 text (byte 0xb5); save the file as UTF-8", "",
            id="gbk",
        ),
        pytest.param(
            lambda p: p.write_text('[shop]\nname = "x"\n', encoding="utf-16"), 1,
            "x.toml: error: UTF-16 text (Windows 'Unicode'); save the file as UTF-8", "",
            id="utf-16",
        ),
        pytest.param(
            lambda p: p.write_text("Just some notes\nabout the shop.\n"), 1,
            "x.toml:1: error: not valid TOML: expected '=' after a key in a key/value pair "
            "(column 6)",
            "", id="not-toml",
        ),
        pytest.param(
            lambda p: p.write_text("[" * 5000), 1, None, "", id="deep-nesting",
        ),
    ],
)  # fmt: skip
def test_odd_inputs_never_trace_back(
    runner: CliRunner,
    in_tmp: Path,
    setup: Callable[[Path], object],
    code: int,
    stdout_line: str | None,
    stderr: str,
) -> None:
    setup(in_tmp / "x.toml")
    result = runner.invoke(cli, ["validate", "x.toml"])
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr == stderr
    if stdout_line:
        assert result.stdout.splitlines()[0] == stdout_line


def test_unreadable_file_is_exit_2(runner: CliRunner, in_tmp: Path) -> None:
    path = write(in_tmp / "locked.toml")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as a user who can read anything")
    result = runner.invoke(cli, ["validate", "locked.toml"])
    assert result.exit_code == 2
    assert result.stderr == "routectl: error: locked.toml: cannot read: Permission denied\n"


def test_standard_input(runner: CliRunner, in_tmp: Path) -> None:
    text = '[shop]\nname = "x"\ntimezone = "Mars"\n'
    result = runner.invoke(cli, ["validate", "-"], input=text)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        '<stdin>:3: error: shop.timezone: unknown time zone "Mars"',
        "<stdin>: invalid: 1 error",
        "1 file, 1 invalid, 1 error, 0 warnings",
    ]
    ok = runner.invoke(cli, ["validate", "-"], input=EXAMPLE.read_text("utf-8"))
    assert (
        ok.stdout.splitlines()[0] == "<stdin>: ok: 3 groups, 7 agents, 3 rules, 2 dedicated buyers"
    )


def test_strict_turns_warnings_into_exit_1(runner: CliRunner, in_tmp: Path) -> None:
    document = clean_document()
    document["agents"][2]["max_concurrent"] = 1  # type: ignore[index]
    write(in_tmp / "shopconfig.toml", document)
    relaxed = runner.invoke(cli, ["validate"])
    assert relaxed.exit_code == 0
    assert relaxed.stdout.splitlines()[-2:] == [OK_LINE, "1 file, 0 invalid, 0 errors, 1 warning"]
    strict = runner.invoke(cli, ["validate", "--strict"])
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-2:] == [
        "shopconfig.toml: invalid with --strict: 1 warning",
        "1 file, 1 invalid, 0 errors, 1 warning",
    ]


def test_github_annotations(runner: CliRunner, in_tmp: Path) -> None:
    document = clean_document()
    document["agents"][2]["max_concurrent"] = 1  # type: ignore[index]
    write(in_tmp / "warn.toml", document)
    (in_tmp / "broken.toml").write_text("[shop\n")
    result = runner.invoke(
        cli, ["validate", "--format", "github", "warn.toml", "broken.toml", "gone.toml"]
    )
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "::warning file=warn.toml,line=37,title=W016 low-max-concurrent::agents[2].max_concurrent: "
        "1 open conversations at most: 'shop:c' will queue most buyers at busy times (R13) "
        "[W016 low-max-concurrent]",
        "warn.toml: ok: 2 groups, 3 agents, 0 rules, 0 dedicated buyers",
        "::error file=broken.toml,line=1,col=6,title=invalid shop config::not valid TOML: "
        "expected ']' at the end of a table declaration (column 6)",
        "broken.toml: invalid: 1 error",
        "::error title=unreadable config::gone.toml: no such file "
        "(create one with 'routectl init')",
        "3 files, 1 invalid, 1 unreadable, 1 error, 1 warning",
    ]


def test_github_escapes_properties_and_message(runner: CliRunner, in_tmp: Path) -> None:
    (in_tmp / "a,b:c.toml").write_text('[shop]\nname = "x"\n[bot]\nenabled = "100%"\n')
    result = runner.invoke(cli, ["validate", "--format", "github", "a,b:c.toml"])
    assert result.stdout.splitlines()[0] == (
        "::error file=a%2Cb%3Ac.toml,line=4,title=invalid shop config::"
        'bot.enabled: must be true or false, got "100%25"'
    )


def test_json_format(runner: CliRunner, in_tmp: Path) -> None:
    write(in_tmp / "shopconfig.toml")
    result = runner.invoke(cli, ["validate", "--format", "json", "shopconfig.toml", "gone.toml"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["summary"] == {
        "files": 2, "invalid": 0, "unreadable": 1, "errors": 0, "warnings": 0
    }  # fmt: skip
    assert document["exit_code"] == 2
    ok, gone = document["files"]
    assert ok["status"] == "ok"
    assert ok["inventory"] == {"groups": 2, "agents": 3, "rules": 0, "dedicated_buyers": 0}
    assert gone["status"] == "unreadable"
    assert gone["error"] == "gone.toml: no such file (create one with 'routectl init')"


def test_json_problem_fields(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(
        cli, ["validate", "--format", "json", "-"], input='[shop]\nname = "x"\nnmae = 1\n'
    )
    problem = json.loads(result.stdout)["files"][0]["problems"][0]
    assert problem == {
        "severity": "error",
        "code": None,
        "name": None,
        "path": "shop.nmae",
        "line": 3,
        "column": None,
        "message": "unknown key; did you mean 'name'?",
    }


def test_example_and_starter_are_valid_with_inventory(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"{EXAMPLE}: ok: 3 groups, 7 agents, 3 rules, 2 dedicated buyers"
    )


@given(st.text(max_size=200))
def test_any_text_is_checked_without_raising(text: str) -> None:
    config, problems = check_config_text(text, "fuzz.toml")
    assert (config is None) == any(p.severity == "error" for p in problems)


fragments = st.sampled_from(
    ["[shop]\n", 'name = "x"\n', "[[agents]]\n", 'id = "a"\n', "weight = 0\n", "[[groups]]\n",
     'groups = ["g"]\n', 'name = "g"\n', "[[rules]]\n", 'kind = "crowd"\n', 'match = ["v"]\n',
     'group = "g"\n', "[crowds]\n", 'v = ["b"]\n', "[dedicated]\n", 'buyers = { b = "a" }\n',
     '[offline]\npolicy = "agent:a"\n', "routing = false\n", 'entries = ["order"]\n',
     "mobile = true\n", 'timezone = "UTC"\n', "x = {}\n", "[reply_rate]\n", 'window = "x"\n']
)  # fmt: skip


@given(st.lists(fragments, max_size=25))
def test_any_config_shaped_text_is_checked_without_raising(parts: list[str]) -> None:
    config, problems = check_config_text("".join(parts), "fuzz.toml")
    assert (config is None) == any(p.severity == "error" for p in problems)
    assert all(p.line is None or p.line >= 1 for p in problems)


def test_validate_starts_fast_without_heavy_imports(tmp_path: Path) -> None:
    script = (
        "import sys\nfrom routectl.cli import main\n"
        f"sys.argv = ['routectl', 'validate', {str(EXAMPLE)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('tabulate', 'tomli_w', 'csv', 'difflib', 'json', "
        "'routectl.engine', 'wcwidth') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout, result.stdout


def test_validate_json_carries_a_schema_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["schema_version"] == 1
    assert result.stdout.startswith('{\n  "schema_version": 1,')
