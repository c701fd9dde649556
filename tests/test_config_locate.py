"""The TOML line locator: right line or none, never a wrong one."""

from __future__ import annotations

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from routectl.config.locate import find_line, key_lines

TRICKY = '''\
# [[agents]] in a comment is not a header; neither is weight = 0
[shop]
name = "x"  # trailing comment with [brackets] and key = value
note = """
weight = 0
[[agents]]
"""
literal = \'\'\'
[routing]\'\'\'

[[agents]]
id = "a"
"quoted key" = 1
'literal key' = 2
physical.color = "red"
match = [
  "one",   # comment inside an array
  "two",
]

[[agents]]
id = "b"
weight = 0

[ dedicated . buyers ]
"buyer.1" = "a"

[agents_extra]
inline = { weight = 0, nested = { deep = true }, list = [1, 2] }
tables = [{ id = "x" }, { id = "y", weight = 5 }]
'''


def test_tricky_document() -> None:
    lines = key_lines(TRICKY)
    assert lines[("shop",)] == 2
    assert lines[("shop", "note")] == 4
    assert ("shop", "weight") not in lines
    assert lines[("agents",)] == 11
    assert lines[("agents", 0)] == 11
    assert lines[("agents", 0, "quoted key")] == 13
    assert lines[("agents", 0, "literal key")] == 14
    assert lines[("agents", 0, "physical")] == 15
    assert lines[("agents", 0, "physical", "color")] == 15
    assert lines[("agents", 0, "match", 0)] == 17
    assert lines[("agents", 0, "match", 1)] == 18
    assert lines[("agents", 1)] == 21
    assert lines[("agents", 1, "weight")] == 23
    assert lines[("dedicated", "buyers", "buyer.1")] == 26
    assert lines[("agents_extra", "inline", "nested", "deep")] == 29
    assert lines[("agents_extra", "inline", "list", 1)] == 29
    assert lines[("agents_extra", "tables", 1, "weight")] == 30
    assert ("routing",) not in lines


def test_find_line_falls_back_to_the_enclosing_key() -> None:
    lines = key_lines(TRICKY)
    assert find_line(lines, ("agents", 1, "max_concurrent")) == 21
    assert find_line(lines, ("bot", "enabled")) is None
    assert find_line(lines, ()) is None


def test_sub_table_of_an_array_table_and_crlf() -> None:
    text = '[[agents]]\r\nid = "a"\r\n[[agents]]\r\nid = "b"\r\n[agents.extra]\r\nk = 1\r\n'
    lines = key_lines(text)
    assert lines[("agents", 1, "extra", "k")] == 6
    assert lines[("agents", 1, "id")] == 4


def test_multiline_string_edge_quotes() -> None:
    text = (
        'a = """x""""\n'
        "b = '''y''''\n"
        'c = "\\"quoted\\" [x]"\n'
        "d = 1979-05-27T07:32:00Z\n"
        "e = 1\n"
    )
    lines = key_lines(text)
    assert [lines[(k,)] for k in "abcde"] == [1, 2, 3, 4, 5]


def test_stops_quietly_on_text_it_does_not_expect() -> None:
    assert key_lines("a = 1\n= 2\nb = 3\n") == {("a",): 1}
    assert key_lines("") == {}


keys = st.text(alphabet="ab.c \"'#[]=_-中", min_size=1, max_size=6)
leaves = st.one_of(st.integers(), st.booleans(), st.text(max_size=8))
documents = st.recursive(
    st.dictionaries(keys, leaves, max_size=4),
    lambda children: st.dictionaries(
        keys, st.one_of(children, st.lists(children, min_size=1, max_size=3)), max_size=3
    ),
    max_leaves=12,
)


@given(documents)
def test_every_located_key_is_on_a_line_that_names_it(document: dict[str, object]) -> None:
    text = tomli_w.dumps(document)
    source = text.split("\n")  # TOML lines end at \n only (not at \x85 or \u2028)
    for path, line in key_lines(text).items():
        last = path[-1]
        if isinstance(last, str):
            spelled = (last, tomli_w.dumps({last: 1}).split(" = ")[0])
            assert any(s in source[line - 1] for s in spelled), (path, line, text)
