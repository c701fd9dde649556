"""`routectl schema`: the JSON Schema and the config loader agree (one source of truth).

For every example, corpus and starter config: the schema rejects a config only when the
loader does, and the loader's type and key errors are all errors for the schema too.
What a schema cannot say (a named group or agent exists, unique names, a duration's
range, a real time zone) is the loader's alone; those findings are left out below.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT
from routectl.cli import cli
from routectl.config import schema
from routectl.config.build import build_config
from routectl.config.jsonschema import config_schema
from routectl.config.problems import Finding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

jsonschema = pytest.importorskip("jsonschema")

CONFIGS = sorted(
    [
        *ROOT.glob("examples/*.toml"),
        ROOT / "shopconfig.example.toml",
        *(ROOT / "tests" / "corpus" / "configs").iterdir(),
        ROOT / "cli" / "routectl" / "templates" / "starter.toml",
    ]
)
SEMANTIC = re.compile(
    r"unknown (group|crowd|agent) '|duplicate |unknown time zone|not a time of day"
    r"|the start must be before"
)
"""Loader findings no JSON Schema can express (references, uniqueness, calendars)."""


def validator() -> Any:
    document = config_schema()
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def raw_value(document: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def schema_can_say(finding: Finding, document: dict[str, Any]) -> bool:
    """A type or key error: not a reference, a duplicate, a calendar or a duration range."""
    if SEMANTIC.search(finding.message):
        return False
    if finding.message.startswith("must be a duration"):
        value = raw_value(document, finding.parts)
        return not (
            isinstance(value, str) and re.fullmatch(schema.DURATION_PATTERN, value) is not None
        )
    return True


def parsed(path: Path) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None  # not TOML at all: nothing for a schema to say


def agree(document: dict[str, Any]) -> tuple[list[str], list[Finding]]:
    schema_errors = [error.message for error in validator().iter_errors(document)]
    _, findings = build_config(document)
    errors = [f for f in findings if f.severity == "error"]
    if schema_errors:
        assert errors, f"the schema rejects what the loader accepts: {schema_errors}"
    if any(schema_can_say(f, document) for f in errors):
        assert schema_errors, f"the loader finds type/key errors the schema misses: {errors}"
    return schema_errors, errors


def test_the_schema_is_valid_draft_2020_12() -> None:
    document = config_schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_schema_and_loader_agree_on_every_shipped_config(path: Path) -> None:
    document = parsed(path)
    if document is None:
        pytest.skip("not TOML text: the loader's alone")
    agree(document)


def test_every_valid_shipped_config_is_valid_for_the_schema() -> None:
    valid = [p for p in CONFIGS if (d := parsed(p)) is not None and build_config(d)[0]]
    assert len(valid) >= 4  # examples, the example shop, the starter
    for path in valid:
        document = parsed(path)
        assert document is not None
        assert list(validator().iter_errors(document)) == [], path


def example() -> dict[str, Any]:
    return tomllib.loads((ROOT / "shopconfig.example.toml").read_text(encoding="utf-8"))


def slots() -> list[tuple[str, str | None, schema.Field]]:
    """(table, array or None, field) for every key of every table."""
    out: list[tuple[str, str | None, schema.Field]] = []
    for table, fields in schema.TABLES.items():
        out += [(table, None, field) for field in fields]
    for array, fields in schema.ARRAYS.items():
        out += [(array, array, field) for field in fields]
    return out


def place(document: dict[str, Any], table: str, array: str | None) -> dict[str, Any]:
    if array is None:
        return document.setdefault(table, {})  # type: ignore[no-any-return]
    items = document.setdefault(array, [])
    if not items:
        items.append({"kind": "item", "match": ["1"], "group": "presale"})
    return items[0]  # type: ignore[no-any-return]


WRONG_TYPES = [12345, "not-a-valid-value ", True, ["x"], {"a": 1}, 1.5]


@pytest.mark.parametrize("table,array,field", slots(), ids=[f"{t}.{f.name}" for t, _, f in slots()])
def test_a_wrong_type_for_any_key_is_rejected_by_both(
    table: str, array: str | None, field: schema.Field
) -> None:
    shape = schema.json_shape(field.check)
    wrong = [v for v in WRONG_TYPES if not _same_json_type(v, shape["type"])]
    for value in wrong:
        document = example()
        place(document, table, array)[field.name] = value
        schema_errors, loader_errors = agree(document)
        assert schema_errors and loader_errors, (field.name, value)


def _same_json_type(value: Any, json_type: str) -> bool:
    python = {"boolean": bool, "integer": int, "string": str, "array": list, "object": dict}
    if json_type == "integer" and isinstance(value, bool):
        return False
    return isinstance(value, python[json_type])


@pytest.mark.parametrize("table,array,field", slots(), ids=[f"{t}.{f.name}" for t, _, f in slots()])
def test_a_misspelt_key_is_rejected_by_both(
    table: str, array: str | None, field: schema.Field
) -> None:
    document = example()
    where = place(document, table, array)
    where[field.name[:-1] + "x"] = where.pop(field.name, "x")
    schema_errors, loader_errors = agree(document)
    assert any("additional" in message.lower() for message in schema_errors)
    assert any(f.message.startswith("unknown key") for f in loader_errors)


@pytest.mark.parametrize(
    "mutation",
    [
        {"wieght_top": 1},
        {"routing": {"offline_delay": "3 minutes"}},
        {"reply_rate": {"window": "8:00-24:00"}},
        {"offline": {"policy": "whoever"}},
        {"groups": [{"name": "g", "entries": ["homepage"]}]},
        {"agents": [{"id": "a", "weight": 0}]},
        {"agents": [{"id": "a", "max_concurrent": 201}]},
        {"rules": [{"kind": "crowd", "match": [], "group": "g"}]},
        {"crowds": {"vip": [1, 2]}},
        {"dedicated": {"buyers": {"b": ""}}},
        {"shop": {"name": " "}},
    ],
)
def test_values_out_of_shape_are_rejected_by_both(mutation: dict[str, Any]) -> None:
    document = {"shop": {"name": "s"}, **mutation}
    schema_errors, loader_errors = agree(document)
    assert schema_errors and loader_errors


def test_schema_command_prints_the_schema_and_docs_copy_is_current(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document == config_schema()
    shipped = (ROOT / "docs" / "shopconfig.schema.json").read_text(encoding="utf-8")
    assert shipped == result.stdout, "run: routectl schema -o docs/shopconfig.schema.json"


def test_every_key_has_a_description_and_every_table_forbids_unknown_keys() -> None:
    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False, path
            for key, sub in node["properties"].items():
                assert sub.get("description"), f"{path}.{key} has no description"
                walk(sub, f"{path}.{key}")
        for key in ("items", "additionalProperties"):
            walk(node.get(key), f"{path}[]")

    walk(config_schema(), "$")
