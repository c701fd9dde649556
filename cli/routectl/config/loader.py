"""TOML -> ShopConfig. (Provisional minimal version: converts and fills defaults.)"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from routectl.durations import parse_duration
from routectl.errors import RoutectlError, UsageProblem
from routectl.model import (
    Agent,
    AutoReply,
    Bot,
    Dedicated,
    Group,
    Offline,
    OfflinePolicy,
    ReplyRate,
    Routing,
    Rule,
    Shop,
    ShopConfig,
)  # fmt: skip

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    source: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        key = f"{self.path}: " if self.path else ""
        return f"{where}: {self.severity}: {key}{self.message}"


class ConfigInvalid(RoutectlError):
    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid config")
        self.problems = problems


def read_config_text(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file (create one with 'routectl init')") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"{path}: cannot read: {exc}") from None


def load_config(path: str) -> ShopConfig:
    config, problems = check_config_text(read_config_text(path), path)
    if config is None:
        raise ConfigInvalid(problems)
    return config


def check_config_text(text: str, source: str) -> tuple[ShopConfig | None, list[Problem]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem("error", source, "", f"not valid TOML: {exc}")]
    try:
        return _build(document), []
    except (KeyError, TypeError, ValueError) as exc:
        return None, [Problem("error", source, "", str(exc))]


def _build(doc: dict[str, Any]) -> ShopConfig:
    shop = doc["shop"]
    routing = doc.get("routing", {})
    offline = doc.get("offline", {})
    policy_text = offline.get("policy", "first_available")
    kind, _, target = policy_text.partition(":")
    reply_rate = doc.get("reply_rate", {})
    start, _, end = reply_rate.get("window", "08:00-24:00").partition("-")
    dedicated = doc.get("dedicated", {})
    return ShopConfig(
        shop=Shop(shop["name"], shop.get("timezone", "Asia/Shanghai")),
        routing=Routing(
            mobile_reception=routing.get("mobile_reception", False),
            offline_routing=routing.get("offline_routing", True),
            offline_delay_s=parse_duration(routing.get("offline_delay", "3m")),
            session_timeout_s=parse_duration(routing.get("session_timeout", "15m")),
            fallback=routing.get("fallback", "shop"),
        ),
        offline=Offline(
            OfflinePolicy(kind, target or None),
            offline.get("pool_retention_days", 30),
        ),
        auto_reply=AutoReply(**doc.get("auto_reply", {})),
        bot=Bot(**doc.get("bot", {})),
        reply_rate=ReplyRate(
            _clock(start), _clock(end), parse_duration(reply_rate.get("threshold", "3m"))
        ),
        groups=tuple(Group(g["name"], tuple(g.get("entries", ()))) for g in doc.get("groups", [])),
        agents=tuple(
            Agent(
                a["id"],
                tuple(a.get("groups", ())),
                a.get("weight", 100),
                a.get("routing", True),
                a.get("mobile", False),
                a.get("max_concurrent", 20),
            )
            for a in doc.get("agents", [])
        ),
        rules=tuple(Rule(r["kind"], tuple(r["match"]), r["group"]) for r in doc.get("rules", [])),
        crowds=MappingProxyType({k: frozenset(v) for k, v in doc.get("crowds", {}).items()}),
        dedicated=Dedicated(
            dedicated.get("priority_reception", False),
            MappingProxyType(dict(dedicated.get("buyers", {}))),
        ),
    )


def _clock(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    return int(hours) * 3600 + int(minutes or 0) * 60
