"""Faults and hostile values: -o onto an input, I/O errors, signals, extreme windows,
terminal and CI-log injection, a streamed table (docs/robustness.md, issue 14)."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from routectl import output
from routectl.cli import cli
from routectl.report.window import EARLIEST, LATEST, resolve_window
from routectl.safetext import printable

TINY = ROOT / "examples" / "tiny-shop.toml"
_SCRIPT = Path(sys.executable).with_name("routectl")
ROUTECTL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "routectl"]
LOG = "time,event,buyer,agent,status,entry\n2026-11-02T08:00:00,status,,tiny:a,online,\n"


def _log(tmp_path: Path, rows: int = 3) -> Path:
    path = tmp_path / "log.csv"
    body = "".join(f"2026-11-02T08:00:{n:02d},message,b{n},,,shop_home\n" for n in range(rows))
    path.write_text(LOG + body, encoding="utf-8")
    return path


def _run(args: list[str], **kwargs: object) -> Result:
    result = CliRunner().invoke(cli, args, **kwargs)  # type: ignore[arg-type]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result


# --- -o onto an input is refused -----------------------------------------------------------


def _same_file(output_path: Path, input_path: Path) -> str:
    return (
        f"routectl: error: {output_path}: is the same file as the input {input_path}; "
        "writing there would destroy it: choose another -o file\n"
    )


@pytest.mark.parametrize("command", ["replay", "report"])
@pytest.mark.parametrize("onto", ["log", "config", "log-symlink", "config-hardlink"])
def test_output_onto_an_input_is_refused_and_the_input_kept(
    tmp_path: Path, command: str, onto: str
) -> None:
    log = _log(tmp_path)
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    victim = log if onto.startswith("log") else config
    before = victim.read_bytes()
    target = victim
    if onto.endswith("symlink"):
        target = tmp_path / "link"
        target.symlink_to(victim.name)
    elif onto.endswith("hardlink"):
        target = tmp_path / "hard"
        os.link(victim, target)
    result = _run([command, str(log), "-c", str(config), "-o", str(target)])
    assert (result.exit_code, result.stderr) == (2, _same_file(target, victim))
    assert victim.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".routectl-")]


def test_config_onto_its_own_file_keeps_the_comments(tmp_path: Path) -> None:
    config = tmp_path / "ex.toml"
    config.write_bytes(TINY.read_bytes())
    result = _run(["config", str(config), "-o", str(config)])
    assert (result.exit_code, result.stderr) == (2, _same_file(config, config))
    assert config.read_bytes() == TINY.read_bytes()


def test_generate_log_onto_its_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    result = _run(["generate-log", "-c", str(config), "-o", str(config)])
    assert (result.exit_code, result.stderr) == (2, _same_file(config, config))


def test_output_onto_the_file_behind_standard_input_is_refused(tmp_path: Path) -> None:
    log = _log(tmp_path)
    with log.open("rb") as stdin:
        done = subprocess.run(
            [*ROUTECTL, "replay", "-", "-c", str(TINY), "-o", str(log)],
            stdin=stdin,
            capture_output=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert b"is the same file as the input standard input" in done.stderr
    assert log.read_text(encoding="utf-8").startswith(LOG)


def test_appending_standard_output_to_the_log_is_refused(tmp_path: Path) -> None:
    # `routectl replay log.csv >> log.csv` would read its own rows back, without end.
    log = _log(tmp_path)
    before = log.read_bytes()
    program = " ".join(f"'{part}'" for part in [*ROUTECTL, "replay", str(log), "-c", str(TINY)])
    done = subprocess.run(
        ["bash", "-c", f"{program} --skip-bad >> '{log}'"], capture_output=True, timeout=60
    )
    assert (done.returncode, done.stderr.decode()) == (
        2,
        f"routectl: error: standard output: is the same file as the input {log}; "
        "writing there would destroy it: send the output elsewhere\n",
    )
    assert log.read_bytes() == before


def test_refuse_writing_onto_inputs_ignores_outputs_that_do_not_exist(tmp_path: Path) -> None:
    output.refuse_writing_onto_inputs(str(tmp_path / "new.csv"), [str(_log(tmp_path))])
    output.refuse_writing_onto_inputs("/dev/null", ["/dev/null"])  # not a regular file


# --- I/O errors: one line, exit 2 writing, exit 1 reading -----------------------------------


def _in_process(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    options.update(kwargs)
    return subprocess.run([*ROUTECTL, *args], timeout=60, **options)  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize(
    "args",
    [
        ["replay", "{log}", "-c", "{tiny}", "--format", "csv"],
        ["replay", "{log}", "-c", "{tiny}", "--format", "table"],
        ["report", "{log}", "-c", "{tiny}"],
        ["validate", "{tiny}"],
        ["config", "{tiny}"],
        ["init", "-"],
        ["generate-log", "-c", "{tiny}", "--rows", "100"],
    ],
    ids=lambda a: a[0] + ("-" + a[-1] if a[0] == "replay" else ""),
)
def test_standard_output_full(tmp_path: Path, args: list[str]) -> None:
    argv = [a.format(log=_log(tmp_path), tiny=TINY) for a in args]
    with open("/dev/full", "wb") as full:
        done = _in_process(argv, stdout=full)
    assert (done.returncode, done.stderr) == (
        2,
        b"routectl: error: standard output: cannot write: No space left on device\n",
    )


@pytest.mark.parametrize("args", [["replay", "{log}", "-c", "{tiny}"], ["validate", "{tiny}"]])
def test_closed_standard_output(tmp_path: Path, args: list[str]) -> None:
    argv = [a.format(log=_log(tmp_path), tiny=TINY) for a in args]
    program = " ".join(f"'{part}'" for part in [*ROUTECTL, *argv])
    done = subprocess.run(["bash", "-c", f"{program} >&-"], capture_output=True, timeout=60)
    assert (done.returncode, done.stderr) == (
        2,
        b"routectl: error: standard output: cannot write: it is closed\n",
    )


@pytest.mark.parametrize("args", [["replay", "-", "-c", "{tiny}"], ["validate", "-"]])
def test_closed_standard_input(args: list[str]) -> None:
    program = " ".join(f"'{part}'" for part in [*ROUTECTL, *[a.format(tiny=TINY) for a in args]])
    done = subprocess.run(["bash", "-c", f"{program} <&-"], capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"routectl: error: standard input: cannot read: it is closed\n" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["replay", "report", "config", "generate-log"])
def test_output_to_dev_full(tmp_path: Path, command: str) -> None:
    log = _log(tmp_path)
    args = {
        "replay": [str(log), "-c", str(TINY)],
        "report": [str(log), "-c", str(TINY)],
        "config": [str(TINY)],
        "generate-log": ["-c", str(TINY), "--rows", "100"],
    }[command]
    result = _run([command, *args, "-o", "/dev/full"])
    assert (result.exit_code, result.stderr) == (
        2,
        "routectl: error: /dev/full: cannot write: No space left on device\n",
    )


def _small_files() -> None:
    """A 'full disk' for regular files: writes past 2 KiB fail with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


