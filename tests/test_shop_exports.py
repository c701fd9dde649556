"""Logs as shops export them (issue 12): Chinese headings and values, --columns, --sort,
full-width agent names, encodings; and the worked Qianniu example replays in one command."""

from __future__ import annotations

import codecs
import csv
import io
import random
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli
from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Close, Event, HumanReply, Paid, StatusChange, Transfer
from routectl.logio import sorting
from routectl.logio.encodings import codec_for, detect_codec
from routectl.logio.headers import HEADING_ALIASES, resolve_header
from routectl.logio.reader import read_events
from routectl.logio.sorting import sort_records

ZONE = ZoneInfo("Asia/Shanghai")
EXAMPLE_CONFIG = ROOT / "shopconfig.example.toml"
EXPORT = ROOT / "examples" / "qianniu-export.csv"
SHOP_DAY = ROOT / "examples" / "shop-day.csv"
TINY = ROOT / "examples" / "tiny-shop.toml"


def read(text: str, **options: object) -> list[Event]:
    return list(read_events(io.StringIO(text, newline=""), "log.csv", ZONE, **options))  # type: ignore[arg-type]


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


# --- headings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "heading"),
    [(column, alias) for column, aliases in HEADING_ALIASES.items() for alias in aliases],
)
def test_every_chinese_heading_names_its_column(column: str, heading: str) -> None:
    assert resolve_header(["x", heading]).index == {column: 1}


def test_headings_compare_after_nfkc_trim_and_case() -> None:
    layout = resolve_header(["\ufeff Ｔｉｍｅ ", "EVENT", "买家昵称 "])
    assert layout.index == {"time": 0, "event": 1, "buyer": 2}


def test_a_chinese_headed_log_with_chinese_events_reads_like_an_english_one() -> None:
    text = (
        "时间,事件,买家,客服,设备,状态,入口,金额\n"
        "2026-11-02 08:00:00,状态,,shop:a,手机,在线,,\n"
        "2026-11-02 08:01:00,消息,b1,,,,店铺首页,\n"
        "2026-11-02 08:02:00,回复,b1,shop:a,,,,\n"
        "2026-11-02 08:03:00,转交,b1,shop:a,,,,\n"
        "2026-11-02 08:04:00,付款,b1,,,,,199.00\n"
        "2026-11-02 08:05:00,关闭,b1,,,,,\n"
    )
    kinds = [type(event) for event in read(text)]
    assert kinds == [StatusChange, BuyerMessage, HumanReply, Transfer, Paid, Close]


def test_the_same_column_under_two_headings_is_a_duplicate() -> None:
    with pytest.raises(BadLogRow, match=r"log.csv:1: duplicate column\(s\): time"):
        read("时间,发送时间,事件\n")


def test_header_resolution_is_one_pass_over_40000_columns() -> None:
    # Issue 14: `names.count` per name made this 35 s. Correctness at that size here;
    # speed is in benchmarks, not asserted.
    header = [f"extra{i}" for i in range(40_000)] + ["time", "event", "buyer"]
    header[123] = "买家"  # and a duplicate buyer far from the end
    layout = resolve_header(header)
    assert layout.index == {"buyer": 123, "time": 40_000, "event": 40_001}
    assert layout.duplicates == ("buyer",)


# --- --columns ---------------------------------------------------------------------------


def test_columns_maps_any_heading(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "when,what,who,入口\n"
        "2026-11-02T08:01:00,message,b1,店铺首页\n",
        encoding="utf-8",
    )  # fmt: skip
    code, out, err = run(
        "replay", str(log), "-c", str(TINY), "--format", "csv",
        "--columns", "time=when,event=what", "--columns", "buyer=WHO",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[1].startswith("2,2026-11-02T08:01:00+08:00,b1,offline,")


def test_a_columns_mapping_wins_over_the_alias() -> None:
    events = read(
        "时间,发送时间,事件,买家\n,2026-11-02 08:01:00,消息,b1\n", columns={"time": "发送时间"}
    )
    assert [event.time for event in events] == [1793577660.0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tmie=发送时间", "unknown column 'tmie'; did you mean 'time'?"),
        ("time", "'time': expected COLUMN=HEADING, e.g. time=发送时间"),
    ],
)
def test_a_bad_columns_value_is_a_usage_error(value: str, message: str) -> None:
    code, out, err = run("replay", "-", "-c", str(TINY), "--columns", value)
    assert (code, out) == (2, "")
    assert message in err


