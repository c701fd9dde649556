"""Safe output: atomic ``-o FILE``, ``--excel`` CSV, a closed pipe and Ctrl-C end quietly.

The pipe and interrupt tests run the installed ``routectl`` script in a subprocess (a
real pipe, a real signal); everything else goes through CliRunner.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT
from routectl.cli import cli
from routectl.output import neutralise_formula, write_rows
from routectl.sim.generate import HEADER, generate_rows

TINY = ROOT / "examples" / "tiny-shop.toml"
_SCRIPT = Path(sys.executable).with_name("routectl")
ROUTECTL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "routectl"]
"""The installed console script (.venv/bin/routectl), else the module."""
HEAD = "time,event,buyer,agent,device,status,entry,item,order_status,intent,text\n"


def _good_log(rows: int) -> str:
    lines = [HEAD, "2026-11-02T08:00:00,status,,tiny:a,,online,,,,,\n"]
    lines += [
        f"2026-11-02T08:{n // 60 % 60:02d}:{n % 60:02d},message,b{n},,,,shop_home,,,,hi\n"
        for n in range(rows)
    ]
    return "".join(lines)


def _clean(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


# --- -o FILE is atomic ------------------------------------------------------------------


@pytest.mark.parametrize("existing", [False, True])
@pytest.mark.parametrize(
    "command",
    [
        ["replay", "--format", "csv"],
        ["replay", "--format", "json"],
        ["replay", "--format", "table"],
        ["replay", "--format", "csv", "--excel"],
        ["report", "--format", "json"],
        ["report", "--format", "csv", "--excel"],
    ],
    ids=" ".join,
)
def test_run_failing_halfway_leaves_no_file_and_no_temp_file(
    tmp_path: Path, command: list[str], existing: bool
) -> None:
    log = tmp_path / "log.csv"
    good = _good_log(500)
    bad_line = good.count("\n") + 1
    after = "".join(f"2026-11-02T09:00:0{n},message,c{n},,,,shop_home,,,,hi\n" for n in range(3))
    # Rows after the bad one keep time order: an out-of-order file is sorted before the
    # read, and the failure must come halfway through the real read.
    log.write_text(good + "2026-11-02T09:00:00,mesage,b1,,,,,,,,\n" + after, encoding="utf-8")
    target = tmp_path / "out.txt"
    if existing:
        target.write_bytes(b"yesterday's report\r\n")
    result = CliRunner().invoke(
        cli, [command[0], str(log), "-c", str(TINY), "-o", str(target), *command[1:]]
    )
    _clean(result)
    assert result.exit_code == 1
    assert result.stderr == (
        f"routectl: error: {log}:{bad_line}: unknown event 'mesage'; "
        "expected one of: status, message, reply, close, transfer, paid\n"
    )
    assert result.stdout == ""
    if existing:
        assert target.read_bytes() == b"yesterday's report\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["log.csv"] + (["out.txt"] if existing else [])
    )


def test_successful_run_replaces_the_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(_good_log(50), encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", str(log), "-c", str(TINY), "-o", str(target)])
    _clean(result)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8").count("\n") == 51
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "out.csv"]


# F4 and F5 were found by this suite and fixed in output.py (docs/robustness.md).


@pytest.mark.parametrize("command", ["replay", "report", "config"])
def test_F4_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path, command: str) -> None:
    log = tmp_path / "log.csv"
    log.write_text(_good_log(2), encoding="utf-8")
    target = tmp_path / "no such folder" / "out.csv"
    args = [str(TINY)] if command == "config" else [str(log), "-c", str(TINY)]
    result = CliRunner().invoke(cli, [command, *args, "-o", str(target)])
    _clean(result)
    assert (result.exit_code, result.stderr) == (
        2,
        f"routectl: error: {target}: cannot write: No such file or directory\n",
    )
    assert not target.parent.exists()


def test_F5_output_to_a_fifo_writes_into_the_fifo(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(_good_log(2), encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader waits on the pipe
    try:
        result = CliRunner().invoke(cli, ["replay", str(log), "-c", str(TINY), "-o", str(fifo)])
        _clean(result)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a regular file"
        assert os.read(reader, 65536).startswith(b"line,time,buyer,assignee")
        assert result.exit_code == 0
    finally:
        os.close(reader)


# --- --excel ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tb3", "'\tb3"),
        ("\rb4", "'\rb4"),
        ("买家=1", "买家=1"),
        (" =x", " =x"),
        ("", ""),
    ],
)
def test_excel_rows_neutralise_text_cells_and_keep_numbers(value: str, cell: str) -> None:
    out = io.StringIO()
    write_rows(("line", "buyer", "n"), [(2, value, -3), (3, None, 1.5)], "csv", out, excel=True)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows == [["line", "buyer", "n"], ["2", cell, "-3"], ["3", "", "1.5"]]
    assert out.getvalue().count("\r\n") == 3 and "\n" not in out.getvalue().replace("\r\n", "")
    assert neutralise_formula(neutralise_formula(value)) == neutralise_formula(value) or not value


def test_replay_excel_file_has_bom_crlf_and_inert_cells(tmp_path: Path) -> None:
    log = ROOT / "tests" / "corpus" / "logs" / "formula-cells.csv"
    target = tmp_path / "out.csv"
    args = ["replay", str(log), "-c", str(TINY), "--format", "csv", "--excel", "-o", str(target)]
    result = CliRunner().invoke(cli, args)
    _clean(result)
    assert result.exit_code == 0, result.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfline,time,buyer,")
    assert data.count(b"\r\n") == 4 and data.count(b"\n") == 4
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["buyer"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'-2",
        "b3",
    ]  # the reader strips spaces
    assert all(not r["reason"].startswith(("=", "+", "-", "@")) for r in rows)


def test_replay_excel_to_standard_output_too() -> None:
    log = ROOT / "tests" / "corpus" / "logs" / "formula-cells.csv"
    result = CliRunner().invoke(
        cli, ["replay", str(log), "-c", str(TINY), "--format", "csv", "--excel"]
    )
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfline,")
    assert b"\r\n3," in result.stdout_bytes and b",\"'=HYPERLINK(" in result.stdout_bytes


def test_excel_with_a_format_other_than_csv_is_a_usage_error() -> None:
    log = ROOT / "tests" / "corpus" / "logs" / "formula-cells.csv"
    result = CliRunner().invoke(
        cli, ["replay", str(log), "-c", str(TINY), "--format", "jsonl", "--excel"]
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert "routectl: error: --excel applies to CSV only (this run writes jsonl)" in result.stderr


def test_report_excel_csv(tmp_path: Path) -> None:
    log = ROOT / "examples" / "tiny-day.csv"
    result = CliRunner().invoke(
        cli, ["report", str(log), "-c", str(TINY), "--format", "csv", "--excel"]
    )
    _clean(result)
    assert result.exit_code == 0
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbfagent,") and data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


# --- closed pipe and Ctrl-C (a real process) ------------------------------------------------


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 20,000 rows: far more output than a pipe buffer holds."""
    from routectl.config import load_config

    path = tmp_path_factory.mktemp("pipe") / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(generate_rows(load_config(str(TINY)), seed=5, rows=20_000, days=2))
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["replay", "--format", "csv"],
        ["replay", "--format", "jsonl"],
        ["report", "--format", "table", "--by", "hour"],
        ["generate-log", "--rows", "50000"],
    ],
    ids=" ".join,
)
def test_closed_pipe_ends_quietly(big_log: Path, command: list[str]) -> None:
    """``routectl replay LOG | head -1``: no traceback, status 0 or SIGPIPE (141)."""
    args = [
        *ROUTECTL,
        command[0],
        *([] if command[0] == "generate-log" else [str(big_log)]),
        "-c",
        str(TINY),
        *command[1:],
    ]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        process.wait(timeout=60)
    assert first
    assert b"Traceback" not in stderr and stderr == b"", stderr
    assert process.returncode in (0, -signal.SIGPIPE)


