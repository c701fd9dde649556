"""The keys of each config table: type, range and the model attribute each one sets.

A *check* takes the raw TOML value and a ``report(sub_path, message)`` callback and
returns the converted value, or :data:`INVALID` after reporting why. Defaults are not
repeated here: a key that is absent is left to the model dataclass's own default.
docs/config.md documents every key below; keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from routectl.config.problems import KeyPath, did_you_mean, quoted_list, toml_repr
from routectl.durations import format_duration, parse_duration
from routectl.model import ENTRIES, RULE_KINDS, OfflinePolicy

Report = Callable[[KeyPath, str], None]
Check = Callable[[Any, Report], Any]


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
"""Returned by a check that reported a problem."""

ENTRY_ALIASES = {
    "店铺首页": "shop_home",
    "商品详情页": "item_detail",
    "联系人列表": "contact_list",
    "订单": "order",
}
"""The log accepts Chinese entry names; the config does not, but points to them."""

_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DURATION_HINT = 'like "90s", "3m" or "1h"'


class Field(NamedTuple):
    """One key of a table. ``attr`` is the model attribute (a tuple splits the value);
    ``required`` is the hint shown when a required key is missing."""

    name: str
    check: Check
    attr: str | tuple[str, ...] = ""
    required: str | None = None

    @property
    def attrs(self) -> tuple[str, ...]:
        if isinstance(self.attr, tuple):
            return self.attr
        return (self.attr or self.name,)


# --- checks -------------------------------------------------------------------------


def boolean(value: Any, report: Report) -> Any:
    if isinstance(value, bool):
        return value
    report((), f"must be true or false, got {toml_repr(value)}")
    return INVALID


def name(value: Any, report: Report) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    report((), f"must be a non-empty string, got {toml_repr(value)}")
    return INVALID


def optional_text(value: Any, report: Report) -> Any:
    """A message text; an empty string means none."""
    if isinstance(value, str):
        return value if value.strip() else None
    report((), f"must be a string, got {toml_repr(value)}")
    return INVALID


def integer(low: int, high: int) -> Check:
    def check(value: Any, report: Report) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        report((), f"must be an integer from {low} to {high}, got {toml_repr(value)}")
        return INVALID

    return check


def duration(low: int, high: int) -> Check:
    def check(value: Any, report: Report) -> Any:
        seconds = None
        if isinstance(value, str):
            try:
                seconds = parse_duration(value)
            except ValueError:
                seconds = None
        if seconds is not None and low <= seconds <= high:
            return seconds
        span = f"from {format_duration(low)} to {format_duration(high)}"
        report((), f"must be a duration {span} ({_DURATION_HINT}), got {toml_repr(value)}")
        return INVALID

    return check


def choice(*options: str) -> Check:
    def check(value: Any, report: Report) -> Any:
        if isinstance(value, str) and value in options:
            return value
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        report((), f"must be one of {quoted_list(options)}, got {toml_repr(value)}{hint}")
        return INVALID

    return check


def window(value: Any, report: Report) -> Any:
    match = _WINDOW.match(value) if isinstance(value, str) else None
    if match is None:
        report((), f'must look like "08:00-24:00" (HH:MM-HH:MM), got {toml_repr(value)}')
        return INVALID
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        report(
            (),
            "not a time of day: hours 00-23, minutes 00-59, end may be 24:00, "
            f"got {toml_repr(value)}",
        )
        return INVALID
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start >= end:
        report((), f"the start must be before the end (end may be 24:00), got {toml_repr(value)}")
        return INVALID
    return (start, end)


def timezone(value: Any, report: Report) -> Any:
    if not isinstance(value, str):
        report((), f'must be an IANA time zone name like "Asia/Shanghai", got {toml_repr(value)}')
        return INVALID
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        hint = did_you_mean(value, zoneinfo.available_timezones())
        report((), f"unknown time zone {toml_repr(value)}{hint}")
        return INVALID
    return value


def policy(value: Any, report: Report) -> Any:
    """Syntax only; the named group or agent is checked once all are known."""
    if isinstance(value, str):
        kind, colon, target = value.partition(":")
        if not colon and kind in ("first_available", "recent_contact"):
            return OfflinePolicy(kind)  # type: ignore[arg-type]
        if colon and kind in ("group", "agent") and target.strip():
            return OfflinePolicy(kind, target)  # type: ignore[arg-type]
    hint = (
        did_you_mean(value, ("first_available", "recent_contact")) if isinstance(value, str) else ""
    )
    report(
        (),
        'must be "first_available", "recent_contact", "group:<name>" or "agent:<id>", '
        f"got {toml_repr(value)}{hint}",
    )
    return INVALID


def names(*, non_empty: bool = False, what: str = "strings") -> Check:
    """An array of non-empty strings (``what`` words the message)."""

    def check(value: Any, report: Report) -> Any:
        if not isinstance(value, list) or (non_empty and not value):
            size = "a non-empty array" if non_empty else "an array"
            report((), f"must be {size} of {what}, got {toml_repr(value)}")
            return INVALID
        ok = True
        for index, item in enumerate(value):
            if not (isinstance(item, str) and item.strip()):
                hint = f' (quote it: "{item}")' if isinstance(item, int | float) else ""
                report((index,), f"must be a non-empty string, got {toml_repr(item)}{hint}")
                ok = False
        return tuple(value) if ok else INVALID

    return check


def entries(value: Any, report: Report) -> Any:
    checked = names(what="entry names")(value, report)
    if checked is INVALID:
        return INVALID
    ok = True
    for index, entry in enumerate(checked):
        if entry not in ENTRIES:
            alias = ENTRY_ALIASES.get(entry)
            hint = f"; did you mean '{alias}'?" if alias else did_you_mean(entry, ENTRIES)
            if not hint:
                hint = f"; entries are {quoted_list(ENTRIES)}"
            report((index,), f"unknown entry '{entry}'{hint}")
            ok = False
    return checked if ok else INVALID


def buyer_map(value: Any, report: Report) -> Any:
    """``{ buyer = "agent id" }``; the agents are checked once all are known."""
    if not isinstance(value, dict):
        report((), f'must be a table of buyer = "agent id", got {toml_repr(value)}')
        return INVALID
    ok = True
    for buyer, agent in value.items():
        if not (isinstance(agent, str) and agent.strip()):
            report((buyer,), f"must be an agent id (a non-empty string), got {toml_repr(agent)}")
            ok = False
    return dict(value) if ok else INVALID


def crowd(value: Any, report: Report) -> Any:
    checked = names(what="buyer names")(value, report)
    return INVALID if checked is INVALID else frozenset(checked)


# --- tables -------------------------------------------------------------------------

SHOP = (
    Field("name", name, required='every config needs a shop name: name = "..." under [shop]'),
    Field("timezone", timezone),
)
ROUTING = (
    Field("mobile_reception", boolean),
    Field("offline_routing", boolean),
    Field("offline_delay", duration(0, 600), "offline_delay_s"),
    Field("session_timeout", duration(60, 86400), "session_timeout_s"),
    Field("fallback", choice("shop", "offline")),
)
OFFLINE = (
    Field("policy", policy),
    Field("pool_retention_days", integer(1, 365)),
)
AUTO_REPLY = (Field("greeting", optional_text), Field("offline", optional_text))
BOT = (Field("enabled", boolean), Field("priority_reception", boolean))
REPLY_RATE = (
    Field("window", window, ("window_start_s", "window_end_s")),
    Field("threshold", duration(1, 3600), "threshold_s"),
    Field("avg_window", window, ("avg_window_start_s", "avg_window_end_s")),
    Field("avg_cap", duration(1, 86400), "avg_cap_s"),
    Field("slow_after", duration(1, 3600), "slow_after_s"),
)
SALES = (Field("conversion_window", duration(60, 30 * 86400), "conversion_window_s"),)
GROUP = (
    Field("name", name, required='every group needs a name: name = "presale"'),
    Field("entries", entries),
    Field("balance", choice("weight", "busyness")),
)
AGENT = (
    Field("id", name, required='every agent needs an id: id = "shop:alice"'),
    Field("groups", names(what="group names")),
    Field("weight", integer(1, 1000)),
    Field("routing", boolean),
    Field("mobile", boolean),
    Field("max_concurrent", integer(1, 200)),
)
RULE = (
    Field(
        "kind", choice(*RULE_KINDS), required=f"every rule needs a kind: {' | '.join(RULE_KINDS)}"
    ),
    Field(
        "match",
        names(non_empty=True, what="values to match"),
        required='every rule needs the values it matches: match = ["..."]',
    ),
    Field("group", name, required="every rule needs the group it sends buyers to"),
)
DEDICATED = (Field("priority_reception", boolean), Field("buyers", buyer_map))

TABLES: dict[str, tuple[Field, ...]] = {
    "shop": SHOP,
    "routing": ROUTING,
    "offline": OFFLINE,
    "auto_reply": AUTO_REPLY,
    "bot": BOT,
    "reply_rate": REPLY_RATE,
    "sales": SALES,
    "dedicated": DEDICATED,
}
ARRAYS: dict[str, tuple[Field, ...]] = {"groups": GROUP, "agents": AGENT, "rules": RULE}
TOP_LEVEL: tuple[str, ...] = (*TABLES, *ARRAYS, "crowds")