def test_a_columns_heading_absent_from_the_header_stops_at_line_1() -> None:
    with pytest.raises(BadLogRow, match=r"log.csv:1: --columns names heading\(s\) not in"):
        read("time,event\n", columns={"buyer": "买家昵称"})


# --- --sort ------------------------------------------------------------------------------

UNSORTED = (
    "time,event,buyer,agent,status\n"
    "2026-11-02T08:05:00,message,b2,,\n"
    "2026-11-02T08:00:00,status,,tiny:a,online\n"
    "2026-11-02T08:05:00,message,b1,,\n"
    "2026-11-02T08:01:00,message,b3,,\n"
)


def sorted_note(log: Path | str, line: int) -> str:
    return (
        f"routectl: {log}: rows are not in time order (line {line} goes back in time); "
        "sorting them by time first (equal times keep file order)\n"
    )


def test_an_unsorted_log_on_standard_input_is_refused_with_the_sort_hint() -> None:
    code, _, err = run("replay", "-", "-c", str(TINY), stdin=UNSORTED.encode())
    assert code == 1
    assert err == (
        "routectl: error: <stdin>:3: time goes backwards (rows must be in time order; "
        "--sort sorts the log first)\n"
    )


def test_an_unsorted_file_is_sorted_first_with_one_line_saying_so(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(UNSORTED, encoding="utf-8")
    code, out, err = run("replay", str(log), "-c", str(TINY), "--format", "csv")
    assert (code, err) == (0, sorted_note(log, 3))
    _, expected, _ = run("replay", "-", "-c", str(TINY), "--format", "csv", "--sort",
                         stdin=UNSORTED.encode())  # fmt: skip
    assert out == expected
    assert [row.split(",")[0] for row in out.splitlines()[1:]] == ["5", "2", "4"]


def test_sort_orders_by_time_and_keeps_file_order_and_line_numbers_for_equal_times() -> None:
    events = read(UNSORTED, sort=True)
    assert [(event.line, type(event).__name__) for event in events] == [
        (3, "StatusChange"), (5, "BuyerMessage"), (2, "BuyerMessage"), (4, "BuyerMessage"),
    ]  # fmt: skip


def test_sort_reports_a_bad_row_at_its_own_line() -> None:
    skipped: list[BadLogRow] = []
    text = UNSORTED + "later,message,b9,,\n"
    events = read(text, sort=True, on_bad=skipped.append)
    assert [str(error) for error in skipped] == [
        "log.csv:6: bad time 'later': expected ISO 8601 like 2026-11-02T08:00:00"
    ]
    assert len(events) == 4


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7, 1000])
def test_external_merge_sort_equals_a_stable_in_memory_sort(chunk_rows: int) -> None:
    picker = random.Random(chunk_rows)
    # real rows (many empty cells, agent names): each must come back whole from disk
    with SHOP_DAY.open(encoding="utf-8", newline="") as log:
        rows = list(csv.reader(log))[1:300]
    records = [(float(picker.randrange(50)), line, row) for line, row in enumerate(rows, 2)]
    assert list(sort_records(records, chunk_rows)) == sorted(records, key=lambda r: r[0])


# --- agents --------------------------------------------------------------------------------


def test_a_full_width_colon_names_the_same_agent() -> None:
    text = "时间,事件,客服,状态\n2026-11-02 08:00:00,状态,旗舰店：小美,在线\n"
    (event,) = read(text, known_agents={"旗舰店:小美"})
    assert isinstance(event, StatusChange) and event.agent == "旗舰店:小美"


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("旗舰店:小丽丽", "; did you mean '旗舰店:小丽'?"),
        ("shop:alcie", "; did you mean 'shop:alice'?"),
        ("shop:zz", ""),  # ids share the shop prefix: no suggestion from that alone
    ],
)
def test_an_unknown_agent_gets_a_did_you_mean(written: str, hint: str) -> None:
    text = f"time,event,agent,status\n2026-11-02T08:00:00,status,{written},online\n"
    with pytest.raises(BadLogRow) as caught:
        read(text, known_agents={"旗舰店:小丽", "shop:alice", "shop:bob"})
    assert str(caught.value) == (
        f"log.csv:2: unknown agent {written!r} (not in the config's [[agents]]){hint}"
    )


# --- encodings ------------------------------------------------------------------------------

SAMPLE = "时间,事件,买家\n2026-11-02 08:01:00,消息,买家一\n"


