"""Issue 23: one message catalogue. Every marked message and every help text has a Chinese
entry, every compiled catalogue matches its source, and Chinese output has no English left
in it but the words that stay (commands, options, keys, rule ids, file names, units)."""

from __future__ import annotations

import ast
import gettext
import inspect
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from routectl.cli import COMMAND_SUMMARIES, COMMANDS, cli
from routectl.i18n import LOCALE_DIR, in_lang, set_lang

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cli" / "routectl"
GOLDEN = Path(__file__).resolve().parent / "golden"
ZH = {"LANG": "zh_CN.UTF-8"}
MARKERS = {"_", "N_"}


# --- what the code asks the catalogue for ----------------------------------------------


def code_messages() -> dict[str, str]:
    """Every literal passed to ``_``, ``N_``, ``ngettext`` or ``in_lang`` under
    cli/routectl -> where it is (``file:line``)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for text in _marked(node):
                found.setdefault(text, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _marked(node: ast.AST) -> Iterator[str]:
    if not isinstance(node, ast.Call):
        return
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name in MARKERS:
        args = node.args[:1]
    elif name == "ngettext":
        args = node.args[:2]
    elif name == "in_lang":
        args = node.args[1:2]
    else:
        return
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            yield arg.value


def help_messages() -> dict[str, str]:
    """Every help text ``--help`` shows (commands, options, summaries) -> its command."""
    found: dict[str, str] = {}
    commands: list[tuple[str, click.Command]] = [("routectl", cli)]
    commands += [(name, cli.get_command(click.Context(cli), name)) for name in COMMANDS]  # type: ignore[misc]
    for name, command in commands:
        for text in (command.help, command.short_help, command.epilog):
            if text:
                found.setdefault(inspect.cleandoc(text), name)
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                found.setdefault(text, f"{name} {param.name}")
    for name, summary in COMMAND_SUMMARIES.items():
        found.setdefault(summary, name)
    return found


def catalogues() -> list[Path]:
    return sorted((Path(LOCALE_DIR) / "zh" / "LC_MESSAGES").glob("*.po"))


def translated_ids() -> set[str]:
    """msgids with a non-empty Chinese msgstr, over every .po of locale/zh."""
    done: set[str] = set()
    for path in catalogues():
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings) and not message.fuzzy:
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                done.update(ids)
    return done


# --- (a) every message has Chinese ------------------------------------------------------


def test_every_marked_message_has_chinese() -> None:
    done = translated_ids()
    missing = {text: where for text, where in code_messages().items() if text not in done}
    assert not missing, "no Chinese in locale/zh/LC_MESSAGES/*.po for:\n" + "\n".join(
        f"  {where}: {text!r}" for text, where in sorted(missing.items(), key=lambda i: i[1])
    )


def test_every_help_text_has_chinese() -> None:
    done = translated_ids()
    missing = {text: where for text, where in help_messages().items() if text not in done}
    assert not missing, "no Chinese for help text:\n" + "\n".join(
        f"  {where}: {text!r}" for text, where in missing.items()
    )


def test_the_extraction_sees_the_markers() -> None:
    found = code_messages()
    assert "unknown key" in found
    assert "{count} errors" in found  # ngettext's plural
    assert "Check shop configs; exit 1 on errors (and on warnings with --strict)." in found


# --- (b) each .mo is its .po -------------------------------------------------------------


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: p.name)
def test_compiled_catalogue_matches_its_source(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.name} is missing: run msgfmt -o {mo.name} {po.name}"
    with po.open("rb") as handle:
        expected_buffer = io.BytesIO()
        write_mo(expected_buffer, read_po(handle))
    expected = gettext.GNUTranslations(io.BytesIO(expected_buffer.getvalue()))
    with mo.open("rb") as handle:
        actual = gettext.GNUTranslations(handle)
    header = ""  # msgfmt and babel write different headers; the messages must agree
    actual_messages = {k: v for k, v in actual._catalog.items() if k != header}  # type: ignore[attr-defined]
    expected_messages = {k: v for k, v in expected._catalog.items() if k != header}  # type: ignore[attr-defined]
    assert actual_messages == expected_messages, (
        f"{mo.name} is stale: run msgfmt -o {mo.name} {po.name} in {po.parent}"
    )


def test_placeholders_survive_translation() -> None:
    """``{name}`` fields of a msgid are all in its Chinese (a typo would raise KeyError)."""
    field = re.compile(r"\{[a-z_]*\}")
    bad = []
    for path in catalogues():
        with path.open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strs = message.string if isinstance(message.string, tuple) else (message.string,)
                want = set(field.findall(ids[-1]))
                for text in strs:
                    if text and set(field.findall(text)) != want:
                        bad.append((ids[0], text))
    assert not bad, bad


# --- (c) Chinese output has no English left ---------------------------------------------

ALLOWED = {
    # the program, formats and encodings
    "routectl", "TOML", "CSV", "JSON", "UTF", "BOM", "CRLF", "GB18030", "gb18030", "gbk",
    "cp936", "utf", "KiB", "MiB", "HTML", "html", "JUnit", "XML", "GitHub", "Actions",
    "IANA", "ISO", "NFKC", "HiGHS", "Excel", "Qianniu", "Windows", "Unicode", "draft",
    "git", "pip", "PR", "CI", "TMPDIR", "ROUTECTL_CONFIG", "ROUTECTL_DEBUG", "stdin",
    "stdout", "stderr", "LC_ALL", "LC_MESSAGES", "LANG", "Taplo", "Even", "Better", "json",
    "csv", "toml", "text", "github", "table", "markdown", "naive", "offset", "utc", "slash",
    "auto", "error", "warning", "ok", "true", "false", "OPTIONS", "COMMAND", "ARGS", "CONFIG",
    "LOG", "BASE", "NEW", "PATH", "FILE", "DATE", "TEXT", "INTEGER", "FLOAT", "AGENT",
    "BUYER", "DAYS", "SHOP", "main", "origin", "show", "extra", "env", "var", "default",
    "Asia", "Shanghai", "HH", "MM", "YYYY", "DD", "docs", "md", "cli", "report", "prediction",
    "plan", "testing", "routing", "log", "format", "tests", "schema", "diff", "shopconfig",
    "example", "day", "week", "month", "last", "big", "team40", "model", "rota", "hour",
    "weekday", "agent", "group", "rule", "avg_response_s", "avg", "response", "rate", "not",
    "zh", "en", "Python", "Schema", "VIP", "UTC", "CPU", "RANGE", "LINE", "install",
    "today", "yesterday", "paid", "PyPI", "plotly", "Ctrl", "observed", "agrees", "Markdown",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _english_left(text: str, extra: set[str]) -> list[str]:
    """Runs of 3+ ASCII letters that are neither allowed words nor inside a name:
    option and key tokens (``--strict``, ``agents[1].weight``, ``'wieght'``) stay."""
    text = re.sub(r"`[^`\n]*`", " ", text)  # code
    text = re.sub(r"\[W\d+ [\w-]+\]", " ", text)  # warning code and name
    text = re.sub(r"(?<=: )[\w.\[\]]+(?=: )", " ", text)  # KEY.PATH: of a problem
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:]+", " ", text)  # times
    text = re.sub(r"\b\w+(?:,\w+)+\b|\b\w+=", " ", text)  # column lists, COLUMN=
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)  # options
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", " ", text)  # quoted values and keys
    text = re.sub(r"[\w./-]*[A-Za-z_][\w-]*\.(?:toml|csv|json|md|mo|po|xml)\b", " ", text)
    text = re.sub(r"[A-Za-z_]+(?:\[\d+\])?(?:\.[A-Za-z_]+(?:\[\d+\])?)+", " ", text)  # paths
    text = re.sub(r"\b[A-Z]\d+(?:-R?\d+)?\b", " ", text)  # rule ids, warning codes
    left = []
    for word in WORD.findall(text):
        if len(word) < 3 or word in ALLOWED or word in extra or "_" in word:
            continue
        left.append(word)
    return left


def _names_in(context: click.Command) -> set[str]:
    """Command and option names and choices: they are what the user types."""
    names = set(COMMANDS) | {"validate", "replay", "init", "config", "generate", "test"}
    for param in context.params:
        names.update(re.findall(r"[A-Za-z][\w-]*", " ".join(param.opts)))
        choices = getattr(param.type, "choices", None)
        if choices:
            names.update(str(choice) for choice in choices)
        names.add((param.name or "").upper())
        metavar = getattr(param, "metavar", None)
        if metavar:
            names.update(WORD.findall(metavar))
    return {part for name in names for part in re.split(r"[-_]", name)} | names


def _zh(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(cli, args, env=ZH)
    set_lang(None)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


@pytest.mark.parametrize("name", ["routectl", *COMMANDS])
def test_help_in_chinese_has_no_english_left(name: str) -> None:
    runner = CliRunner()
    args = ["--help"] if name == "routectl" else [name, "--help"]
    output = _zh(runner, args)
    command = cli if name == "routectl" else cli.get_command(click.Context(cli), name)
    assert command is not None
    assert "用法" in output and "选项" in output
    left = _english_left(output, _names_in(command) | _names_in(cli))
    assert not left, f"English left in `{' '.join(args)}` under LANG=zh_CN.UTF-8: {left}"


def test_lang_option_and_locale_choose_the_language() -> None:
    runner = CliRunner()
    assert "用法" in runner.invoke(cli, ["--lang", "zh", "--help"]).output
    set_lang(None)
    assert "用法" in runner.invoke(cli, ["validate", "--help"], env=ZH).output
    set_lang(None)
    assert "Usage:" in runner.invoke(cli, ["--lang", "en", "validate", "--help"], env=ZH).output
    set_lang(None)
    assert "Usage:" in runner.invoke(cli, ["validate", "--help"]).output


BROKEN = """\
[shop]
name = "test shop"
timezone = "Asia/Shangai"

