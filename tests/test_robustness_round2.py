"""Hostile input, second round (issue 21): outputs onto inputs for every command, injection
in diff and test output, the HTML page's embedded JSON, a lone future-dated row."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import ROOT
from test_robustness_faults import _run

TINY = ROOT / "examples" / "tiny-shop.toml"
LOG = "time,event,buyer,agent,status,entry\n2026-11-02T08:00:00,status,,tiny:a,online,\n"


def _log(tmp_path: Path, rows: int = 3) -> Path:
    path = tmp_path / "log.csv"
    body = "".join(f"2026-11-02T08:00:{n:02d},message,b{n},,,shop_home\n" for n in range(rows))
    path.write_text(LOG + body, encoding="utf-8")
    return path


def _suite(tmp_path: Path, config: Path) -> Path:
    suite = tmp_path / "s" / "t.toml"
    suite.parent.mkdir(exist_ok=True)
    suite.write_text(
        f'config = "{config.as_posix()}"\ndate = "2026-11-02"\n\n[[tests]]\nname = "one"\n'
        'log = """\ntime,event,buyer,agent,status,entry\n08:00,status,,tiny:a,online,\n'
        '08:01,message,u1,,,shop_home\n"""\nexpect = [{ buyer = "u1", assignee = "tiny:a" }]\n',
        encoding="utf-8",
    )
    return suite


# --- every file a command reads is refused as an output ----------------------------------


def test_junit_onto_the_config_a_suite_names_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "s" / "shop.toml"
    config.parent.mkdir()
    config.write_bytes(TINY.read_bytes())
    suite = _suite(tmp_path, Path("shop.toml"))
    result = _run(["test", str(suite), "--junit", str(config)])
    assert result.exit_code == 2
    assert "is the same file as the input" in result.stderr
    assert config.read_bytes() == TINY.read_bytes()


def test_junit_onto_the_suite_is_refused(tmp_path: Path) -> None:
    suite = _suite(tmp_path, TINY)
    before = suite.read_bytes()
    result = _run(["test", str(suite), "--junit", str(suite)])
    assert result.exit_code == 2
    assert suite.read_bytes() == before


@pytest.mark.parametrize("onto", ["base", "new", "log"])
def test_diff_output_onto_any_of_its_inputs_is_refused(tmp_path: Path, onto: str) -> None:
    base, new = tmp_path / "base.toml", tmp_path / "new.toml"
    base.write_bytes(TINY.read_bytes())
    new.write_bytes(TINY.read_bytes())
    log = _log(tmp_path)
    victim = {"base": base, "new": new, "log": log}[onto]
    before = victim.read_bytes()
    result = _run(["diff", str(base), str(new), str(log), "-o", str(victim)])
    assert result.exit_code == 2
    assert "is the same file as the input" in result.stderr
    assert victim.read_bytes() == before


