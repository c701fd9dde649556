"""The starter config that ``routectl init`` writes (package data templates/starter.toml,
or starter.zh.toml, the same config with Chinese comments, in Chinese)."""

from __future__ import annotations

import os
from importlib import resources

from routectl.errors import RoutectlError, UsageProblem
from routectl.i18n import _, current_lang


def starter_text(lang: str | None = None) -> str:
    """The starter in ``lang`` (default: the current language)."""
    name = "starter.zh.toml" if (lang or current_lang()) == "zh" else "starter.toml"
    return (resources.files("routectl") / "templates" / name).read_text("utf-8")


def write_starter(path: str, *, force: bool) -> None:
    """Write the starter to ``path`` (``-`` = stdout); keep an existing file unless ``force``.

    The file appears whole or not at all (a full disk leaves nothing behind, so a second
    try does not find a 0-byte file "already there"); without ``force`` it is put in
    place only if nothing appeared there meanwhile.
    """
    from routectl.output import open_output
    from routectl.stdio import write_stdout

    text = starter_text()
    if path == "-":
        write_stdout(text)
        return
    if os.path.isdir(path):
        message = _("{path}: is a folder; give a file name such as {path}/shopconfig.toml")
        raise UsageProblem(message.format(path=path))
    if os.path.lexists(path) and not force:
        raise RoutectlError(_EXISTS().format(path=path))
    try:
        with open_output(path, exclusive=not force) as out:
            out.write(text)
    except FileExistsError:
        raise RoutectlError(_EXISTS().format(path=path)) from None


def _EXISTS() -> str:
    return _("{path} already exists; use --force to overwrite it")
