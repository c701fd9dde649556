"""``routectl schema``: the JSON Schema of the shop config, for editors and CI."""

from __future__ import annotations

import click

from routectl.config.jsonschema import config_schema
from routectl.helptext import Command
from routectl.options import output_option
from routectl.output import dumps_json, open_output


@click.command("schema", cls=Command)
@output_option
def schema(output_path: str) -> None:
    """Print the JSON Schema (draft 2020-12) of the shop config.

    Generated from the same key tables the config loader uses. Save it next to the
    config and point the editor at it with a first line in the TOML file:

    \b
      routectl schema -o shopconfig.schema.json
      #:schema ./shopconfig.schema.json      (Even Better TOML / Taplo)

    The schema catches misspelt keys and wrong types while typing; routectl validate
    is the full check (names that must exist, ranges of durations). More: docs/cli.md
    """
    with open_output(output_path) as out:
        out.write(dumps_json(config_schema()))
