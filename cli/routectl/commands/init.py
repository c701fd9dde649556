"""``routectl init [PATH]``: write the commented starter config."""

from __future__ import annotations

import click

from routectl.config.starter import write_starter
from routectl.helptext import Command
from routectl.i18n import _
from routectl.options import DEFAULT_CONFIG
from routectl.safetext import printable


@click.command("init", cls=Command)
@click.argument("path", default=DEFAULT_CONFIG, required=False)
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, force: bool) -> None:
    """Write a commented starter config to PATH (default shopconfig.toml; - = stdout).

    The starter validates with no warnings; edit the shop name, groups and agents,
    then run 'routectl validate'. An existing file is kept unless --force is given.
    """
    write_starter(path, force=force)
    if path != "-":
        shown = printable(path)
        message = _("wrote {path}; edit it, then check it with 'routectl validate {path}'")
        click.echo(message.format(path=shown))