def test_closed_pipe_through_a_shell_pipeline(big_log: Path) -> None:
    program = " ".join(f"'{part}'" for part in ROUTECTL)
    script = f"{program} replay '{big_log}' -c '{TINY}' --format csv | head -1"
    done = subprocess.run(
        ["bash", "-c", f"{script}; echo ${{PIPESTATUS[0]}} >&2"], capture_output=True, timeout=60
    )
    assert done.stdout == b"line,time,buyer,assignee,rule,assigned_at,reason,observed,agrees\n"
    assert done.stderr.strip() in (b"0", b"141")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_while_reading_standard_input_exits_130() -> None:
    """``routectl replay -`` waiting on a pipe that stays open; SIGINT ends it with 130."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [*ROUTECTL, "replay", "-", "-c", str(TINY), "--format", "csv"]
    with subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # a suite started in the background (`pytest &`) has SIGINT ignored, and a child
        # inherits that: give the child the default, as a terminal would
        preexec_fn=_default_sigint,
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        assert process.stderr is not None
        process.stdin.write(_good_log(2).encode())  # the reader holds one row back (issue 21)
        process.stdin.flush()
        # The header comes out once the first row is routed: the command is now inside its
        # main loop, blocked reading standard input (which stays open).
        assert (
            process.stdout.readline()
            == b"line,time,buyer,assignee,rule,assigned_at,reason,observed,agrees\n"
        )
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        stderr = process.stderr.read()
        process.stdin.close()
    assert b"Traceback" not in stderr
    assert stderr.endswith(b"routectl: interrupted\n")
    assert process.returncode == 130