def test_generate_log_write_config_onto_the_output_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "x"
    result = _run(
        ["generate-log", "-c", str(TINY), "--rows", "10", "--write-config", str(target),
         "-o", str(target)]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--write-config and -o name the same file" in result.stderr
    assert not target.exists()


def test_generate_log_write_config_onto_its_own_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    result = _run(
        ["generate-log", "-c", str(config), "--rows", "10", "--write-config", str(config),
         "-o", str(tmp_path / "log.csv")]
    )  # fmt: skip
    assert result.exit_code == 2
    assert config.read_bytes() == TINY.read_bytes()


@pytest.mark.parametrize("command", ["replay", "report"])
def test_an_empty_output_name_says_so(tmp_path: Path, command: str) -> None:
    result = _run([command, str(_log(tmp_path)), "-c", str(TINY), "-o", ""])
    assert result.exit_code == 2
    assert "output file name is empty" in result.stderr
    assert "Is a directory" not in result.stderr


# --- terminal and CI injection in diff and test; Markdown, JUnit and CSV stay intact ------

HOSTILE = "x\x1b]0;pwned\x07\u202e\n::error::owned\r"
"""A name that, printed raw, sets the terminal title, reverses text and starts a GitHub
workflow command on a line of its own."""
CONTROLS = ("\x1b", "\x07", "\u202e", "\r")


def _quiet(text: str) -> None:
    assert not any(char in text for char in CONTROLS), text
    assert not any(line.lstrip().startswith("::error::owned") for line in text.splitlines())


def _two_configs(tmp_path: Path, agent: str) -> tuple[Path, Path]:
    """Base and new configs whose one group has the hostile agent and tiny:b; the new
    side weighs them the other way round, so messages change assignee."""
    import json

    def config(first: int, second: int) -> str:
        return (
            '[shop]\nname = "s"\n[[groups]]\nname = "g"\nentries = ["shop_home"]\n'
            f'[[agents]]\nid = {json.dumps(agent)}\ngroups = ["g"]\nweight = {first}\n'
            f'[[agents]]\nid = "tiny:b"\ngroups = ["g"]\nweight = {second}\n'
        )

    base, new = tmp_path / "base.toml", tmp_path / "new.toml"
    base.write_text(config(900, 1), encoding="utf-8")
    new.write_text(config(1, 900), encoding="utf-8")
    return base, new


def _hostile_log(tmp_path: Path, agent: str, name: str = "log.csv") -> Path:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["time", "event", "buyer", "agent", "status", "entry"])
    writer.writerow(["2026-11-02T08:00:00", "status", "", agent, "online", ""])
    writer.writerow(["2026-11-02T08:00:00", "status", "", "tiny:b", "online", ""])
    for n in range(6):
        writer.writerow(
            [f"2026-11-02T08:00:0{n + 1}", "message", f"{HOSTILE}{n}", "", "", "shop_home"]
        )
    log = tmp_path / name
    log.write_text(buffer.getvalue(), encoding="utf-8")
    return log


def test_diff_table_escapes_buyers_agents_and_file_names(tmp_path: Path) -> None:
    agent = "s:" + HOSTILE[:-1] + "z"  # log cells are trimmed: no CR at the end of a name
    base, new = _two_configs(tmp_path, agent)
    log = _hostile_log(tmp_path, agent, name="log\n::error::owned.csv")
    result = _run(["diff", str(base), str(new), str(log)])
    assert result.exit_code == 0, result.stderr
    assert "routed differently" in result.stdout and "Changed messages" in result.stdout
    _quiet(result.stdout)
    assert "\\x1b]0;pwned" in result.stdout  # shown, escaped


def test_diff_markdown_is_inert(tmp_path: Path) -> None:
    agent = "s:<!--<script>`x` | [l](http://e)"
    base, new = _two_configs(tmp_path, agent)
    log = _hostile_log(tmp_path, agent, name="l`og<b>\r.csv")
    result = _run(["diff", str(base), str(new), str(log), "--format", "markdown"])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    _quiet(text)
    rows = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    assert "<" not in rows.replace("<br>", "")  # no raw HTML, comment or autolink in cells
    assert "&lt;!--&lt;script>" in rows
    assert "``/" in text and "/l`og<b>\\r.csv``" in text  # a fence longer than its backticks
    for line in text.splitlines():
        if line.startswith("| "):  # every table row has its columns' count of cells
            cells = line.replace("\\|", "").count("|")
            header = text.splitlines()[text.splitlines().index(line) - 1]
            assert cells in (header.replace("\\|", "").count("|"), header.count("|"), 7, 6, 5, 4)


def test_markdown_cells_escape_backslashes_pipes_and_html() -> None:
    from routectl.diff.render import _md, _md_code

    assert _md("a\\|b") == "a\\\\\\|b"  # the backslash escaped too: the pipe stays escaped
    assert _md("<b>`x`</b>\r") == "&lt;b>\\`x\\`&lt;/b>\\\\r"
    assert _md_code("a``b") == "```a``b```"
    assert _md_code("`x") == "`` `x ``"