@pytest.mark.parametrize(
    ("name", "data", "codec"),
    [
        ("utf-8", SAMPLE.encode(), "utf-8-sig"),
        ("utf-8", codecs.BOM_UTF8 + SAMPLE.encode(), "utf-8-sig"),
        ("utf-8", SAMPLE.encode("utf-16"), "utf-16"),  # a UTF-16 BOM: never UTF-8
        ("utf-8", "time,event\n".encode("utf-16-le"), "utf-16-le"),
        ("gbk", SAMPLE.encode("gb18030"), "gb18030"),
        ("cp936", SAMPLE.encode("gb18030"), "gb18030"),
        ("auto", SAMPLE.encode(), "utf-8-sig"),
        ("auto", codecs.BOM_UTF8 + SAMPLE.encode(), "utf-8-sig"),
        ("auto", SAMPLE.encode("gb18030"), "gb18030"),
        ("auto", SAMPLE.encode("utf-16"), "utf-16"),
        ("auto", "time,event\n".encode("utf-16-be"), "utf-16-be"),
        ("auto", SAMPLE.encode()[:-2], "utf-8-sig"),  # a character cut at the sample's end
    ],
)
def test_codec_for_names_and_bytes(name: str, data: bytes, codec: str) -> None:
    assert codec_for(name, data) == codec


@pytest.mark.parametrize("encoding", ["gbk", "cp936", "gb18030", "auto", "GBK"])
def test_gb18030_names_and_auto_read_a_chinese_excel_log(encoding: str) -> None:
    data = ("time,event,buyer,agent,status\n2026-11-02T08:01:00,message,买家一,,\n").encode(
        "gb18030"
    )
    code, out, err = run(
        "replay", "-", "-c", str(TINY), "--format", "csv", "--encoding", encoding, stdin=data
    )
    assert (code, err) == (0, "")
    assert ",买家一,offline," in out


@pytest.mark.parametrize("encoding", ["utf-8", "auto", "utf-16"])
def test_a_utf16_log_is_read_as_utf16(encoding: str) -> None:
    data = "time,event,buyer\n2026-11-02T08:01:00,message,买家一\n".encode("utf-16")
    code, out, err = run(
        "replay", "-", "-c", str(TINY), "--format", "csv", "--encoding", encoding, stdin=data
    )
    assert (code, err) == (0, "")
    assert ",买家一,offline," in out


# --- the worked example ---------------------------------------------------------------------

EXAMPLE_COMMAND = ("report", str(EXPORT), "-c", str(EXAMPLE_CONFIG))
EXAMPLE_NOTE = sorted_note(EXPORT, 15)


def test_the_qianniu_example_is_what_it_claims() -> None:
    data = EXPORT.read_bytes()
    text = data.decode("gb18030")
    assert text.startswith("发送时间,买家昵称,客服账号,事件,")
    assert "旗舰店：小美" in text  # full-width colon
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    code, _, err = run(
        "replay", "-", "-c", str(EXAMPLE_CONFIG), "--encoding", "gb18030", stdin=data
    )
    assert code == 1 and "<stdin>:15: time goes backwards" in err and "--sort" in err


@pytest.mark.parametrize(
    ("options", "note"),
    [
        ((), EXAMPLE_NOTE),  # detected and sorted: the first run works (issue 23)
        (("--encoding", "gb18030"), EXAMPLE_NOTE),
        (("--encoding", "auto"), EXAMPLE_NOTE),
        (("--encoding", "gb18030", "--sort"), ""),
    ],
)
def test_the_qianniu_example_reports_like_the_day_it_was_exported_from(
    options: tuple[str, ...], note: str
) -> None:
    code, out, err = run(*EXAMPLE_COMMAND, *options, "--format", "json")
    assert (code, err) == (0, note)
    _, expected, _ = run("report", str(SHOP_DAY), "-c", str(EXAMPLE_CONFIG), "--format", "json")
    assert out == expected


GBK_EXPORT = ROOT / "tests" / "exports" / "bot-shop-gbk.csv"
"""examples/bot-day.csv as another shop exports it: GBK, CRLF, Chinese headings and
events, pages newest first (made from it once; see tests/exports/README.md)."""


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_gbk_export_of_another_shop_out_of_order_reads_with_no_flags(fmt: str) -> None:
    data = GBK_EXPORT.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\r\n" in data and data.decode("gbk").startswith("发送时间,")
    config = ROOT / "examples" / "bot-shop.toml"
    code, out, err = run("report", str(GBK_EXPORT), "-c", str(config), "--format", fmt)
    assert (code, err) == (0, sorted_note(GBK_EXPORT, 6))
    day = ROOT / "examples" / "bot-day.csv"
    assert out == run("report", str(day), "-c", str(config), "--format", fmt)[1]


