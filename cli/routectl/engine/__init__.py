"""The routing engine (R1-R17): pure, deterministic, streaming. See :mod:`.core`."""

from routectl.engine.core import Engine

__all__ = ["Engine"]