def _hostile_suite(tmp_path: Path, name: str, expected: str = "tiny:a") -> Path:
    import json

    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    suite = tmp_path / "t\x1b[2J.toml"
    suite.write_text(
        f'config = "shop.toml"\ndate = "2026-11-02"\n\n[[tests]]\nname = {json.dumps(name)}\n'
        'log = """\ntime,event,buyer,agent,status,entry\n08:00,status,,tiny:a,online,\n'
        '08:01,message,u1,,,shop_home\n"""\n'
        f'expect = [{{ buyer = "u1", assignee = {json.dumps(expected)} }}]\n',
        encoding="utf-8",
    )
    return suite


def test_test_text_escapes_names_reasons_and_file_names(tmp_path: Path) -> None:
    suite = _hostile_suite(tmp_path, HOSTILE, expected=HOSTILE)
    result = _run(["test", str(suite)])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "reason:" in result.stdout
    _quiet(result.stdout)
    assert "t\\x1b[2J.toml" in result.stdout


def test_junit_is_well_formed_with_control_characters(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    suite = _hostile_suite(tmp_path, "n\x00a\x1b\x0bme\ufffe", expected="tiny:\x01b")
    junit = tmp_path / "junit.xml"
    result = _run(["test", str(suite), "--junit", str(junit)])
    assert result.exit_code == 1
    root = ET.fromstring(junit.read_bytes())  # raises when not well-formed
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == "n\\x00a\\x1b\\x0bme\\ufffe"
    failure = case.find("failure")
    assert failure is not None and "tiny:\\x01b" in (failure.get("message") or "")


def test_plain_csv_quotes_a_bare_carriage_return(tmp_path: Path) -> None:
    import csv
    import io

    # The log reader reads a CR inside a quoted cell as a line break; a config string
    # keeps it: the group's name, which the reason column quotes.
    config = tmp_path / "c.toml"
    config.write_text(
        TINY.read_text("utf-8").replace('name = "presale"', 'name = "pre\\rsale"')
        .replace('groups = ["presale"]', 'groups = ["pre\\rsale"]'),
        encoding="utf-8",
    )  # fmt: skip
    log = _log(tmp_path, rows=2)
    out = tmp_path / "out.csv"
    for args in ([], ["--no-excel", "-o", str(out)]):
        result = _run(["replay", str(log), "-c", str(config), "--format", "csv", *args])
        assert result.exit_code == 0, result.stderr
        text = out.read_bytes().decode() if args else result.stdout_bytes.decode()
        assert "pre\rsale" in text
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
        assert all("pre\rsale" in row[6] for row in rows[1:])
        assert text.endswith("\n") and not text.endswith("\r\n")


def test_html_names_cannot_change_the_page_structure() -> None:
    from html.parser import HTMLParser

    from routectl.report.html import document_page

    class Elements(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

    name = "<!--<script></script><b>&"
    page = document_page({"shop": name, "agents": [{"agent": name, "share": 0.5}]}, "en")
    parser = Elements()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert parser.tags.count("svg") == 1


# --- generate-log and test --run: no internal error, no endless work ---------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows", "99999999999999999999"], "'--rows': 99999999999999999999 is not in the range"),
        (["--per-day", "10000000000000"], "'--per-day': 10000000000000 is not in the range"),
        (["--rows", "100000000000", "--days", "1"], "rows a day; at most 10000000"),
    ],
)
def test_generate_log_refuses_sizes_it_cannot_hold(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = _run(["generate-log", "-c", str(TINY), *args, "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert message in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a+)+$", "exponential time"),
        ("(a|aa)*b", "exponential time"),
        ("(?:x*)+", "exponential time"),
        ("(" * 499 + ")" * 499, "nested too deeply"),
        ("a" * 1001, "at most 1000"),
        ("(", "not a regular expression"),
    ],
)
def test_run_refuses_patterns_that_cannot_be_matched_safely(
    tmp_path: Path, pattern: str, message: str
) -> None:
    suite = _hostile_suite(tmp_path, "a" * 40 + "!")
    started = time.monotonic()
    result = _run(["test", str(suite), "--run", pattern])
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert message in result.stderr and "internal error" not in result.stderr