def test_the_qianniu_example_replays_every_message_once() -> None:
    code, out, err = run("replay", str(EXPORT), "-c", str(EXAMPLE_CONFIG))
    assert (code, err) == (0, EXAMPLE_NOTE)
    assert len(out.splitlines()) - 1 == SHOP_DAY.read_text(encoding="utf-8").count(",message,")


def test_the_documented_command_is_the_one_tested() -> None:
    doc = (ROOT / "docs" / "log-format.md").read_text(encoding="utf-8")
    documented = [line for line in doc.splitlines() if "examples/qianniu-export.csv -c" in line]
    assert documented == ["routectl report examples/qianniu-export.csv -c shopconfig.example.toml"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f".venv/bin/{documented[0]} --lang zh\n" in readme  # the first screen (issue 23)
    assert readme.index(documented[0]) < readme.index("## What it does")
    args = documented[0].split()[1:]
    args[1], args[3] = str(ROOT / args[1]), str(ROOT / args[3])
    assert tuple(args) == EXAMPLE_COMMAND
    code, out, err = run(*args, "--format", "table")
    assert (code, err) == (0, EXAMPLE_NOTE) and "小美" in out and "旗舰店:" in out


def test_a_log_larger_than_one_chunk_sorts_through_temporary_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sorting, "CHUNK_ROWS", 64)  # the example's 1,000 rows: 16 chunk files
    code, out, err = run(*EXAMPLE_COMMAND, "--format", "json")
    assert (code, err) == (0, EXAMPLE_NOTE)
    _, expected, _ = run("report", str(SHOP_DAY), "-c", str(EXAMPLE_CONFIG), "--format", "json")
    assert out == expected


def test_sort_without_room_for_temporary_files_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sorting, "CHUNK_ROWS", 64)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    code, out, err = run(*EXAMPLE_COMMAND)
    assert (code, out) == (2, "")
    assert err == EXAMPLE_NOTE + (
        f"routectl: error: sorting the log by time: cannot use temporary files in "
        f"{tmp_path / 'missing'}: No such file or directory (set TMPDIR to a folder with "
        "room for the log)\n"
    )


# --- reads exports as they come (issue 23): the encoding and the order of a file -----------

ASCII_ROW = "2026-11-02 08:00:00,消息,buyer,,\n"
CHINESE_ROW = "2026-11-02 08:01:00,消息,买家一,,\n"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (SAMPLE.encode(), "utf-8-sig"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF8 + SAMPLE.encode(), "utf-8-sig"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        ("time,event\n".encode("utf-16-le"), "utf-16-le"),
        (b"time,event\n" * 10, "utf-8-sig"),  # ASCII only
        # the first 64 KiB and more all ASCII: the first Chinese further down decides
        (
            b"time,event,buyer\n"
            + b"2026-11-02 08:00:00,message,b1\n" * 5000
            + "2026-11-02 08:01:00,消息,买家一\n".encode("gb18030"),
            "gb18030",
        ),
        (
            b"time,event,buyer\n"
            + b"2026-11-02 08:00:00,message,b1\n" * 5000
            + "2026-11-02 08:01:00,消息,买家一\n".encode(),
            "utf-8-sig",
        ),
    ],
    ids=["utf-8", "gb18030", "bom", "utf-16", "utf-16-le", "ascii", "gb-late", "utf-8-late"],
)
def test_a_files_encoding_is_detected_from_its_bytes(data: bytes, codec: str) -> None:
    stream = io.BytesIO(data)
    assert detect_codec(stream) == codec
    assert stream.tell() == 0


def test_gb18030_text_after_64_kib_of_ascii_reads_with_no_flags(tmp_path: Path) -> None:
    log = tmp_path / "late.csv"
    head = "时间,事件,买家\n".encode("gb18030")
    rows = [f"2026-11-02 08:{n // 60:02d}:{n % 60:02d},message,b{n}\n" for n in range(2500)]
    log.write_bytes(
        head + "".join(rows).encode() + "2026-11-02 09:00:00,消息,买家一\n".encode("gb18030")
    )
    code, out, err = run("replay", str(log), "-c", str(TINY), "--format", "csv")
    assert (code, err) == (0, "")
    assert out.count("\n") == 2502 and ",买家一,offline," in out


