"""Fuzzing the config loader: any bytes, text or TOML document ends in a config or in
problems, never in an exception; through the CLI, in exit 0/1/2 and no traceback.

Run longer by hand with ``HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz_config.py``
(docs/robustness.md). Cases worth keeping go to ``tests/corpus/configs/``.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import minimal_document
from routectl.cli import cli
from routectl.config.loader import (
    MAX_CONFIG_BYTES,
    check_config_file,
    check_config_text,
    decode_config,
)
from routectl.logio.reader import COLUMNS
from routectl.sim.generate import generate_rows

# Keys the schema knows, so that random documents reach past "unknown key" often.
KEYS = (
    "shop", "name", "timezone", "routing", "mobile_reception", "offline_routing",
    "offline_delay", "session_timeout", "fallback", "offline", "policy",
    "pool_retention_days", "auto_reply", "greeting", "bot", "enabled", "priority_reception",
    "reply_rate", "window", "threshold", "groups", "entries", "agents", "id", "weight",
    "mobile", "max_concurrent", "rules", "kind", "match", "group", "crowds", "vip",
    "dedicated", "buyers",
)  # fmt: skip
SCALAR_TEXT = (
    "shop_home", "item_detail", "contact_list", "order", "订单", "presale", "shop:a",
    "shop:b", "3m", "0s", "10m", "1h30m", "-1s", "99999999999h", "Asia/Shanghai",
    "Mars/Olympus", "../../etc/passwd", "UTC", "08:00-24:00", "24:00-08:00", "25:61-00:00",
    "group:presale", "agent:shop:a", "group:", "agent:", "first_available", "offline",
    "shop", "crowd", "intent", "item", "order_status", "", " ", "\x00", "\u202e", "=1+1",
)  # fmt: skip

keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))
scalars = st.one_of(
    st.sampled_from(SCALAR_TEXT),
    st.text(max_size=20),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 1, 100, 200, 201, 1000, 1001, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)),
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)
documents = st.dictionaries(keys, values, max_size=8)


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid config with a few leaves replaced, deleted or added: reaches the deep checks."""
    document = copy.deepcopy(
        minimal_document(
            routing={"offline_delay": "3m", "fallback": "shop"},
            offline={"policy": "group:presale"},
            rules=[{"kind": "intent", "match": ["退货"], "group": "presale"}],
            crowds={"vip": ["b1"]},
            dedicated={"priority_reception": True, "buyers": {"b1": "shop:a"}},
        )
    )
    for _ in range(draw(st.integers(1, 4))):
        parent: Any = document
        while True:
            children = list(parent.items()) if isinstance(parent, dict) else list(enumerate(parent))
            if not children:
                break
            key, child = draw(st.sampled_from(children))
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                parent = child
                continue
            action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
            if action == "replace":
                parent[key] = draw(values)
            elif action == "delete":
                del parent[key]
            elif isinstance(parent, dict):
                parent[draw(keys)] = draw(values)
            else:
                parent.append(draw(values))
            break
    return document


ENTRY_NAMES = ("shop_home", "item_detail", "contact_list", "order")
DURATIONS = ("1m", "90s", "3m", "10m", "15m", "1h")


@st.composite
def sensible_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Configs drawn from each key's own range: mostly valid, so replay gets to run."""
    group_names = draw(st.lists(st.sampled_from(["pre", "after", "vip", "售后"]), min_size=1,
                                max_size=3, unique=True))  # fmt: skip
    groups = [
        {"name": name, "entries": draw(st.lists(st.sampled_from(ENTRY_NAMES), unique=True))}
        for name in group_names
    ]
    agent_ids = [f"s:{i}" for i in range(draw(st.integers(0, 4)))]
    agents = [
        {
            "id": agent_id,
            "groups": draw(st.lists(st.sampled_from(group_names), unique=True)),
            "weight": draw(st.sampled_from([1, 2, 100, 300, 1000])),
            "routing": draw(st.booleans()),
            "mobile": draw(st.booleans()),
            "max_concurrent": draw(st.sampled_from([1, 2, 3, 20, 200])),
        }
        for agent_id in agent_ids
    ]
    policy_targets = ["first_available", "recent_contact"]
    policy_targets += [f"group:{g}" for g in group_names] + [f"agent:{a}" for a in agent_ids]
    document: dict[str, Any] = {
        "shop": {"name": "fuzz", "timezone": draw(st.sampled_from(
            ["Asia/Shanghai", "UTC", "America/New_York", "Pacific/Kiritimati"]))},
        "routing": {
            "mobile_reception": draw(st.booleans()),
            "offline_routing": draw(st.booleans()),
            "offline_delay": draw(st.sampled_from(["0s", "2m", "3m", "10m"])),
            "session_timeout": draw(st.sampled_from(DURATIONS)),
            "fallback": draw(st.sampled_from(["shop", "offline"])),
        },
        "offline": {"policy": draw(st.sampled_from(policy_targets)),
                    "pool_retention_days": draw(st.sampled_from([1, 30]))},
        "bot": {"enabled": draw(st.booleans()), "priority_reception": draw(st.booleans())},
        "reply_rate": {"window": draw(st.sampled_from(["08:00-24:00", "00:00-24:00",
                                                       "12:00-13:30"])),
                       "threshold": draw(st.sampled_from(DURATIONS))},
        "groups": groups,
        "agents": agents,
    }  # fmt: skip
    if draw(st.booleans()):
        document["auto_reply"] = {"greeting": "亲", "offline": "=HYPERLINK(1)"}
    rules = [
        {"kind": kind, "match": draw(st.lists(st.sampled_from(["1", "vip", "退货", "paid"]),
                                              min_size=1, unique=True)),
         "group": draw(st.sampled_from(group_names))}
        for kind in draw(st.lists(st.sampled_from(["crowd", "intent", "item", "order_status"])))
    ]  # fmt: skip
    if rules:
        document["rules"] = rules
        document["crowds"] = {"vip": ["b1", "b2"], "1": ["b3"], "退货": [], "paid": ["b4"]}
    with_dedicated: bool = draw(st.booleans())
    if agent_ids and with_dedicated:
        document["dedicated"] = {
            "priority_reception": draw(st.booleans()),
            "buyers": {f"b{i}": draw(st.sampled_from(agent_ids)) for i in range(3)},
        }
    return document