[routing]
mobile_reception = "yes"

[[groups]]
name = "presale"
entries = ["shop_home", "item_detial"]

[[agents]]
id = "shop:a"
groups = ["presale"]
wieght = 300

[[agents]]
id = "shop:b"
groups = ["presael"]
weight = 0
max_concurrent = 2

[[rules]]
kind = "crowd"
match = ["vip"]
"""

WARNS = """\
[shop]
name = "test shop"

[bot]
priority_reception = true

[[groups]]
name = "presale"
entries = ["shop_home", "item_detail"]

[[groups]]
name = "aftersale"

[[agents]]
id = "shop:a"
groups = ["presale"]
weight = 1000
max_concurrent = 2

[[agents]]
id = "shop:b"
groups = ["presale"]
weight = 10
routing = false
"""


def _validate(tmp_path: Path, text: str, env: dict[str, str], code: int = 1) -> str:
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    here = Path.cwd()
    os.chdir(tmp_path)  # the output names the file as given: broken.toml
    try:
        result = CliRunner().invoke(cli, ["validate", "broken.toml"], env=env)
    finally:
        os.chdir(here)
    set_lang(None)
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_validate_golden(tmp_path: Path, lang: str) -> None:
    env = ZH if lang == "zh" else {}
    output = _validate(tmp_path, BROKEN, env)
    golden = GOLDEN / f"validate-broken-{lang}.txt"
    assert output == golden.read_text(encoding="utf-8"), f"update {golden} if the change is meant"


@pytest.mark.parametrize(("text", "code"), [(BROKEN, 1), (WARNS, 0)], ids=["errors", "warnings"])
def test_validate_in_chinese_has_no_english_left(tmp_path: Path, text: str, code: int) -> None:
    output = _validate(tmp_path, text, ZH, code)
    assert "错误" in output or "警告" in output
    left = _english_left(output, {"shop", "presale", "aftersale", "vip", "crowd"})
    assert not left, f"English left in validate under LANG=zh_CN.UTF-8: {left}\n{output}"


def test_bad_log_row_in_chinese(tmp_path: Path) -> None:
    config = tmp_path / "shopconfig.toml"
    config.write_text(
        '[shop]\nname = "s"\n[[groups]]\nname = "presale"\nentries = ["shop_home"]\n'
        '[[agents]]\nid = "shop:a"\ngroups = ["presale"]\n',
        encoding="utf-8",
    )
    log = tmp_path / "day.csv"
    log.write_text(
        "time,event,buyer,agent,status\n"
        "2026-11-02T08:00:00,status,,shop:a,online\n"
        "2026-11-02T08:01:00,message,,,\n"
        "2026-11-02T08:02:00,status,,shop:a,sleeping\n"
        "2026-11-02T07:00:00,message,b1,,\n"
        "2026-11-02T08:03:00,teleport,b1,,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(
        cli, ["replay", str(log), "-c", str(config), "--skip-bad", "--format", "csv"], env=ZH
    )
    set_lang(None)
    errors = result.stderr if hasattr(result, "stderr") else result.output
    assert "day.csv:3:" in errors and "列" in errors, errors
    for line in errors.splitlines():
        if "day.csv:" in line:
            left = _english_left(line, {"message", "status", "buyer", "agent", "sleeping"})
            left = [w for w in left if w not in {"teleport", "online", "suspended", "offline"}]
            left = [w for w in left if w not in {"time", "event", "entry", "sort", "reply"}]
            left = [w for w in left if w not in {"close", "transfer", "paid"}]
            assert not left, f"English left in a bad row under zh: {left}\n{line}"


def test_english_is_the_default_and_untouched() -> None:
    assert in_lang("en", "unknown key") == "unknown key"
    assert in_lang("zh", "unknown key") != "unknown key"


def test_usage_errors_in_chinese_keep_their_exit_code(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--frmat", "json"], env=ZH)
    set_lang(None)
    assert result.exit_code == 2
    assert "没有选项 '--frmat'。是否想输入 '--format'？" in result.output
    assert "运行 'routectl validate --help' 查看帮助。" in result.output
    result = runner.invoke(cli, ["valdate"], env=ZH)
    set_lang(None)
    assert result.exit_code == 2
    assert "没有命令 'valdate'。是否想输入 'validate'？" in result.output


def test_a_command_lang_option_sets_the_language(tmp_path: Path) -> None:
    """``report --lang zh`` speaks Chinese in its errors too, whatever the locale."""
    log = tmp_path / "day.csv"
    log.write_text("time,event\n", encoding="utf-8")
    args = ["report", str(log), "--lang", "zh", "--format", "csv", "--by", "agent,group"]
    result = CliRunner().invoke(cli, args)
    set_lang(None)
    assert result.exit_code == 2
    assert "csv 只能输出一张表；请只给一个 --by" in result.output


def test_validate_json_stays_english_under_chinese(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    args = ["validate", "--format", "json", str(tmp_path / "broken.toml")]
    chinese = CliRunner().invoke(cli, args, env=ZH)
    set_lang(None)
    english = CliRunner().invoke(cli, args)
    assert chinese.exit_code == english.exit_code == 1
    assert chinese.output == english.output
    assert "unknown key; did you mean 'weight'?" in chinese.output


def test_github_annotations_follow_the_language(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    args = ["validate", "--format", "github", str(tmp_path / "broken.toml")]
    result = CliRunner().invoke(cli, args, env=ZH)
    set_lang(None)
    assert result.exit_code == 1
    assert "::error file=" in result.output  # the workflow command itself stays
    assert "未知的键；是否想写 'weight'？" in result.output


@pytest.mark.parametrize(
    "toml",
    [
        *("a = 1 b", "[shop", 'a = "x', "a = [1", "a.b = 1\na.b = 2", "a = {b=1, b=2}", "= 1"),
        "[shop]\nname = “我的店铺”",  # typed with a Chinese input method
        "[shop]\nname\u3000= 1",
    ],
)
def test_toml_syntax_errors_in_chinese(tmp_path: Path, toml: str) -> None:
    output = _validate(tmp_path, toml + "\n", ZH)
    assert "不是有效的 TOML：" in output
    assert not _english_left(output, {"name"}), output  # the key in the corrected line


def test_the_systems_reasons_in_chinese(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "day.csv")
    args = ["generate-log", "-c", str(ROOT / "shopconfig.example.toml"), "--rows", "5"]
    result = CliRunner().invoke(cli, [*args, "-o", missing], env=ZH)
    set_lang(None)
    assert result.exit_code == 2
    assert "无法写入：文件或目录不存在" in result.output


def test_chinese_wrapping_keeps_the_width_and_the_text() -> None:
    from routectl.helptext import _width, wrap_wide

    text = (
        "按店铺、客服和分组统计 3分钟响应率、回复率、平均响应时长（R23）、慢响应（R24）、"
        "询单转化和销售额（R25），并说明买家分配不均的原因。"
        "见 ./shopconfig.toml 和 docs/report.md。"
    )
    for width in range(20, 90, 7):  # wider than the longest word
        lines = wrap_wide(text, width)
        assert all(_width(line) <= width for line in lines), (width, lines)
        assert not any(line[0] in "，。、；：）" for line in lines), lines
        assert not any(line.endswith("（") for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert any("./shopconfig.toml" in line for line in lines)  # a path stays whole


@pytest.mark.parametrize("command", ["report", "plan"])
def test_a_command_lang_before_help_gives_chinese_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--lang", "zh", "--help"])
    set_lang(None)
    assert result.exit_code == 0
    assert result.output.startswith("用法：routectl " + command)