def test_run_keeps_plain_patterns(tmp_path: Path) -> None:
    suite = _hostile_suite(tmp_path, "cap and pool")
    for pattern in ("cap|pool", "^cap.*pool$", "(cap|x) and", "[a-z]+ and"):
        assert _run(["test", str(suite), "--run", pattern]).exit_code == 0


# --- a lone row dated in the future is the bad row -----------------------------------------


def test_skip_bad_loses_only_the_row_that_jumps_ahead(tmp_path: Path) -> None:
    """On standard input (a file out of order is sorted first, issue 23: see below)."""
    lines = (ROOT / "examples" / "shop-day.csv").read_text(encoding="utf-8").splitlines(True)
    lines[199] = "2027" + lines[199][4:]
    text = "".join(lines)
    config = str(ROOT / "shopconfig.example.toml")
    out = str(tmp_path / "o")
    skipped = _run(["replay", "-", "-c", config, "--skip-bad", "-o", out], input=text)
    assert skipped.exit_code == 0
    assert skipped.stderr.startswith("routectl: skipped: <stdin>:200: time jumps ahead")
    assert skipped.stderr.endswith("routectl: skipped 1 bad row (--skip-bad)\n")
    failed = _run(["replay", "-", "-c", config], input=text)
    assert failed.exit_code == 1
    assert failed.stderr.startswith("routectl: error: <stdin>:200: time jumps ahead")


def test_a_file_with_a_row_dated_ahead_is_sorted_not_cut(tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "shop-day.csv").read_text(encoding="utf-8").splitlines(True)
    lines[199] = "2027" + lines[199][4:]
    log = tmp_path / "future.csv"
    log.write_text("".join(lines), encoding="utf-8")
    config = str(ROOT / "shopconfig.example.toml")
    result = _run(["replay", str(log), "-c", config, "--format", "csv"])
    assert result.exit_code == 0
    assert "rows are not in time order" in result.stderr
    assert len(result.stdout.splitlines()) == 1 + sum(",message," in line for line in lines)


@pytest.mark.parametrize(
    ("times", "bad_line"),
    [
        (["08:00", "08:05", "08:03", "08:06"], 4),  # a step back: the row that steps back
        (["08:00", "09:50", "08:03", "08:06"], 3),  # a lone jump ahead: the jumping row
        (["08:00", "08:05", "08:03"], 4),  # nothing after it to tell: the later row
        (["08:05", "08:00", "08:06"], 3),
        (["08:00", "08:05", "07:00", "08:06"], 4),  # behind both: that row
    ],
)
def test_which_row_is_out_of_order(times: list[str], bad_line: int) -> None:
    rows = "".join(f"2026-11-02T{t}:00,message,b{n},,,shop_home\n" for n, t in enumerate(times))
    log = "time,event,buyer,agent,status,entry\n" + rows
    result = _run(["replay", "-", "-c", str(TINY), "--skip-bad", "--format", "csv"], input=log)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"routectl: skipped: <stdin>:{bad_line}: ")
    assert len(result.stdout.splitlines()) == len(times)  # header + all rows but one


# --- config, suites -------------------------------------------------------------------------


def test_agent_ids_equal_after_nfkc_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    agents = "".join(f'[[agents]]\nid = "{a}"\n' for a in ("n:a", "n：a", "n:ａ"))
    config.write_text(f'[shop]\nname = "n"\n{agents}', encoding="utf-8")
    result = _run(["validate", str(config)])
    assert result.exit_code == 1
    assert "agents[1].id: agent id 'n：a' is agents[0]'s 'n:a'" in result.stdout
    assert "agents[2].id: agent id 'n:ａ' is agents[0]'s 'n:a'" in result.stdout