@pytest.mark.parametrize("command", ["replay", "init", "generate-log"])
def test_full_disk_leaves_no_file_and_no_temp_file(tmp_path: Path, command: str) -> None:
    target = tmp_path / "out"
    if command == "replay":
        args = ["replay", str(_log(tmp_path, 40)), "-c", str(TINY), "-o", str(target)]
    elif command == "init":
        args = ["init", str(target)]
    else:
        args = ["generate-log", "-c", str(TINY), "--rows", "500", "-o", str(target)]
    done = _in_process(args, preexec_fn=_small_files)
    assert (done.returncode, done.stderr) == (
        2,
        f"routectl: error: {target}: cannot write: File too large\n".encode(),
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["log.csv"] if command == "replay" else []
    )
    if command == "init":  # a second try is not told "already exists"
        again = _in_process(["init", str(target)])
        assert again.returncode == 0 and target.stat().st_size > 2048


def test_read_error_is_one_line_and_exit_1() -> None:
    # Reading /proc/self/mem at offset 0 fails with EIO, like a failing disk.
    result = _run(["replay", "/proc/self/mem", "-c", str(TINY)])
    assert (result.exit_code, result.stderr) == (
        1,
        "routectl: error: /proc/self/mem: cannot read: Input/output error\n",
    )