def _dumps(document: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):
        return None  # tomli-w cannot write it (e.g. a table inside an inline array)


def _assert_clean_check(text: str, source: str = "fuzz.toml") -> None:
    config, problems = check_config_text(text, source)
    errors = [p for p in problems if p.severity == "error"]
    assert (config is None) == bool(errors)
    for problem in problems:
        assert str(problem).startswith(f"{source}:") or str(problem).startswith(f"{source} ")
        assert problem.message
        json.dumps(problem.as_dict())  # every field is plain data


def assert_no_traceback(result: Result) -> None:
    """CliRunner: ended by SystemExit (or nothing), and no traceback printed."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr


# --- functions ----------------------------------------------------------------------


@given(documents)
def test_random_toml_documents_give_a_config_or_problems(document: dict[str, Any]) -> None:
    text = _dumps(document)
    if text is not None:
        _assert_clean_check(text)


@given(mutated_documents())
def test_mutated_valid_configs_give_a_config_or_problems(document: dict[str, Any]) -> None:
    text = _dumps(document)
    if text is not None:
        _assert_clean_check(text)


@given(st.text(max_size=300))
def test_arbitrary_text_gives_problems_not_exceptions(text: str) -> None:
    _assert_clean_check(text)


toml_ish = st.lists(
    st.sampled_from(
        ["[shop]\n", 'name = "x"\n', "[[agents]]\n", 'id = "a"\n', "[", "]", "{", "}", "=",
         '"', "'''", '"""', "\\", "\n", "\r\n", "\r", "#", "a.b.c", "[[", "]]", ",", "1979-05-27",
         "inf", "0x", "\x00", "\ufeff", "中文", " ", "\t"]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@given(toml_ish)
def test_toml_shaped_noise_gives_problems_not_exceptions(text: str) -> None:
    _assert_clean_check(text)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_say_why(data: bytes) -> None:
    text, problems = decode_config(data, "fuzz.toml")
    if text is None:
        assert len(problems) == 1 and problems[0].severity == "error"
    else:
        assert problems == []
        _assert_clean_check(text)


# --- through the CLI ----------------------------------------------------------------

cli_settings = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@cli_settings
@given(st.one_of(documents, mutated_documents()))
def test_validate_cli_on_random_configs(tmp_path: Path, document: dict[str, Any]) -> None:
    text = _dumps(document)
    if text is None:
        return
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert_no_traceback(result)
    assert result.exit_code in (0, 1), result.output
    json.loads(result.stdout)


@cli_settings
@given(st.binary(max_size=200))
def test_validate_cli_on_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert_no_traceback(result)
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert f"{path}: invalid" in result.stdout


