"""The starter config that ``routectl init`` writes (package data templates/starter.toml)."""

from __future__ import annotations

import os
import sys
from importlib import resources

from routectl.errors import RoutectlError, UsageProblem


def starter_text() -> str:
    return (resources.files("routectl") / "templates" / "starter.toml").read_text("utf-8")


def write_starter(path: str, *, force: bool) -> None:
    """Write the starter to ``path`` (``-`` = stdout); keep an existing file unless ``force``."""
    text = starter_text()
    if path == "-":
        sys.stdout.write(text)
        return
    if os.path.isdir(path):
        raise UsageProblem(f"{path}: is a folder; give a file name such as {path}/shopconfig.toml")
    if os.path.lexists(path) and not force:
        raise RoutectlError(f"{path} already exists; use --force to overwrite it")
    try:
        if force:
            from routectl.output import open_output

            with open_output(path) as out:
                out.write(text)
        else:
            # "x": never clobber a file that appeared since the check above.
            with open(path, "x", encoding="utf-8", newline="") as out:
                out.write(text)
    except FileExistsError:
        raise RoutectlError(f"{path} already exists; use --force to overwrite it") from None
    except OSError as exc:
        raise RoutectlError(f"{path}: cannot write: {exc.strerror or exc}") from None
