"""The one output path: formats, formula neutralising and atomic files."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from wcwidth import wcswidth

from routectl.output import neutralise_formula, open_output, to_text, write_rows

COLUMNS = ("line", "buyer", "assignee")
ROWS = [(2, "买家甲", "旗舰店:小美"), (3, "b2", None)]


def test_csv_writes_header_rows_and_empty_for_none() -> None:
    assert to_text(COLUMNS, ROWS, "csv") == "line,buyer,assignee\n2,买家甲,旗舰店:小美\n3,b2,\n"


def test_jsonl_one_object_per_row_keeps_chinese() -> None:
    lines = to_text(COLUMNS, ROWS, "jsonl").splitlines()
    assert lines == [
        '{"line": 2, "buyer": "买家甲", "assignee": "旗舰店:小美"}',
        '{"line": 3, "buyer": "b2", "assignee": null}',
    ]


@pytest.mark.parametrize("rows", [ROWS, []])
def test_json_is_one_array(rows: list[tuple[object, ...]]) -> None:
    document = json.loads(to_text(COLUMNS, rows, "json"))
    assert document == [dict(zip(COLUMNS, row)) for row in rows]


def test_table_aligns_wide_characters() -> None:
    lines = to_text(COLUMNS, ROWS, "table").splitlines()
    header, _, first, _second = lines
    # 买家甲 is 3 characters but 6 screen columns: the assignee cell must still start
    # under its header.
    assert wcswidth(first[: first.index("旗舰店")]) == header.index("assignee")


def test_table_of_nothing_says_so() -> None:
    assert to_text(COLUMNS, [], "table") == "(no rows)\n"


def test_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        write_rows(COLUMNS, ROWS, "xml", io.StringIO())


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+86 138", "'+86 138"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("买家=1", "买家=1"),
        ("", ""),
    ],
)
def test_neutralise_formula(cell: str, safe: str) -> None:
    assert neutralise_formula(cell) == safe


def test_excel_csv_neutralises_text_cells_only() -> None:
    buffer = io.StringIO()
    write_rows(("n", "text"), [(-1, "=cmd"), (2, None)], "csv", buffer, excel=True)
    assert buffer.getvalue() == "n,text\r\n-1,'=cmd\r\n2,\r\n"


def test_open_output_file_appears_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), open_output(str(target)) as stream:
        stream.write("half a file")
        raise RuntimeError("run failed")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_open_output_writes_bom_for_excel(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_output(str(target), bom=True) as stream:
        stream.write("a\n")
    assert target.read_bytes() == b"\xef\xbb\xbfa\n"


def test_open_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with open_output(str(link)) as stream:
        stream.write("new\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"


def test_open_output_new_file_follows_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    old_umask = os.umask(0o022)
    try:
        with open_output(str(target)) as stream:
            stream.write("a\n")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_open_output_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    target = tmp_path / "old.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    with open_output(str(target)) as stream:
        stream.write("new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
