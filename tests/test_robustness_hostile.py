"""A hostile-name corpus through every command that prints human text or writes files
(issue 21): agent ids, buyer names, the shop name, test names and file names that hold
terminal escapes, bidi overrides, line breaks, a GitHub workflow command, HTML that
would end a script element, Markdown and formula syntax.

Human-facing text (validate text/github, replay table, report table, diff table, test,
every message on standard error) must show them escaped, on their own line; machine
formats (CSV, JSON, JSON Lines, JUnit XML) must hold them exactly or, where the format
cannot (XML 1.0 has no ESC), escaped and well-formed; the HTML page must keep its
structure under a spec parser (html5lib when installed, else the standard library's).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_robustness_faults import _run

WORKFLOW = "::error::owned"
AGENTS = (
    "s:<!--<script>",
    "s:</script><img src=x onerror=alert(1)>",
    "s:x\x1b]0;pwned\x07\u202e\n" + WORKFLOW,
    "s:`tick` | pipe [l](http://e) *b* \\",
    's:=HYPERLINK("http://e")',
    "s:\u2028ls\u2029ps\x85nel\x9b2J",
)
"""Agent ids: also log cells, so no CR (the reader reads a CR in a cell as a line break)
and no space at either end (cells are trimmed)."""
BUYERS = (*(agent.replace("s:", "b:", 1) for agent in AGENTS), "b:\x00nul\x7fdel")
SHOP = "s\x1b[2J<!--<script>\r\n" + WORKFLOW
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _quiet(text: str) -> None:
    """Human text: no control, bidi or separator character; no line a CI runner runs."""
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group()!r} in: {text[max(0, found.start() - 80) :][:200]!r}"
    assert not any(line.lstrip().startswith(WORKFLOW) for line in text.splitlines())


def _config(weights: list[int]) -> str:
    agents = "".join(
        f'[[agents]]\nid = {json.dumps(agent)}\ngroups = ["g"]\nweight = {weight}\n'
        for agent, weight in zip(AGENTS, weights)
    )
    return (
        f'[shop]\nname = {json.dumps(SHOP)}\n[[groups]]\nname = "g"\n'
        f'entries = ["shop_home"]\n{agents}'
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    base = folder / "base\x1b]0;t\x07.toml"
    new = folder / "new<!--.toml"
    base.write_text(_config([1000, 1, 1, 1, 1, 1]), encoding="utf-8")
    new.write_text(_config([1, 1, 1, 1, 1, 1000]), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["time", "event", "buyer", "agent", "status", "entry", "text", "received_by"])
    for agent in AGENTS:
        writer.writerow(["2026-11-02T08:00:00", "status", "", agent, "online", "", "", ""])
    for n, buyer in enumerate(BUYERS * 3):
        when = f"2026-11-02T08:{1 + n // 60:02d}:{n % 60:02d}"
        writer.writerow([when, "message", buyer, "", "", "shop_home", SHOP, AGENTS[n % 6]])
        writer.writerow([when, "reply", buyer, AGENTS[n % 6], "", "", "ok", ""])
    log = folder / ("log\n" + WORKFLOW + "<b>`.csv")
    log.write_text(buffer.getvalue(), encoding="utf-8")
    suite = folder / "suite\u202e.toml"
    tests = ""
    for n, buyer in enumerate(BUYERS):
        inline = io.StringIO()
        rows = csv.writer(inline, lineterminator="\n")
        rows.writerow(["time", "event", "buyer", "agent", "status", "entry"])
        rows.writerow(["08:00", "status", "", AGENTS[0], "online", ""])
        rows.writerow(["08:01", "message", buyer, "", "", "shop_home"])
        tests += (
            f"\n[[tests]]\nname = {json.dumps(f'{n} {buyer}')}\n"
            f"log = {json.dumps(inline.getvalue())}\n"
            f"expect = [{{ buyer = {json.dumps(buyer)}, "
            f"assignee = {json.dumps(AGENTS[n % 6])} }}]\n"
        )
    suite.write_text(
        f'config = {json.dumps(base.name)}\ndate = "2026-11-02"\n{tests}', encoding="utf-8"
    )
    return {"base": base, "new": new, "log": log, "suite": suite, "folder": folder}


def test_validate(corpus: dict[str, Path]) -> None:
    for fmt in ("text", "github"):
        result = _run(["validate", str(corpus["base"]), str(corpus["new"]), "--format", fmt])
        assert result.exit_code == 0, result.output
        _quiet(result.stdout + result.stderr)
    as_json = _run(["validate", str(corpus["base"]), "--format", "json"])
    assert json.loads(as_json.stdout)["files"][0]["file"] == str(corpus["base"])


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl", "json", "excel"])
def test_replay(corpus: dict[str, Path], fmt: str) -> None:
    args = ["replay", str(corpus["log"]), "-c", str(corpus["base"])]
    args += ["--format", "csv", "--excel"] if fmt == "excel" else ["--format", fmt]
    result = _run(args)
    assert result.exit_code == 0, result.stderr
    _quiet(result.stderr)
    text = result.stdout_bytes.decode("utf-8")
    if fmt == "table":
        _quiet(text)
        assert "\\x1b]0;pwned" in text and "\\u202e" in text
        return
    if fmt == "json":
        rows = json.loads(text)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in text.split("\n") if line]  # not splitlines: U+2028
    else:
        reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        rows = list(reader)
    assert len(rows) == len(BUYERS) * 3
    buyers = [row["buyer"] for row in rows]
    assert buyers == list(BUYERS * 3)  # machine formats: exact
    assert {row["assignee"] for row in rows} <= set(AGENTS)


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_report(corpus: dict[str, Path], fmt: str) -> None:
    args = ["report", str(corpus["log"]), "-c", str(corpus["base"]), "--format", fmt]
    for extra in ([], ["--verbose", "--by", "day"], ["--lang", "zh"]) if fmt == "table" else ([],):
        result = _run(args + extra)
        assert result.exit_code == 0, result.stderr
        _quiet(result.stderr)
        if fmt == "table":
            _quiet(result.stdout)
            assert "\\x1b[2J" in result.stdout  # the shop name, escaped
    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["shop"] == SHOP
        assert {row["agent"] for row in document["agents"]} >= set(AGENTS)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode(), newline="")))
        assert all(len(row) == len(rows[0]) for row in rows)


def _parse_html(page: str) -> ET.Element:
    try:
        import html5lib
    except ImportError:  # the standard library's tokenizer, as a stand-in
        return _stdlib_tree(page)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    return tree  # type: ignore[no-any-return]


def _stdlib_tree(page: str) -> ET.Element:
    from html.parser import HTMLParser

    root = ET.Element("html")

    class Builder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.last: ET.Element | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.last = ET.SubElement(root, tag)
            self.last.text = ""

        def handle_data(self, data: str) -> None:
            if self.last is not None:
                self.last.text = (self.last.text or "") + data

    Builder().feed(page)
    return root


def test_report_html_keeps_its_structure(corpus: dict[str, Path]) -> None:
    page_path = corpus["folder"] / "page.html"
    result = _run(
        ["report", str(corpus["log"]), "-c", str(corpus["base"]), "--format", "html",
         "-o", str(page_path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    tree = _parse_html(page_path.read_text("utf-8"))
    assert not list(tree.iter("script"))  # the page has no script, and no name adds one
    assert not list(tree.iter("img"))  # no element from a name
    charts = [e for e in tree.iter() if e.tag.rpartition("}")[2] == "svg"]
    assert len(charts) == 3
    drawn = "".join("".join(chart.itertext()) for chart in charts)
    assert AGENTS[0].removeprefix("s:") in drawn  # names in the charts are text
    cells = "".join(element.text or "" for element in tree.iter("td"))
    assert AGENTS[1] in cells  # shown as text, exactly


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_diff(corpus: dict[str, Path], fmt: str) -> None:
    result = _run(
        ["diff", str(corpus["base"]), str(corpus["new"]), str(corpus["log"]), "--format", fmt,
         "--limit", "100"]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    _quiet(result.stderr)
    text = result.stdout
    if fmt == "json":
        document = json.loads(text)
        assert document["log"] == str(corpus["log"]) and document["changes"]
        assert {change["buyer"] for change in document["changes"]} <= set(BUYERS)
        return
    _quiet(text)
    assert "Changed messages" in text
    if fmt == "markdown":
        rows = "\n".join(line for line in text.splitlines() if line.startswith("|"))
        assert "<" not in rows.replace("<br>", "")
        for line in text.splitlines():
            if line.startswith("| ") and "---" not in line:  # cells never split or merge
                assert line.count(" | ") - line.count("\\|") >= 1


def test_test_text_and_junit(corpus: dict[str, Path]) -> None:
    junit = corpus["folder"] / "junit.xml"
    result = _run(["test", str(corpus["suite"]), "--junit", str(junit)])
    assert result.exit_code in (0, 1), result.stderr
    _quiet(result.stdout + result.stderr)
    lines = result.stdout.splitlines()
    assert sum(line.startswith(("PASS  ", "FAIL  ")) for line in lines) == len(BUYERS)
    assert all(line.startswith(("PASS  ", "FAIL  ", "      ")) for line in lines[:-1])
    root = ET.fromstring(junit.read_bytes())  # well-formed
    names = [case.get("name") for case in root.iter("testcase")]
    assert len(names) == len(BUYERS)
    # XML keeps what XML 1.0 can hold exactly (line breaks, U+202E) and writes the rest
    # (ESC, BEL, NUL, C1 controls are allowed in XML 1.0 but not C0) as visible escapes.
    assert f"2 {BUYERS[2]}".replace("\x1b", "\\x1b").replace("\x07", "\\x07") in names
    assert f"6 {BUYERS[6]}".replace("\x00", "\\x00") in names
