"""A parsed TOML document -> :class:`ShopConfig`, collecting every error on the way.

Each table is checked key by key against :mod:`routectl.config.schema`; then names are
checked for uniqueness and every reference (groups, crowds, agents) is resolved.
Nothing stops at the first problem: an invalid value is reported and left out, and the
checks go on with the rest.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from routectl.config import schema
from routectl.config.problems import Finding, KeyPath, did_you_mean, quoted_list, toml_repr
from routectl.config.schema import INVALID, Field
from routectl.i18n import N_, _
from routectl.model import (
    RULE_KINDS,
    Agent,
    AutoReply,
    Bot,
    Dedicated,
    Group,
    Offline,
    ReplyRate,
    Routing,
    Rule,
    Sales,
    Shop,
    ShopConfig,
)  # fmt: skip

Item = tuple[int, dict[str, Any]]
"""(index in the array, its valid values by model attribute)"""


class Builder:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.findings: list[Finding] = []

    def error(self, parts: KeyPath, message: str) -> None:
        self.findings.append(Finding("error", parts, message))

    def reporter(self, parts: KeyPath) -> schema.Report:
        """A ``report(sub_path, message)`` for the checks, rooted at ``parts``."""

        def report(sub: KeyPath, message: str) -> None:
            self.error((*parts, *sub), message)

        return report

    # --- tables --------------------------------------------------------------------

    def unknown_keys(self, parts: KeyPath, keys: Iterable[str], known: tuple[str, ...]) -> None:
        for key in keys:
            if key not in known:
                hint = did_you_mean(key, known) or _("; expected one of {keys}").format(
                    keys=", ".join(known)
                )
                self.error((*parts, key), _("unknown key") + hint)

    def fields(
        self, parts: KeyPath, raw: dict[str, Any], fields: tuple[Field, ...]
    ) -> dict[str, Any]:
        """Check ``raw`` against ``fields``; return the valid values by model attribute."""
        self.unknown_keys(parts, raw, tuple(f.name for f in fields))
        values: dict[str, Any] = {}
        for field in fields:
            path = (*parts, field.name)
            if field.name not in raw:
                if field.required:
                    required = _(field.required).format(kinds=" | ".join(RULE_KINDS))
                    self.error(path, _("missing; {hint}").format(hint=required))
                continue
            value = field.check(raw[field.name], self.reporter(path))
            if value is INVALID:
                continue
            if len(field.attrs) > 1:
                values.update(zip(field.attrs, value))
            else:
                values[field.attrs[0]] = value
        return values

    def table(self, name: str) -> dict[str, Any]:
        raw = self.document.get(name, {})
        if not isinstance(raw, dict):
            message = _("must be a table ([{name}]), got {value}")
            self.error((name,), message.format(name=name, value=toml_repr(raw)))
            return {}
        return self.fields((name,), raw, schema.TABLES[name])

    def array(self, name: str) -> list[Item]:
        raw = self.document.get(name, [])
        if not isinstance(raw, list):
            message = _("must be an array of tables ([[{name}]]), got {value}")
            self.error((name,), message.format(name=name, value=toml_repr(raw)))
            return []
        items = []
        for index, item in enumerate(raw):
            if not isinstance(item, dict):
                message = _("must be a table ([[{name}]]), got {value}")
                self.error((name, index), message.format(name=name, value=toml_repr(item)))
                continue
            items.append((index, self.fields((name, index), item, schema.ARRAYS[name])))
        return items

    def crowds(self) -> dict[str, frozenset[str]]:
        raw = self.document.get("crowds", {})
        if not isinstance(raw, dict):
            message = _("must be a table ([{name}]), got {value}")
            self.error(("crowds",), message.format(name="crowds", value=toml_repr(raw)))
            return {}
        crowds = {}
        for name, members in raw.items():
            path = ("crowds", name)
            value = schema.crowd(members, self.reporter(path))
            if value is not INVALID:
                crowds[name] = value
        return crowds

    # --- names and references ------------------------------------------------------

    def unique(
        self, array: str, key: str, items: list[Item], what: str, *, folded: bool = False
    ) -> dict[str, int]:
        """Values of ``key`` by the first index that has each; a repeat is an error. With
        ``folded``, so is a value equal to another after NFKC (``n:a``, ``n：a``, ``n:ａ``):
        the log reader compares agent names that way, so it could not tell them apart."""
        seen: dict[str, int] = {}
        normal: dict[str, str] = {}
        for index, values in items:
            value = values.get(key)
            if value is None:
                continue
            if value in seen:
                first = f"{array}[{seen[value]}]"
                message = _("duplicate {what} '{value}'; {first} has it already")
                self.error(
                    (array, index, key), message.format(what=_(what), value=value, first=first)
                )
                continue
            if folded and isinstance(value, str):
                form = unicodedata.normalize("NFKC", value)
                other = normal.get(form)
                if other is not None:
                    first = f"{array}[{seen[other]}]"
                    self.error(
                        (array, index, key),
                        _(
                            "{what} '{value}' is {first}'s '{other}' written with full-width "
                            "or compatibility characters (the same after NFKC): the log could "
                            "not tell them apart"
                        ).format(what=_(what), value=value, first=first, other=other),
                    )
                else:
                    normal[form] = value
            seen[value] = index
        return seen

    def reference(self, parts: KeyPath, what: str, name: str, known: Mapping[str, Any]) -> None:
        if name in known:
            return
        hint = did_you_mean(name, known)
        if not hint:
            hint = (
                _("; {what}s are {names}").format(what=_(what), names=quoted_list(known))
                if known
                else _("; no {what}s are defined").format(what=_(what))
            )
        self.error(parts, _("unknown {what} '{name}'").format(what=_(what), name=name) + hint)

    def references(
        self,
        groups: dict[str, int],
        agents: dict[str, int],
        agent_items: list[Item],
        rule_items: list[Item],
        crowds: dict[str, frozenset[str]],
        offline: dict[str, Any],
        dedicated: dict[str, Any],
    ) -> None:
        for index, values in agent_items:
            for position, group in enumerate(values.get("groups", ())):
                self.reference(("agents", index, "groups", position), N_("group"), group, groups)
        for index, values in rule_items:
            if "group" in values:
                self.reference(("rules", index, "group"), N_("group"), values["group"], groups)
            if values.get("kind") == "crowd":
                for position, crowd in enumerate(values.get("match", ())):
                    self.reference(("rules", index, "match", position), N_("crowd"), crowd, crowds)
        for buyer, agent in dedicated.get("buyers", {}).items():
            self.reference(("dedicated", "buyers", buyer), N_("agent"), agent, agents)
        policy = offline.get("policy")
        if policy is not None and policy.target is not None:
            known = groups if policy.kind == "group" else agents
            self.reference(("offline", "policy"), policy.kind, policy.target, known)

    # --- the whole document ----------------------------------------------------------

    def build(self) -> ShopConfig | None:
        self.unknown_keys((), self.document, schema.TOP_LEVEL)
        tables = {name: self.table(name) for name in schema.TABLES}
        groups, agents, rules = (self.array(name) for name in ("groups", "agents", "rules"))
        crowds = self.crowds()
        group_names = self.unique("groups", "name", groups, N_("group name"))
        agent_ids = self.unique("agents", "id", agents, N_("agent id"), folded=True)
        self.references(
            group_names, agent_ids, agents, rules, crowds, tables["offline"], tables["dedicated"]
        )
        if self.findings:
            return None
        return _assemble(tables, groups, agents, rules, crowds)


def _assemble(
    tables: dict[str, dict[str, Any]],
    groups: list[Item],
    agents: list[Item],
    rules: list[Item],
    crowds: dict[str, frozenset[str]],
) -> ShopConfig:
    dedicated = dict(tables["dedicated"])
    dedicated["buyers"] = MappingProxyType(dedicated.get("buyers", {}))
    return ShopConfig(
        shop=Shop(**tables["shop"]),
        routing=Routing(**tables["routing"]),
        offline=Offline(**tables["offline"]),
        auto_reply=AutoReply(**tables["auto_reply"]),
        bot=Bot(**tables["bot"]),
        reply_rate=ReplyRate(**tables["reply_rate"]),
        sales=Sales(**tables["sales"]),
        groups=tuple(Group(**values) for _index, values in groups),
        agents=tuple(Agent(**values) for _index, values in agents),
        rules=tuple(Rule(**values) for _index, values in rules),
        crowds=MappingProxyType(crowds),
        dedicated=Dedicated(**dedicated),
    )


def build_config(document: Mapping[str, Any]) -> tuple[ShopConfig | None, list[Finding]]:
    builder = Builder(document)
    config = builder.build()
    return config, builder.findings