def test_standard_input_stays_utf8_unless_named() -> None:
    data = "time,event,buyer\n2026-11-02T08:01:00,message,买家一\n".encode("gb18030")
    code, _, err = run("replay", "-", "-c", str(TINY), stdin=data)
    assert code == 1 and "try --encoding gb18030" in err


def back(text: str, zone: str = "Asia/Shanghai") -> int | None:
    return sorting.first_row_back(io.StringIO(text, newline=""), ZoneInfo(zone))


@pytest.mark.parametrize(
    ("times", "line"),
    [
        (["08:00:00", "08:00:00", "08:00:05", "09:10:00", "23:59:59"], None),
        (["08:00:00", "08:05:00", "08:04:59"], 4),  # inside the hour
        (["08:00:00", "09:00:00", "08:59:59", "10:00:00"], 4),  # across the hour
        (["08:00:00", "10:00:00", "11:00:00", "09:00:00"], 5),
        (["08:00:00+08:00", "08:30:00+08:00", "08:40:00+09:00"], 4),  # text up, time down
        (["08:00:00+09:00", "07:30:00+08:00"], None),  # text down, time up
        (["08:00:00", "later", "", "08:00:01"], None),  # unparsable: the read reports it
        (["08:00:00.250", "08:00:00.5", "08:00:00.25"], 4),
    ],
)
def test_the_order_check_parses_only_what_text_cannot_tell(
    times: list[str], line: int | None
) -> None:
    rows = "".join(f"2026-11-02T{t},message,b,\n" if ":" in t else f"{t},message,b,\n"
                   for t in times)  # fmt: skip
    assert back("time,event,buyer,x\n" + rows) == line


def test_the_order_check_reads_excel_times_and_the_time_column_anywhere() -> None:
    # "2026/11/12 8:05" and "2026/11/2 10:05": the same length, the text in order, the
    # times not: a plain text comparison would miss it.
    text = "买家,发送时间\nb,2026/11/2 8:05\nb,2026/11/12 8:05\nb,2026/11/2 10:05\n"
    assert back(text) == 4
    assert back("买家,发送时间\nb,2026/11/2 8:05\nb,2026/11/2 10:05\n") is None


def test_the_order_check_follows_quoted_line_breaks_and_skips_bad_csv() -> None:
    text = (
        "time,event,text\n"
        '2026-11-02T08:00:00,message,"a\n2026-11-02T07:00:00,message,x"\n'
        '2026-11-02T08:01:00,message,"b"c"\n'
        "2026-11-02T08:02:00,message,\n"
    )
    assert back(text) is None
    assert back(text + "2026-11-02T08:01:59,message,\n") == 6


def test_the_order_check_in_a_repeated_hour_reads_wall_clock_time() -> None:
    text = "time,event\n2026-11-01 01:50:00,status\n2026-11-01 01:05:00,status\n"
    assert back(text, "America/New_York") is None  # the second 01:00-02:00: 15 minutes on


def test_a_log_read_twice_in_one_run_is_looked_at_and_announced_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # backtest reads LOG twice (its span, then the events): both reads sorted, one line.
    import click

    from routectl.config import load_config
    from routectl.logio.source import open_events

    log = tmp_path / "log.csv"
    log.write_text(UNSORTED, encoding="utf-8")
    config = load_config(str(TINY))
    with click.Context(click.Command("backtest")):
        for _ in range(2):
            with open_events(str(log), config) as (events, _):
                assert [event.line for event in events] == [3, 5, 2, 4]
    assert capsys.readouterr().err == sorted_note(log, 3)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_the_order_check_reads_every_line_end(end: str) -> None:
    rows = ["time,event", "2026-11-02T08:05:00,message", "2026-11-02T08:01:00,message"]
    assert back(end.join(rows) + end) == 3
    assert back(end.join(rows[:2]) + end) is None


def test_the_order_check_passes_over_a_line_too_long_to_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sorting, "_LONGEST_LINE", 30)
    monkeypatch.setattr(sorting, "_BLOCK_CHARS", 8)
    long_row = "2026-11-02T07:00:00,message," + "x" * 50
    text = f"time,event\n2026-11-02T08:05:00,m\n{long_row}\n2026-11-02T08:01:00,m\n"
    assert back(text) == 4  # the long line is passed over, and counted in the line number
