"""The JSON Schema (draft 2020-12) of the shop config, built from :mod:`.schema`.

One source of truth: the same ``Field`` tables the loader checks against give the keys,
their types and ranges (:func:`schema.json_shape` of each check), what is required and the
descriptions editors show. What a schema cannot say (duration ranges, that a group or
agent named somewhere exists, unique names, a real time zone) stays with the loader:
``routectl validate`` is the full check, the schema the editor's first line of help.
"""

from __future__ import annotations

from typing import Any

from routectl.config import schema
from routectl.config.schema import Field

DIALECT = "https://json-schema.org/draft/2020-12/schema"

TABLE_DESCRIPTIONS = {
    "shop": "The shop: its name and time zone.",
    "routing": "How buyer messages are routed (R2, R6, R13, R15).",
    "offline": "The offline pool (R14, R17).",
    "auto_reply": "Automatic replies to buyers.",
    "bot": "The shop bot, 店小蜜 (R11).",
    "reply_rate": "How the reply and response rates are counted (R19-R24).",
    "sales": "Sales conversion (R25).",
    "dedicated": "Dedicated agents, 专属客服 (R10).",
    "groups": "Agent groups, 客服分组: each serves some entries (R12, R13).",
    "agents": "Customer-service sub-accounts, 子账号 (R1-R4, R13).",
    "rules": "Special routing rules (R12): matching buyers go to a group.",
    "crowds": 'Named buyer sets for kind = "crowd" rules: name = ["buyer", ...].',
}


def config_schema() -> dict[str, Any]:
    """The whole schema as a JSON-ready dict (key order fixed: stable output)."""
    properties: dict[str, Any] = {}
    for name in schema.TOP_LEVEL:
        if name in schema.TABLES:
            properties[name] = _table(schema.TABLES[name], TABLE_DESCRIPTIONS[name])
        elif name in schema.ARRAYS:
            item = _table(schema.ARRAYS[name], TABLE_DESCRIPTIONS[name])
            properties[name] = {
                "description": TABLE_DESCRIPTIONS[name],
                "type": "array",
                "items": item,
            }
        else:  # crowds: free names, each a list of buyers
            properties[name] = {
                "description": TABLE_DESCRIPTIONS[name],
                "type": "object",
                "additionalProperties": schema.json_shape(schema.crowd),
            }
    return {
        "$schema": DIALECT,
        "title": "routectl shop config",
        "description": "A shop's customer-service routing for routectl. Check it fully "
        "with: routectl validate",
        "type": "object",
        "properties": properties,
        "required": ["shop"],
        "additionalProperties": False,
    }


def _table(fields: tuple[Field, ...], description: str) -> dict[str, Any]:
    table: dict[str, Any] = {
        "description": description,
        "type": "object",
        "properties": {field.name: _key(field) for field in fields},
        "additionalProperties": False,
    }
    required = [field.name for field in fields if field.required]
    if required:
        table["required"] = required
    return table


def _key(field: Field) -> dict[str, Any]:
    return {"description": field.description, **schema.json_shape(field.check)}