def _suite_of(tmp_path: Path, tests: int) -> Path:
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    suite = tmp_path / f"s{tests}.toml"
    body = "".join(
        f'\n[[tests]]\nname = "t{n}"\nlog = """\ntime,event,buyer,agent,status,entry\n'
        '08:00,status,,tiny:a,online,\n08:01,message,u1,,,shop_home\n"""\n'
        'expect = [{ buyer = "u1", assignee = "tiny:a" }]\n'
        for n in range(tests)
    )
    suite.write_text(f'config = "shop.toml"\ndate = "2026-11-02"\n{body}', encoding="utf-8")
    return suite


def test_suite_loading_is_linear_in_its_tests(tmp_path: Path) -> None:
    from routectl.suite.core import load_suite

    def seconds(tests: int) -> float:
        path = str(_suite_of(tmp_path, tests))
        started = time.process_time()
        assert len(load_suite(path).tests) == tests
        return time.process_time() - started

    small, large = seconds(300), seconds(2400)
    assert large < 20 * max(small, 0.01)  # 8x the tests: ~8x linear, ~64x quadratic


def test_suite_logs_read_chinese_headings_and_quoted_line_breaks(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    suite = tmp_path / "t.toml"
    suite.write_text(
        'config = "shop.toml"\ndate = "2026-11-02"\n\n[[tests]]\nname = "zh"\nlog = """\n'
        "时间,事件,买家,指定客服,状态,入口,消息内容\n08:00,status,,tiny:a,online,,\n"
        '08:01,message,u1,,,shop_home,"two\nlines"\n08:02,message,u2,,,shop_home,\n"""\n'
        'expect = [{ buyer = "u1", assignee = "tiny:a" }, '
        '{ buyer = "u2", assignee = "tiny:a", assigned_at = "08:02" }]\n',
        encoding="utf-8",
    )
    result = _run(["test", str(suite)])
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "1 test: 1 passed, 0 failed")


def test_suite_log_errors_keep_their_line_after_a_quoted_line_break(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_bytes(TINY.read_bytes())
    suite = tmp_path / "t.toml"
    suite.write_text(
        'config = "shop.toml"\ndate = "2026-11-02"\n\n[[tests]]\nname = "zh"\nlog = """\n'
        "time,event,buyer,agent,status,entry,text\n08:00,status,,tiny:a,online,,\n"
        '08:01,message,u1,,,shop_home,"two\nlines"\n08:02,mess,u2,,,shop_home,\n"""\n'
        'expect = [{ buyer = "u1", assignee = "tiny:a" }]\n',
        encoding="utf-8",
    )
    result = _run(["test", str(suite)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"routectl: error: {suite}:11: log line 5: ")


def test_expect_report_refuses_true_for_a_figure(tmp_path: Path) -> None:
    suite = _suite_of(tmp_path, 1)
    suite.write_text(
        suite.read_text("utf-8").replace(
            'expect = [{ buyer = "u1", assignee = "tiny:a" }]',
            "expect_report = { messages = true }",
        ),
        encoding="utf-8",
    )
    result = _run(["test", str(suite)])
    assert result.exit_code == 2
    assert "expect_report.messages: a report figure is a number" in result.stderr


# --- nits ---------------------------------------------------------------------------------


def test_explain_of_an_absent_buyer_says_so(tmp_path: Path) -> None:
    result = _run(["replay", str(_log(tmp_path)), "-c", str(TINY), "--explain", "nobody"])
    assert result.exit_code == 0
    assert "--explain nobody: no row of" in result.stderr


def test_columns_says_which_mapping_took_a_heading(tmp_path: Path) -> None:
    result = _run(["replay", str(_log(tmp_path)), "-c", str(TINY), "--columns", "entry=time"])
    assert result.exit_code == 1
    assert "(--columns entry=time gives the heading 'time' to entry)" in result.stderr


def test_output_folder_renamed_mid_run_leaves_no_temporary_file(tmp_path: Path) -> None:
    import subprocess

    from test_robustness_faults import ROUTECTL

    folder = tmp_path / "out"
    folder.mkdir()
    args = [*ROUTECTL, "replay", "-", "-c", str(TINY), "--format", "csv",
            "-o", str(folder / "o.csv")]  # fmt: skip
    rows = "".join(f"2026-11-02T08:00:0{n},message,b{n},,,shop_home\n" for n in (1, 2, 3))
    with subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdin is not None
        process.stdin.write((LOG + rows).encode())
        process.stdin.flush()
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".routectl-") for p in folder.iterdir()):
            assert time.monotonic() < deadline, "the temporary file never appeared"
            time.sleep(0.05)
        folder.rename(tmp_path / "moved")
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    moved = tmp_path / "moved"
    assert [p.name for p in moved.iterdir()] == ["o.csv"]
    assert len((moved / "o.csv").read_text("utf-8").splitlines()) == 4


