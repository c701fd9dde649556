"""The log reader row by row: aliases, optional columns, time formats, bad rows."""

from __future__ import annotations

import io
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Close, Event, HumanReply, StatusChange, Transfer
from routectl.logio.reader import read_events, undecodable_errors

ZONE = ZoneInfo("Asia/Shanghai")
T8 = 1_793_577_600.0  # 2026-11-02T08:00:00+08:00


def read(text: str, **options: object) -> list[Event]:
    return list(read_events(io.StringIO(text, newline=""), "log.csv", ZONE, **options))  # type: ignore[arg-type]


def test_columns_by_name_in_any_order_unknown_ignored_short_rows_padded() -> None:
    events = read(
        "Event, Time ,extra,buyer,agent,intent\n"
        "message,2026-11-02T08:00:00,x,b1\n"
        "message,2026-11-02T08:00:01,x,b2,shop:a,退货\n"
    )
    assert events == [
        BuyerMessage(2, T8, "b1"),
        BuyerMessage(3, T8 + 1, "b2", "shop:a", intent="退货"),
    ]


def test_chinese_aliases_for_status_device_and_entry() -> None:
    events = read(
        "time,event,buyer,agent,device,status,entry\n"
        "2026-11-02 08:00,STATUS,,shop:a,手机,挂起,\n"
        "2026/11/02 08:00:00,status,,shop:a,电脑,在线,\n"
        "2026-11-02T08:00:00+08:00,message,b1,,,,商品详情页\n"
        "2026-11-02T00:00:00Z,message,b2,,,,订单\n"
    )
    assert events == [
        StatusChange(2, T8, "shop:a", "suspended", "mobile"),
        StatusChange(3, T8, "shop:a", "online", "pc"),
        BuyerMessage(4, T8, "b1", entry="item_detail"),
        BuyerMessage(5, T8, "b2", entry="order"),
    ]


def test_reply_close_transfer() -> None:
    events = read(
        "time,event,buyer,agent,text\n"
        "2026-11-02T08:00:00,reply,b1,shop:a,在的\n"
        "2026-11-02T08:00:00,close,b1,,\n"
        "2026-11-02T08:00:00.5,transfer,b1,,\n"
    )
    assert events == [
        HumanReply(2, T8, "b1", "shop:a", "在的"),
        Close(3, T8, "b1"),
        Transfer(4, T8 + 0.5, "b1"),
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2026-11-02T08:00:00,message,,", "'message' row needs a value in column 'buyer'"),
        ("2026-11-02T08:00:00,status,,", "'status' row needs a value in column 'agent'"),
        ("2026-11-02T08:00:00,status,,shop:a", "'status' row needs a value in column 'status'"),
        ("2026-11-02T08:00:00,status,,shop:a,busy", "unknown status 'busy'; expected online, "
         "suspended or offline"),
        (",message,b1", "missing time"),
        ("08:00,message,b1", "bad time '08:00': expected ISO 8601 like 2026-11-02T08:00:00"),
        ("2026-11-02T08:00:00,mesage,b1", "unknown event 'mesage'; expected one of: status, "
         "message, reply, close, transfer, paid"),
        ("2026-11-02T08:00:00,,b1", "missing event"),
        ("2026-11-02T08:00:00,message,b1,shop:zz", "unknown agent 'shop:zz' (not in the "
         "config's [[agents]])"),
    ],
)  # fmt: skip
def test_bad_rows_name_line_and_reason(row: str, reason: str) -> None:
    with pytest.raises(BadLogRow) as caught:
        read(f"time,event,buyer,agent,status\n{row}\n", known_agents={"shop:a"})
    assert str(caught.value) == f"log.csv:2: {reason}"


def test_skip_bad_reports_and_goes_on() -> None:
    skipped: list[BadLogRow] = []
    events = read(
        "time,event,buyer\n"
        "2026-11-02T08:00:05,message,b1\n"
        "2026-11-02T08:00:00,message,b2\n"
        "2026-11-02T08:00:06,close,b1\n",
        on_bad=skipped.append,
    )
    assert [e.line for e in events] == [2, 4]
    assert [str(s) for s in skipped] == [
        "log.csv:3: time goes backwards (rows must be in time order; --sort sorts the log first)"
    ]


def _as_log_text(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors=undecodable_errors())


def test_importing_the_reader_registers_no_codec_error_handler() -> None:
    probe = (
        "import codecs, routectl.logio.reader\n"
        "try:\n"
        "    codecs.lookup_error(routectl.logio.reader.UNDECODABLE_ERRORS)\n"
        "except LookupError:\n"
        "    print('none')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout == "none\n"


def test_undecodable_bytes_are_bad_rows_of_their_own_read_only() -> None:
    header = b"time,event,buyer\n"
    clean = _as_log_text(header + b"2026-11-02T08:00:00,message,b1\n")
    broken = _as_log_text(header + b"2026-11-02T08:00:00,message,b\xff\n")
    clean_events = read_events(clean, "clean.csv", ZONE)
    bad: list[BadLogRow] = []
    broken_events = read_events(broken, "broken.csv", ZONE, on_bad=bad.append)
    # Side by side: the clean read begins before the broken one's byte is escaped.
    assert next(clean_events) == BuyerMessage(2, T8, "b1")
    assert list(broken_events) == []
    assert [str(error) for error in bad] == [
        "broken.csv:2: not valid text in this encoding "
        "(exported from Chinese Excel? try --encoding gb18030)"
    ]
    assert list(clean_events) == []
