"""The model back to a TOML document, every default written out (``routectl config``).

The document loads back to an equal :class:`ShopConfig`: durations are written as the
config wrote them (``100s`` stays ``100s``, ``24h`` stays ``24h``) or, for a default, in
their shortest exact spelling; unset auto-replies are left out (TOML has no null), crowd
members are sorted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from routectl.durations import parse_duration, shortest_duration
from routectl.i18n import _
from routectl.model import ShopConfig

_DURATIONS = (
    ("routing", "offline_delay"), ("routing", "session_timeout"), ("reply_rate", "threshold"),
    ("reply_rate", "avg_cap"), ("reply_rate", "slow_after"), ("sales", "conversion_window"),
)  # fmt: skip


def effective_document(
    config: ShopConfig, written: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every key with its value; empty ``groups``, ``agents`` and ``rules`` are left out
    (TOML would put a bare ``groups = []`` above ``[shop]``). ``written`` is the config's
    parsed TOML: a duration it spells (``100s``) is kept as spelled."""
    document = _document(config)
    for name in ("groups", "agents", "rules"):
        if not document[name]:
            del document[name]
    for table, key in _DURATIONS:
        section = (written or {}).get(table)
        spelled = section.get(key) if isinstance(section, Mapping) else None
        if isinstance(spelled, str) and _same_duration(spelled, document[table][key]):
            document[table][key] = spelled.strip()
    return document


def _same_duration(spelled: str, effective: str) -> bool:
    try:
        return parse_duration(spelled) == parse_duration(effective)
    except ValueError:
        return False


def _document(config: ShopConfig) -> dict[str, Any]:
    routing, reply_rate = config.routing, config.reply_rate
    return {
        "shop": {"name": config.shop.name, "timezone": config.shop.timezone},
        "routing": {
            "mobile_reception": routing.mobile_reception,
            "offline_routing": routing.offline_routing,
            "offline_delay": shortest_duration(routing.offline_delay_s),
            "session_timeout": shortest_duration(routing.session_timeout_s),
            "fallback": routing.fallback,
        },
        "offline": {
            "policy": config.offline.policy.text,
            "pool_retention_days": config.offline.pool_retention_days,
        },
        "auto_reply": {
            key: value
            for key, value in (
                ("greeting", config.auto_reply.greeting),
                ("offline", config.auto_reply.offline),
            )
            if value is not None
        },
        "bot": {"enabled": config.bot.enabled, "priority_reception": config.bot.priority_reception},
        "reply_rate": {
            "window": reply_rate.window_text,
            "threshold": shortest_duration(reply_rate.threshold_s),
            "avg_window": reply_rate.avg_window_text,
            "avg_cap": shortest_duration(reply_rate.avg_cap_s),
            "slow_after": shortest_duration(reply_rate.slow_after_s),
        },
        "sales": {"conversion_window": shortest_duration(config.sales.conversion_window_s)},
        "groups": [
            {"name": g.name, "entries": list(g.entries), "balance": g.balance}
            for g in config.groups
        ],
        "agents": [
            {
                "id": a.id,
                "groups": list(a.groups),
                "weight": a.weight,
                "routing": a.routing,
                "mobile": a.mobile,
                "max_concurrent": a.max_concurrent,
            }
            for a in config.agents
        ],
        "rules": [{"kind": r.kind, "match": list(r.match), "group": r.group} for r in config.rules],
        "crowds": {name: sorted(members) for name, members in config.crowds.items()},
        "dedicated": {
            "priority_reception": config.dedicated.priority_reception,
            "buyers": dict(config.dedicated.buyers),
        },
    }


def effective_toml(
    config: ShopConfig, source: str, written: Mapping[str, Any] | None = None
) -> str:
    import tomli_w

    source = " ".join(source.splitlines())
    header = "".join(
        f"# {line}\n"
        for line in _(
            "Effective config of {source}: every default filled in (routectl config).\n"
            "Keys are explained in docs/config.md."
        )
        .format(source=source)
        .splitlines()
    )
    header += "\n"
    return header + tomli_w.dumps(effective_document(config, written))