# --- SIGTERM and SIGHUP clean up like Ctrl-C ---------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_removes_the_temporary_file(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "out.csv"
    args = [*ROUTECTL, "replay", "-", "-c", str(TINY), "--format", "csv", "-o", str(target)]
    with subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdin is not None and process.stderr is not None
        # Three rows: the reader holds up to two back to tell a lone jump in time (issue 21).
        rows = "".join(f"2026-11-02T08:00:0{n},message,b{n},,,shop_home\n" for n in (1, 2, 3))
        process.stdin.write((LOG + rows).encode())
        process.stdin.flush()
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".routectl-") for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "the temporary file never appeared"
            time.sleep(0.05)
        process.send_signal(signum)
        process.wait(timeout=30)
        stderr = process.stderr.read()
        process.stdin.close()
    name = signal.Signals(signum).name
    assert (process.returncode, stderr) == (128 + signum, f"routectl: stopped by {name}\n".encode())
    assert list(tmp_path.iterdir()) == []


# --- extreme report windows ----------------------------------------------------------------

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("since", "until", "window"),
    [
        ("0001-01-01", None, (float("-inf"), float("inf"))),
        ("0000-01-01", None, (float("-inf"), float("inf"))),
        (None, "9999-12-31", (float("-inf"), float("inf"))),
        ("1000000d", None, (float("-inf"), float("inf"))),
        ("99999999999999999999h", None, (float("-inf"), float("inf"))),
        ("9" * 400 + "s", None, (float("-inf"), float("inf"))),
        ("9999-12-31", None, (LATEST, float("inf"))),
        (None, "0001-01-01", (float("-inf"), EARLIEST)),
    ],
)
def test_windows_beyond_the_years_a_log_holds(
    since: str | None, until: str | None, window: tuple[float, float]
) -> None:
    found = resolve_window(since, until, NOW)
    assert (found.since, found.until) == window


