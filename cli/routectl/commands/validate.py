"""``routectl validate [CONFIG]...``: check shop configs, every problem at once."""

from __future__ import annotations

import click

from routectl.config import check_config_file
from routectl.config.loader import source_name
from routectl.config.render import FORMATS, Outcome, exit_code, render
from routectl.errors import UsageProblem, error_line
from routectl.helptext import Command
from routectl.i18n import set_lang
from routectl.options import config_option
from routectl.stdio import write_stdout


@click.command("validate", cls=Command)
@click.argument("configs", nargs=-1, metavar="[CONFIG]...")
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text; json; github = GitHub Actions ::error/::warning annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
def validate(configs: tuple[str, ...], config_path: str, fmt: str, strict: bool) -> int:
    """Check shop configs (CONFIG may be -, standard input; default: the -c config).

    Problems and a summary go to standard output, unreadable files to standard error.
    Exit 0 valid, 1 invalid (or warnings with --strict), 2 a file cannot be read;
    every file is checked and the worst status wins.
    """
    if fmt == "json":  # for scripts: messages in English whatever the language
        set_lang("en")
    outcomes = []
    for path in configs or (config_path,):
        try:
            outcomes.append(Outcome(source_name(path), check_config_file(path)))
        except UsageProblem as exc:
            click.echo(error_line(exc.display()), err=True)
            outcomes.append(Outcome(source_name(path), error=exc.message))
    write_stdout(render(outcomes, fmt, strict))
    return exit_code(outcomes, strict)
