"""The ``routectl`` command group: lazy sub-command loading and one error path.

Sub-commands live one per module in :mod:`routectl.commands` and are imported only
when used, so ``routectl --help`` and ``routectl validate`` start fast.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

import click

from routectl import __version__, build
from routectl.errors import RoutectlError, Terminated, UsageProblem, error_line, os_reason
from routectl.helptext import Group, choose_lang, tidy, use_catalogue_for_click
from routectl.i18n import LANGS, N_, _, set_lang
from routectl.safetext import printable

# name -> "module:attribute"; the order here is the order of `routectl --help`.
COMMANDS: dict[str, str] = {
    "validate": "routectl.commands.validate:validate",
    "replay": "routectl.commands.replay:replay",
    "report": "routectl.commands.report:report",
    "init": "routectl.commands.init:init",
    "config": "routectl.commands.config:config",
    "generate-log": "routectl.commands.generate_log:generate_log",
    "diff": "routectl.commands.diff:diff",
    "test": "routectl.commands.test:test",
    "schema": "routectl.commands.schema:schema",
    "model": "routectl.commands.model:model",
    "backtest": "routectl.commands.backtest:backtest_command",
    "plan": "routectl.commands.plan:plan_command",
}

COMMAND_SUMMARIES: dict[str, str] = {
    "validate": N_("Check shop configs; exit 1 on errors (and on warnings with --strict)."),
    "replay": N_("Route every buyer message of a log and say who got it and why."),
    "report": N_("Reply rate and an explained per-agent split, replayed from a log."),
    "init": N_("Write a commented starter config."),
    "config": N_("Print the effective config with every default filled in."),
    "generate-log": N_("Write a realistic, seeded event log for a config."),
    "diff": N_("Replay a log through two configs and show what the change would do."),
    "test": N_("Run routing test suites: short logs and the assignees they must get."),
    "schema": N_("Print the JSON Schema of the shop config (editors, CI)."),
    "model": N_("Learn how each agent answers and how buyers behave, from a log."),
    "backtest": N_("Predict a log's last days from its earlier ones; compare with actual."),
    "plan": N_("Agents needed each hour for a target response rate, by simulation; a rota."),
}


class RoutectlGroup(Group):
    """A group that imports sub-commands on demand and prints errors the routectl way."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from routectl.logio.headers import closest

            close = closest(name, list(COMMANDS))
            if close:
                hint = _("Did you mean {name}?").format(name=repr(close))
            else:
                hint = _("Commands: {names}.").format(names=", ".join(COMMANDS))
            ctx.fail(_("No such command {name}.").format(name=repr(name)) + " " + hint)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Summaries come from a table so that `--help` need not import every command.
        rows = [(name, _(COMMAND_SUMMARIES[name])) for name in COMMANDS]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if sys.stdin is None or sys.stdout is None:  # started with <&- or >&-
            from routectl.stdio import guard_closed_streams

            guard_closed_streams()
        set_lang(None)  # each run chooses again: --lang, else the locale
        use_catalogue_for_click()
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            # `routectl` alone: the help, as `routectl --help` prints it; not an error.
            click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
            sys.exit(0)
        except click.UsageError as exc:
            _print_usage_error(exc)
            sys.exit(2)
        except click.ClickException as exc:
            _print_error(printable(exc.format_message()))
            sys.exit(exc.exit_code)
        except RoutectlError as exc:
            _print_error(exc.display())
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo(_("routectl: interrupted"), err=True)
            sys.exit(130)
        except Terminated as exc:
            click.echo(_("routectl: stopped by {signal}").format(signal=exc.name), err=True)
            sys.exit(128 + exc.signum)
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(0)
        except OSError as exc:  # the last resort: an I/O error no command turned into words
            _silence_stdout()
            where = f"{exc.filename}: " if exc.filename else ""
            _print_error(printable(f"{where}{os_reason(exc)}"))
            sys.exit(2)
        except Exception as exc:  # a bug: one line for the user, the traceback on request
            if os.environ.get("ROUTECTL_DEBUG"):
                raise
            _print_error(
                printable(
                    _(
                        "internal error ({error}); please report it, "
                        "with ROUTECTL_DEBUG=1 set for the details"
                    ).format(error=f"{type(exc).__name__}: {exc}")
                )
            )
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _print_error(message: str) -> None:
    """``message`` has its values escaped already (:meth:`RoutectlError.display`)."""
    click.echo(error_line(message), err=True)


def _print_usage_error(exc: click.UsageError) -> None:
    if exc.ctx is not None:
        click.echo(exc.ctx.get_usage(), err=True)
        click.echo(
            _("Try '{command} --help' for help.").format(command=exc.ctx.command_path), err=True
        )
    _print_error(printable(tidy(exc.format_message())))


def _silence_stdout() -> None:
    """After the reader of a pipe went away, make the interpreter's final flush quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, UsageProblem):  # UsageProblem: a ClosedStream
        pass


@click.group(
    "routectl", cls=RoutectlGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _show_version(ctx, value),
    help="Show the version and whether this build is compiled or pure Python, and exit.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    expose_value=False,
    is_eager=True,
    callback=choose_lang,
    help="Language of help and messages [default: zh when the locale (LC_ALL, "
    "LC_MESSAGES, LANG) is Chinese, else en]. CSV and JSON keys never change.",
)
def cli() -> None:
    """Make a shop's customer-service routing explicit, testable and explainable.

    A shop config (TOML) says how buyer messages are split between agents; routectl
    checks it (validate), replays a real event log through the routing rules R1-R26
    (replay), reports the platform's figures and explains the split (report), shows
    what a config change would do (diff) and runs routing tests (test).

    Most commands read the config from -c/--config, $ROUTECTL_CONFIG or
    ./shopconfig.toml, in that order.
    """


def _terminate(signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C does, so that open outputs remove their temporary files.
    raise Terminated(signum)


def _show_version(ctx: click.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"routectl, version {__version__} ({build()})")
        ctx.exit()


def main() -> None:
    """Console-script entry point."""
    if hasattr(signal, "SIGPIPE"):
        # `routectl replay log.csv | head`: end quietly the way Unix tools do (status 141).
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # CI cancel, `timeout` and systemd send SIGTERM; a closed terminal SIGHUP.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminate)
    cli.main(prog_name="routectl")
