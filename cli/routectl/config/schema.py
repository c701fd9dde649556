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
from routectl.i18n import N_, _
from routectl.model import ENTRIES, RULE_KINDS, OfflinePolicy

Report = Callable[[KeyPath, str], None]
Check = Callable[[Any, Report], Any]


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
"""Returned by a check that reported a problem."""

_SHAPES: dict[Check, dict[str, Any]] = {}


def json_shape(check: Check) -> dict[str, Any]:
    """The JSON Schema of the values ``check`` accepts, as far as a schema can say it
    (``routectl schema``; duration ranges and names of groups or agents it cannot)."""
    return dict(_SHAPES.get(check, {}))


def _shaped(check: Check, shape: dict[str, Any]) -> Check:
    _SHAPES[check] = shape
    return check


NON_BLANK = r"\S"
DURATION_PATTERN = r"^\s*([0-9][0-9 ]*[dhmsDHMS] *)+\s*$"

ENTRY_ALIASES = {
    "店铺首页": "shop_home",
    "商品详情页": "item_detail",
    "联系人列表": "contact_list",
    "订单": "order",
}
"""The log accepts Chinese entry names; the config does not, but points to them."""

_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DURATION_HINT = N_('like "90s", "3m" or "1h"')


class Field(NamedTuple):
    """One key of a table. ``attr`` is the model attribute (a tuple splits the value);
    ``required`` is the hint shown when a required key is missing; ``description`` is
    what editors show for the key (``routectl schema``)."""

    name: str
    check: Check
    attr: str | tuple[str, ...] = ""
    required: str | None = None
    description: str = ""

    @property
    def attrs(self) -> tuple[str, ...]:
        if isinstance(self.attr, tuple):
            return self.attr
        return (self.attr or self.name,)


# --- checks -------------------------------------------------------------------------


def boolean(value: Any, report: Report) -> Any:
    if isinstance(value, bool):
        return value
    report((), _("must be true or false, got {value}").format(value=toml_repr(value)))
    return INVALID


def name(value: Any, report: Report) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    report((), _("must be a non-empty string, got {value}").format(value=toml_repr(value)))
    return INVALID


def optional_text(value: Any, report: Report) -> Any:
    """A message text; an empty string means none."""
    if isinstance(value, str):
        return value if value.strip() else None
    report((), _("must be a string, got {value}").format(value=toml_repr(value)))
    return INVALID


def integer(low: int, high: int) -> Check:
    def check(value: Any, report: Report) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        message = _("must be an integer from {low} to {high}, got {value}")
        report((), message.format(low=low, high=high, value=toml_repr(value)))
        return INVALID

    return _shaped(check, {"type": "integer", "minimum": low, "maximum": high})


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
        message = _("must be a duration from {low} to {high} ({hint}), got {value}")
        report(
            (),
            message.format(
                low=format_duration(low),
                high=format_duration(high),
                hint=_(_DURATION_HINT),
                value=toml_repr(value),
            ),
        )
        return INVALID

    return _shaped(check, {"type": "string", "pattern": DURATION_PATTERN})


def choice(*options: str) -> Check:
    def check(value: Any, report: Report) -> Any:
        if isinstance(value, str) and value in options:
            return value
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        message = _("must be one of {choices}, got {value}")
        report((), message.format(choices=quoted_list(options), value=toml_repr(value)) + hint)
        return INVALID

    return _shaped(check, {"type": "string", "enum": list(options)})


def window(value: Any, report: Report) -> Any:
    match = _WINDOW.match(value) if isinstance(value, str) else None
    if match is None:
        message = _('must look like "08:00-24:00" (HH:MM-HH:MM), got {value}')
        report((), message.format(value=toml_repr(value)))
        return INVALID
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        report(
            (),
            _(
                "not a time of day: hours 00-23, minutes 00-59, end may be 24:00, got {value}"
            ).format(value=toml_repr(value)),
        )
        return INVALID
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start >= end:
        message = _("the start must be before the end (end may be 24:00), got {value}")
        report((), message.format(value=toml_repr(value)))
        return INVALID
    return (start, end)


def timezone(value: Any, report: Report) -> Any:
    if not isinstance(value, str):
        message = _('must be an IANA time zone name like "Asia/Shanghai", got {value}')
        report((), message.format(value=toml_repr(value)))
        return INVALID
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        hint = did_you_mean(value, zoneinfo.available_timezones())
        report((), _("unknown time zone {value}").format(value=toml_repr(value)) + hint)
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
        _(
            'must be "first_available", "recent_contact", "group:<name>" or "agent:<id>", '
            "got {value}"
        ).format(value=toml_repr(value))
        + hint,
    )
    return INVALID


