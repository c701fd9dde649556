"""Load, check and lint shop configs (TOML).

Public surface (stable; commands and other modules use only these):

- :func:`load_config` -- path (``-`` = stdin) to :class:`ShopConfig`, or raise
  :class:`ConfigInvalid` (exit 1) / :class:`UsageProblem` (exit 2, unreadable file).
- :func:`check_config_text` -- text to ``(config or None, problems)``, never raises.
- :class:`Problem` -- one error or warning with file, line and key path.
"""

from routectl.config.loader import ConfigInvalid, Problem, check_config_text, load_config

__all__ = ["ConfigInvalid", "Problem", "check_config_text", "load_config"]
