"""Shared fixtures: a CliRunner, config writers (tomli-w) and config builders."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from routectl.i18n import set_lang
from routectl.model import Agent, Group, Shop, ShopConfig

# Every profile a plain `pytest` can pick is derandomized and keeps no example database,
# so the README's test command gives the same answer on every run and every clone. The
# fuzz profile (random, many examples) explores by hand:
#   HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest tests/test_fuzz_*.py
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "shopconfig.example.toml"


@pytest.fixture(autouse=True)
def english_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English whatever the developer's locale (LANG=zh_CN...):
    the locale variables cleared, LANG=C.UTF-8 and no --lang left from another test.
    A test that wants Chinese passes --lang zh or env={"LANG": "zh_CN.UTF-8"}."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_lang(None)
    yield
    set_lang(None)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config document (a dict) as TOML with tomli-w and return its path."""

    def write(document: dict[str, Any], name: str = "shopconfig.toml") -> Path:
        path = tmp_path / name
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
        return path

    return write


def minimal_document(**sections: Any) -> dict[str, Any]:
    """A small valid config document; keyword arguments replace whole sections."""
    document: dict[str, Any] = {
        "shop": {"name": "test shop"},
        "groups": [{"name": "presale", "entries": ["shop_home", "item_detail", "contact_list"]}],
        "agents": [
            {"id": "shop:a", "groups": ["presale"], "weight": 300},
            {"id": "shop:b", "groups": ["presale"], "weight": 100},
        ],
    }
    document.update(sections)
    return document


def make_config(agents: tuple[Agent, ...] | None = None, **fields: Any) -> ShopConfig:
    """A ShopConfig built directly (no TOML): two presale agents unless told otherwise."""
    if agents is None:
        agents = (
            Agent("shop:a", ("presale",), weight=300),
            Agent("shop:b", ("presale",), weight=100),
        )
    fields.setdefault("groups", (Group("presale", ("shop_home", "item_detail", "contact_list")),))
    return ShopConfig(shop=fields.pop("shop", Shop("test shop")), agents=agents, **fields)
