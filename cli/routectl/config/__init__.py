"""Load, check and lint shop configs (TOML).

Public surface (stable; commands and other modules use only these):

- :func:`load_config` -- path (``-`` = stdin) to :class:`ShopConfig`, or raise
  :class:`ConfigInvalid` (exit 1) / :class:`UsageProblem` (exit 2, unreadable file).
- :func:`check_config_text` -- text to ``(config or None, problems)``, never raises.
- :func:`check_config_file` -- path to a :class:`CheckedFile`; UsageProblem if unreadable.
- :class:`Problem` -- one error or warning with file, line, key path and warning code.

Inside: ``schema`` (keys, types, ranges), ``build`` (TOML document -> model, errors),
``lint`` (warnings), ``locate`` (TOML lines of key paths), ``render`` (validate
output) and ``effective`` (model -> TOML document for ``routectl config``).
"""

from routectl.config.loader import (
    CheckedFile,
    ConfigInvalid,
    Problem,
    check_config_file,
    check_config_text,
    load_config,
)

__all__ = [
    "CheckedFile",
    "ConfigInvalid",
    "Problem",
    "check_config_file",
    "check_config_text",
    "load_config",
]