def test_a_log_spanning_the_calendar_reports_at_once(tmp_path: Path) -> None:
    log = tmp_path / "span.csv"
    log.write_text(
        "time,event,buyer,agent,status,entry\n1900-01-02T00:00:00,status,,tiny:a,online,\n"
        "1900-01-02T00:00:01,message,b1,,,shop_home\n9998-12-30T00:00:00,message,b3,,,shop_home\n",
        encoding="utf-8",
    )
    started = time.process_time()
    assert _run(["report", str(log), "-c", str(TINY), "--format", "json"]).exit_code == 0
    assert _run(["diff", str(TINY), str(TINY), str(log)]).exit_code == 0
    assert time.process_time() - started < 20  # was minutes: an hour-by-hour walk


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
             "Africa/Casablanca", "Europe/London"],
)  # fmt: skip
def test_long_spans_split_by_hour_as_the_hour_walk_does(zone: str) -> None:
    import random
    from collections import Counter
    from zoneinfo import ZoneInfo

    from routectl.report.clock import LONG_SPAN, LocalClock

    picker = random.Random(zone)
    for _ in range(5):
        start = picker.uniform(-2e9, 4e9)
        end = start + LONG_SPAN + picker.uniform(1, 400 * 86400)
        fast: Counter[int] = Counter()
        for hour, seconds in LocalClock(ZoneInfo(zone)).split_hours(start, end):
            fast[hour] += seconds
        walk: Counter[int] = Counter()
        clock, moment = LocalClock(ZoneInfo(zone)), start
        while moment < end:
            hour = clock.hour(moment)
            stop = min(clock._hi, end)
            walk[hour] += stop - moment
            moment = stop
        assert all(abs(fast[h] - walk[h]) < 1e-3 for h in range(24))


# --- memory does not grow with the messages of one waiting or held inquiry ----------------

MEMORY_ROWS = 40_000


def _memory_config(shape: str) -> object:
    from routectl.config.loader import check_config_text

    text = TINY.read_text("utf-8")
    if shape == "stuck":  # pooled inquiries wait for tiny:c, who never logs in
        text += '\n[offline]\npolicy = "agent:tiny:c"\n'
    config, problems = check_config_text(text, "tiny.toml")
    assert config is not None, problems
    return config