def names(*, non_empty: bool = False, what: str = N_("strings")) -> Check:
    """An array of non-empty strings (``what`` words the message)."""

    def check(value: Any, report: Report) -> Any:
        if not isinstance(value, list) or (non_empty and not value):
            message = (
                _("must be a non-empty array of {what}, got {value}")
                if non_empty
                else _("must be an array of {what}, got {value}")
            )
            report((), message.format(what=_(what), value=toml_repr(value)))
            return INVALID
        ok = True
        for index, item in enumerate(value):
            if not (isinstance(item, str) and item.strip()):
                hint = (
                    _(' (quote it: "{item}")').format(item=item)
                    if isinstance(item, int | float)
                    else ""
                )
                message = _("must be a non-empty string, got {value}")
                report((index,), message.format(value=toml_repr(item)) + hint)
                ok = False
        return tuple(value) if ok else INVALID

    shape: dict[str, Any] = {"type": "array", "items": {"type": "string", "pattern": NON_BLANK}}
    if non_empty:
        shape["minItems"] = 1
    return _shaped(check, shape)


def entries(value: Any, report: Report) -> Any:
    checked = names(what=N_("entry names"))(value, report)
    if checked is INVALID:
        return INVALID
    ok = True
    for index, entry in enumerate(checked):
        if entry not in ENTRIES:
            alias = ENTRY_ALIASES.get(entry)
            hint = (
                _("; did you mean {names}?").format(names=f"'{alias}'")
                if alias
                else did_you_mean(entry, ENTRIES)
            )
            if not hint:
                hint = _("; entries are {names}").format(names=quoted_list(ENTRIES))
            report((index,), _("unknown entry '{entry}'").format(entry=entry) + hint)
            ok = False
    return checked if ok else INVALID


def buyer_map(value: Any, report: Report) -> Any:
    """``{ buyer = "agent id" }``; the agents are checked once all are known."""
    if not isinstance(value, dict):
        message = _('must be a table of buyer = "agent id", got {value}')
        report((), message.format(value=toml_repr(value)))
        return INVALID
    ok = True
    for buyer, agent in value.items():
        if not (isinstance(agent, str) and agent.strip()):
            message = _("must be an agent id (a non-empty string), got {value}")
            report((buyer,), message.format(value=toml_repr(agent)))
            ok = False
    return dict(value) if ok else INVALID


def crowd(value: Any, report: Report) -> Any:
    checked = names(what=N_("buyer names"))(value, report)
    return INVALID if checked is INVALID else frozenset(checked)


_WINDOW_PATTERN = r"^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"
_POLICY_PATTERN = r"^(first_available|recent_contact|(group|agent):.*\S.*)$"
_SHAPES.update(
    {
        boolean: {"type": "boolean"},
        name: {"type": "string", "pattern": NON_BLANK},
        optional_text: {"type": "string"},
        window: {"type": "string", "pattern": _WINDOW_PATTERN},
        timezone: {"type": "string", "examples": ["Asia/Shanghai"]},
        policy: {"type": "string", "pattern": _POLICY_PATTERN},
        entries: {"type": "array", "items": {"type": "string", "enum": list(ENTRIES)}},
        buyer_map: {
            "type": "object",
            "additionalProperties": {"type": "string", "pattern": NON_BLANK},
        },
        crowd: {"type": "array", "items": {"type": "string", "pattern": NON_BLANK}},
    }
)

# --- tables -------------------------------------------------------------------------