@cli_settings
@given(st.one_of(sensible_documents(), mutated_documents()), st.integers(0, 3))
def test_any_config_that_validates_replays_its_generated_log(
    tmp_path: Path, document: dict[str, Any], seed: int
) -> None:
    """Valid config -> its generated log replays with exit 0, one row per message row.

    An invalid one stops ``replay`` and ``report`` with exit 1 and the config's problems.
    """
    text = _dumps(document)
    if text is None:
        return
    config, _ = check_config_text(text, "fuzz.toml")
    config_path = tmp_path / "fuzz.toml"
    config_path.write_text(text, encoding="utf-8")
    log = tmp_path / "log.csv"
    rows = list(generate_rows(config, seed=seed, rows=40)) if config is not None else []
    with log.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([COLUMNS, *rows])
    messages = sum(1 for row in rows if row[1] == "message")
    for command in (["replay", "--format", "csv"], ["report", "--format", "json"]):
        result = CliRunner().invoke(
            cli, [command[0], str(log), "-c", str(config_path), *command[1:]]
        )
        assert_no_traceback(result)
        if config is None:
            assert result.exit_code == 1
            assert result.stderr.startswith(f"routectl: error: invalid config {config_path}")
            continue
        assert result.exit_code == 0, result.stderr
        if command[0] == "replay":
            assert len(result.stdout.splitlines()) == messages + 1
        else:
            assert json.loads(result.stdout)["summary"]["messages"] == messages


# --- limits and pathological TOML -----------------------------------------------------


def test_config_of_exactly_the_cap_is_read(tmp_path: Path) -> None:
    body = tomli_w.dumps(minimal_document()).encode()
    padding = b"#" * (MAX_CONFIG_BYTES - len(body) - 1) + b"\n"
    path = tmp_path / "big.toml"
    path.write_bytes(body + padding)
    assert path.stat().st_size == MAX_CONFIG_BYTES
    checked = check_config_file(str(path))
    assert checked.config is not None and checked.errors == []


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_config_over_the_cap_is_an_invalid_config(tmp_path: Path, source: str) -> None:
    data = b"#" * MAX_CONFIG_BYTES + b"\n"
    path = tmp_path / "big.toml"
    path.write_bytes(data)
    runner = CliRunner()
    if source == "file":
        result = runner.invoke(cli, ["validate", str(path)])
        name = str(path)
    else:
        result = runner.invoke(cli, ["validate", "-"], input=data)
        name = "<stdin>"
    assert_no_traceback(result)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{name}: error: config is larger than 1 MiB\n")
    replay = runner.invoke(cli, ["replay", "-", "-c", str(path)], input="time,event\n")
    assert replay.exit_code == 1
    assert replay.stderr == (
        f"routectl: error: invalid config {path} (1 error):\n"
        f"  {path}: config is larger than 1 MiB\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_config_stream_is_refused_after_the_cap() -> None:
    # /dev/zero (or a FIFO that never ends) must not fill the memory.
    result = CliRunner().invoke(cli, ["validate", "/dev/zero"])
    assert result.exit_code == 1
    assert "/dev/zero: error: config is larger than 1 MiB" in result.stdout


NESTING = [2, 10, 100, 400, 1000, 10_000, 100_000]


@pytest.mark.parametrize("depth", NESTING)
@pytest.mark.parametrize(
    "template",
    [
        "x = {array}",
        "x = {table}",
        '[shop]\nname = "s"\n[[agents]]\nid = "a"\ngroups = {array}',
        '[shop]\nname = "s"\n[dedicated]\nbuyers = {table}',
        '[shop]\nname = "s"\n[crowds]\nvip = {array}',
    ],
)
def test_deeply_nested_toml_is_a_clean_error(tmp_path: Path, depth: int, template: str) -> None:
    array = "[" * depth + "]" * depth
    table = "{a = " * depth + "1" + "}" * depth
    path = tmp_path / "deep.toml"
    path.write_text(template.format(array=array, table=table), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert_no_traceback(result)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}")
    if depth >= 10_000:  # tomllib's recursion ends it: one clear sentence
        assert first == f"{path}: error: not valid TOML: nested too deeply"


def test_deep_dotted_key_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "dotted.toml"
    path.write_text("a" + ".a" * 50_000 + " = 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert_no_traceback(result)
    assert result.exit_code == 1


@pytest.mark.parametrize(("parts", "refused"), [(64, False), (65, True)])
@pytest.mark.parametrize("where", ["{key} = 1", "[{key}]", "x = {{ {key} = 1 }}"])
def test_dotted_keys_up_to_64_parts_reach_the_parser(parts: int, refused: bool, where: str) -> None:
    key = ".".join(["k"] * parts)
    text = '[shop]\nname = "s"\n' + where.format(key=key) + "\n"
    _, problems = check_config_text(text, "keys.toml")
    nested = [str(p) for p in problems if "nested too deeply" in p.message]
    assert nested == (["keys.toml:3: error: not valid TOML: nested too deeply"] if refused else [])


def test_dotted_text_inside_a_string_is_not_a_key() -> None:
    text = '[shop]\nname = "' + "a." * 200 + '"\n'
    config, problems = check_config_text(text, "s.toml")
    assert config is not None and not [p for p in problems if p.severity == "error"]
