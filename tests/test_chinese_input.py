"""Configs and names typed with a Chinese input method (issue 23): smart quotes and
full-width punctuation get a hint at their line and column; a two-character name one
character off (小莉 for 小丽) gets a did-you-mean."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli
from routectl.config.imehint import ime_hint
from routectl.errors import BadLogRow
from routectl.logio.reader import read_events
from routectl.similar import close_names, closest, edit_distance

EXAMPLE = ROOT / "shopconfig.example.toml"


def validate(tmp_path: Path, text: str, *options: str) -> tuple[int, str]:
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), *options])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout.replace(str(path), "shop.toml")


# --- TOML typed with a Chinese input method -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[shop]\nname = “我的店铺”\n",
            "shop.toml:2: error: not valid TOML: “ ” at column 8 (typed with a Chinese "
            'input method): did you mean "…"? (name = "我的店铺")',
        ),
        (
            '[shop]\nname = "x"\n[[groups]]\nname = "presale"\nentries = ["shop_home"，"order"]\n',
            "shop.toml:5: error: not valid TOML: ， at column 23 (typed with a Chinese input "
            'method): did you mean ","? (entries = ["shop_home","order"])',
        ),
        (
            "[shop]\nname = “x”\ntags = [“a”，“b”]\n",
            "shop.toml:2: error: not valid TOML: “ ” at column 8 (typed with a Chinese input "
            'method): did you mean "…"? (name = "x")',
        ),
        (
            '[shop]\nname ＝ "x"\n',
            "shop.toml:2: error: not valid TOML: ＝ at column 6 (typed with a Chinese input "
            'method): did you mean "="? (name = "x")',
        ),
        (
            '[shop]\nname = "我的店铺”\n',
            "shop.toml:2: error: not valid TOML: ” at column 13 (typed with a Chinese input "
            'method): did you mean "…"? (name = "我的店铺")',
        ),
    ],
    ids=[
        "smart-quotes",
        "full-width-comma",
        "first-of-two-lines",
        "full-width-equals",
        "smart-closing-quote",
    ],
)
def test_input_method_punctuation_gets_a_hint_at_its_line_and_column(
    tmp_path: Path, text: str, expected: str
) -> None:
    code, out = validate(tmp_path, text)
    assert code == 1
    assert out.splitlines()[0] == expected


def test_the_hint_has_the_column_for_ci_annotations(tmp_path: Path) -> None:
    code, out = validate(tmp_path, "[shop]\nname = “我的店铺”\n", "--format", "github")
    assert code == 1
    assert out.startswith("::error file=shop.toml,line=2,col=8,")


@pytest.mark.parametrize(
    "text",
    [
        '[shop]\nname = "旗舰店，小美"\nx = \n',  # full-width inside a string is a value
        '[shop]\nname = "x" # “注释”\nx = \n',  # and in a comment
        "[shop]\nname = 'a“b' \nx = \n",
    ],
)
def test_punctuation_inside_strings_and_comments_is_no_hint(text: str) -> None:
    assert ime_hint(text, 3) is None


def test_full_width_punctuation_in_a_value_is_still_valid(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'name = "旗舰店"', 'name = "旗舰店，“官方”店铺"', 1
    )
    assert validate(tmp_path, text)[0] == 0


# --- did-you-mean that works on two-character names --------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("小莉", "小丽", 1), ("alcie", "alice", 1), ("", "ab", 2), ("kitten", "sitting", 3),
     ("小丽丽", "小丽", 1), ("ab", "ab", 0)],
)  # fmt: skip
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


@pytest.mark.parametrize(
    ("word", "choices", "names"),
    [
        ("小莉", ["小丽", "店长"], ["小丽"]),  # difflib's ratio is 0.5: it says nothing
        ("小莉", ["小美", "小丽", "小王", "阿杰"], ["小美", "小丽", "小王"]),  # all one off
        ("售后", ["售前", "vip"], ["售前"]),
        ("小", ["大"], []),  # one character of one: no evidence
        ("zz", ["alice", "bob"], []),
        ("wieght", ["weight", "groups"], ["weight"]),  # difflib's pick, as before
        ("Presale", ["presale"], ["presale"]),
    ],
)
def test_close_names(word: str, choices: list[str], names: list[str]) -> None:
    assert close_names(word, choices) == names
    assert closest(word, choices) == (names[0] if names else None)


TWO_CHARACTER_SHOP = """\
[shop]
name = "小店"

[[groups]]
name = "售前"
entries = ["shop_home", "item_detail", "contact_list", "order"]

[[agents]]
id = "小丽"
groups = ["售前"]

[[agents]]
id = "阿杰"
groups = ["售前"]
"""


def test_a_config_referring_to_a_name_one_character_off_gets_a_did_you_mean(
    tmp_path: Path,
) -> None:
    text = TWO_CHARACTER_SHOP.replace(
        'id = "小丽"\ngroups = ["售前"]', 'id = "小丽"\ngroups = ["售后"]'
    )
    code, out = validate(tmp_path, text)
    assert code == 1
    assert "agents[0].groups[0]: unknown group '售后'; did you mean '售前'?" in out


def test_an_unknown_agent_in_the_log_one_character_off_gets_a_did_you_mean() -> None:
    text = "time,event,agent,status\n2026-11-02T08:00:00,status,小莉,online\n"
    lines = io.StringIO(text, newline="")
    with pytest.raises(BadLogRow) as caught:
        list(
            read_events(lines, "log.csv", ZoneInfo("Asia/Shanghai"), known_agents={"小丽", "阿杰"})
        )
    assert str(caught.value) == (
        "log.csv:2: unknown agent '小莉' (not in the config's [[agents]]); did you mean '小丽'?"
    )


def test_several_names_one_character_off_are_all_offered() -> None:
    text = "time,event,agent,status\n2026-11-02T08:00:00,status,旗舰店:小莉,online\n"
    lines = io.StringIO(text, newline="")
    known = {"旗舰店:小美", "旗舰店:小丽", "旗舰店:阿杰"}
    with pytest.raises(BadLogRow) as caught:
        list(read_events(lines, "log.csv", ZoneInfo("Asia/Shanghai"), known_agents=known))
    assert str(caught.value).endswith("; did you mean '旗舰店:小丽' or '旗舰店:小美'?")