SHOP = (
    Field(
        "name",
        name,
        required=N_('every config needs a shop name: name = "..." under [shop]'),
        description="The shop's name, shown in reports. Required.",
    ),
    Field(
        "timezone",
        timezone,
        description="IANA time zone of the shop; log times without an offset are in it. "
        'Default "Asia/Shanghai".',
    ),
)
ROUTING = (
    Field(
        "mobile_reception",
        boolean,
        description="R2: the shop allows reception on mobile Qianniu. Default false.",
    ),
    Field(
        "offline_routing",
        boolean,
        description="R15: re-route messages of agents who went offline. Default false.",
    ),
    Field(
        "offline_delay",
        duration(0, 600),
        "offline_delay_s",
        description='R15: how long before an offline agent is noticed, "0s" to "10m". '
        'Default "3m".',
    ),
    Field(
        "session_timeout",
        duration(60, 86400),
        "session_timeout_s",
        description='R6: a conversation closes after this much silence, "1m" to "1d". '
        'Default "15m".',
    ),
    Field(
        "fallback",
        choice("shop", "offline"),
        description='R13: no candidate in the group: "shop" = any agent of the shop, '
        '"offline" = the offline pool. Default "shop".',
    ),
)
OFFLINE = (
    Field(
        "policy",
        policy,
        description='R14: who gets pooled inquiries when agents return: "first_available", '
        '"recent_contact", "group:<name>" or "agent:<id>". Default "first_available".',
    ),
    Field(
        "pool_retention_days",
        integer(1, 365),
        description="R17: pooled messages older than this many days expire (1-365). Default 30.",
    ),
)
AUTO_REPLY = (
    Field(
        "greeting",
        optional_text,
        description="Auto-reply sent at each new conversation; empty or absent: none.",
    ),
    Field(
        "offline",
        optional_text,
        description="Auto-reply sent when a message waits offline (R14, R15); empty or "
        "absent: none.",
    ),
)
BOT = (
    Field("enabled", boolean, description="The shop bot (店小蜜) is on. Default false."),
    Field(
        "priority_reception",
        boolean,
        description="R11: the bot takes new buyers before humans. Default false.",
    ),
)
REPLY_RATE = (
    Field(
        "window",
        window,
        ("window_start_s", "window_end_s"),
        description='R19: questions starting in this daily window count, "HH:MM-HH:MM" '
        '(end may be 24:00). Default "08:00-24:00".',
    ),
    Field(
        "threshold",
        duration(1, 3600),
        "threshold_s",
        description='R19: an answer within this counts as in time, "1s" to "1h". Default "3m".',
    ),
    Field(
        "avg_window",
        window,
        ("avg_window_start_s", "avg_window_end_s"),
        description='R23: daily window of the average response time, "HH:MM-HH:MM". '
        'Default "08:00-23:00".',
    ),
    Field(
        "avg_cap",
        duration(1, 86400),
        "avg_cap_s",
        description='R23: longer response times count as this, "1s" to "1d". Default "10m".',
    ),
    Field(
        "slow_after",
        duration(1, 3600),
        "slow_after_s",
        description="R24: a question first answered this long after it or later (or never) "
        'is a slow response, "1s" to "1h". Default "100s".',
    ),
)
SALES = (
    Field(
        "conversion_window",
        duration(60, 30 * 86400),
        "conversion_window_s",
        description="R25: a payment at most this long after an inquiry converts it, "
        '"1m" to "30d". Default "24h".',
    ),
)
GROUP = (
    Field(
        "name",
        name,
        required=N_('every group needs a name: name = "presale"'),
        description="The group's name, unique; agents and rules refer to it. Required.",
    ),
    Field(
        "entries",
        entries,
        description="Entries whose new inquiries this group serves (R12): shop_home, "
        "item_detail, contact_list, order. Default none.",
    ),
    Field(
        "balance",
        choice("weight", "busyness"),
        description='R13b: split by "weight" (proportional) or "busyness" (fewest open '
        'conversations per weight). Default "weight".',
    ),
)
AGENT = (
    Field(
        "id",
        name,
        required=N_('every agent needs an id: id = "shop:alice"'),
        description='The sub-account, unique, as in the log ("shop:alice"). Required.',
    ),
    Field(
        "groups",
        names(what=N_("group names")),
        description="Groups this agent serves; each must be a [[groups]] name.",
    ),
    Field(
        "weight",
        integer(1, 1000),
        description="R13: share of new buyers within a group, 1-1000. Default 100.",
    ),
    Field(
        "routing",
        boolean,
        description="R3: takes routed buyers. Default true.",
    ),
    Field(
        "mobile",
        boolean,
        description="R2: may receive on mobile Qianniu (with mobile_reception). Default false.",
    ),
    Field(
        "max_concurrent",
        integer(1, 200),
        description="R13: at this many open conversations new buyers wait, 1-200. Default 20.",
    ),
)
RULE = (
    Field(
        "kind",
        choice(*RULE_KINDS),
        required=N_("every rule needs a kind: {kinds}"),
        description="R12: what the rule matches: crowd > intent > item > order_status "
        "(that rank, whatever the order of the rules). Required.",
    ),
    Field(
        "match",
        names(non_empty=True, what=N_("values to match")),
        required=N_('every rule needs the values it matches: match = ["..."]'),
        description="Values that match: crowd names, intents, item ids or order "
        "statuses. Required, at least one.",
    ),
    Field(
        "group",
        name,
        required=N_("every rule needs the group it sends buyers to"),
        description="The [[groups]] name matching buyers go to. Required.",
    ),
)
DEDICATED = (
    Field(
        "priority_reception",
        boolean,
        description="R10: an online dedicated agent takes their buyer first, before the "
        "bot and the rules. Default false.",
    ),
    Field(
        "buyers",
        buyer_map,
        description='R10: buyer = "agent id" pairs: each buyer\'s dedicated agent.',
    ),
)

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