@pytest.mark.parametrize(
    ("bounds", "misses_the_log"),
    [
        (["--since", "0001-01-01"], False),
        (["--until", "9999-12-31"], False),
        (["--since", "1000000d"], False),
        (["--since", "99999999999999999999h"], False),
        (["--since", "9999-12-31"], True),
        (["--until", "0001-01-01"], True),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_report_with_extreme_windows(
    tmp_path: Path, bounds: list[str], misses_the_log: bool, fmt: str
) -> None:
    result = _run(["report", str(_log(tmp_path)), "-c", str(TINY), "--format", fmt, *bounds])
    assert result.exit_code == 0
    if misses_the_log:  # no traceback, and one line that says the window counts nothing
        assert result.stderr.count("\n") == 1
        assert "misses the log" in result.stderr
    else:
        assert result.stderr == ""


def test_an_impossible_date_far_out_is_still_refused() -> None:
    with pytest.raises(ValueError, match="--since '9999-02-30'"):
        resolve_window("9999-02-30", None, NOW)


# --- terminal and CI-log injection -----------------------------------------------------------

HOSTILE = "x\x1b]0;pwned\x07\x1b[2J\u202eevil\n::error file=a.toml::hi\r"


@given(st.text())
def test_printable_output_is_one_printable_line_and_stable(text: str) -> None:
    shown = printable(text)
    assert len(shown.splitlines()) <= 1  # no character any reader takes as a line break
    assert not any(ch in shown for ch in "\x1b\x9b\u202e\u2066\u200f")
    assert printable(shown) == shown
    if text.isprintable():
        assert shown == text


def test_printable_escapes_controls_bidi_and_line_breaks() -> None:
    shown = printable(HOSTILE)
    assert shown == "x\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil\\n::error file=a.toml::hi\\r"
    assert shown.isprintable() and printable(shown) == shown
    assert printable("买家 ok \\path") == "买家 ok \\path"


def _quiet(text: str) -> None:
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert not any(line.startswith("::error file=a.toml") for line in text.splitlines())


def test_validate_text_output_cannot_emit_a_workflow_command(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[shop]\nname = "s"\n[[agents]]\nid = ' + json.dumps(HOSTILE) + "\nmobile = true\n",
        encoding="utf-8",
    )
    for fmt in ("text", "github"):
        result = _run(["validate", str(config), "--format", fmt])
        assert result.exit_code == 0
        _quiet(result.stdout)
    as_json = _run(["validate", str(config), "--format", "json"])
    problems = json.loads(as_json.stdout)["files"][0]["problems"]
    assert any(HOSTILE in problem["message"] for problem in problems)  # JSON: exact


def test_hostile_values_in_tables_and_messages_are_escaped(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        "[shop]\nname = " + json.dumps(HOSTILE) + '\n[[agents]]\nid = "a"\n', encoding="utf-8"
    )
    buyer = '"' + HOSTILE.replace("\n", " ") + '"'
    log = tmp_path / f"log{HOSTILE[:12]}.csv"
    log.write_text(
        "time,event,buyer,agent,status\n2026-11-02T08:00:00,status,,a,online\n"
        f"2026-11-02T08:00:01,message,{buyer},,\n2026-11-02T08:00:02,mess\x1bage,b,,\n",
        encoding="utf-8",
    )
    table = _run(["replay", str(log), "-c", str(config), "--format", "table", "--skip-bad"])
    assert table.exit_code == 0
    _quiet(table.stdout)
    _quiet(table.stderr)
    assert "\\x1b]0;pwned" in table.stdout and "mess\\x1bage" in table.stderr
    report = _run(["report", str(log), "-c", str(config), "--skip-bad"])
    _quiet(report.stdout)
    as_csv = _run(["replay", str(log), "-c", str(config), "--format", "csv", "--skip-bad"])
    assert HOSTILE.replace("\n", " ").strip() in as_csv.stdout  # machine formats: exact
    failed = _run(["replay", str(log), "-c", str(config)])
    assert failed.exit_code == 1
    _quiet(failed.stderr)
    assert failed.stderr.count("\n") == 1


def test_header_cells_and_file_names_in_errors_are_escaped(tmp_path: Path) -> None:
    log = tmp_path / "a\nb.csv"
    log.write_text("ti\x1bme,event\n", encoding="utf-8")
    result = _run(["replay", str(log), "-c", str(TINY)])
    assert result.stderr == (
        f"routectl: error: {tmp_path}/a\\nb.csv:1: header lacks column(s) time; "
        "found: ti\\x1bme, event\n"
    )


# --- replay --format table streams ---------------------------------------------------------


def test_table_streams_with_widths_from_the_first_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "TABLE_SAMPLE_ROWS", 2)
    written: list[str] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            written.append(text)
            return super().write(text)

    def rows() -> object:
        yield ("1", "ab")
        assert written == []  # nothing yet: the widths need the whole sample
        yield ("2", "中")
        assert len(written) == 4  # header, rule and the two sampled rows are out
        yield ("3", "a much wider cell")
        yield ("4", None)

    out = Out()
    assert output.write_rows(("n", "text"), rows(), "table", out) == 4  # type: ignore[arg-type]
    assert out.getvalue() == (
        "n    text\n---  ------\n1    ab\n2    中\n3    a much wider cell\n4\n"
    )


def test_small_tables_are_what_tabulate_writes() -> None:
    rows = [(2, "买家", None, "x\ty"), (10, "b", "online", "")]
    assert output.to_text(("line", "buyer", "status", "text"), rows, "table") == (
        output.render_table(("line", "buyer", "status", "text"), rows) + "\n"
    )