def _events(shape: str, rows: int = MEMORY_ROWS) -> object:
    from routectl.events import BuyerMessage, StatusChange

    start = 1_793_000_000.0
    if shape == "held":  # tiny:c was online and left: aftersale messages are held for it
        yield StatusChange(2, start, "tiny:c", "online")
        yield StatusChange(3, start, "tiny:c", "offline")
    if shape == "queued":  # tiny:b takes 2 at a time; the rest queue at the cap
        yield StatusChange(2, start, "tiny:b", "online")
    if shape == "stuck":  # the first inquiry is pooled; then tiny:a takes everyone at once
        yield BuyerMessage(2, start, "stuck", entry="shop_home")
        yield StatusChange(3, start + 1, "tiny:a", "online")
    for n in range(rows):
        line, time = 4 + n, start + 2 + n / 4
        if shape == "nobody":
            yield BuyerMessage(line, time, "u", entry="shop_home")
        elif shape == "held":
            yield BuyerMessage(line, time, "u", agent="tiny:c", entry="order")
        elif shape == "queued":
            yield BuyerMessage(line, time, f"q{n % 500}", entry="shop_home")
        else:
            yield BuyerMessage(line, time, f"b{n % 50}", entry="shop_home")


def _peak(work: object) -> float:
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        work()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shape", ["nobody", "held", "queued", "stuck"])
def test_replay_report_and_diff_memory_stay_flat(shape: str) -> None:
    """One buyer writing 40,000 times to nobody (or to an agent who left, or 500 buyers
    queued at a cap of 2, or every row behind one stuck pooled inquiry) used to cost a
    Routed per message at once: before, 10 MB (replay), 5-8 MB (report) and 10-17 MB
    (diff) here, 600+ MB at 3M rows; now under 1 MB but for replay's bounded buffer."""
    from routectl.diff.core import compare
    from routectl.replay import replay, run
    from routectl.report import build_report

    config = _memory_config(shape)
    count: list[int] = []

    def replayed() -> None:
        count.append(sum(1 for _ in replay(config, _events(shape))))  # type: ignore[arg-type]

    assert _peak(replayed) < 6  # at most 16,384 rows in replay's reorder buffer (~4 MB)
    assert count[0] == MEMORY_ROWS + (shape == "stuck")
    report = _peak(lambda: build_report(config, run(config, _events(shape), batches=True)))  # type: ignore[arg-type]
    assert report < 4
    assert _peak(lambda: compare(config, config, _events(shape))) < 6  # type: ignore[arg-type]


# --- --sort: chunks bounded in bytes, few files open at once ------------------------------


def test_sort_chunks_are_bounded_in_bytes_and_merged_few_files_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    from routectl.logio import sorting

    opened: list[int] = []
    real = sorting._opened

    def counting(paths: list[str]) -> object:
        opened.append(len(paths))
        return real(paths)

    monkeypatch.setattr(sorting, "CHUNK_BYTES", 2_000)  # ~4 rows of 400 characters
    monkeypatch.setattr(sorting, "FAN_IN", 3)
    monkeypatch.setattr(sorting, "_opened", counting)
    picker = random.Random(21)
    records = [(float(picker.randrange(50)), n, ["x" * 400, str(n)]) for n in range(200)]
    chunks: list[int] = []
    real_spill = sorting._spill

    def spill(chunk: object, folder: str, number: int) -> str:
        if isinstance(chunk, list):
            chunks.append(len(chunk))
        return real_spill(chunk, folder, number)  # type: ignore[arg-type]

    monkeypatch.setattr(sorting, "_spill", spill)
    assert list(sorting.sort_records(iter(records))) == sorted(records, key=lambda r: r[:2])
    assert chunks and max(chunks) <= 5  # bounded by bytes, far below CHUNK_ROWS
    assert opened and max(opened) <= 3  # never more than FAN_IN files open


def test_sort_of_long_rows_keeps_memory_to_a_chunk(tmp_path: Path) -> None:
    import tracemalloc

    from routectl.logio import sorting

    rows = 3000
    text = "y" * 20_000  # 60 MB of rows; chunks of 16 MiB
    records = ((float(rows - n), n, ["m", text]) for n in range(rows))
    tracemalloc.start()
    try:
        count = sum(1 for _ in sorting.sort_records(records))
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    assert count == rows
    assert peak < 2.5 * sorting.CHUNK_BYTES / 1e6  # before: the whole 60 MB (and 2 GB)
