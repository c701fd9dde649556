"""``routectl config [CONFIG]``: the effective config, every default filled in."""

from __future__ import annotations

from typing import Any

import click

from routectl.config import load_config
from routectl.config.loader import read_config_bytes, source_name
from routectl.helptext import Command
from routectl.options import config_option, output_option


@click.command("config", cls=Command)
@click.argument("config_arg", required=False, metavar="[CONFIG]")
@config_option
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "json"]),
    default="toml",
    show_default=True,
    help="toml loads back to the same config; json for scripts.",
)
def config(config_arg: str | None, config_path: str, output_path: str, fmt: str) -> None:
    """Print the effective config of CONFIG (default: the -c config) with every default.

    The TOML output is itself a valid config that loads to the same settings.
    """
    path = config_arg or config_path
    shop_config = load_config(path)
    from routectl.config.effective import effective_document, effective_toml
    from routectl.output import dumps_json, open_output

    written = _written(path)
    if fmt == "json":
        text = dumps_json(effective_document(shop_config, written))
    else:
        text = effective_toml(shop_config, source_name(path), written)
    with open_output(output_path, inputs=(path,)) as out:
        out.write(text)


def _written(path: str) -> dict[str, Any] | None:
    """The config's own TOML, for the spellings it chose; None for standard input (read
    once already) or when it does not parse again."""
    if path == "-":
        return None
    import tomllib

    try:
        return tomllib.loads(read_config_bytes(path).decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None
